"""Our decoding loop (``summarizer.backends.decoding``) against the real embedded model:
grammars respected, the stop at the end of the JSON, several sequences at once with
slots refilled, ``max_tokens``, and a prompt longer than the context."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.backends.base import ChatRequest, generation_schema
from summarizer.backends.decoding import shared_prefix
from summarizer.backends.embedded import EmbeddedBackend
from summarizer.errors import BackendError, InputError
from summarizer.schemas import EventDraft

SYSTEM = {"role": "system", "content": "You answer questions about the world briefly."}
CAPITALS = 'root ::= "Paris" | "Berlin" | "Madrid" | "Rome" | "Lisbon"'


def ask(question: str, **kwargs: object) -> ChatRequest:
    return ChatRequest([SYSTEM, {"role": "user", "content": question}], **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def batched(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> EmbeddedBackend:
    return EmbeddedBackend(
        cache_dir=tmp_path_factory.mktemp("cache"),
        model_path=model_path,
        decoder="batched",
        parallel=2,
        context_tokens=1024,
    )


def test_shared_prefix_stops_one_token_short_of_every_prompt() -> None:
    assert shared_prefix([[1, 2, 3, 4], [1, 2, 3, 5, 6]]) == [1, 2, 3]
    assert shared_prefix([[1, 2, 3], [1, 2, 3, 4]]) == [1, 2]
    assert shared_prefix([[7, 8, 9]]) == [7, 8]
    assert shared_prefix([[1, 2], [3, 4]]) == []


@pytest.mark.model
def test_a_gbnf_grammar_is_respected_and_answers_keep_their_order(batched: EmbeddedBackend) -> None:
    cities = ["Lisbon", "Paris", "Rome", "Berlin", "Madrid"]
    requests = [
        ask(f"Repeat this city's name exactly: {c}", grammar=CAPITALS, max_tokens=8) for c in cities
    ]
    answers = batched.complete_many(requests)  # five sequences through two slots: refilled
    assert [a.text for a in answers] == cities
    assert all(a.finish_reason == "stop" and a.prompt_tokens > 0 for a in answers)


@pytest.mark.model
def test_json_answers_validate_and_stop_at_the_closing_brace(batched: EmbeddedBackend) -> None:
    schema = generation_schema(EventDraft.model_json_schema())
    sentences = [
        "The council approved the new bridge on Monday.",
        "Heavy snow closed the airport for two days, officials said.",
        "The company will open a factory in Leeds next year.",
    ]
    requests = [
        ask(f"Describe the event in this sentence as JSON:\n{s}", schema=schema, max_tokens=120)
        for s in sentences
    ]
    answers = batched.complete_many(requests)
    for answer in answers:
        EventDraft.model_validate_json(answer.text)
        assert answer.text.rstrip().endswith("}") and answer.finish_reason == "stop"
        assert answer.text == answer.text.strip()  # nothing generated past the JSON value


@pytest.mark.model
def test_a_sequence_that_reaches_max_tokens_ends_with_length(batched: EmbeddedBackend) -> None:
    short, full = batched.complete_many(
        [
            ask("Count from one to one hundred in words.", max_tokens=4),
            ask("What is the capital of Italy? One word.", grammar=CAPITALS, max_tokens=8),
        ]
    )
    assert short.finish_reason == "length" and short.completion_tokens == 4
    assert full.text == "Rome"  # its neighbour in the batch ended on its own


@pytest.mark.model
def test_the_same_request_alone_and_in_a_batch_gets_the_same_answer(
    batched: EmbeddedBackend,
) -> None:
    request = ask("What is the capital of Spain? One word.", grammar=CAPITALS, max_tokens=8)
    alone = batched.complete(request)
    together = batched.complete_many([ask("Name a colour.", max_tokens=5), request])[1]
    assert alone.text == together.text == "Madrid"


@pytest.mark.model
def test_a_prompt_longer_than_the_context_is_an_input_error(batched: EmbeddedBackend) -> None:
    long = ask("Summarise: " + "the river rose again overnight and " * 300, max_tokens=10)
    # the text's size, not the backend's fault: not retried, and a batch is not stopped
    with pytest.raises(InputError, match="longer than the model's context"):
        batched.complete_many([ask("Name a colour.", max_tokens=5), long])
    # the decoder is still usable afterwards
    assert (
        batched.complete(
            ask("What is the capital of France? One word.", grammar=CAPITALS, max_tokens=8)
        ).text
        == "Paris"
    )


@pytest.mark.model
def test_a_grammar_that_does_not_parse_is_a_backend_error(batched: EmbeddedBackend) -> None:
    with pytest.raises(BackendError, match="grammar"):
        batched.complete(ask("Say yes.", grammar="root ::= (", max_tokens=4))


@pytest.mark.model
def test_batched_json_answers_parse_like_the_plain_path(model_path: Path, tmp_path: Path) -> None:
    """The plain path's answers, through our loop at batch 2 (the benchmark measures the
    share over the tool's own requests; here every answer must at least parse the same)."""
    schema = generation_schema(EventDraft.model_json_schema())
    plain = EmbeddedBackend(
        cache_dir=tmp_path, model_path=model_path, context_tokens=1024, decoder="llama-cpp"
    )
    requests = [
        ask(f"Describe the event in this sentence as JSON:\n{s}", schema=schema, max_tokens=120)
        for s in [
            "Flooding forced 200 families from their homes on Sunday.",
            "The minister resigned after the vote, her office said.",
        ]
    ]
    ours = EmbeddedBackend(
        cache_dir=tmp_path,
        model_path=model_path,
        decoder="batched",
        parallel=2,
        context_tokens=1024,
    ).complete_many(requests)
    theirs = [plain.complete(r) for r in requests]
    for a, b in zip(ours, theirs):
        assert set(json.loads(a.text)) == set(json.loads(b.text))
        assert a.prompt_tokens == b.prompt_tokens
