"""The tests' own stand-ins keep their promises: ``FakeBackend`` is a backend as the pipeline
sees one, and ``summarise_cli`` leaves what a ``summarise`` process would."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from support.cli import summarise_cli
from support.fakes import COMPLETION_TOKENS, PROMPT_TOKENS, FakeBackend, FakeBatchBackend

from summarizer import Settings, summarise
from summarizer.backends.base import Backend, BatchBackend, ChatRequest, Completion, complete_all
from summarizer.errors import BackendUnavailable


def ask(text: str) -> ChatRequest:
    return ChatRequest([{"role": "user", "content": text}])


def test_a_fake_is_a_backend_and_only_the_batch_fake_takes_batches() -> None:
    plain = FakeBackend(lambda request: "{}")
    batching = FakeBatchBackend(lambda request: "{}")
    assert isinstance(plain, Backend) and not isinstance(plain, BatchBackend)
    assert isinstance(batching, BatchBackend)
    assert plain.supports_grammar is False
    assert FakeBackend(lambda request: "{}", supports_grammar=True).supports_grammar is True


def test_replies_become_completions_and_exceptions_are_raised() -> None:
    given = Completion(text="exact", prompt_tokens=1, completion_tokens=2, finish_reason="length")
    backend = FakeBackend.replaying(["text", given, BackendUnavailable("down", backend="fake")])
    first = backend.complete(ask("a"))
    assert (first.text, first.prompt_tokens, first.completion_tokens, first.finish_reason) == (
        "text",
        PROMPT_TOKENS,
        COMPLETION_TOKENS,
        "stop",
    )
    assert backend.complete(ask("b")) is given
    with pytest.raises(BackendUnavailable):
        backend.complete(ask("c"))
    with pytest.raises(AssertionError, match="no scripted reply left"):
        backend.complete(ask("d"))
    assert [r.messages[0]["content"] for r in backend.requests] == ["a", "b", "c", "d"]
    assert backend.calls == 4


def test_batches_are_logged_as_sent() -> None:
    backend = FakeBatchBackend(lambda request: request.messages[0]["content"].upper())
    out = complete_all(backend, [ask("a"), ask("b")])
    backend.complete(ask("c"))
    assert [c.text for c in out] == ["A", "B"]
    assert [[r.messages[0]["content"] for r in b] for b in backend.batches] == [["a", "b"], ["c"]]
    assert backend.calls == 3


def test_the_pipeline_runs_on_a_fake_and_uses_its_tokenizer() -> None:
    def describe(request: ChatRequest) -> str:
        props = (request.schema or {}).get("properties") or {}
        if "headline" in props:
            return json.dumps({"headline": "Officials met in Paris"})
        return json.dumps({"description": "Officials met", "actors": [], "location": None})

    backend = FakeBackend(describe, tokenizer=lambda text: len(text.split()))
    result = summarise(
        "Officials met in Paris on Monday to discuss the plan.",
        date="2025-11-13",
        settings=Settings(cache=False),
        backend=backend,
    )
    assert backend.calls == result.provenance.usage.calls > 0
    assert result.provenance.usage.prompt_tokens == PROMPT_TOKENS * backend.calls
    assert result.provenance.backend == "fake" and result.provenance.model == "fake-1"


def test_summarise_cli_separates_the_streams_and_gives_the_exit_code(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("date 2025-11-13 Talks\nOfficials met in Paris on Monday.\n")
    ok = summarise_cli(str(article), "--no-model", "--format", "json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["document_id"] == "a"
    missing = summarise_cli(str(tmp_path / "nowhere.txt"))
    assert missing.returncode == 3 and missing.stdout == ""
    assert missing.stderr.startswith("error: ") and "nowhere.txt" in missing.stderr
    piped = summarise_cli("-", "--no-model", "--format", "json", stdin=article.read_bytes())
    assert piped.returncode == 0 and json.loads(piped.stdout)["publication_date"] == "2025-11-13"


def test_summarise_cli_leaves_pythons_warning_display_as_it_found_it() -> None:
    before = warnings.showwarning
    summarise_cli("--version")
    assert warnings.showwarning is before
