"""Reference sets: the format validates, every shipped reference loads and is well formed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.paths import REPO, SHARED

from summarizer.evaluation.references import (
    Reference,
    ReferenceEvent,
    ReferenceFormatError,
    granularity_of,
    load_frank,
    load_references,
)
from summarizer.loading import parse_text

DATASETS = sorted((REPO / "eval" / "datasets").glob("*.jsonl"))
FRANK = SHARED / "data" / "frank"
VALUE = re.compile(r"\d{4}(-\d{2}(-\d{2})?|-W\d{2}|-Q[1-4]|-H[12]|-(SP|SU|FA|WI))?|\d{2,3}")


def _event(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "description": "Apple released the SDK",
        "trigger": "released",
        "date_text": None,
        "date_value": "2008-03",
        "granularity": "month",
        "date_source": "inferred",
        "sentence": "Apple released it.",
        "span": [0, 18],
        "trigger_span": [6, 14],
    }
    base.update(changes)
    return base


def _reference(event: dict[str, object]) -> dict[str, object]:
    return {
        "id": "r1",
        "text": "Apple released it. Then more.",
        "publication_date": "2008-03-06",
        "source": "test",
        "licence": "test",
        "events": [event],
    }


def test_datasets_exist() -> None:
    names = {p.name for p in DATASETS}
    assert {"wikinews.jsonl", "sample.jsonl"} <= names


@pytest.mark.parametrize("path", DATASETS, ids=lambda p: p.name)
def test_every_reference_loads_and_is_well_formed(path: Path) -> None:
    refs = load_references(path)
    assert refs
    for ref in refs:
        assert ref.summary and 3 <= len(ref.key_points) <= 7, ref.id
        assert len(ref.summary.split()) <= 90, ref.id
        for event in ref.events:
            assert ref.text[event.span[0] : event.span[1]] == event.sentence
            if event.trigger_span is not None:
                assert ref.text[event.trigger_span[0] : event.trigger_span[1]] == event.trigger
            if event.date_value is not None:
                assert VALUE.fullmatch(event.date_value), event.date_value
                assert granularity_of(event.date_value) == event.granularity
                assert event.date_source in {"written", "inferred"}


def test_wikinews_counts() -> None:
    refs = load_references(REPO / "eval" / "datasets" / "wikinews.jsonl")
    assert len(refs) == 30
    assert all(r.publication_date is not None and r.events for r in refs)
    assert sum(len(r.dated_events) for r in refs) >= 150


def test_sample_text_is_what_the_loader_sees() -> None:
    ref = load_references(REPO / "eval" / "datasets" / "sample.jsonl")[0]
    raw = (REPO / "examples" / "kremlin-peace-talks-2025-11-13.txt").read_text(encoding="utf-8")
    doc = parse_text(raw, doc_id="sample")
    assert ref.text == doc.text
    assert ref.publication_date == doc.date
    written = {e.date_text: e.date_value for e in ref.events if e.date_source == "written"}
    assert written["on November 12"] == "2025-11-12"
    assert written["Earlier on Monday"] == "2025-11-10"
    assert written["Last month"] == "2025-10"


def test_span_must_slice_to_sentence() -> None:
    Reference.model_validate(_reference(_event()))
    with pytest.raises(ValueError, match="span"):
        Reference.model_validate(_reference(_event(span=[1, 18])))
    with pytest.raises(ValueError, match="trigger"):
        Reference.model_validate(_reference(_event(trigger_span=[5, 13])))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date_value": "2008-3"}, "not a TIMEX3"),
        ({"date_value": "2008-13"}, "not a TIMEX3"),
        ({"date_value": "2008-02-30", "granularity": "day"}, "not a TIMEX3"),
        ({"date_value": "2008-03-06"}, "granularity day"),
        ({"date_value": None}, "undated"),
        ({"date_source": None}, "date_source"),
    ],
)
def test_bad_dates_are_rejected(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ReferenceEvent.model_validate(_event(**changes))


@pytest.mark.parametrize(
    ("value", "granularity"),
    [
        ("2008-03-06", "day"),
        ("2008-03", "month"),
        ("2008", "year"),
        ("2006-W14", "week"),
        ("2006-Q4", "quarter"),
        ("2011-H1", "half"),
        ("2006-SU", "season"),
        ("200", "decade"),
        ("20", "century"),
        ("PRESENT_REF", None),
        ("P1Y", None),
        ("2008-XX-XX", None),
    ],
)
def test_granularity_of(value: str, granularity: str | None) -> None:
    assert granularity_of(value) == granularity


def test_load_references_reports_line_number(tmp_path: Path) -> None:
    good = json.dumps(_reference(_event()))
    path = tmp_path / "refs.jsonl"
    path.write_text(good + "\n\n{not json\n", encoding="utf-8")
    with pytest.raises(ReferenceFormatError, match=r"refs.jsonl:3"):
        load_references(path)
    path.write_text(good + "\n" + json.dumps(_reference(_event(span=[0, 5]))) + "\n")
    with pytest.raises(ReferenceFormatError, match=r"refs.jsonl:2"):
        load_references(path)
    path.write_text(good + "\n" + good + "\n")
    with pytest.raises(ReferenceFormatError, match="duplicate id"):
        load_references(path)


@pytest.mark.skipif(not FRANK.is_dir(), reason="../shared/data/frank is not present")
def test_load_frank_in_place() -> None:
    refs = load_frank(FRANK, limit=5)
    assert len(refs) == 5
    assert all(r.summary and r.text and not r.events for r in refs)
    assert refs[0].id.startswith("frank-") and refs[0].publication_date is None
