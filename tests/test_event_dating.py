"""Event dating: options per clause, the learned choice, one event per date, exact spans.

Articles here are written for these tests.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from summarizer.dates import Granularity
from summarizer.guard import screen
from summarizer.schemas import EventDate
from summarizer.segment import sentences
from summarizer.timeline import dating as event_dating
from summarizer.timeline.dating import Option, calendar_value, choose
from summarizer.timeline.events import candidates, dated_clauses

PUB = dt.date(2024, 3, 14)  # a Thursday


def timeline(text: str, anchor: dt.date | None = PUB):  # type: ignore[no-untyped-def]
    sents, _ = screen(text, sentences(text))
    found = candidates(text, sents, anchor)
    for c in found:
        assert text[c.start : c.end] == c.text  # every quote is the exact span of the source
    return found


def test_two_dates_in_one_sentence_are_two_events() -> None:
    text = "The mayor resigned in 2015 and returned to office in 2019 after a special election."
    found = timeline(text)
    dates = [c.date.value for c in found]
    assert "2015" in dates and "2019" in dates
    later = next(c for c in found if c.date.value == "2019")
    assert later.text.startswith("and returned") or later.text.startswith("returned")
    assert "2015" not in later.text


def test_the_saying_and_the_said_get_their_own_dates() -> None:
    text = (
        "The retailer said on Tuesday that its sales rose 12% in February, helped by cold weather."
    )
    found = timeline(text)
    assert {c.date.value for c in found} >= {"2024-03-12", "2024-02"}


def test_a_comparison_point_does_not_date_the_event() -> None:
    text = (
        "The airline posted its first annual loss since 2009, its chief executive told "
        "shareholders."
    )
    [event] = timeline(text)
    assert event.date.value != "2009"


def test_a_day_with_a_clock_time_sets_the_story_day() -> None:
    text = (
        "At a briefing at 14:00 UTC on March 12, the minister promised to rebuild the "
        "harbour wall.\n\nShe described the storm damage to reporters and thanked the "
        "volunteers.\n\nEngineers inspected the broken sections of the wall."
    )
    found = timeline(text)
    later = [c for c in found if c.text.startswith(("She described", "Engineers"))]
    assert later and all(c.date.value == "2024-03-12" for c in later)
    assert all(c.date.source == "narrative" for c in later)


def test_present_tense_without_dates_is_the_publication_date() -> None:
    text = "The harbour remains closed to fishing boats and the ferry runs a reduced service."
    [event] = timeline(text)
    assert (event.date.value, event.date.source) == ("2024-03-14", "publication")


def test_a_range_dates_its_event_by_its_start() -> None:
    [event] = timeline("The old bridge was closed in 2011-2013 while it was rebuilt.")
    assert event.date.value == "2011"
    assert (event.date.start, event.date.end) == (dt.date(2011, 1, 1), dt.date(2013, 12, 31))


def test_no_publication_date_gives_unresolved_or_absolute_dates() -> None:
    found = timeline("The treaty was signed in 1994 by both governments in Geneva.", anchor=None)
    assert [c.date.value for c in found] == ["1994"]
    [event] = timeline("The ministers signed the treaty in front of the press.", anchor=None)
    assert event.date.value is None


@pytest.mark.parametrize(
    ("value", "gran", "start", "end", "want"),
    [
        (
            "2024-W11",
            Granularity.WEEK,
            dt.date(2024, 3, 11),
            dt.date(2024, 3, 17),
            ("2024-03", "month"),
        ),
        (
            "2024-W09",
            Granularity.WEEK,
            dt.date(2024, 2, 26),
            dt.date(2024, 3, 3),
            ("2024-02", "month"),
        ),
        (
            "2024-W01",
            Granularity.WEEK,
            dt.date(2024, 1, 1),
            dt.date(2024, 1, 7),
            ("2024-01", "month"),
        ),
        (
            "2025-W01",
            Granularity.WEEK,
            dt.date(2024, 12, 30),
            dt.date(2025, 1, 5),
            ("2025-01", "month"),
        ),
        (
            "2024-Q1",
            Granularity.QUARTER,
            dt.date(2024, 1, 1),
            dt.date(2024, 3, 31),
            ("2024", "year"),
        ),
        (
            "2024-03-12T14:00",
            Granularity.DAY,
            dt.date(2024, 3, 12),
            dt.date(2024, 3, 12),
            ("2024-03-12", "day"),
        ),
        ("202", Granularity.DECADE, dt.date(2020, 1, 1), dt.date(2029, 12, 31), None),
    ],
)
def test_calendar_values(value: str, gran: Granularity, start: dt.date, end: dt.date, want) -> None:  # type: ignore[no-untyped-def]
    assert calendar_value(value, gran, start, end) == want


def test_the_shipped_weights_are_generic_features() -> None:
    data = json.loads(event_dating.WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert data["weights"] and "tune" in data["trained_on"]
    for name in data["weights"]:
        assert name.split("|")[0] in event_dating.KINDS, name


def test_choose_takes_the_best_score_and_the_first_on_ties() -> None:
    a = Option("publication", EventDate(value="2024-03-14", source="publication"), None, {"x": 1.0})
    b = Option("day_before", EventDate(value="2024-03-13", source="narrative"), None, {"y": 1.0})
    assert choose([a, b], {"x": 0.5, "y": 2.0}) is b
    assert choose([a, b], {}) is a
    assert choose([], {}) is None


def test_every_clause_offers_the_publication_date() -> None:
    text = "Officials said the road reopened on Monday.\n\nTraffic is moving again."
    sents, _ = screen(text, sentences(text))
    for clause in dated_clauses(text, sents, PUB):
        assert "publication" in [o.kind for o in clause.options]
        assert clause.group_start <= clause.group_end


def test_a_trailing_attribution_is_its_own_event_when_the_report_is_dated_otherwise() -> None:
    text = "The stolen painting was recovered last month in a warehouse, the museum said."
    found = timeline(text, dt.date(2024, 3, 14))
    by_value = {c.date.value: c for c in found}
    assert set(by_value) == {"2024-02", "2024-03-14"}
    assert by_value["2024-03-14"].text == text  # the saying quotes the sentence
    assert by_value["2024-02"].text == "The stolen painting was recovered last month in a warehouse"


def test_an_attribution_with_nothing_dated_otherwise_stays_one_event() -> None:
    found = timeline("The painting is back on display, the museum said.")
    assert len(found) == 1


def test_every_shipped_weight_names_a_feature_the_code_can_make() -> None:
    for name in event_dating.weights():
        kind, _ = event_dating.parse_feature(name)  # raises on a misspelt kind or property
        assert kind in event_dating.KINDS


def test_a_misspelt_feature_property_is_refused() -> None:
    assert (
        event_dating.feature(event_dating.CLAUSE, (event_dating.WHEN, "pub")) == "clause|when=pub"
    )
    with pytest.raises(ValueError, match="unknown feature property"):
        event_dating.feature(event_dating.CLAUSE, ("wehn", "pub"))
    with pytest.raises(ValueError, match="unknown option kind"):
        event_dating.parse_feature("clasue|when=pub")


def test_the_chain_feature_says_what_the_sentence_before_was_dated() -> None:
    text = "The council met on Monday to debate the budget. It voted to close the old library."
    first, second = dated_clauses(text, sentences(text), PUB)
    assert first.candidate.date.value == "2024-03-11"
    assert not any("prev=" in name for o in first.options for name in o.features)
    prev = {o.kind: o.features.get(f"{o.kind}|prev=y", 0.0) for o in second.options}
    assert prev["recent"] == 1.0 and prev["publication"] == 0.0  # Monday carried over, not PUB
