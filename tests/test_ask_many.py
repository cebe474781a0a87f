"""``ask_many``: independent questions sent together, re-asks in rounds, the budget in order;
and ``complete_all`` / the cache wrapper passing batches through."""

from __future__ import annotations

import json
from pathlib import Path

from support.fakes import FakeBackend, FakeBatchBackend

from summarizer.ask import Meter, Question, ask_many
from summarizer.backends.base import BatchBackend, ChatRequest, complete_all
from summarizer.backends.cache import CachedBackend, open_cache
from summarizer.errors import BudgetExceeded, InvalidOutput
from summarizer.prompts import Prompts
from summarizer.schemas import EventDraft


def draft(text: str) -> str:
    return json.dumps({"description": text, "actors": [], "location": None})


def batching(answers: dict[str, list[str]]) -> FakeBatchBackend:
    """A batching backend whose reply is chosen by the question (the first message) and the
    attempt: question -> replies, one per attempt."""

    def reply(request: ChatRequest) -> str:
        replies = answers[request.messages[0]["content"]]
        attempt = 1 if len(request.messages) == 1 else 2
        return replies[min(attempt, len(replies)) - 1]

    return FakeBatchBackend(reply, tokenizer=lambda text: len(text.split()))


def batches(backend: FakeBatchBackend) -> list[list[str]]:
    """The questions of each batch the backend was sent, in order."""
    return [[request.messages[0]["content"] for request in batch] for batch in backend.batches]


def question(text: str, **kwargs: object) -> Question[EventDraft]:
    return Question([{"role": "user", "content": text}], EventDraft, **kwargs)  # type: ignore[arg-type]


def test_questions_go_together_and_only_the_failed_ones_are_reasked() -> None:
    backend = batching(
        {
            "a": [draft("A happened")],
            "b": ["not json", draft("B happened")],
            "c": [draft("C happened")],
        }
    )
    meter = Meter()
    out = ask_many(backend, Prompts(), [question("a"), question("b"), question("c")], meter=meter)
    assert batches(backend) == [["a", "b", "c"], ["b"]]
    assert [o.value.description for o in out] == ["A happened", "B happened", "C happened"]  # type: ignore[union-attr]
    assert [o.attempts for o in out] == [1, 2, 1]  # type: ignore[union-attr]
    assert meter.usage.calls == 4 and meter.usage.prompt_tokens == 40


def test_each_question_keeps_its_own_reask_limit_and_errors_come_back_in_place() -> None:
    backend = batching({"x": ["nope"], "y": ["nope", draft("Y happened")]})
    out = ask_many(
        backend,
        Prompts(),
        [question("x", max_reasks=0), question("y", max_reasks=1)],
        meter=Meter(),
    )
    assert isinstance(out[0], InvalidOutput) and out[0].attempts == 1
    assert not isinstance(out[1], Exception) and out[1].value.description == "Y happened"
    assert batches(backend) == [["x", "y"], ["y"]]


def test_a_lenient_question_returns_its_last_parsed_answer_with_the_errors() -> None:
    backend = batching({"q": [draft("too long a description")]})
    out = ask_many(
        backend,
        Prompts(),
        [question("q", max_reasks=1, lenient=True, check=lambda d: ["too long"])],
        meter=Meter(),
    )
    answer = out[0]
    assert not isinstance(answer, Exception)
    assert answer.errors == ["too long"] and answer.value.description == "too long a description"


def test_the_budget_is_counted_in_the_questions_order() -> None:
    backend = batching({"a" * 400: [draft("A happened")], "b" * 400: [draft("B happened")]})
    # each question costs about 100 + 512/4 = 228 tokens by the estimate: room for one
    out = ask_many(
        backend, Prompts(), [question("a" * 400), question("b" * 400)], meter=Meter(budget=300)
    )
    assert not isinstance(out[0], Exception) and isinstance(out[1], BudgetExceeded)
    assert batches(backend) == [["a" * 400]]


def test_complete_all_sends_one_by_one_to_a_backend_that_cannot_batch() -> None:
    plain = FakeBackend(lambda request: draft("ok"), name="plain", model="plain")
    assert not isinstance(plain, BatchBackend)
    out = complete_all(plain, [ChatRequest([{"role": "user", "content": w}]) for w in "abc"])
    assert [r.messages[0]["content"] for r in plain.requests] == ["a", "b", "c"] and len(out) == 3


def test_the_cache_answers_hits_and_sends_the_misses_together(tmp_path: Path) -> None:
    inner = batching(
        {"a": [draft("A")], "b": [draft("B")], "c": [draft("C")]}
    )  # not validated here
    cached = CachedBackend(inner, open_cache(tmp_path))
    first = [ChatRequest([{"role": "user", "content": w}]) for w in "ab"]
    cached.complete_many(first)
    out = cached.complete_many([ChatRequest([{"role": "user", "content": w}]) for w in "abc"])
    assert batches(inner) == [["a", "b"], ["c"]]
    assert [json.loads(c.text)["description"] for c in out] == ["A", "B", "C"]
    assert cached.hits == 2 and cached.misses == 3
