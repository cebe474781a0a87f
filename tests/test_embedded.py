"""The embedded default, end to end: the real GGUF model in-process through llama-cpp-python."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLE

from summarizer import Result, Settings, summarise

pytestmark = pytest.mark.model

# the sample article's own relative dates and what they mean, published 2025-11-13
SAMPLE_DATES = [
    ("November 12", "2025-11-12"),
    ("Monday", "2025-11-10"),
    ("July 23", "2025-07-23"),
    ("August", "2025-08"),
    ("Last month", "2025-10"),
]


@pytest.fixture(scope="module")
def sample_result(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Result:
    settings = Settings(model_path=model_path, cache_dir=tmp_path_factory.mktemp("cache"))
    return summarise(SAMPLE.read_text(encoding="utf-8"), settings=settings)


def check_sample_result(result: Result, text: str) -> None:
    """What the issue demands of the sample: a summary, 5+ grounded events, the dates right."""
    assert result.summary is not None
    assert 3 <= len(result.summary.key_points) <= 7
    assert len(result.events) >= 5
    for event in result.events:
        span = event.evidence.span
        assert text[span.start : span.end] == event.evidence.quote
        assert event.evidence.quote in text
    written = {
        (e.date.text or "").lower(): e.date.value
        for e in result.events
        if e.date.source == "written"
    }
    for words, value in SAMPLE_DATES:
        hits = [v for t, v in written.items() if words.lower() in t]
        assert hits, f"no event dated by {words!r}: {sorted(written)}"
        assert value in hits, f"{words!r} resolved to {hits}, expected {value}"


def test_sample_article_end_to_end(sample_result: Result) -> None:
    text = SAMPLE.read_text(encoding="utf-8").split("\n", 1)[1].lstrip("\r\n")
    check_sample_result(sample_result, text)
    p = sample_result.provenance
    assert p.backend == "embedded"
    assert p.attempts == p.usage.calls >= 1 + len(sample_result.events) // 2
    assert p.usage.prompt_tokens > 0 and p.usage.completion_tokens > 0
    assert set(p.prompts) >= {"system", "compress"}  # deletion-only writing (grammar backend)


def test_descriptions_are_grounded_in_their_sentences(sample_result: Result) -> None:
    from summarizer.grounding import found_in, unsupported_words

    for event in sample_result.events:
        extra = unsupported_words(event.description, event.evidence.quote)
        assert len(extra) <= max(1, len(event.description.split()) // 2), (event.description, extra)
        for actor in event.actors:
            assert found_in(actor, event.evidence.quote)
