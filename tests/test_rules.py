"""The model-free ``rules`` strategy (``--no-model``): the default strategy's timeline, no model."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.fakes import FakeBackend
from support.paths import SAMPLE
from typer.testing import CliRunner

from summarizer import Result, Settings, summarise
from summarizer.backends.base import ChatRequest
from summarizer.cli import app
from summarizer.errors import ConfigError
from summarizer.loading import as_document
from summarizer.segment import sentences
from summarizer.strategies import STRATEGIES
from summarizer.strategies.base import clip

_FENCED = re.compile(r"<article>\n(.*?)\n</article>", re.DOTALL)


def echo(request: ChatRequest) -> str:
    """A stand-in model: every headline or description is the first words of its sentence."""
    match = _FENCED.search(request.messages[-1]["content"])
    head = " ".join((match.group(1) if match else "nothing here").split()[:6])
    return json.dumps({"headline": head, "description": head, "actors": [], "location": None})


def _no_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a backend was built")

    monkeypatch.setattr("summarizer.pipeline.make_backend", refuse)
    monkeypatch.setattr("summarizer.backends.embedded.EmbeddedBackend.__init__", refuse)
    monkeypatch.setattr("summarizer.backends.openai_compat.OpenAICompatBackend.__init__", refuse)


def _timeline(result: Result) -> list[tuple[object, ...]]:
    return [(e.evidence.quote, e.evidence.span, e.date, e.status) for e in result.events]


def test_rules_gives_the_default_strategys_events_without_a_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    model = FakeBackend(echo, name="echo", model="echo-1")
    decomposed = summarise(text, settings=Settings(cache=False), backend=model)
    assert model.calls > 10 and decomposed.provenance.strategy == "decomposed"
    _no_backend(monkeypatch)
    rules = summarise(text, no_model=True)
    assert len(rules.events) >= 10
    assert _timeline(rules) == _timeline(decomposed)
    # described by their clauses, clipped as decomposed does when the model gives nothing; a
    # dependent clause ("which last took place ...") with the words it hangs on
    for e in rules.events:
        assert e.description == clip(e.evidence.quote)[:300] or (
            e.description.startswith("\u2026 ") and e.description.endswith(e.evidence.quote)
        )
    assert all(e.actors == [] and e.location is None for e in rules.events)
    p = rules.provenance
    assert (p.backend, p.model, p.strategy, p.attempts, p.usage.calls, p.prompts) == (
        "none",
        "none",
        "rules",
        0,
        0,
        {},
    )
    Result.model_validate_json(rules.model_dump_json())  # schema-valid


def test_rules_summary_is_extractive_and_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_backend(monkeypatch)
    text = SAMPLE.read_text(encoding="utf-8")
    first = summarise(text, no_model=True)
    again = summarise(text, strategy="rules")  # the same thing by its name
    assert first.summary is not None
    assert first.model_dump(exclude={"provenance"}) == again.model_dump(exclude={"provenance"})
    assert first.summary.headline == first.title  # the title, within the headline limit
    source = as_document(text).text  # spans count from the body, after the date header
    lede = first.summary.gist
    assert source.startswith(lede)  # the gist is the lede
    # the abstract: whole sentences of the article, in its order (the learned selection)
    parts = [s.text for s in sentences(source) if s.text in first.summary.abstract]
    assert parts and " ".join(parts) == first.summary.abstract
    for (
        point
    ) in first.summary.key_points:  # a passage's first sentence (its asides pruned when long)
        assert len(point.support) == 1
        # support spans index the text as given, header line included
        cited = text[point.support[0].start : point.support[0].end].split()
        rest = iter(w.strip(".,").lower() for w in cited)
        # its words are the sentence's own, in their order (pruning only deletes)
        assert all(w.strip(".,").lower() in rest for w in point.text.rstrip(" …").split()), (
            point.text
        )


def test_rules_without_a_title_takes_the_lede_for_a_headline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _no_backend(monkeypatch)
    text = (
        "The city council approved the new budget on Monday after a long debate about "
        "school funding and road repairs across the northern districts. "
        "The mayor said the vote was a relief."
    )
    result = summarise(text, date="2025-11-13", no_model=True)
    assert result.summary is not None
    assert result.summary.headline == clip(result.summary.gist, 12)


def test_no_model_and_another_strategy_is_refused() -> None:
    with pytest.raises(ConfigError, match="rules"):
        summarise("Officials met today.", no_model=True, strategy="single")


def test_the_cli_no_model_flag(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _no_backend(monkeypatch)
    result = CliRunner().invoke(app, ["run", str(SAMPLE), "--no-model", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = Result.model_validate_json(result.stdout)
    assert data.provenance.strategy == "rules" and len(data.events) >= 10


def test_rules_is_registered() -> None:
    assert STRATEGIES["rules"].needs_model is False
    assert all(STRATEGIES[name].needs_model for name in ("decomposed", "single"))
