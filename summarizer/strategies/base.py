"""What every strategy shares: the run's state, asking the model, checking answers.

A **strategy** turns one screened document (its sentences, injection suspects
removed) into a summary and a list of events. It gets the settings, the
prompts and, when it needs one (``needs_model``), the backend; the pipeline
around it screens the document and assembles the ``Result``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..ask import Meter, Question, ask_many
from ..backends.base import Backend
from ..chunking import Chunk, cut, estimate_tokens
from ..errors import BudgetExceeded, InvalidOutput
from ..grounding import unsupported_words
from ..prompts import SYSTEM, Prompts, fence
from ..schemas import Document, Event, Summary
from ..segment import Sentence
from ..settings import Settings

UNSUPPORTED_SHARE = 0.5  # a summary may paraphrase, but mostly in the article's words
FALLBACK_WORDS = 25


@dataclass
class Run:
    """The state of one document's run: usage meter, warnings, model descriptions."""

    document: Document
    meter: Meter
    warnings: list[str] = field(default_factory=list)
    out_of_budget: bool = False
    described: dict[int, str] = field(default_factory=dict)  # sentence index -> validated headline
    chunks: list[Chunk] | None = (
        None  # cut once: counting tokens runs the tokenizer on every sentence
    )


def words(text: str) -> int:
    return len(text.split())


def clip(text: str, limit: int = FALLBACK_WORDS) -> str:
    """The first ``limit`` words of ``text``, with an ellipsis when some were cut."""
    parts = text.split()
    return " ".join(parts[:limit]) + (" …" if len(parts) > limit else "")


def title_of(doc: Document) -> str | None:
    return fence(doc.title) if doc.title else None


class Strategy:
    """One way from a screened document to its summary and events."""

    name: ClassVar[str]
    needs_model: ClassVar[bool] = True  # False: the pipeline builds no backend for it

    def __init__(
        self, settings: Settings, prompts: Prompts, backend: Backend | None = None
    ) -> None:
        if self.needs_model and backend is None:
            raise TypeError(f"the {self.name} strategy needs a backend")
        self.settings = settings
        self.prompts = prompts
        self.backend = backend

    def run(self, run: Run, sents: list[Sentence]) -> tuple[Summary | None, list[Event]]:
        raise NotImplementedError

    # --- asking ---

    def _messages(self, user: str) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": self.prompts.render(SYSTEM)},
            {"role": "user", "content": user},
        ]

    def ask(self, run: Run, user: str, model: Any, **kwargs: Any) -> Any:
        """One validated answer, or None (with a warning) when the model never gave one."""
        return self.ask_many(run, [self.question(user, model, **kwargs)])[0]

    def question(self, user: str, model: Any, **kwargs: Any) -> Question[Any]:
        """A question for ``ask_many``: the user message under the system instructions."""
        kwargs.setdefault("max_reasks", self.settings.max_reasks)
        return Question(self._messages(user), model, **kwargs)

    def ask_many(self, run: Run, questions: list[Question[Any]]) -> list[Any]:
        """Independent questions asked together (see ``summarizer.ask.ask_many``): each its
        validated answer, or None with a warning."""
        if run.out_of_budget:
            return [None] * len(questions)
        assert self.backend is not None, "a model-free strategy never asks"
        outcomes = ask_many(
            self.backend,
            self.prompts,
            questions,
            meter=run.meter,
            temperature=self.settings.temperature,
        )
        answers = []
        for question, outcome in zip(questions, outcomes):
            if isinstance(outcome, BudgetExceeded):
                if not run.out_of_budget:
                    run.warnings.append(f"stopped asking: {outcome}")
                run.out_of_budget = True
            elif isinstance(outcome, InvalidOutput):  # refusals included
                run.warnings.append(f"{question.model.__name__}: {outcome}")
            answers.append(None if isinstance(outcome, Exception) else outcome)
        return answers

    # --- checking ---

    @staticmethod
    def supported(text: str, source: str, share: float = UNSUPPORTED_SHARE) -> bool:
        """Whether ``text`` says mostly what ``source`` says, in its words."""
        return len(unsupported_words(text, source)) <= share * max(1, words(text))

    # --- chunking ---

    def count(self, text: str) -> int:
        """Tokens by the backend's own count; the safe estimate without a model."""
        return (
            self.backend.count_tokens(text) if self.backend is not None else estimate_tokens(text)
        )

    def chunks(self, run: Run, sents: list[Sentence]) -> list[Chunk]:
        """The document's chunks, cut on first use and kept with the run."""
        if run.chunks is None:
            run.chunks = cut(run.document.text, sents, self.settings, self.count)
        return run.chunks
