"""What every strategy shares: the run's state, asking the model, checking answers.

A **strategy** turns one screened document (its sentences, injection suspects
removed) into a summary and a list of events. It gets the settings, the
prompts and, when it needs one (``needs_model``), the backend; the pipeline
around it screens the document and assembles the ``Result``.

A **pending** value (``Pending``) is something the model's answer to one question
gives, once read (a description, a headline, a chunk's summary), or something known
without asking. A strategy gathers its independent pending values and settles them
(``Strategy.settle``): their questions are asked together (``ask_many``: side by side on
a batched decoder or a server), then each answer is read into its value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel

from ..ask import Answer, Check, Meter, Question, ask_many
from ..backends.base import Backend, Message
from ..chunking import Chunk, cut, estimate_tokens
from ..errors import BudgetExceeded, InvalidOutput
from ..grounding import unsupported_words
from ..prompts import SYSTEM, Prompts, fence
from ..schemas import Document, Event, Summary
from ..segment import Sentence
from ..settings import Settings

A = TypeVar("A", bound=BaseModel)  # the pydantic model an answer validates as
V = TypeVar("V")
W = TypeVar("W")

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


@dataclass(eq=False)
class Pending(Generic[V]):
    """A value the model's answer gives: its question (None when the value is known without
    asking) and how the answer is read (to None: no usable value). ``Strategy.settle`` fills
    ``value``.

    Built with ``asking`` (or ``known``), which ties the question's answer model to what
    ``read`` takes; the pair is stored without it, so pending values of different models
    settle together."""

    question: Question[Any] | None
    read: Callable[[Answer[Any] | None], V | None]
    settled: bool = field(default=False, init=False)
    _value: V | None = field(default=None, init=False)

    @staticmethod
    def asking(question: Question[A], read: Callable[[Answer[A] | None], V | None]) -> Pending[V]:
        return Pending(question, read)

    @staticmethod
    def known(value: V) -> Pending[V]:
        return Pending(None, lambda _: value)

    def then(self, f: Callable[[V], W | None]) -> Pending[W]:
        """This value passed on through ``f`` (a None stays None)."""
        read = self.read
        return Pending(self.question, lambda answer: None if (v := read(answer)) is None else f(v))

    @property
    def value(self) -> V | None:
        if not self.settled:
            raise RuntimeError("a pending value is read only after Strategy.settle")
        return self._value

    def resolve(self, answer: Answer[Any] | None) -> None:
        """Its value from the answer to its question (None: no answer, or no question)."""
        self._value = self.read(answer)
        self.settled = True


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

    def _messages(self, user: str) -> list[Message]:
        return [
            {"role": "system", "content": self.prompts.render(SYSTEM)},
            {"role": "user", "content": user},
        ]

    def question(
        self,
        user: str,
        model: type[A],
        *,
        check: Check[A] | None = None,
        max_reasks: int | None = None,
        max_tokens: int = 512,
        lenient: bool = False,
        grammar: str | None = None,
    ) -> Question[A]:
        """A question for ``ask_many``: the user message under the system instructions;
        ``max_reasks`` defaults to the settings'."""
        return Question(
            self._messages(user),
            model,
            check,
            self.settings.max_reasks if max_reasks is None else max_reasks,
            max_tokens,
            lenient,
            grammar,
        )

    def ask_many(self, run: Run, questions: Sequence[Question[A]]) -> list[Answer[A] | None]:
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
        answers: list[Answer[A] | None] = []
        for question, outcome in zip(questions, outcomes):
            if isinstance(outcome, BudgetExceeded):
                if not run.out_of_budget:
                    run.warnings.append(f"stopped asking: {outcome}")
                run.out_of_budget = True
            elif isinstance(outcome, InvalidOutput):  # refusals included
                run.warnings.append(f"{question.model.__name__}: {outcome}")
            answers.append(None if isinstance(outcome, Exception) else outcome)
        return answers

    def settle(self, run: Run, pending: Sequence[Pending[Any]]) -> None:
        """Every pending value read, the questions among them asked together in their order."""
        asking = [p for p in pending if p.question is not None]
        answers = self.ask_many(run, [p.question for p in asking if p.question is not None])
        by_pending = dict(zip(asking, answers))
        for p in pending:
            p.resolve(by_pending.get(p))

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
