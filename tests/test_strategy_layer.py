"""The strategy layer: pending values settled together (``Pending``, ``Strategy.settle``),
single's per-chunk questions and a reduce level's questions sent together, and the backend's
``supports_grammar`` (not its name) choosing how decomposed writes."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from summarizer.ask import Answer, Meter
from summarizer.backends.base import ChatRequest, Completion
from summarizer.backends.cache import CachedBackend, open_cache
from summarizer.pipeline import Pipeline
from summarizer.prompts import Prompts
from summarizer.schemas import Document, EventDraft, HeadlineDraft, SummaryDraft
from summarizer.settings import Settings
from summarizer.strategies.base import Pending, Run, Strategy
from summarizer.strategies.reduce import Reducer

_FENCED = re.compile(r"<article>\n(.*?)\n</article>", re.DOTALL)

ARTICLE = (
    "The city council of Springfield voted on Monday to build a new bridge across the river "
    "after three years of public debate about its cost and its route through the old town.\n\n"
    "The mayor said the work would begin in the spring and that the bridge would open to "
    "traffic two years later, provided the state paid the share it had promised in March."
)


def kind(request: ChatRequest) -> str:
    """Which question a request is, by the properties its answer schema names."""
    props = set((request.schema or {}).get("properties") or {})
    for name, marker in [
        ("events", "events"),
        ("summary", "key_points"),
        ("compression", "text"),
        ("description", "description"),
        ("headline", "headline"),
    ]:
        if marker in props:
            return name
    raise AssertionError(f"unexpected question {sorted(props)}")


class Recording:
    """A batching stand-in model that records every batch; each answer copies the first
    words of the article or sentence the question fences."""

    name = "recording"  # the same name whatever it supports: the name decides nothing
    model = "recording-1"

    def __init__(self, *, supports_grammar: bool) -> None:
        self.supports_grammar = supports_grammar
        self.batches: list[list[ChatRequest]] = []

    def complete(self, request: ChatRequest) -> Completion:
        return self.complete_many([request])[0]

    def complete_many(self, requests: Sequence[ChatRequest]) -> list[Completion]:
        self.batches.append(list(requests))
        return [Completion(json.dumps(self._answer(r))) for r in requests]

    def _answer(self, request: ChatRequest) -> dict[str, object]:
        found = _FENCED.search(request.messages[-1]["content"])
        words = (found.group(1) if found else "nothing fenced here").split()
        head = " ".join(words[:6])
        asked = kind(request)
        if asked == "events":
            return {"events": []}
        if asked == "summary":
            points = [" ".join(words[i : i + 6]) for i in (0, 6, 12)]
            return {"headline": head, "gist": head, "abstract": head, "key_points": points}
        if asked == "compression":
            return {"text": " ".join(words[:8])}
        return {"headline": head, "description": head, "actors": [], "location": None}

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    @property
    def requests(self) -> list[ChatRequest]:
        return [r for batch in self.batches for r in batch]


def run_pipeline(backend: object, strategy: str) -> None:
    settings = Settings(strategy=strategy, cache=False)
    Pipeline(settings, backend=backend).run(Document(id="d", text=ARTICLE))  # type: ignore[arg-type]


# --- the grammar capability ---


def test_a_backend_that_honours_grammars_is_asked_to_delete_words_whatever_its_name() -> None:
    backend = Recording(supports_grammar=True)
    run_pipeline(backend, "decomposed")
    asked = [kind(r) for r in backend.requests]
    assert asked and set(asked) == {"compression"}
    assert all(r.grammar for r in backend.requests)


def test_a_backend_without_grammars_is_asked_to_write_freely() -> None:
    backend = Recording(supports_grammar=False)
    run_pipeline(backend, "decomposed")
    asked = [kind(r) for r in backend.requests]
    assert "headline" in asked and "description" in asked and "compression" not in asked
    assert not any(r.grammar for r in backend.requests)


@pytest.mark.parametrize("supports", [True, False])
def test_the_cache_wrapper_passes_its_inner_backends_capability(
    supports: bool, tmp_path: Path
) -> None:
    inner = Recording(supports_grammar=supports)
    cached = CachedBackend(inner, open_cache(tmp_path))
    assert cached.supports_grammar is supports
    run_pipeline(cached, "decomposed")
    assert any(kind(r) == "compression" for r in inner.requests) is supports


# --- single: independent questions together ---


def test_single_asks_a_chunks_summary_and_events_in_one_batch() -> None:
    backend = Recording(supports_grammar=False)
    run_pipeline(backend, "single")
    assert [[kind(r) for r in batch] for batch in backend.batches] == [["summary", "events"]]


POINTS = ["x y", "y z", "z x"]


def test_a_reduce_level_asks_its_groups_together() -> None:
    asked: list[list[str]] = []

    def summarise(articles: list[str]) -> list[SummaryDraft | None]:
        asked.append(articles)
        return [
            SummaryDraft(
                headline="Reduced", gist="A gist.", abstract=f"reduce {i}", key_points=POINTS
            )
            for i, _ in enumerate(articles)
        ]

    def count(text: str) -> int:
        return len(text.split())

    drafts = [
        SummaryDraft(headline="Part", gist="A gist.", abstract=f"part {i} " * 5, key_points=POINTS)
        for i in range(4)
    ]
    # a part is 21 words: room for two a question, not three; so two reduces, then one
    reducer = Reducer(
        summarise=summarise, question_tokens=count, count=count, budget=60, warnings=[]
    )
    reducer.climb(drafts)
    assert [len(articles) for articles in asked] == [2, 1]


# --- pending values ---


class Asking(Strategy):
    name = "asking"

    def run(self, run: Run, sents: object) -> tuple[None, list[object]]:  # type: ignore[override]
        raise NotImplementedError


def headline_of(answer: Answer[HeadlineDraft] | None) -> str | None:
    return None if answer is None else answer.value.headline


def test_settle_asks_once_for_all_and_gives_each_pending_its_own_answer() -> None:
    backend = Recording(supports_grammar=False)
    strategy = Asking(Settings(cache=False), Prompts(), backend)  # type: ignore[arg-type]
    run = Run(Document(id="d", text=ARTICLE), Meter())

    def asking(sentence: str) -> Pending[str]:
        user = f"<article>\n{sentence}\n</article>"
        return Pending.asking(strategy.question(user, HeadlineDraft), headline_of)

    first, second = asking("Bridge vote passes"), asking("Mayor names a date")
    known = Pending.known("as written")
    shouted = second.then(str.upper)
    dropped = first.then(lambda _: None)
    strategy.settle(run, [first, known, shouted, dropped])
    assert len(backend.batches) == 1 and len(backend.batches[0]) == 3  # known asks nothing
    assert (first.value, known.value, shouted.value, dropped.value) == (
        "Bridge vote passes",
        "as written",
        "MAYOR NAMES A DATE",
        None,
    )


def test_a_pending_value_is_not_read_before_it_is_settled() -> None:
    pending: Pending[EventDraft] = Pending.known(EventDraft(description="A bridge vote"))
    with pytest.raises(RuntimeError):
        _ = pending.value
