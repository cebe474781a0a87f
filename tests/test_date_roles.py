"""Date-expression classes of issue 12, on sentences written for these tests.

Ranges, comparison points ("since X", "the lowest since X"), "the last/past week",
month and weekday names resolved by the tense around them, and a day written
with a clock time.
"""

from __future__ import annotations

from datetime import date

import pytest

from summarizer.dates import find_dates
from summarizer.dates.roles import mention_role

PUB = date(2024, 3, 14)  # a Thursday


def mention(sentence: str, words: str, anchor: date = PUB):  # type: ignore[no-untyped-def]
    found = [m for m in find_dates(sentence, anchor) if sentence[m.start : m.end] == words]
    assert found, (words, [sentence[m.start : m.end] for m in find_dates(sentence, anchor)])
    return found[0]


def role(sentence: str, words: str) -> str | None:
    at = sentence.index(words)
    return mention_role(sentence, at, at + len(words))


# --- ranges --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "words", "value", "start", "end"),
    [
        (
            "The club won the league in the 2016-2017 season.",
            "2016-2017",
            "2016",
            date(2016, 1, 1),
            date(2017, 12, 31),
        ),
        (
            "Our family farmed the valley in 1931-34.",
            "1931-34",
            "1931",
            date(1931, 1, 1),
            date(1934, 12, 31),
        ),
        (
            "The mayor served 1999-00 before retiring.",
            "1999-00",
            "1999",
            date(1999, 1, 1),
            date(2000, 12, 31),
        ),
        (
            "The festival runs June 7\u20139 in the old town.",
            "June 7\u20139",
            "2024-06-07",
            date(2024, 6, 7),
            date(2024, 6, 9),
        ),
        (
            "Delegates met on February 20-22, 2023 in Oslo.",
            "February 20-22, 2023",
            "2023-02-20",
            date(2023, 2, 20),
            date(2023, 2, 22),
        ),
    ],
)
def test_a_range_is_one_mention_valued_by_its_start(
    sentence: str, words: str, value: str, start: date, end: date
) -> None:
    m = mention(sentence, words)
    assert (m.timex.value, m.timex.start, m.timex.end) == (value, start, end)
    assert role(sentence, words) == "range"


def test_a_backwards_or_money_range_is_not_a_date() -> None:
    assert not [
        m for m in find_dates("Scores of 2015-1990 were posted.", PUB) if "1990" in m.timex.text
    ]
    assert not [m for m in find_dates("It cost $ 1990-95 million.", PUB) if "-" in m.timex.text]


def test_from_to_marks_both_ends() -> None:
    s = "The bridge was closed from 2011 to 2013 for repairs."
    assert role(s, "2011") == "range_start"
    assert role(s, "2013") == "range_end"
    s = "Prices doubled between April and June."
    assert role(s, "June") == "range_end"


# --- comparison points -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "words"),
    [
        ("The carmaker reported its first quarterly loss since 2009.", "2009"),
        ("The currency fell to its weakest level since October 2, 2016.", "October 2, 2016"),
        ("It was the hottest summer on record since 1976.", "1976"),
        ("Ticket sales were up 8% compared with 2019.", "2019"),
        ("Turnout was lower than in 2018.", "2018"),
        ("Profit climbed to $4 million from $3 million a year earlier.", "a year earlier"),
    ],
)
def test_comparison_points(sentence: str, words: str) -> None:
    assert role(sentence, words) == "comparison"


def test_since_a_state_began_is_not_a_comparison() -> None:
    assert role("The museum has been closed since January.", "January") == "since"
    assert role("The ferry sailed on Tuesday.", "Tuesday") is None


# --- the last / past week ----------------------------------------------------------------------


@pytest.mark.parametrize("anchor", [date(2024, 3, 11), date(2024, 3, 14), date(2024, 3, 17)])
def test_the_past_week_is_the_current_week(anchor: date) -> None:
    for words in ("the past week", "the last week"):
        m = mention(f"Rain fell across the region during {words}.", words, anchor)
        year, week, _ = anchor.isocalendar()
        assert m.timex.value == f"{year}-W{week:02d}"
    # "last week" (no article) stays the previous calendar week
    m = mention("The council voted last week.", "last week", date(2024, 3, 14))
    assert m.timex.value == "2024-W10"


# --- names resolved by the tense around them -------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "words", "value"),
    [
        # published Thursday 2024-03-14
        ("The ministry announced the plan on Monday.", "Monday", "2024-03-11"),
        ("The ministry will announce the plan on Monday.", "Monday", "2024-03-18"),
        ("The school reopened in November.", "November", "2023-11"),
        ("The school will reopen in November.", "November", "2024-11"),
        ("Voters went to the polls in February.", "February", "2024-02"),
        ("The board is to meet again in January.", "January", "2025-01"),
    ],
)
def test_names_follow_the_tense(sentence: str, words: str, value: str) -> None:
    assert mention(sentence, words).timex.value == value


# --- clock times ----------------------------------------------------------------------------


def test_a_day_written_with_a_clock_time_is_a_day() -> None:
    m = mention("The launch happened at 09:30 GMT, March 12 near the coast.", "09:30 GMT, March 12")
    assert m.timex.kind == "time"
    assert (m.timex.start, m.timex.granularity.value) == (date(2024, 3, 12), "day")
