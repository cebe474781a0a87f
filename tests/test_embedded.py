"""The embedded default, end to end: the real GGUF model in-process through llama-cpp-python."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.paths import SAMPLE
from support.sample import check_sample_result

from summarizer import Result, Settings, summarise

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def sample_result(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Result:
    settings = Settings(model_path=model_path, cache_dir=tmp_path_factory.mktemp("cache"))
    return summarise(SAMPLE.read_text(encoding="utf-8"), settings=settings)


def test_sample_article_end_to_end(sample_result: Result) -> None:
    text = SAMPLE.read_text(encoding="utf-8")  # spans index the file as given, header too
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
