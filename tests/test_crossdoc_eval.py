"""The cross-document measures: the plain one, the task's temporal awareness, the trial run."""

from __future__ import annotations

import datetime as dt

import pytest
from support.paths import SHARED

from summarizer.evaluation.crossdoc import (
    ABOUT,
    ENTITY_SENTENCES,
    TOOL_SYSTEM,
    UNMERGED,
    Article,
    GoldEvent,
    GoldTimeline,
    awareness,
    awareness_counts,
    evaluate_trial,
    gold_graph,
    known_date,
    plain_scores,
    system_graph,
    trigger,
)
from summarizer.schemas import (
    Document,
    EntityTimeline,
    EventDate,
    Span,
    TimelineEntry,
    TimelineSource,
)

TRIAL = SHARED / "data" / "semeval2015_task4_trial"
TEXT = "Apple unveiled the phone .\nApple shipped the phone .\nApple recalled it .\n"


def _article() -> Article:
    words: dict[tuple[int, str], list[tuple[int, int]]] = {}
    offset = 0
    for n, line in enumerate(TEXT.splitlines()):
        for word in line.split(" "):
            words.setdefault((n, word), []).append((offset, offset + len(word)))
            offset += len(word) + 1
    return Article(Document(id="d1", text=TEXT, date=dt.date(2010, 6, 9)), words)


def _entry(line: int, value: str | None) -> TimelineEntry:
    start = sum(len(x) + 1 for x in TEXT.splitlines()[:line])
    quote = TEXT.splitlines()[line]
    date = (
        EventDate(
            value=value,
            granularity="day",
            start=dt.date.fromisoformat(value),
            end=dt.date.fromisoformat(value),
            source="written",
        )
        if value
        else None
    )
    source = TimelineSource(
        document_id="d1",
        quote=quote,
        span=Span(start=start, end=start + len(quote)),
        date_value=value,
        date_source="written" if value else "unresolved",
        status="fact",
    )
    return TimelineEntry(date=date, description=quote, status="fact", sources=[source])


GOLD = GoldTimeline(
    "phone",
    "phone",
    [
        GoldEvent(1, "2010-06-07", [("d1", 0, "unveiled")]),
        GoldEvent(2, "2010-06-08", [("d1", 1, "shipped")]),
        GoldEvent(0, None, [("d1", 2, "recalled")]),  # not placed
    ],
)


def test_known_date_drops_unknown_parts() -> None:
    assert known_date("2006-03-XX") == "2006-03"
    assert known_date("XXXX-XX-XX") is None and known_date("XXX-XX-XX") is None
    assert known_date("2008-06-09") == "2008-06-09"


def test_trigger_is_the_first_verb_like_word() -> None:
    assert trigger("Apple unveiled the phone .") == "unveiled"
    assert trigger("The lawsuit was settled in 1991 .") == "settled"


def test_a_perfect_timeline_scores_one_on_both_measures() -> None:
    articles = {"d1": _article()}
    timeline = EntityTimeline(
        entity="phone",
        entries=[_entry(0, "2010-06-07"), _entry(1, "2010-06-08")],
        undated=[_entry(2, None)],
    )
    plain = plain_scores(timeline, GOLD, articles)
    assert plain["precision"] == 1.0 and plain["dated_recall"] == 1.0
    counts = awareness_counts(system_graph(timeline, articles), gold_graph(GOLD))
    assert awareness(counts)["f1"] == 1.0 and counts["gold_relations"] > 0


def test_a_wrong_order_and_a_wrong_date_cost_points() -> None:
    articles = {"d1": _article()}
    swapped = EntityTimeline(
        entity="phone", entries=[_entry(1, "2010-06-01"), _entry(0, "2010-06-07")]
    )
    plain = plain_scores(swapped, GOLD, articles)
    assert plain["precision"] == 1.0 and plain["dated_recall"] == 0.5
    score = awareness(awareness_counts(system_graph(swapped, articles), gold_graph(GOLD)))
    assert 0.0 < score["precision"] < 1.0 and score["recall"] < 1.0


def test_an_entry_outside_the_gold_lowers_precision_only() -> None:
    articles = {"d1": _article()}
    extra = _entry(2, "2010-06-09")
    timeline = EntityTimeline(
        entity="phone", entries=[_entry(0, "2010-06-07"), _entry(1, "2010-06-08"), extra]
    )
    gold = GoldTimeline("phone", "phone", GOLD.events[:2])
    plain = plain_scores(timeline, gold, articles)
    assert plain["precision"] == pytest.approx(2 / 3) and plain["dated_recall"] == 1.0


@pytest.mark.skipif(not TRIAL.is_dir(), reason="the SemEval-2015 trial data is not beside the repo")
def test_trial_scores_beat_the_sentence_baseline() -> None:
    scores = evaluate_trial(TRIAL)
    tool, unmerged, sentences = scores[TOOL_SYSTEM], scores[UNMERGED], scores[ENTITY_SENTENCES]
    assert set(tool) >= {"steve_jobs", "[tune]", "[check]", "[all]"}
    for system in (TOOL_SYSTEM, UNMERGED, ENTITY_SENTENCES):
        for row in scores[system].values():
            assert 0.0 <= row["f1"] <= 1.0 and 0.0 <= row["ta_f1"] <= 1.0
    # the entity filter keeps most gold mentions the per-article stage reaches, on both halves
    assert all(row["about_recall"] > 0.5 for row in scores[ABOUT].values())
    # measured (docs/timeline-crossdoc.md): the tool over the sentence baseline on both halves
    assert tool["[tune]"]["f1"] > sentences["[tune]"]["f1"]
    assert tool["[check]"]["f1"] > sentences["[check]"]["f1"]
    # merging is what puts several articles' reports of an event into one entry
    assert tool["[all]"]["merged"] > unmerged["[all]"]["merged"] == 0
