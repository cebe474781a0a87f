"""Date-expression classes of issue 12, on sentences written for these tests.

Ranges, comparison points ("since X", "the lowest since X"), "the last/past week",
month and weekday names resolved by the tense around them, and a day written
with a clock time.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from summarizer import Settings, summarise
from summarizer.dates import find_dates
from summarizer.dates.roles import mention_role
from summarizer.render import markdown
from summarizer.schemas import EventDate
from summarizer.timeline.dating import written

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
    m = mention("Rain fell across the region during the past week.", "the past week", anchor)
    year, week, _ = anchor.isocalendar()
    assert m.timex.value == f"{year}-W{week:02d}"
    # "the last week" is the previous ISO week, as TimeML annotators write it
    m = mention("Rain fell across the region during the last week.", "the last week", anchor)
    year, week, _ = (anchor - timedelta(weeks=1)).isocalendar()
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


# --- dates as people write them (issue 24): sentences written for these tests ------------------
# Publication date for this block: Thursday 13 November 2025 (ISO week 46).
EVERYDAY = date(2025, 11, 13)


@pytest.mark.parametrize(
    ("sentence", "words", "value", "start", "end"),
    [
        # quarters and halves, written out and abbreviated, with their calendar interval
        (
            "Revenue rose 4% in the second quarter of 2024.",
            "the second quarter of 2024",
            "2024-Q2",
            "2024-04-01",
            "2024-06-30",
        ),
        (
            "Sales fell in Q2 2024, the company said.",
            "Q2 2024",
            "2024-Q2",
            "2024-04-01",
            "2024-06-30",
        ),
        ("Profit doubled in 3Q 2023.", "3Q 2023", "2023-Q3", "2023-07-01", "2023-09-30"),
        ("Margins narrowed in Q4'23.", "Q4'23", "2023-Q4", "2023-10-01", "2023-12-31"),
        ("Sales rose in Q1 '24.", "Q1 '24", "2024-Q1", "2024-01-01", "2024-03-31"),
        (
            "Sales fell in the fourth quarter last year.",
            "the fourth quarter last year",
            "2024-Q4",
            "2024-10-01",
            "2024-12-31",
        ),
        (
            "Exports slumped in Q1 of last year.",
            "Q1 of last year",
            "2024-Q1",
            "2024-01-01",
            "2024-03-31",
        ),
        (
            "Its fourth-quarter 2024 profit beat forecasts.",
            "fourth-quarter 2024",
            "2024-Q4",
            "2024-10-01",
            "2024-12-31",
        ),
        (
            "The line opens in the first half of 2026.",
            "the first half of 2026",
            "2026-H1",
            "2026-01-01",
            "2026-06-30",
        ),
        (
            "The new plant starts output in H2 2026.",
            "H2 2026",
            "2026-H2",
            "2026-07-01",
            "2026-12-31",
        ),
        # decades and centuries
        ("Rents doubled in the 1990s.", "the 1990s", "199", "1990-01-01", "1999-12-31"),
        ("Rents doubled in the 1990's.", "the 1990's", "199", "1990-01-01", "1999-12-31"),
        ("The canal was dug in the 1800s.", "the 1800s", "18", "1800-01-01", "1899-12-31"),
        (
            "The mill was built in the nineteenth century.",
            "the nineteenth century",
            "18",
            "1800-01-01",
            "1899-12-31",
        ),
        # weekends and seasons
        (
            "Storms hit the coast last weekend.",
            "last weekend",
            "2025-W45-WE",
            "2025-11-08",
            "2025-11-09",
        ),
        (
            "The fair takes place this weekend.",
            "this weekend",
            "2025-W46-WE",
            "2025-11-15",
            "2025-11-16",
        ),
        ("Talks resume next weekend.", "next weekend", "2025-W47-WE", "2025-11-22", "2025-11-23"),
        # a Monday holiday's weekend is the one before it
        (
            "Traffic jams marked Labor Day weekend.",
            "Labor Day weekend",
            "2025-W35-WE",
            "2025-08-30",
            "2025-08-31",
        ),
        (
            "The economy shrank in the July-September quarter.",
            "the July-September quarter",
            "2025-Q3",
            "2025-07-01",
            "2025-09-30",
        ),
        ("The bridge opened last summer.", "last summer", "2025-SU", "2025-06-01", "2025-08-31"),
        ("The road will reopen next spring.", "next spring", "2026-SP", "2026-03-01", "2026-05-31"),
    ],
)
def test_periods_people_write(sentence: str, words: str, value: str, start: str, end: str) -> None:
    tx = mention(sentence, words, EVERYDAY).timex
    assert (tx.value, tx.start, tx.end) == (
        value,
        date.fromisoformat(start),
        date.fromisoformat(end),
    )


@pytest.mark.parametrize(
    ("sentence", "words", "value"),
    [
        # "N units ago" at the unit's own granularity
        ("The museum closed two weeks ago.", "two weeks ago", "2025-W44"),
        ("He resigned three months ago.", "three months ago", "2025-08"),
        ("She moved to Lyon five years ago.", "five years ago", "2020"),
        ("The fire started 10 days ago.", "10 days ago", "2025-11-03"),
        # a past-tense clause that looks nowhere ahead: a later month or day is last year's
        ("The plant opened in December, workers said.", "December", "2024-12"),
        ("The council approved the plan on December 3.", "December 3", "2024-12-03"),
        ("Troops celebrated Christmas at the front.", "Christmas", "2024-12-25"),
        ("The league voted on Dec. 4 to expand.", "Dec. 4", "2024-12-04"),
        # ... but a reported plan or a term may lie ahead
        ("The firm said it would open the plant in December.", "December", "2025-12"),
        ("The board declared a dividend payable Dec. 15.", "Dec. 15", "2025-12-15"),
        # a present tense with a future sense
        ("The orchestra returns in August.", "August", "2026-08"),
        ("The minister travels to Paris on December 3.", "December 3", "2025-12-03"),
        ("The ferry service resumes in October.", "October", "2026-10"),
        ("Parliament reconvenes on November 2.", "November 2", "2026-11-02"),
        # ... unless reported from a past: a recent date stays ("would act by Nov. 1")
        ("The board said it would decide by November 1.", "November 1", "2025-11-01"),
        # hope / expect / plan to ... by a weekday: the coming one
        ("Workers hope to finish the bridge by Monday.", "Monday", "2025-11-17"),
        ("Officials expect to reopen the road by Friday.", "Friday", "2025-11-14"),
        ("The party plans to name a candidate by Tuesday.", "Tuesday", "2025-11-18"),
        # the last week: the previous ISO week; last week likewise
        ("Prices rose sharply in the last week.", "the last week", "2025-W45"),
        # ... but a state that holds now spans the seven days up to now: the current week
        ("She has been in Geneva for the last week.", "the last week", "2025-W46"),
        ("Sales rose last week.", "last week", "2025-W45"),
        (
            "The firm said earlier in the week that it would sell.",
            "earlier in the week",
            "2025-W46",
        ),
    ],
)
def test_direction_and_granularity(sentence: str, words: str, value: str) -> None:
    assert mention(sentence, words, EVERYDAY).timex.value == value


@pytest.mark.parametrize(
    "sentence",
    ["The h2 tank was refilled.", "Engineers stored H2 under pressure.", "Add q3 to the list."],
)
def test_quarter_and_half_shapes_need_their_capital_and_halves_a_year(sentence: str) -> None:
    assert all(
        m.timex.granularity not in ("quarter", "half") for m in find_dates(sentence, EVERYDAY)
    )


@pytest.mark.parametrize(
    ("sentence", "words", "value", "gran", "timex"),
    [
        ("Sales fell in Q2 2024, the company said.", "Q2 2024", "2024", "year", "2024-Q2"),
        ("Fans gathered over the weekend.", "the weekend", "2025-11", "month", "2025-W45-WE"),
        ("The bridge opened last summer.", "last summer", "2025", "year", "2025-SU"),
        ("The plant opened in December, workers said.", "December", "2024-12", "month", None),
    ],
)
def test_event_dates_keep_the_finer_value(
    sentence: str, words: str, value: str, gran: str, timex: str | None
) -> None:
    m = mention(sentence, words, EVERYDAY)
    ed = written(m)
    assert ed is not None
    assert (ed.value, ed.granularity, ed.timex) == (value, gran, timex)
    assert (ed.start, ed.end) == (m.timex.start, m.timex.end)


@pytest.mark.parametrize("value", ["2024-13-45x", "Q2 2024", "P5Y", "last week"])
def test_event_date_values_are_timex_values(value: str) -> None:
    with pytest.raises(ValidationError):
        EventDate(value=value, source="written")
    with pytest.raises(ValidationError):
        EventDate(timex=value, source="written")


def test_a_reader_sees_the_week_the_words_name() -> None:
    # the timeline files "two weeks ago" under a calendar month; the views show the week
    text = "The bakery on Main Street closed two weeks ago after forty years."
    result = summarise(text, date="2025-11-13", settings=Settings(cache=False), no_model=True)
    dated = [e for e in result.events if e.date.timex == "2025-W44"]
    assert dated and dated[0].date.value == "2025-10"
    assert "| 2025-W44 |" in markdown(result)
