"""Tests for summarizer.dates: the normaliser, the tagger and tense inference.

Cases are real expressions from TempEval-3 (TimeBank/AQUAINT) and MEANTIME
gold TIMEX3 annotations: (words, document creation time, clause tense) ->
gold value. Only the short expressions are quoted, never article text.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from summarizer.dates import (
    DateMention,
    Granularity,
    Timex,
    find_dates,
    infer_tense,
    normalise,
    reference_before,
    tagger,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PUB = date(2025, 11, 13)  # the sample article's publication date (a Thursday)


def d(s: str) -> date:
    return date.fromisoformat(s)


# (expression, DCT, tense, gold value) from TempEval-3 gold TIMEX3 of type DATE.
TEMPEVAL_CASES = [
    ("Friday", "1998-08-08", "past", "1998-08-07"),
    ("Friday", "1989-10-30", "past", "1989-10-27"),
    ("Friday", "1998-02-13", "past", "1998-02-13"),  # the publication day itself
    ("Monday", "1989-11-02", "future", "1989-11-06"),
    ("Saturday", "2000-01-07", "future", "2000-01-08"),
    ("Thursday", "1998-09-30", "future", "1998-10-01"),
    ("last Friday", "1989-10-30", "past", "1989-10-27"),
    ("last Wednesday", "1989-11-01", "past", "1989-10-25"),
    ("yesterday", "1989-10-27", "past", "1989-10-26"),
    ("today", "1990-08-15", "present", "1990-08-15"),
    ("tomorrow", "1998-03-03", "future", "1998-03-04"),
    ("now", "1989-10-26", "present", "PRESENT_REF"),
    ("currently", "1989-10-27", "present", "PRESENT_REF"),
    ("recently", "1989-10-30", "past", "PAST_REF"),
    ("the past", "1989-10-30", "past", "PAST_REF"),
    ("the future", "1998-03-06", "future", "FUTURE_REF"),
    ("soon", "1989-10-26", "future", "FUTURE_REF"),
    ("last month", "1989-10-26", "past", "1989-09"),
    ("last week", "1989-10-30", "past", "1989-W43"),
    ("this week", "2000-04-05", "present", "2000-W14"),
    ("next week", "1998-05-01", "future", "1998-W19"),
    ("this year", "1989-10-27", "present", "1989"),
    ("next year", "1989-10-30", "future", "1990"),
    ("last year", "1998-09-07", "past", "1997"),
    ("the past year", "1998-03-03", "past", "1997"),
    ("two years ago", "1998-04-24", "past", "1996"),
    ("41 years ago", "2000-01-15", "past", "1959"),
    ("six weeks ago", "2000-01-06", "past", "1999-W47"),
    ("11 days ago", "1999-04-19", "past", "1999-04-08"),
    ("a month ago", "1989-10-30", "past", "1989-09"),
    ("two months ago", "2000-01-28", "past", "1999-11"),
    ("Aug. 7", "1998-09-30", "past", "1998-08-07"),
    ("Nov. 25", "2000-01-15", "past", "1999-11-25"),
    ("Jan. 2", "1989-11-02", "future", "1990-01-02"),
    ("March 12", "1999-02-16", "future", "1999-03-12"),
    ("Dec. 15", "1989-10-31", "past", "1989-12-15"),  # near deadline, not last year's
    ("Feb. 4.", "2000-02-10", "past", "2000-02-04"),
    ("Aug. 7, 1998", "1999-10-08", "past", "1998-08-07"),
    ("Oct. 15, 1999", "1989-10-30", "future", "1999-10-15"),
    ("Friday, Oct. 23", "1998-11-21", "past", "1998-10-23"),
    ("Saturday, April 25", "1998-04-24", "past", "1998-04-25"),  # weekday fixes the year
    ("this coming Sunday, March eighth", "1998-03-05", "future", "1998-03-08"),
    ("December", "1998-03-04", "future", "1998-12"),
    ("April", "1998-12-05", "future", "1999-04"),
    ("January", "1998-02-06", "past", "1998-01"),
    ("last November", "2000-01-13", "past", "1999-11"),
    ("last April", "1989-10-27", "past", "1989-04"),
    ("July 1997", "1999-02-10", "past", "1997-07"),
    ("January nineteen ninety-seven", "1998-02-27", "past", "1997-01"),
    ("nineteen ninety-six", "1998-01-15", "past", "1996"),
    ("the year two thousand", "1998-03-03", "future", "2000"),
    ("1990", "1989-10-26", "future", "1990"),
    ("fiscal 1989", "1989-10-30", "past", "1989"),
    ("the third quarter", "1989-10-27", "past", "1989-Q3"),
    ("third-quarter", "1989-10-26", "past", "1989-Q3"),
    ("the fourth quarter", "1989-10-26", "future", "1989-Q4"),
    ("the fiscal first quarter", "1989-10-26", "past", "1989-Q1"),
    ("the third quarter of 1984", "1989-10-27", "past", "1984-Q3"),
    ("next year's first quarter", "1989-10-31", "future", "1990-Q1"),
    ("the year-ago quarter", "1989-10-26", "past", "1988-Q3"),
    ("the quarter", "1989-10-30", "past", "1989-Q3"),
    ("the latest quarter", "1989-10-26", "past", "1989-Q3"),
    ("the last half of 1989", "1989-10-26", "past", "1989-H2"),
    ("first two quarters of 1990", "1989-10-26", "future", "1990-H1"),
    ("last fall", "1998-02-06", "past", "1997-FA"),
    ("this summer", "1998-03-22", "future", "1998-SU"),
    ("the winter of nineteen ninety-four", "1998-02-23", "past", "1994-WI"),
    ("the 1990s", "2000-02-24", "past", "199"),
    ("the nineties", "1998-03-03", "past", "199"),
    ("the last decade", "1998-02-06", "past", "198"),
    ("20th century", "1998-02-13", "past", "19"),
    ("11th century", "1998-02-19", "past", "10"),
    ("the weekend", "1989-10-30", "past", "1989-W43-WE"),
    ("Thanksgiving Day", "2000-01-06", "past", "1999-11-25"),
    ("Election Day", "1998-10-26", "future", "1998-11-03"),
    ("Easter week", "2000-04-17", "past", "2000-W16"),
    ("the week of March 6", "2000-02-24", "future", "2000-W10"),  # the ISO week of the day
    ("day before last Tuesday", "2000-02-24", "past", "2000-02-21"),
    # "the last week" is the previous week (TempEval-3 platinum practice, issue 24), the
    # current one as the span of a state that holds now ("has been there for the last
    # week", present); "the past week" stays the seven days up to the DCT
    ("the last week", "2000-04-14", "past", "2000-W14"),
    ("the last week", "2000-04-14", "present", "2000-W15"),
    ("the past week", "2000-04-14", "past", "2000-W15"),
    ("a good part of 1990", "1989-10-30", "future", "1990"),
    ("this crucial moment", "1990-08-15", "future", "PRESENT_REF"),
]
TEMPEVAL_CASES = [c for c in TEMPEVAL_CASES if c[3] is not None]

# (expression, DCT, tense, gold value, gold mod) where the mod matters.
MOD_CASES = [
    ("early December", "2000-01-07", "past", "1999-12", "START"),
    ("late November", "2000-01-06", "past", "1999-11", "END"),
    ("mid-November", "1989-10-27", "future", "1989-11", "MID"),
    ("early next year", "1989-10-26", "future", "1990", "START"),
    ("earlier this year", "1989-10-30", "past", "1989", "START"),
    ("the end of 1990", "1989-10-26", "future", "1990", "END"),
    ("the end of the year", "1989-10-30", "future", "1989", "END"),
    ("the beginning of October", "1989-10-27", "past", "1989-10", "START"),
    ("late yesterday", "1989-10-27", "past", "1989-10-26", "END"),
    ("the early 1980s", "1989-11-02", "past", "198", "START"),
    ("mid-1996", "1998-02-19", "past", "1996", "MID"),
]

# MEANTIME (Wikinews, CC BY): (expression, DCT, tense, gold value).
MEANTIME_CASES = [
    ("April 2nd", "2008-04-09", "past", "2008-04-02"),
    ("the beginning of the year", "2008-04-09", "past", "2008"),
    ("Monday", "2005-06-06", "past", "2005-06-06"),
    ("June 17", "2009-06-09", "future", "2009-06-17"),
    ("Yesterday", "2010-06-08", "past", "2010-06-07"),
    ("this year 's", "2010-06-08", "past", "2010"),
    ("Friday", "2010-07-17", "past", "2010-07-16"),
    ("last month", "2010-08-09", "past", "2010-07"),
    ("Wednesday", "2006-03-28", "future", "2006-03-29"),
    ("this week", "2006-03-28", "past", "2006-W13"),
    ("February 24 , 1955", "2011-10-06", "past", "1955-02-24"),
    ("December 30 , 2006", "2007-01-18", "past", "2006-12-30"),
    ("the past decade", "2011-01-17", "past", "200"),
    ("more recently", "2006-06-20", "past", "PAST_REF"),
    ("the last quarter", "2007-01-18", "past", "2006-Q4"),
]

DURATIONS = [
    ("five years", "P5Y"),
    ("40 minutes", "PT40M"),
    ("P5Y", "P5Y"),
    ("a decade", "P10Y"),
    ("two-year", "P2Y"),
    ("the past two months", "P2M"),
    ("the nine months", "P9M"),
    ("several years", "PXY"),
    ("2 1/2 years", "P2Y6M"),
    ("16-hour", "PT16H"),
    ("the next 14 months", "P14M"),
    ("years", "PXY"),
]
SETS = [
    ("every week", "P1W"),
    ("annual", "P1Y"),
    ("daily", "P1D"),
    ("each Thursday", "XXXX-WXX-4"),
    ("each July", "XXXX-07"),
    ("every quarter", "P1Q"),
    ("twice a year", "P1Y"),
]


@pytest.mark.parametrize(("expr", "dct", "tense", "gold"), TEMPEVAL_CASES + MEANTIME_CASES)
def test_normalise_real_expressions(expr: str, dct: str, tense: str, gold: str) -> None:
    tx = normalise(expr, d(dct), tense=tense)  # type: ignore[arg-type]
    assert tx is not None and tx.value == gold, (expr, dct, tx)
    assert tx.kind == "date" and tx.resolved and tx.text == expr


@pytest.mark.parametrize(("expr", "dct", "tense", "gold", "mod"), MOD_CASES)
def test_normalise_modifiers(expr: str, dct: str, tense: str, gold: str, mod: str) -> None:
    tx = normalise(expr, d(dct), tense=tense)  # type: ignore[arg-type]
    assert tx is not None and (tx.value, tx.mod) == (gold, mod)


@pytest.mark.parametrize(("expr", "gold"), DURATIONS)
def test_durations(expr: str, gold: str) -> None:
    tx = normalise(expr, PUB)
    assert tx is not None and tx.kind == "duration" and tx.value == gold
    assert tx.granularity is None and tx.start is None


@pytest.mark.parametrize(("expr", "gold"), SETS)
def test_sets(expr: str, gold: str) -> None:
    tx = normalise(expr, PUB)
    assert tx is not None and tx.kind == "set" and tx.value == gold


@pytest.mark.parametrize(
    "expr", ["the march", "Will Smith", "may", "fourth", "the company", "", "1,500"]
)
def test_not_temporal(expr: str) -> None:
    tx = normalise(expr, PUB)
    assert tx is None or expr == "may"  # "may" alone is the month when asked directly


def test_intervals_and_granularity() -> None:
    week = normalise("last week", PUB, tense="past")
    assert week is not None and week.value == "2025-W45"
    assert (week.start, week.end, week.granularity) == (
        d("2025-11-03"),
        d("2025-11-09"),
        Granularity.WEEK,
    )
    decade = normalise("the 1990s", PUB)
    assert decade is not None and (decade.start, decade.end) == (d("1990-01-01"), d("1999-12-31"))
    quarter = normalise("the third quarter of 2012", PUB)
    assert quarter is not None and (quarter.value, quarter.end) == ("2012-Q3", d("2012-09-30"))
    summer = normalise("summer 2012", PUB)
    assert summer is not None and (summer.value, summer.start) == ("2012-SU", d("2012-06-01"))
    ref = normalise("now", PUB)
    assert ref is not None and ref.granularity is Granularity.REF and ref.start is None


def test_anchor_missing_gives_placeholders() -> None:
    monday = normalise("Monday", None)
    assert monday is not None and (monday.value, monday.resolved, monday.start) == (
        "XXXX-WXX-1",
        False,
        None,
    )
    april = normalise("April 7", None)
    assert april is not None and april.value == "XXXX-04-07" and not april.resolved
    assert normalise("March 06 , 2008", None) == Timex(
        "March 06 , 2008",
        "date",
        "2008-03-06",
        Granularity.DAY,
        d("2008-03-06"),
        d("2008-03-06"),
        True,
    )


def test_anaphors_with_a_day_or_year_reference() -> None:
    # TimeBank/AQUAINT: "April 24 and [25]", "until [then]", "... a year earlier" after a day,
    # "twice as high a dividend this year as [last]", "Oct. 12, [the day] before the plunge"
    april24 = normalise("April 24", d("1999-02-10"), tense="future")
    day25 = normalise("25", d("1999-02-10"), tense="future", reference=april24)
    assert day25 is not None and day25.value == "1999-04-25"
    nov30 = normalise("Nov. 30", d("1989-10-30"), tense="future")
    then = normalise("then", d("1989-10-30"), tense="past", reference=nov30)
    assert then is not None and then.value == "1989-11-30"
    aug12 = normalise("Aug. 12", d("1989-10-26"), tense="past")
    earlier = normalise("a year earlier", d("1989-10-26"), tense="past", reference=aug12)
    assert earlier is not None and earlier.value == "1988-08-12"
    year = normalise("this year", d("1989-10-27"), tense="future")
    last = normalise("last", d("1989-10-27"), tense="future", reference=year)
    assert last is not None and last.value == "1988"
    oct12 = normalise("Oct. 12", d("1989-10-30"), tense="past")
    the_day = normalise("the day", d("1989-10-30"), tense="past", reference=oct12)
    assert the_day is not None and the_day.value == "1989-10-12"
    assert normalise("25", d("1999-02-10")) is None and normalise("then", d("1999-02-10")) is None


def test_year_ago_ignores_a_forecast_reference() -> None:
    # "losses through the third quarter of 1990 ... In the year-ago period, Bethlehem earned"
    forecast = normalise("the third quarter of 1990", d("1989-10-26"), tense="future")
    got = normalise("the year-ago period", d("1989-10-26"), tense="past", reference=forecast)
    assert got is not None and got.value == "1988-Q3"


def test_anaphors_use_the_reference() -> None:
    q3 = normalise("the third quarter", d("1989-10-26"), tense="past")
    assert q3 is not None
    earlier = normalise("a year earlier", d("1989-10-26"), tense="past", reference=q3)
    assert earlier is not None and earlier.value == "1988-Q3"
    plain = normalise("a year earlier", d("1989-10-26"), tense="past")
    assert plain is not None and plain.value == "1988"
    july = normalise("July 23", PUB, tense="past")
    nxt = normalise("the following day", PUB, tense="past", reference=july)
    assert nxt is not None and nxt.value == "2025-07-24"


# --- the tagger ------------------------------------------------------------------------

SAMPLE = [  # the sample article (published 2025-11-13, past tense)
    (
        "Moscow's Defense Ministry announced on November 12 that Russian troops had taken control of "
        "Sukhyi Yar",
        "November 12",
        "2025-11-12",
    ),
    (
        "Earlier on Monday, Russia's state news agency TASS quoted a Kremlin aide.",
        "Monday",
        "2025-11-10",
    ),
    (
        "The talks, which last took place in the Turkish city on July 23, stalled.",
        "July 23",
        "2025-07-23",
    ),
    (
        "Ukraine proposed a meeting between President Volodymyr Zelensky and Russian President "
        "Vladimir Putin in August",
        "August",
        "2025-08",
    ),
    ("Last month, U.S. President Donald Trump imposed restrictions", "Last month", "2025-10"),
]


def only_dates(text: str, anchor: date | None = PUB) -> list[DateMention]:
    return [m for m in find_dates(text, anchor) if m.timex.kind in ("date", "time")]


@pytest.mark.parametrize(("sentence", "words", "value"), SAMPLE)
def test_sample_article(sentence: str, words: str, value: str) -> None:
    found = only_dates(sentence)
    assert [(sentence[m.start : m.end], m.timex.value) for m in found] == [(words, value)]


def test_sample_article_duration_and_ordinal() -> None:
    found = find_dates("That meeting lasted only 40 minutes.", PUB)
    assert len(found) == 1 and found[0].timex.kind == "duration" and found[0].timex.value == "PT40M"
    found = find_dates("The conflict is now approaching the war's fourth year.", PUB)
    assert all(m.timex.start is None for m in found)  # "now" is PRESENT_REF, no calendar date


EXTENTS = [  # news phrasing -> the tagged words and value (anchor 2025-11-13, Thursday)
    ("Officials met yesterday.", "yesterday", "2025-11-12"),
    ("Sales fell last week.", "last week", "2025-W45"),
    ("Growth slowed this year.", "this year", "2025"),
    ("It will open next year.", "next year", "2026"),
    ("He resigned two weeks ago.", "two weeks ago", "2025-W44"),
    ("Prices rose a month earlier.", "a month earlier", "2025-10"),
    ("Talks resume in early December.", "early December", "2025-12"),
    ("He left late last July.", "late last July", "2025-07"),
    ("Profit will rise by the end of the year.", "the end of the year", "2025"),
    ("Revenue grew this fiscal year.", "this fiscal year", "2025"),
    ("Tourism fell last summer.", "last summer", "2025-SU"),
    ("Inflation was high in the 1990s.", "the 1990s", "199"),
    ("The firm was founded in 2008.", "2008", "2008"),
    ("Apple released it on March 06 , 2008 .", "March 06 , 2008", "2008-03-06"),
    ("The law took effect Jan. 5.", "Jan. 5", "2025-01-05"),
    ("He was born on 5 January 2009.", "5 January 2009", "2009-01-05"),
    ("Earnings jumped in the third quarter.", "the third quarter", "2025-Q3"),
    ("Prices have recently fallen.", "recently", "PAST_REF"),
    ("He is currently abroad.", "currently", "PRESENT_REF"),
    ("Tuesday's meeting ended early.", "Tuesday", "2025-11-11"),
    ("The summit will take place on Tuesday.", "Tuesday", "2025-11-18"),
    ("Apple 's shares fell on Monday .", "Monday", "2025-11-10"),
    ("A hearing is set for the week of March 6.", "the week of March 6", "2026-W10"),
]


@pytest.mark.parametrize(("sentence", "words", "value"), EXTENTS)
def test_tagger_extents(sentence: str, words: str, value: str) -> None:
    found = find_dates(sentence, PUB)
    assert [(sentence[m.start : m.end], m.timex.value) for m in found] == [(words, value)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Prices may be lower.",
        "Thousands joined the march in Kyiv.",
        "Will Smith attended.",
        "It lost $ 2008 million.",
        "About 2000 people marched.",
        "Oil prices fall as demand weakens.",
        "He may well win.",
        "It drew a 1,995 -point crowd.",
    ],
)
def test_tagger_false_positives(sentence: str) -> None:
    assert only_dates(sentence) == []


def test_tagger_recurrences_and_durations() -> None:
    text = (
        "The board meets every week and publishes an annual report; the ban lasts five years (P5Y)."
    )
    got = [(text[m.start : m.end], m.timex.kind, m.timex.value) for m in find_dates(text, PUB)]
    assert got == [
        ("every week", "set", "P1W"),
        ("annual", "set", "P1Y"),
        ("five years", "duration", "P5Y"),
        ("P5Y", "duration", "P5Y"),
    ]


def test_tagger_offsets_are_str_indices_for_any_script() -> None:
    text = "Київ — on Monday, officials said; 東京 reported on November 12."
    found = find_dates(text, PUB)
    assert [text[m.start : m.end] for m in found] == ["Monday", "November 12"]
    assert all(isinstance(m, DateMention) for m in found)
    assert [m.start for m in found] == sorted(m.start for m in found)


def test_tagger_reference_for_anaphors() -> None:
    text = "Third-quarter profit rose to $5 million from $4 million a year earlier."
    values = [m.timex.value for m in find_dates(text, d("1989-10-26"))]
    assert values == ["1989-Q3", "1988-Q3"]


def _values(text: str, anchor: date) -> dict[str, str]:
    return {text[m.start : m.end]: m.timex.value for m in find_dates(text, anchor)}


def test_a_comparison_with_the_months_so_far_is_the_previous_year() -> None:
    # Sentences written for this test. The months of the year so far have no TimeML value
    # and are written as the year, so "a year earlier" after them is last year, even
    # after a quarter was named; the quarter's own comparison stays a quarter.
    oct30 = d("2024-10-30")
    text = (
        "The brewer's profit rose in the third quarter, to $8 million from $6 million a"
        " year earlier. For the first nine months, it earned $21 million, up from $17"
        " million a year earlier."
    )
    found = [(text[m.start : m.end], m.timex.value) for m in find_dates(text, oct30)]
    assert found == [
        ("the third quarter", "2024-Q3"),
        ("a year earlier", "2023-Q3"),
        ("the first nine months", "P9M"),
        ("a year earlier", "2023"),
    ]
    text = "Over the six months, sales reached $90 million, against $75 million last year."
    assert _values(text, d("2024-07-20"))["last year"] == "2023"


def test_the_year_ago_period_of_a_year_under_discussion_is_that_year() -> None:
    # Written for this test: "period" takes the span the text compares, a quarter after
    # a quarter, the year after the months so far or a year; "quarter" stays a quarter.
    text = (
        "Third-quarter orders fell. In the first nine months, orders totalled 4,000"
        " units, compared with 3,100 in the year-ago period and 2,900 in the 2022 period."
    )
    got = _values(text, d("2024-10-30"))
    assert got["the year-ago period"] == "2023" and got["the 2022 period"] == "2022"
    text = (
        "Third-quarter orders fell. In the first nine months, orders rose, but in the"
        " quarter they fell from the year-ago quarter."
    )
    assert _values(text, d("2024-10-30"))["the year-ago quarter"] == "2023-Q3"
    text = "Orders fell in the third quarter from the year-ago period."
    assert _values(text, d("2024-10-30"))["the year-ago period"] == "2023-Q3"
    # the reference is the anchor's year, so a span that does not run from January is not
    # taken as the months so far
    text = "Prices rose in the third quarter. Over the past six months they rose 4% from a year earlier."
    assert _values(text, d("2024-10-30"))["a year earlier"] == "2023-Q3"


def test_last_year_in_a_quarter_comparison_is_the_year_ago_quarter() -> None:
    # Sentences written for this test: the figure "last year" dates in a comparison with
    # a reported quarter is that quarter a year back; outside a comparison, or against a
    # quarter still to come, it is the year.
    oct25 = d("2024-10-25")
    text = "The chain's third-quarter profit was $12 million, compared with $9 million last year."
    assert _values(text, oct25)["last year"] == "2023-Q3"
    text = "Sales in the third quarter rose to $1.2 billion, up from last year's $1.1 billion."
    assert _values(text, oct25)["last year"] == "2023-Q3"
    text = "Third-quarter sales rose 8%. The chain opened ten stores last year."
    assert _values(text, oct25)["last year"] == "2023"
    text = "It expects fourth-quarter sales to rise from $5 million last year."
    assert _values(text, d("2024-08-01"))["last year"] == "2023"


def test_tagger_without_anchor() -> None:
    found = find_dates("The vote took place on Monday.", None)
    assert len(found) == 1 and found[0].timex.value == "XXXX-WXX-1" and not found[0].timex.resolved


@pytest.mark.parametrize(
    ("left", "right", "tense"),
    [
        # tense cues added for TempEval-3 weekday/month errors (short phrases, real wording)
        ("The thrift announced the plan", ". Among other reasons", "past"),  # "plan" is a noun here
        ("its record high set on", ". In the bond market", "past"),  # "set": a past participle
        ("Protesters planned a demonstration on", " and were planning to drive", "future"),
        ("Investigators have been searching for him since shortly after the", " slaying.", "past"),
        ("a doctor killed last", ".", "past"),
        ("a carrier which has been on patrol since", " and was scheduled to return", "past"),
        ("who could come to the U.S. as early as", ".", "future"),
        ("the new labor pact effective", ".", "future"),
        ("announced an agreement to acquire the company in", ".", "future"),
        ("The minister said on", ", in a statement.", "past"),
        ("The summit will be held on", " in Geneva.", "future"),
        ("Talks are expected to resume", ".", "future"),
        ("The group planned to leave Nairobi on", " for Dar es Salaam.", "future"),
        ("Officials could not be reached", " for comment.", "past"),
        ("", " the company reported a loss.", "past"),
        ("The shares are trading higher", ".", "present"),
    ],
)
def test_infer_tense(left: str, right: str, tense: str) -> None:
    assert infer_tense(left, right) == tense


# --- rules added for the TempEval-3 errors (each with the gold expression + DCT) ------------


@pytest.mark.parametrize(
    ("left", "right", "tense"),
    [
        # an abbreviation's period ("vs.", "Ala.", "U.S.") does not end the clause
        (
            "In",
            ", a week after the Roe vs. Wade ruling, a bomb in Birmingham, Ala., killed a guard.",
            "past",
        ),
        # until/till/through after a present (perfect) verb: the state lasts into the future
        ("The agency has given the relatives until", " to sign a paper.", "future"),
        ("Lenders have extended the company loans through", ", as well as credit.", "future"),
        ("The delegation stayed until", ".", "past"),  # simple past: the date is behind
        # contractions: "it's" is a present verb, "it's been" a perfect
        ("It's", " of an offensive by the police.", "present"),
        ("It's been quiet since", ".", "past"),
        ("They're leaving", ".", "present"),
        # present-tense event verbs right after a subject
        # a scheduled-event verb in the present points ahead ("leaves [Friday]")
        ("He and Arafat meet separately", " with the secretary of state.", "future"),
        # a state that holds now, for a span up to now
        ("She has been in Geneva for", ", her aide said.", "present"),
        ("Clinton leaves", " for Cairo.", "future"),
        ("The track meet ended", ".", "past"),  # "the meet" is a noun
        # a date before a finite past verb of planning dates the planning, not the plan
        ("On", ", the government planned to pay the first claims.", "past"),
        ("The group planned to leave the city on", " for the coast.", "future"),
    ],
)
def test_infer_tense_rules(left: str, right: str, tense: str) -> None:
    assert infer_tense(left, right) == tense


# --- the context find_dates gives infer_tense: bounded, and the same answer ---------------

WIKINEWS = Path(__file__).resolve().parents[1] / "eval" / "datasets" / "wikinews.jsonl"


def _wikinews() -> list[tuple[str, date]]:
    with open(WIKINEWS, encoding="utf-8") as f:
        return [(r["text"], d(r["publication_date"])) for r in map(json.loads, f)]


def test_tense_context_is_bounded_on_a_long_report(monkeypatch: pytest.MonkeyPatch) -> None:
    # Regression: find_dates gave infer_tense the whole text before and after every
    # mention, and infer_tense scans all of it for clause ends, so tagging cost
    # O(length x mentions): 10.8 s at 400,000 characters against 0.3 s at 55,000.
    # Not timed: the characters infer_tense is given must not grow with the document.
    texts = [" ".join(text.split("\n")) for text, _ in _wikinews()]
    report = "\n\n".join(texts * 2)  # ~100,000 characters, one article per paragraph
    real, given = tagger.infer_tense, []

    def recording(left: str, right: str):  # type: ignore[no-untyped-def]
        given.append((len(left), len(right)))
        return real(left, right)

    monkeypatch.setattr(tagger, "infer_tense", recording)
    tagger._find_dates.cache_clear()
    found = find_dates(report, d("2005-06-01"))
    assert len(report) > 100_000 and len(found) > 400 and len(given) >= len(found)
    window = tagger.TENSE_WINDOW
    assert max(max(left, right) for left, right in given) <= 2 * window  # a sentence or two
    assert sum(left + right for left, right in given) <= 2 * window * len(given)  # linear


EDGE_CASES = [  # where a cut could land badly: abbreviations, runs of spaces, no clause end
    "Mr. Smith met U.S. officials on Friday. Talks will resume Monday in Calif. next week.",
    "He said.\n  The vote, set for Jan. 5, was delayed.  \n\n  It's been quiet since March.",
    "they met on friday and will meet again on monday and again later " * 6 + "in May.",
    "A. B. C. D. E. F. G. H. I. J. said; it was done? Yes! On Tuesday's call. Vs. Ala. Friday",
    "talks 1,000 2,000 3,000 4,000 5,000 6,000 7,000 8,000 9,000 10,000 11,000 ended Monday",
]


@pytest.mark.parametrize("window", [1, 2, 5, 13, 40, 400])
def test_tense_context_gives_the_whole_text_answer(
    window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tagger, "TENSE_WINDOW", window)
    for text in EDGE_CASES:  # every split point, with windows cut anywhere
        for start in range(len(text) + 1):
            end = min(len(text), start + 6)
            assert infer_tense(*tagger.tense_context(text, start, end)) == infer_tense(
                text[:start], text[end:]
            ), (text, start, window)
    for text, _ in _wikinews()[::3]:  # every candidate expression of real articles
        for start, end in tagger._candidates(text):
            assert infer_tense(*tagger.tense_context(text, start, end)) == infer_tense(
                text[:start], text[end:]
            ), (text[start:end], start, window)


def test_find_dates_results_are_cached_but_not_shared() -> None:
    text, anchor = _wikinews()[0]
    first = find_dates(text, anchor)
    first.clear()  # a caller's list is its own
    again = find_dates(text, anchor)
    assert again and again == find_dates(text, anchor) and again is not find_dates(text, anchor)
    assert tagger._find_dates.cache_info().hits >= 2


@pytest.mark.parametrize(
    ("expr", "dct", "tense", "gold"),
    [
        ("Monday", "1998-05-01", "present", "1998-05-04"),  # "meet separately Monday"
        (
            "9 a.m. Tuesday",
            "2000-04-03",
            "future",
            "2000-04-04T09:00",
        ),  # "has given them until ..."
        ("January", "1989-10-30", "future", "1990-01"),  # "has extended loans through January"
        # a yearless date up to a month before the DCT in a future clause stays in its year
        ("Jan. 14", "2000-01-15", "future", "2000-01-14"),  # "said they would ... by Jan. 14"
        ("Oct. 19", "1989-10-27", "future", "1989-10-19"),  # "has fallen this year through Oct. 19"
        (
            "Friday",
            "1998-09-30",
            "past",
            "1998-09-25",
        ),  # "On Friday, the government planned to ..."
        # "today is the eighth day of ...", "it's the second day of ...": the day of writing
        ("eighth day", "1990-08-15", "present", "1990-08-15"),
        ("the second day", "1998-03-06", "present", "1998-03-06"),
        ("one day", "1998-03-03", "future", "FUTURE_REF"),  # "Islam will one day be ..."
    ],
)
def test_normalise_rules(expr: str, dct: str, tense: str, gold: str) -> None:
    tx = normalise(expr, d(dct), tense=tense)  # type: ignore[arg-type]
    assert tx is not None and tx.value == gold, (expr, dct, tx)


def test_one_day_without_future_is_a_duration() -> None:
    tx = normalise("one day", d("1989-10-30"), tense="past")
    assert tx is not None and (tx.kind, tx.value) == ("duration", "P1D")


def test_ordinal_day_needs_present_tense() -> None:
    assert normalise("the second day", d("1998-03-06"), tense="past") is None


def test_anaphoric_day_of_a_month_reference() -> None:
    # "last October ... crossed out [that same day]": a day of October, which one unknown
    october = normalise("last October", d("1999-02-06"), tense="past")
    assert october is not None and october.value == "1998-10"
    tx = normalise("that same day.", d("1999-02-06"), tense="past", reference=october)
    assert tx is not None and tx.value == "1998-10-XX" and not tx.resolved


def test_bare_day_is_the_reference_day() -> None:
    # "March 12 ... Friday ... said it was 'a great [day] for Poland'"
    friday = normalise("March 12", d("1999-03-13"), tense="past")
    tx = normalise("day", d("1999-03-13"), tense="past", reference=friday)
    assert tx is not None and tx.value == "1999-03-12"
    assert normalise("day", d("1999-03-13"), tense="past") is None


def test_reference_reaches_back_a_paragraph_or_two() -> None:
    text = (
        "BRUSSELS, March 12 -- NATO took in three members."
        + " Filler words." * 50
        + " He said it was a great day for Poland."
    )
    found = find_dates(text, d("1999-03-13"))
    assert reference_before(found, text.index("day for")) is not None


# --- regression against the gold data (skipped when ../shared/data is absent) -----------

needs_data = pytest.mark.skipif(not (DATA / "tempeval3_tbaq").is_dir(), reason="no ../shared/data")


def _tempeval_accuracy(name: str) -> float:
    ok = n = 0
    with open(DATA / "tempeval3_tbaq" / name, encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            anchor = d(doc["dct"][:10])
            for tx in doc["timexes"]:
                if tx["type"] != "DATE":
                    continue
                left, _, rest = tx["context"].partition("[[")
                right = rest.partition("]]")[2]
                got = normalise(tx["text"], anchor, tense=infer_tense(left, right))
                n += 1
                ok += got is not None and got.value == tx["value"]
    return ok / n


@needs_data
@pytest.mark.parametrize(
    ("name", "floor"),
    [("tbaq_timebank.timex.derived.jsonl", 0.84), ("tbaq_aquaint.timex.derived.jsonl", 0.80)],
)
def test_tempeval_date_accuracy_floor(name: str, floor: float) -> None:
    # Strict string match, local context only; bench/score_dates.py reports the full numbers.
    assert _tempeval_accuracy(name) >= floor


@needs_data
def test_meantime_dates_via_tagger() -> None:
    ok = n = 0
    with open(DATA / "meantime_apple" / "meantime_apple.events.jsonl", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            for tx in doc["timexes"]:
                if tx["type"] != "DATE" or not tx["text"] or not tx["sentence"]:
                    continue
                found = {
                    tx2.timex.value
                    for tx2 in find_dates(tx["sentence"], d(doc["dct"]))
                    if tx["sentence"][tx2.start : tx2.end] == tx["text"]
                }
                n += 1
                ok += tx["value"] in found
    assert n > 50 and ok / n >= 0.75
