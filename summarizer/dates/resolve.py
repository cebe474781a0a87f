"""normalise(): one date expression as written -> a TIMEX3-style Timex.

The expression is cleaned (lower case, tokenisation spaces removed, modifiers
such as "early" or "the end of" split off), then tried against rule families
in order: reference words, recurrences, durations, holidays, explicit dates,
decades, quarters, seasons, deictic units ("last week"), counted offsets
("two weeks ago"), weekdays, months, years and anaphors ("that year").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from . import patterns as P
from .holidays import HOLIDAY, holiday_date
from .lexicon import (
    CLOCK_UNITS,
    ORDINAL_WORD,
    SEASONS,
    UNITS,
    month_number,
    parse_number,
    parse_ordinal,
    parse_year,
    weekday_number,
)
from .model import (
    Granularity as G,
)
from .model import (
    Period,
    Tense,
    Timex,
    add_months,
    duration_timex,
    nearest_weekday,
    period_of,
    place_in_year,
    ref_timex,
    season_period,
    set_timex,
    unresolved_timex,
    weekend_period,
    year_shift,
)


@dataclass(frozen=True)
class Ctx:
    """What a relative expression is resolved against."""

    anchor: date | None
    tense: Tense | None
    reference: Timex | None  # the date the discourse last set, for anaphors
    settled: bool = False  # nothing in the clause turns its tense (model.place_in_year)
    comparison: bool = False  # the expression dates the figure a clause compares with


Rule = Callable[[str, Ctx], "Timex | Period | None"]

_REF_WORDS: dict[str, str] = {}
for _w in (
    "now",
    "right now",
    "just now",
    "currently",
    "current",
    "at present",
    "presently",
    "the present",
    "at the moment",
    "these days",
    "nowadays",
    "today's",
    "already",
    "yet",
    "at this time",
    "this time",
    "for now",
    "so far",
    "the moment",
    "this moment",
    "the present time",
    "the present day",
    "present day",
):
    _REF_WORDS[_w] = "PRESENT_REF"
for _w in (
    "recently",
    "recent",
    "more recently",
    "most recently",
    "lately",
    "the past",
    "in the past",
    "previously",
    "formerly",
    "once",
    "earlier",
    "before",
    "the time",
    "then current",
    "long ago",
    "a while ago",
    "some time ago",
    "sometime ago",
    "the old days",
    "historically",
    "years ago",
    "the last few months",
    "past years",
    "recent times",
    "recent history",
    "in recent years",
    "the recent past",
):
    _REF_WORDS[_w] = "PAST_REF"
for _w in (
    "future",
    "the future",
    "the near future",
    "the near term",
    "the short term",
    "the long term",
    "the medium term",
    "soon",
    "shortly",
    "eventually",
    "some day",
    "someday",
    "a later date",
    "a later time",
    "as soon as possible",
    "the years ahead",
    "the months ahead",
    "the weeks ahead",
    "the days ahead",
    "down the road",
    "in the future",
    "in the near future",
    "later",
    "later on",
):
    _REF_WORDS[_w] = "FUTURE_REF"

_RECENT_PLURAL = re.compile(
    r"(?:(?:in )?(?:recent|past|the past few|the last few|the past several|the last several)"
    r" (?:years|months|weeks|days|decades|quarters|times)(?: and (?:years|months|weeks|days))?)"
)
_FUTURE_PLURAL = re.compile(
    r"(?:(?:the |in the )?(?:coming|future|upcoming|next few|following) "
    r"(?:years|months|weeks|days|decades|quarters))"
)
_WORD_UNIT = {
    "second": G.DAY,
    "minute": G.DAY,
    "hour": G.DAY,
    "day": G.DAY,
    "week": G.WEEK,
    "fortnight": G.WEEK,
    "month": G.MONTH,
    "quarter": G.QUARTER,
    "year": G.YEAR,
    "decade": G.YEAR,
    "century": G.YEAR,
    "period": G.QUARTER,
    "half": G.HALF,
    "season": G.SEASON,
}


def _unit(word: str) -> str:
    """Singular unit word: 'centuries' -> 'century', 'weeks' -> 'week'."""
    w = word.lower()
    return "century" if w.startswith("centur") else w.rstrip("s")


_SPACE_BEFORE_POSSESSIVE = re.compile(r"\s+'s\b")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:])")
_SPACED_HYPHEN = re.compile(r"(?<=[a-z0-9])\s*-\s*(?=[a-z0-9])")
_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[\"'(\[]+|[\"')\],;:!?]+$")
_ENDS_WITH_MONTH = re.compile(rf"\b{P.MONTH}$")
_POSSESSIVE_END = re.compile(r"(?<!\d0)'s$")
_OWNER_PREFIX = re.compile(r"^(?:its|their|his|her|our|the company's) ")


def _clean(expression: str) -> str:
    """Lower-case, undo tokenisation spaces ("Apple 's", "March 06 , 2008"), trim punctuation."""
    s = expression.strip().lower().replace("’", "'").replace("`", "'")
    s = _SPACE_BEFORE_POSSESSIVE.sub("'s", s)
    s = _SPACE_BEFORE_PUNCT.sub(r"\1", s)
    s = _SPACED_HYPHEN.sub("-", s)
    s = _SPACES.sub(" ", s)
    s = _EDGE_PUNCT.sub("", s).strip()
    if s.endswith(".") and not _ENDS_WITH_MONTH.search(s):
        s = s[:-1]  # sentence period, not an abbreviation ("next week." vs "Sept.")
    s = _POSSESSIVE_END.sub("", s)  # "Monday's" -> "monday"; "the 1990's" stays a decade
    s = _OWNER_PREFIX.sub("the ", s)
    return s.strip()


_PAST_WORDS = re.compile(r"\b(?:ago|last|past|previous|earlier|yesterday|before)\b")
_FUTURE_WORDS = re.compile(r"\b(?:next|coming|from now|hence|tomorrow|later|following|upcoming)\b")


def _tense_of(s: str, given: Tense | None) -> Tense | None:
    """Words inside the expression fix its direction before the clause's tense does."""
    if _PAST_WORDS.search(s):
        return "past"
    if _FUTURE_WORDS.search(s):
        return "future"
    return given


# --- reference words, recurrences, durations -----------------------------------------


_THIS_MOMENT = re.compile(r"(?:this|the present|the current) (?:[a-z]+ )?moment")
_VAGUE_AGO = re.compile(rf"{P.VAGUE} {P.UNITS} (?:ago|earlier|before|back)")
_VAGUE_AHEAD = re.compile(rf"{P.VAGUE} {P.UNITS} (?:from now|later|hence)")


def _ref_word(s: str, ctx: Ctx) -> Timex | None:
    if s in _REF_WORDS:
        return ref_timex(s, _REF_WORDS[s])
    if _THIS_MOMENT.fullmatch(s):
        return ref_timex(s, "PRESENT_REF")  # "this crucial moment"
    if s in ("one day", "one of these days") and ctx.tense == "future":
        return ref_timex(s, "FUTURE_REF")  # "Islam will one day be ...": some future day
    if _RECENT_PLURAL.fullmatch(s):
        return ref_timex(s, "PAST_REF")
    if _FUTURE_PLURAL.fullmatch(s):
        return ref_timex(s, "FUTURE_REF")
    if _VAGUE_AGO.fullmatch(s):
        return ref_timex(s, "PAST_REF")
    if _VAGUE_AHEAD.fullmatch(s):
        return ref_timex(s, "FUTURE_REF")
    return None


_SET_ADVERBS = {
    "daily": "P1D",
    "nightly": "P1D",
    "weekly": "P1W",
    "biweekly": "P2W",
    "monthly": "P1M",
    "quarterly": "P1Q",
    "annually": "P1Y",
    "annual": "P1Y",
    "yearly": "P1Y",
    "hourly": "PT1H",
    "semiannual": "P6M",
    "semiannually": "P6M",
    "biannual": "P6M",
    "every day": "P1D",
    "each day": "P1D",
    "per day": "P1D",
    "a day": "P1D",
    "a year": "P1Y",
    "a week": "P1W",
    "a month": "P1M",
    "per year": "P1Y",
    "per week": "P1W",
    "per month": "P1M",
    "weekends": "XXXX-WXX-WE",
    "every weekend": "XXXX-WXX-WE",
}


_EVERY_UNIT = re.compile(
    rf"(?:(?:once|twice|thrice|{P.NUM} times) )?(?:every|each|per|a) (?:other )?"
    rf"(?:(?P<n>{P.NUM}) )?(?P<u>{P.UNITS}|{P.WEEKDAY}s?|{P.MONTH}|{P.SEASON}"
    rf"|weekend)(?: {P.PART_OF_DAY})?"
)
_WEEKDAY_PLURAL = re.compile(rf"(?P<u>{P.WEEKDAY})s(?: {P.PART_OF_DAY}s?)?")


def _recurrence(s: str, ctx: Ctx) -> Timex | None:
    if s in _SET_ADVERBS and not s.startswith("a "):
        return set_timex(s, _SET_ADVERBS[s])
    m = _EVERY_UNIT.fullmatch(s)
    if not m:
        m = _WEEKDAY_PLURAL.fullmatch(s)
        if not m:
            return None
    word = m.group("u")
    if (wd := weekday_number(word)) is not None:
        return set_timex(s, f"XXXX-WXX-{wd}")
    if (mo := month_number(word)) is not None:
        return set_timex(s, f"XXXX-{mo:02d}")
    if word in SEASONS:
        return set_timex(s, f"XXXX-{SEASONS[word]}")
    if word == "weekend":
        return set_timex(s, "XXXX-WXX-WE")
    if s.startswith(("a ", "per ")) and not m.group(0).startswith(("once", "twice")):
        return None  # "a year" alone is a duration, handled later
    every = 2 if "other" in s else (parse_number(m.group("n")) if m.group("n") else 1) or 1
    return set_timex(s, _duration_value(every, _unit(word)))


def _duration_value(n: float | None, unit: str) -> str:
    """TimeML duration value: P5Y, PT40M, P10Y for a decade, PXY when n is unknown."""
    letter = UNITS[unit]
    mult = 1
    if letter == "DE":
        letter, mult = "Y", 10
    elif letter == "CE":
        letter, mult = "Y", 100
    elif letter == "W2":
        letter, mult = "W", 2
    if n is not None and not float(n * mult).is_integer() and unit in _HALF_UNITS:
        whole, (sub_n, sub_letter) = int(n * mult), _HALF_UNITS[unit]
        head = f"{whole}{letter}" if whole else ""
        return (
            f"PT{head}{sub_n}{sub_letter}" if unit in CLOCK_UNITS else f"P{head}{sub_n}{sub_letter}"
        )
    amount = "X" if n is None else _fmt_num(n * mult)
    return f"PT{amount}{letter}" if unit in CLOCK_UNITS else f"P{amount}{letter}"


# Half a unit in the next smaller unit, as TimeML writes it: 2 1/2 years = P2Y6M.
_HALF_UNITS = {"year": (6, "M"), "hour": (30, "M"), "day": (12, "H"), "minute": (30, "S")}


def _fmt_num(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else str(n)


_DURATION = re.compile(
    rf"(?:(?:the|for|within|over|during|in|after) )?(?:(?:past|last|next|coming|previous|first"
    rf"|following|latest|final|remaining|entire|whole|full) )?(?:{P.APPROX} )?"
    rf"(?:(?P<n>{P.NUM})(?: (?:to|or|and) (?P<n2>{P.NUM}))?|(?P<vague>{P.VAGUE}|the)|(?P<half>half an?))"
    rf"(?: more| additional| full| straight| consecutive)?(?: trading| business| working| calendar)?"
    rf"[- ](?P<u>{P.UNITS})(?P<andhalf> and a half)?(?:[- ](?:long|old))?(?: or so| or more| ahead)?"
    rf"(?: (?:period|span|stretch|spell|window))?"
)


_BARE_PLURAL_UNITS = re.compile(
    r"(?:(?:for|over) )?(?:years|decades|months|weeks|days|hours|minutes|"
    r"centuries|the years)"
)
_DURATION_VALUE = re.compile(r"p(?:\d+(?:\.\d+)?[ymwd]|t\d+[hms])")
_PLURAL_UNITS_LONG = re.compile(r"(?:decades|years|centuries)[- ]long")
_UNIT_LONG = re.compile(rf"(?:an? )?(?P<u>{P.UNITS})[- ]long|(?P<u2>{P.UNITS}) or (?:{P.UNITS})")
_N_AND_A_HALF = re.compile(
    rf"(?:(?:about|nearly|almost|more than|over) )?(?P<n>\d+) 1/2[- ](?P<u>{P.UNITS})"
)


def _duration(s: str, ctx: Ctx) -> Timex | None:
    if _BARE_PLURAL_UNITS.fullmatch(s):
        return duration_timex(s, _duration_value(None, _unit(s.split()[-1])))
    if _DURATION_VALUE.fullmatch(s):
        return duration_timex(s, s.upper())  # already a TimeML duration value ("P5Y")
    if _PLURAL_UNITS_LONG.fullmatch(s):
        return duration_timex(s, "PXY")
    m = _UNIT_LONG.fullmatch(s)
    if m:
        plural = bool(m.group("u2"))
        return duration_timex(
            s, _duration_value(None if plural else 1, _unit(m.group("u") or m.group("u2")))
        )
    m = _N_AND_A_HALF.fullmatch(s)
    if m:
        return duration_timex(s, _duration_value(int(m.group("n")) + 0.5, _unit(m.group("u"))))
    m = _DURATION.fullmatch(s)
    if not m:
        return None
    unit = _unit(m.group("u"))
    if m.group("vague") == "the":
        return None  # "the year" is a date, not a length
    if m.group("half"):
        return duration_timex(s, "PT30M" if unit == "hour" else _duration_value(0.5, unit))
    n = parse_number(m.group("n")) if m.group("n") else None
    if m.group("n") and n is None:
        try:
            n = float(m.group("n"))  # type: ignore[assignment]
        except ValueError:
            return None
    if m.group("n2"):
        n = None if m.group(0).find(" or ") < 0 else n  # "12 to 18 months" -> PXM
    if n is not None and m.group("andhalf"):
        n = n + 0.5  # type: ignore[assignment]
    return duration_timex(s, _duration_value(n, unit))


# --- helpers for anchor-dependent rules ----------------------------------------------


def _placeholder(s: str, gran: G, value: str) -> Timex:
    return unresolved_timex(s, value, gran)


def _day(d: date) -> Period:
    return Period(G.DAY, d)


def _earnings_quarter(ctx: Ctx) -> Period | None:
    """The quarter a bare 'the quarter'/'the period' refers to.

    Financial news reports the quarter that just closed: the reference quarter
    if the discourse set one, else the quarter before the anchor's (the current
    one when the clause looks ahead).
    """
    if ctx.reference and ctx.reference.granularity is G.QUARTER and ctx.reference.start:
        return period_of(G.QUARTER, ctx.reference.start)
    if ctx.anchor is None:
        return None
    current = period_of(G.QUARTER, ctx.anchor)
    return current if ctx.tense == "future" else current.shift(-1)


# --- holidays and explicit calendar dates ---------------------------------------------


_HOLIDAY_EXPR = re.compile(
    rf"(?:(?P<rel>last|this|next|this past|this coming|the) )?(?P<h>{HOLIDAY})"
    rf"(?P<week> week(?:end)?)?(?:,? (?P<y>{P.YEAR}))?"
)


def _holiday(s: str, ctx: Ctx) -> Timex | Period | None:
    m = _HOLIDAY_EXPR.fullmatch(s)
    if not m:
        return None
    name = m.group("h")
    if m.group("y"):
        year = parse_year(m.group("y"))
        d = holiday_date(name, year) if year else None
    elif ctx.anchor is None:
        return _placeholder(s, G.DAY, "XXXX-XX-XX")
    else:
        rel = m.group("rel") or ""
        this_year = holiday_date(name, ctx.anchor.year)
        if this_year is None:
            return None
        tense = {
            "last": "past",
            "this past": "past",
            "next": "future",
            "this coming": "future",
        }.get(rel, _tense_of(s, ctx.tense) if rel != "this" else None)
        # "Easter week" is placed as the week (it may hold the anchor), the day as the day
        probe = period_of(G.WEEK, this_year) if m.group("week") else _day(this_year)
        p = place_in_year(probe, ctx.anchor, tense, settled=ctx.settled)  # type: ignore[arg-type]
        if rel in ("last", "this past") and p.first == ctx.anchor:
            p = year_shift(p, -1)
        d = holiday_date(name, ctx.anchor.year + round((p.first - probe.first).days / 365.25))
    if d is None:
        return None
    if m.group("week") == " weekend":  # "Labor Day weekend": the weekend next to the day
        iso = d.isoweekday()
        return weekend_period(d - timedelta(days={1: 2, 7: 1}.get(iso, iso - 6)))
    if m.group("week"):
        return Period(G.WEEK, d - timedelta(days=d.isoweekday() - 1))
    return _day(d)


_ISO_DATE = re.compile(r"(?P<y>\d{4})-(?P<mo>\d\d)(?:-(?P<d>\d\d))?")
_SLASH_DATE = re.compile(r"(?P<mo>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d\d)")
_WEEKDAY_BEFORE_DAY = rf"(?:(?:this coming |this |next |last |on )?{P.WEEKDAY},? )?(?:the )?"
_MONTH_DAY = re.compile(
    rf"{_WEEKDAY_BEFORE_DAY}(?P<mo>{P.MONTH}),? (?:the )?(?P<d>{P.DAY_NUM})(?:,? (?P<y>{P.YEAR}))?"
)
_DAY_MONTH = re.compile(
    rf"{_WEEKDAY_BEFORE_DAY}(?P<d>{P.DAY_NUM}) (?:of )?(?P<mo>{P.MONTH}),?(?: (?P<y>{P.YEAR}))?"
)
_WEEKDAY_WORD = re.compile(P.WEEKDAY)
_MONTH_YEAR = re.compile(rf"(?:the month of )?(?P<mo>{P.MONTH}),?(?: of)? (?P<y>{P.YEAR})")


def _explicit_date(s: str, ctx: Ctx) -> Timex | Period | None:
    """Month + day (+ year), day + month (+ year), month + year, ISO and numeric dates."""
    m = _ISO_DATE.fullmatch(s) or _SLASH_DATE.fullmatch(s)
    if m:
        y = int(m.group("y"))
        y = y + (1900 if y >= 30 else 2000) if y < 100 else y
        mo, d = int(m.group("mo")), m.group("d")
        try:
            return _day(date(y, mo, int(d))) if d else Period(G.MONTH, date(y, mo, 1))
        except ValueError:
            return None
    m = _MONTH_DAY.fullmatch(s) or _DAY_MONTH.fullmatch(s)
    if m:
        wd = _WEEKDAY_WORD.match(
            s.split(" ", 2)[1] if s.startswith(("this", "next", "last", "on")) else s
        )
        return _month_day(
            s,
            ctx,
            month_number(m.group("mo")),
            parse_ordinal(m.group("d")),
            m.group("y"),
            weekday_number(wd.group(0)) if wd else None,
        )
    m = _MONTH_YEAR.fullmatch(s)
    if m:
        year, month = parse_year(m.group("y")), month_number(m.group("mo"))
        return Period(G.MONTH, date(year, month, 1)) if year and month else None
    return None


def _month_day(
    s: str,
    ctx: Ctx,
    mo: int | None,
    d: int | None,
    year_text: str | None,
    weekday: int | None = None,
) -> Timex | Period | None:
    if not mo or not d or d > 31:
        return None
    if year_text:
        y = parse_year(year_text)
        try:
            return _day(date(y, mo, d)) if y else None
        except ValueError:
            return None
    if ctx.anchor is None:
        return _placeholder(s, G.DAY, f"XXXX-{mo:02d}-{d:02d}")
    try:
        guess = date(ctx.anchor.year, mo, d)
    except ValueError:
        guess = date(ctx.anchor.year, mo, 28)
    if weekday is not None:  # "Saturday, April 25": the year in which the weekday fits
        for shift in (0, -1, 1):
            if year_shift(_day(guess), shift).first.isoweekday() == weekday:
                return year_shift(_day(guess), shift)
    return place_in_year(_day(guess), ctx.anchor, _tense_of(s, ctx.tense), settled=ctx.settled)


# --- decades, centuries, quarters, halves, seasons -------------------------------------

_DECADE_WORDS = {
    "twenties": 2,
    "thirties": 3,
    "forties": 4,
    "fifties": 5,
    "sixties": 6,
    "seventies": 7,
    "eighties": 8,
    "nineties": 9,
}


_DECADE_DIGITS = re.compile(r"(?:the )?(?P<c>1\d|20)?(?P<d>\d)0'?s")
_DECADE_APOSTROPHE = re.compile(r"(?:the )?'(?P<d>\d)0s")
_DECADE_SPELLED = re.compile(
    r"(?:the )?(?:(?P<c>nineteen|eighteen|twenty)[- ])?(?P<w>twenties|thirties|"
    r"forties|fifties|sixties|seventies|eighties|nineties)"
)


def _decade(s: str, ctx: Ctx) -> Timex | Period | None:
    m = _DECADE_DIGITS.fullmatch(s) or _DECADE_APOSTROPHE.fullmatch(s)
    word = _DECADE_SPELLED.fullmatch(s)
    if m and m.groupdict().get("c") and m.group("d") == "0" and m.group("c") != "20":
        # "the 1800s", "the 1900s": the century, as people mean it (the 2000s: the decade)
        return Period(G.CENTURY, date(int(m.group("c")) * 100, 1, 1))
    if m:
        century = m.groupdict().get("c")
        dec = int(m.group("d"))
    elif word:
        century = {"nineteen": "19", "eighteen": "18", "twenty": "20"}.get(word.group("c") or "")
        dec = _DECADE_WORDS[word.group("w")]
    else:
        return _century(s, ctx)
    if century is None:  # "the '90s": the most recent such decade before the anchor
        base = (ctx.anchor.year if ctx.anchor else 1999) // 100 * 100
        year = base + dec * 10
        year = year - 100 if ctx.anchor and year > ctx.anchor.year else year
    else:
        year = int(century) * 100 + dec * 10
    return Period(G.DECADE, date(year, 1, 1))


_CENTURY_ORDINAL = re.compile(
    rf"(?:the )?(?P<n>\d{{1,2}}(?:st|nd|rd|th)|{ORDINAL_WORD})[- ]century"
)


def _century(s: str, ctx: Ctx) -> Timex | Period | None:
    m = _CENTURY_ORDINAL.fullmatch(s)
    if m:
        n = parse_ordinal(m.group("n"))
        return Period(G.CENTURY, date(max((n - 1) * 100, 1), 1, 1)) if n else None
    return None


_QUARTER_ORDINAL = re.compile(
    rf"(?:the |a )?(?:(?P<pre>(?:fiscal )?{P.YEAR4}|this year's|last year's|next year's|the year's"
    rf"|year-ago|year-earlier|comparable year-ago|current|latest|this|last|next|previous"
    rf"|same|flat|fiscal) )?(?:fiscal[- ])?(?P<ord>{P.QUARTER_ORD})[- ](?:fiscal[- ])?quarter"
    rf"(?:(?: of)? (?:fiscal )?(?P<post>{P.YEAR4}|this year|last year|next year|the year))?"
)
_HALF_ORDINAL = re.compile(
    rf"(?:the )?(?P<ord>first|second|last|1st|2nd)[- ]half(?: of (?P<post>{P.YEAR4}"
    rf"|this year|last year|next year|the year))?"
)
_MONTHS_QUARTER = re.compile(
    rf"(?:the )?(?P<m1>{P.MONTH}) ?[-\u2013/] ?(?P<m2>{P.MONTH}) quarter"
    rf"(?:(?: of)? (?P<post>{P.YEAR4}|this year|last year|next year))?"
)
_FINAL_QUARTER = re.compile(
    rf"(?:the )?(?:final|last) quarter of (?:fiscal )?(?P<post>{P.YEAR4}|this year|last year"
    rf"|next year)"
)
_FIRST_TWO_QUARTERS = re.compile(rf"(?:the )?first (?:two|2) quarters of (?P<post>{P.YEAR4})")
_SHORT_YEAR = re.compile(r"(?:'|fy)?\d\d")


def _quarter(s: str, ctx: Ctx) -> Timex | Period | None:
    m = _QUARTER_ORDINAL.fullmatch(s)
    if m:
        q = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}.get(
            m.group("ord"), 4
        )
        return _nth_part(s, ctx, G.QUARTER, q, m.group("pre") or "", m.group("post") or "")
    m = _FINAL_QUARTER.fullmatch(s)
    if m:  # "the final quarter of 2022": the fourth (bare "the last quarter" is the previous)
        return _nth_part(s, ctx, G.QUARTER, 4, "", m.group("post"))
    m = _HALF_ORDINAL.fullmatch(s)
    if not m:
        m2 = _MONTHS_QUARTER.fullmatch(s)
        if m2:  # "the July-September quarter": a calendar quarter named by its months
            first, last = month_number(m2.group("m1")), month_number(m2.group("m2"))
            if first is None or last is None or first % 3 != 1 or last != first + 2:
                return None
            return _nth_part(s, ctx, G.QUARTER, first // 3 + 1, "", m2.group("post") or "")
        m2 = _FIRST_TWO_QUARTERS.fullmatch(s)
        if m2:
            return Period(G.HALF, date(int(m2.group("post")), 1, 1))
        m2 = _SHORT_PART.fullmatch(s)
        if m2:
            n = int(m2.group("n1") or m2.group("n2"))
            gran = G.QUARTER if (m2.group("k1") or m2.group("k2")) == "q" else G.HALF
            if gran is G.HALF and n > 2:
                return None
            post = m2.group("post") or ""
            if _SHORT_YEAR.fullmatch(post):
                post = str(parse_year("'" + post[-2:]))
            return _nth_part(s, ctx, gran, n, m2.group("pre") or "", post)
        return None
    h = 1 if m.group("ord") in ("first", "1st") else 2
    return _nth_part(s, ctx, G.HALF, h, "", m.group("post") or "")


# "Q2 2024", "2Q 2024", "Q3'24", "Q4 of last year", "H1 2026", "1H26", "fiscal Q1"
_SHORT_PART = re.compile(
    rf"(?:(?P<pre>{P.YEAR4}|fiscal) )?(?:(?P<k1>[qh])(?P<n1>[1-4])|(?P<n2>[1-4])(?P<k2>[qh]))"
    rf"(?: ?(?:of )?(?P<post>(?:fy ?)?{P.YEAR4}|'\d\d|fy\d\d|\d\d|this year|last year|next year))?"
)


_YEAR_DIGITS = re.compile(r"\d{4}")


def _nth_part(s: str, ctx: Ctx, gran: G, n: int, pre: str, post: str) -> Timex | Period | None:
    """The n-th quarter/half of the year named by pre/post words or implied by the anchor."""
    months = 3 if gran is G.QUARTER else 6
    yword = pre or post
    year_m = _YEAR_DIGITS.search(yword)
    if year_m:
        return Period(gran, date(int(year_m.group()), (n - 1) * months + 1, 1))
    if ctx.anchor is None:
        return _placeholder(s, gran, f"XXXX-{'Q' if gran is G.QUARTER else 'H'}{n}")
    y = ctx.anchor.year
    if "last" in yword or "year-ago" in yword or "year-earlier" in yword or "previous" in yword:
        y -= 1
    elif "next" in yword:
        y += 1
    p = Period(gran, date(y, (n - 1) * months + 1, 1))
    if yword and yword not in ("fiscal", "the", "current", "latest", "this", "same", "flat"):
        return p
    # Quarters and halves without a year are the anchor's (earnings reports
    # name the quarter just closed or the one under way), unless a past-tense
    # clause puts them well after the anchor.
    tense = _tense_of(s, ctx.tense)
    return place_in_year(p, ctx.anchor, "past") if tense == "past" else p


_SEASON_EXPR = re.compile(
    rf"(?:(?P<rel>last|this|next|this past|this coming|the|past|coming) )?"
    rf"(?P<s>{P.SEASON})(?:(?: of)? (?P<y>{P.YEAR}|this year|last year|next year))?"
)
_YEAR_SEASON = re.compile(rf"(?P<y>{P.YEAR4})(?:'s)? (?P<s>{P.SEASON})")


def _season(s: str, ctx: Ctx) -> Timex | Period | None:
    m = _SEASON_EXPR.fullmatch(s)
    if not m:
        m = _YEAR_SEASON.fullmatch(s)
        if not m:
            return None
    code = SEASONS[m.group("s")]
    ytext = m.group("y") or ""
    rel = m.groupdict().get("rel") or ""
    if ytext and (y := parse_year(ytext)):
        return season_period(y, code)
    if ctx.anchor is None:
        return _placeholder(s, G.SEASON, f"XXXX-{code}")
    if ytext:
        y = ctx.anchor.year + {"this year": 0, "last year": -1, "next year": 1}[ytext]
        return season_period(y, code)
    current = period_of(G.SEASON, ctx.anchor)
    p = season_period(ctx.anchor.year, code)
    if p.value[-2:] == current.value[-2:]:
        p = current
    if rel in ("last", "this past", "past"):
        while p.first >= current.first:
            p = p.shift(-4)
        return p
    if rel in ("next", "this coming", "coming"):
        while p.first <= current.first:
            p = p.shift(4)
        return p
    if rel == "this":
        return p
    tense = _tense_of(s, ctx.tense)
    if tense == "past" and p.first > ctx.anchor:
        return p.shift(-4)
    if tense == "future" and p.last < ctx.anchor:
        return p.shift(4)
    return p


# --- deictic units, counted offsets, the year-ago family -----------------------------

_PREV = {
    "last",
    "the past",
    "the last",
    "this past",
    "the latest",
    "the most recent",
    "past",
    "the prior",
    "prior",
    "latest",
    "previous",
}
_NEXT = {"next", "the coming", "this coming", "coming", "upcoming", "the upcoming"}
_ANAPHORIC = {
    "the previous": -1,
    "the preceding": -1,
    "the prior": -1,
    "the following": 1,
    "the next": 1,
    "that": 0,
    "the same": 0,
    "that same": 0,
}
_CURRENT = {
    "this",
    "the current",
    "current",
    "the present",
    "this current",
    "the",
    "the full",
    "the entire",
    "the whole",
    "",
}


def _base(ctx: Ctx, gran: G, anaphoric: bool) -> Period | None:
    """The period of a granularity that holds the reference time (anaphors) or the anchor."""
    if anaphoric and ctx.reference is not None and ctx.reference.start is not None:
        return period_of(gran, ctx.reference.start)
    return period_of(gran, ctx.anchor) if ctx.anchor else None


# Which "the past/last week" TimeML writes as the current week (the rest: the previous
# week, as "last week"; TempEval-3: "reported in the last week" on a Friday = the week
# before), besides "the last week" as the span of a state that holds now (present tense)
_SEVEN_DAYS = {"the past"}


# "the week before last", "the year after next": the unit two away from the anchor's
_TWO_AWAY = re.compile(r"the (?P<u>week|month|year) (?P<way>before last|after next)")


def _two_away(s: str, ctx: Ctx) -> Period | None:
    m = _TWO_AWAY.fullmatch(s)
    if not m or ctx.anchor is None:
        return None
    base = period_of(_WORD_UNIT[m.group("u")], ctx.anchor)
    return base.shift(-2 if m.group("way") == "before last" else 2)


# "on the 12th": a day of the month alone, in the month the discourse set ("In March ... on
# the 12th") or else the nearest month whose such day the clause's tense allows
_DAY_ALONE = re.compile(r"the (?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)")


def _day_alone(s: str, ctx: Ctx) -> Period | None:
    m = _DAY_ALONE.fullmatch(s)
    if not m or ctx.anchor is None:
        return None
    day = int(m.group("d"))
    ref = ctx.reference
    if ref is not None and ref.granularity is G.MONTH and ref.start is not None:
        try:
            return _day(ref.start.replace(day=day))
        except ValueError:
            return None
    first = ctx.anchor.replace(day=1)
    options = []
    for months in (-1, 0, 1):
        try:
            options.append(add_months(first, months).replace(day=day))
        except ValueError:  # no 31st that month
            continue
    if ctx.tense == "past":
        options = [d for d in options if d <= ctx.anchor]
    elif ctx.tense == "future":
        options = [d for d in options if d >= ctx.anchor]
    if not options:
        return None
    anchor = ctx.anchor
    anchor_month = (anchor.year, anchor.month)
    # nearest first; on a tie, the anchor's own month
    return _day(
        min(options, key=lambda d: (abs((d - anchor).days), (d.year, d.month) != anchor_month))
    )


_DEICTIC_UNIT = re.compile(
    r"(?:(?P<rel>last|this|next|the past|the last|the previous|the preceding"
    r"|the coming|the next|the current|current|the present|this past|this coming"
    r"|the latest|the most recent|the following|the same|that same|that|the|the prior"
    r"|prior|previous|latest|upcoming|the upcoming|this current|the full|the entire"
    r"|the whole) )?(?:(?:fiscal|calendar|financial)[- ])?(?P<u>week|weekend|month|year"
    r"|quarter|decade|century|period|half|season|day|morning|afternoon|evening|night)"
)


def _deictic_unit(s: str, ctx: Ctx) -> Timex | Period | None:
    m = _DEICTIC_UNIT.fullmatch(s)
    if not m:
        return None
    rel, unit = m.group("rel") or "", m.group("u")
    if unit in ("day", "morning", "afternoon", "evening", "night"):
        if rel not in _ANAPHORIC and rel != "the":
            return None  # "this morning" is handled with today; "last night" below
        unit = "day"
        ref = ctx.reference
        if rel == "the" and ref is not None and ref.granularity is G.DAY and ref.start is not None:
            return _day(ref.start)  # "Oct. 12, the day before the plunge": the day just named
    if unit == "weekend":
        return _weekend(s, ctx, rel)
    gran = {"decade": G.DECADE, "century": G.CENTURY}.get(unit) or _WORD_UNIT[unit]
    if ctx.anchor is None and not (rel in _ANAPHORIC and ctx.reference):
        return _placeholder(
            s, gran, {G.WEEK: "XXXX-WXX", G.MONTH: "XXXX-XX", G.DAY: "XXXX-XX-XX"}.get(gran, "XXXX")
        )
    if gran is G.QUARTER and rel in ("the", "the latest", "latest", "the most recent", ""):
        return _earnings_quarter(ctx)
    if (
        gran is G.WEEK
        and unit == "week"
        and (rel in _SEVEN_DAYS or (rel == "the last" and ctx.tense == "present"))
    ):
        # "the past week", "has been there for the last week": the seven days up to the
        # anchor, written as the current week
        return period_of(G.WEEK, ctx.anchor) if ctx.anchor else None
    ref = ctx.reference
    if (
        rel in _ANAPHORIC
        and gran is G.DAY
        and ref is not None
        and ref.start is not None
        and ref.granularity is G.MONTH
    ):
        # "last October ... that same day": a day of the month named, which day unknown
        return _placeholder(s, G.DAY, f"{ref.start.year:04d}-{ref.start.month:02d}-XX")
    if rel in _ANAPHORIC:
        base = _base(ctx, gran, True)
        return base.shift(_ANAPHORIC[rel]) if base else None
    reported = _reported_quarter(ctx)
    if rel == "last" and unit == "year" and ctx.comparison and reported is not None:
        # "earnings fell in the quarter ... compared with $33 million last year": the figure
        # compared is the same quarter a year back, as with "a year ago"
        return year_shift(reported, -1)
    base = _base(ctx, gran, False)
    assert base is not None
    if rel in _PREV:
        return base.shift(-1)
    if rel in _NEXT:
        return base.shift(1)
    if rel in _CURRENT and (rel or gran is not G.DAY):
        return base if rel or unit in ("year",) else None
    return None


def _reported_quarter(ctx: Ctx) -> Period | None:
    """The discourse reference if it is a quarter begun by the anchor (not a forecast)."""
    ref = ctx.reference
    if ref is None or ref.granularity is not G.QUARTER or ref.start is None:
        return None
    if ctx.anchor is not None and ref.start > ctx.anchor:
        return None
    return period_of(G.QUARTER, ref.start)


def _weekend(s: str, ctx: Ctx, rel: str) -> Timex | Period | None:
    if ctx.anchor is None:
        return _placeholder(s, G.WEEK, "XXXX-WXX-WE")
    a = ctx.anchor
    last_sat = a - timedelta(days=(a.isoweekday() - 6) % 7)
    next_sat = a + timedelta(days=(6 - a.isoweekday()) % 7)
    if rel in _PREV:
        sat = last_sat if last_sat + timedelta(days=1) < a else last_sat - timedelta(days=7)
    elif rel in _NEXT:  # the weekend of next week, as "next week" is the week after this one
        sat = a + timedelta(days=13 - a.isoweekday())
    elif rel == "this" or _tense_of(s, ctx.tense) == "future":
        sat = next_sat if a.isoweekday() < 6 else last_sat
    elif _tense_of(s, ctx.tense) == "present" and a.isoweekday() < 6:
        # "snow is forecast for the weekend": the nearer one, the coming one on a tie
        last_sunday = last_sat + timedelta(days=1)
        sat = next_sat if (next_sat - a) <= (a - last_sunday) else last_sat
    else:
        sat = last_sat
    return weekend_period(sat)


_OFFSET = re.compile(
    rf"(?:(?:{P.APPROX}|a little|a little more than|little more than) )?(?P<n>{P.NUM})(?: or (?:so|two|three|more))?"
    rf"[- ](?P<u>{P.UNITS})(?: or so)? (?P<dir>ago|earlier|before|back|later|after|from now|hence|on)"
)


def _offset(s: str, ctx: Ctx) -> Timex | Period | None:
    m = _OFFSET.fullmatch(s)
    if not m:
        return None
    n = parse_number(m.group("n"))
    unit = _unit(m.group("u"))
    if n is None:
        return None
    if unit == "decade":
        n, unit = n * 10, "year"
    elif unit == "century":
        n, unit = n * 100, "year"
    elif unit in CLOCK_UNITS:
        unit, n = "day", 0
    elif unit == "fortnight":
        n, unit = n * 2, "week"
    gran = _WORD_UNIT[unit]
    sign = -1 if m.group("dir") in ("ago", "earlier", "before", "back") else 1
    anaphoric = m.group("dir") in ("earlier", "before", "later", "after", "on")
    if ctx.anchor is None and not (anaphoric and ctx.reference):
        return _placeholder(s, gran, "XXXX-XX-XX" if gran is G.DAY else "XXXX")
    base = _base(ctx, gran, anaphoric)
    return base.shift(sign * n) if base else None


# "half a century ago", "a year and a half ago", "two and a half years ago", "1.5 years ago":
# a fractional count, counted in the next finer unit (18 months, 50 years, 10 days)
_HALF_OFFSET = re.compile(
    rf"(?:(?:{P.APPROX}) )?(?:half an? (?P<u0>{P.UNITS})|(?P<n1>{P.NUM}) (?P<u1>{P.UNITS}) and a half"
    rf"|(?P<n2>{P.NUM}) and a half (?P<u2>{P.UNITS})|(?P<n3>\d+\.5) (?P<u3>{P.UNITS}))"
    r" (?P<dir>ago|earlier|before|back|later|after|from now|hence)"
)
_FINER = {  # unit -> (finer unit, how many of them make one)
    "century": ("year", 100),
    "decade": ("year", 10),
    "year": ("month", 12),
    "quarter": ("month", 3),
    "month": ("week", 52 / 12),
    "fortnight": ("day", 14),
    "week": ("day", 7),
}


def _half_offset(s: str, ctx: Ctx) -> Timex | Period | None:
    m = _HALF_OFFSET.fullmatch(s)
    if not m:
        return None
    if m.group("u0"):
        count: float | None = 0.5
        unit = _unit(m.group("u0"))
    else:
        k = next(i for i in (1, 2, 3) if m.group(f"u{i}"))
        written = m.group(f"n{k}")
        whole = float(written) if k == 3 else parse_number(written)
        count = None if whole is None else whole + (0.5 if k < 3 else 0.0)
        unit = _unit(m.group(f"u{k}"))
    if count is None or unit not in _FINER:
        return None  # "half an hour ago" dates the day as any hour offset does
    finer, per = _FINER[unit]
    n = round(count * per)
    sign = -1 if m.group("dir") in ("ago", "earlier", "before", "back") else 1
    anaphoric = m.group("dir") in ("earlier", "before", "later", "after")
    gran = _WORD_UNIT[finer]
    if ctx.anchor is None and not (anaphoric and ctx.reference):
        return _placeholder(s, gran, "XXXX-XX-XX" if gran is G.DAY else "XXXX")
    base = _base(ctx, gran, anaphoric)
    if base is None:
        return None
    return (
        base.shift(sign * n) if gran is not G.DAY else _day(base.first + timedelta(days=sign * n))
    )


_COUNTED_SEASONS_AGO = re.compile(
    rf"(?:{P.APPROX} )?(?P<n>{P.NUM}) (?P<u>weekends|summers|winters|springs|autumns|falls"
    rf"|{P.WEEKDAY}s) ago"
)


def _seasons_ago(s: str, ctx: Ctx) -> Timex | Period | None:
    """'two weekends ago', 'three summers ago', 'two Sundays ago': the weekend, season or
    weekday n back (the publication day itself is none of them)."""
    m = _COUNTED_SEASONS_AGO.fullmatch(s)
    if not m:
        return None
    n = parse_number(m.group("n"))
    if n is None or not float(n).is_integer():
        return None
    unit = m.group("u")[:-1]
    weekday = weekday_number(unit)
    if ctx.anchor is None:
        if weekday is not None:
            return _placeholder(s, G.DAY, "XXXX-XX-XX")
        return _placeholder(s, G.WEEK if unit == "weekend" else G.SEASON, "XXXX")
    if weekday is not None:
        latest_day = ctx.anchor - timedelta(days=(ctx.anchor.isoweekday() - weekday - 1) % 7 + 1)
        return _day(latest_day - timedelta(weeks=int(n) - 1))
    if unit == "weekend":
        latest = _weekend("last weekend", ctx, "last")
        return latest.shift(1 - int(n)) if isinstance(latest, Period) else None
    # counted back from the last such season that has ended ("one summer ago" = last summer)
    latest = season_period(ctx.anchor.year + 1, SEASONS[unit])
    while latest.last >= ctx.anchor:
        latest = latest.shift(-4)
    return latest.shift(-4 * (int(n) - 1))


_PERIOD_WORDS = r"(?:period|quarter|results|level|levels|figure|figures|time)"


_A_YEAR_AGO = re.compile(
    r"(?:(?:about|nearly|almost|roughly) )?(?:a|one) year (?P<dir>ago|earlier|before)"
)
_YEAR_AGO_PERIOD = re.compile(
    rf"(?:the )?(?:comparable |corresponding |same |prior )?(?:year-ago|year-earlier|prior-year"
    rf"|previous-year|year-before|last year's|a year-earlier|a year-ago)(?: {_PERIOD_WORDS})?"
    rf"|the (?:same |corresponding |comparable |year-ago )?(?:period|quarter)(?: a year (?:ago|earlier)"
    rf"| last year| of (?:the )?(?:last|previous|prior) year| the previous year)"
)
_YEAR_PERIOD = re.compile(rf"the (?P<y>{P.YEAR4}) (?:period|quarter)")
_PERIOD_WORD = re.compile(r"period|quarter")


def _year_ago(s: str, ctx: Ctx) -> Timex | Period | None:
    """'a year ago/earlier', 'the year-ago quarter', 'the 1988 period': same period, a year back."""
    explicit_year = None
    m = _A_YEAR_AGO.fullmatch(s)
    if not m:
        m = _YEAR_AGO_PERIOD.fullmatch(s)
    if not m:
        m = _YEAR_PERIOD.fullmatch(s)
        if not m:
            return None
        explicit_year = int(m.group("y"))
    quarterish = bool(_PERIOD_WORD.search(s))
    ref = ctx.reference
    if (
        ref is not None
        and ctx.anchor is not None
        and ref.start is not None
        and ref.start > ctx.anchor
    ):
        # A comparison looks back from a reported period; a forecast ("losses
        # through the third quarter of 1990") is not what "a year ago" compares.
        ref, ctx = None, Ctx(ctx.anchor, ctx.tense, None, ctx.settled, ctx.comparison)
    if ref is not None and ref.granularity is G.YEAR and "quarter" not in s:
        quarterish = False  # "the year-ago period" of a year under discussion is that year
    if quarterish or (ref is not None and ref.granularity is G.QUARTER):
        q = _earnings_quarter(ctx)
        if q is None:
            return _placeholder(s, G.QUARTER, "XXXX-QX")
        if explicit_year is not None:
            return Period(G.QUARTER, q.first.replace(year=explicit_year))
        return year_shift(q, -1)
    if explicit_year is not None:
        return Period(G.YEAR, date(explicit_year, 1, 1))
    if ctx.anchor is None and ref is None:
        return _placeholder(s, G.YEAR, "XXXX")
    anaphoric = m.groupdict().get("dir") in ("earlier", "before")
    if anaphoric and ref is not None and ref.granularity is G.YEAR:
        return _base(ctx, G.YEAR, True).shift(-1)  # type: ignore[union-attr]
    if anaphoric and ref is not None and ref.granularity is G.DAY and ref.start is not None:
        return year_shift(_day(ref.start), -1)  # "(the month ended Aug. 12) ... a year earlier"
    base = _base(ctx, G.YEAR, False) or _base(ctx, G.YEAR, True)
    return base.shift(-1) if base else None


# --- weekdays, today, months, years, anaphors, clock times -----------------------------


_WEEKDAY_EXPR = re.compile(
    rf"(?:(?P<rel>last|this|next|this past|this coming|coming|past|the previous"
    rf"|the following|the next|that) )?(?P<wd>{P.WEEKDAY})(?:'s)?"
    rf"(?: (?P<pod>{P.PART_OF_DAY}))?"
)


def _weekday(s: str, ctx: Ctx) -> Timex | Period | None:
    m = _WEEKDAY_EXPR.fullmatch(s)
    if not m:
        return None
    if m.group("pod"):
        return _with_part_of_day(s, _weekday(s[: m.start("pod")].strip(), ctx), m.group("pod"))
    wd = weekday_number(m.group("wd"))
    assert wd is not None
    rel = m.group("rel") or ""
    if rel in ("the following", "the next", "that", "the previous") and ctx.reference:
        base = ctx.reference.start
        assert base is not None
        step = -1 if rel == "the previous" else 1
        if rel == "that":
            return _day(nearest_weekday(base, wd, ctx.tense))
        d = base + timedelta(days=step)
        return _day(nearest_weekday(d, wd, "past" if step < 0 else "future"))
    if ctx.anchor is None:
        return _placeholder(s, G.DAY, f"XXXX-WXX-{wd}")
    a = ctx.anchor
    if rel in ("last", "this past", "past", "the previous"):
        return _day(nearest_weekday(a - timedelta(days=1), wd, "past"))
    if rel in ("next", "this coming", "coming", "the following", "the next"):
        return _day(nearest_weekday(a + timedelta(days=1), wd, "future"))
    tense = _tense_of(s, ctx.tense)
    if rel == "this" and tense != "past":
        tense = "future"
    return _day(nearest_weekday(a, wd, tense))


_TODAY = {
    "today": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "yesterday": -1,
    "last night": -1,
    "last evening": -1,
    "tomorrow": 1,
    "tomorrow night": 1,
    "the day before yesterday": -2,
    "the day after tomorrow": 2,
    "overnight": 0,
    "earlier today": 0,
    "later today": 0,
    "this day": 0,
}


def _with_part_of_day(s: str, day: Timex | Period | None, part: str) -> Timex | None:
    """'Friday night' -> the day. TimeML allows 1998-08-07TNI, but the TempEval-3
    annotators mostly wrote the plain day, and a timeline needs the day."""
    tx = _as_timex(day, s) if day is not None else None
    return tx if tx is not None and tx.granularity is G.DAY else None


_WITH_PART_OF_DAY = re.compile(rf"(?P<core>.+?)(?: (?P<pod>{P.PART_OF_DAY}))?")


def _today(s: str, ctx: Ctx) -> Timex | Period | None:
    m = _WITH_PART_OF_DAY.fullmatch(s)
    assert m is not None
    core = s if s in _TODAY else m.group("core")
    pod = m.group("pod") or {
        "tonight": "tonight",
        "last night": "night",
        "this morning": "morning",
        "this afternoon": "afternoon",
        "this evening": "evening",
        "last evening": "evening",
        "overnight": "overnight",
    }.get(core)
    if core not in _TODAY:
        return None
    if ctx.anchor is None:
        day: Timex | Period = _placeholder(s, G.DAY, "XXXX-XX-XX")
    else:
        day = _day(ctx.anchor + timedelta(days=_TODAY[core]))
    return _with_part_of_day(s, day, pod) if pod else day


_MONTH_EXPR = re.compile(
    rf"(?:(?P<rel>last|this|next|this past|this coming|past|coming|that) )?"
    rf"(?P<mo>{P.MONTH})(?:,? (?:of )?(?P<yr>this|last|next|that|the same|the previous"
    rf"|the following) year)?"
)


def _month(s: str, ctx: Ctx) -> Timex | Period | None:
    m = _MONTH_EXPR.fullmatch(s)
    if not m:
        return None
    mo = month_number(m.group("mo"))
    assert mo is not None
    rel, yr = m.group("rel") or "", m.group("yr")
    if yr in ("that", "the same", "the previous", "the following") and ctx.reference:
        base = _base(ctx, G.YEAR, True)
        assert base is not None
        shift = {"the previous": -1, "the following": 1}.get(yr, 0)
        return Period(G.MONTH, date(base.first.year + shift, mo, 1))
    if ctx.anchor is None:
        return _placeholder(s, G.MONTH, f"XXXX-{mo:02d}")
    a = ctx.anchor
    if yr:
        shift = {"last": -1, "next": 1, "the previous": -1, "the following": 1}.get(yr, 0)
        return Period(G.MONTH, date(a.year + shift, mo, 1))
    p = Period(G.MONTH, date(a.year, mo, 1))
    current = period_of(G.MONTH, a)
    if rel in ("last", "this past", "past"):
        return p if p.first < current.first else year_shift(p, -1)
    if rel in ("next", "this coming", "coming"):
        return p if p.first > current.first else year_shift(p, 1)
    if rel == "this":
        return p
    return place_in_year(p, a, _tense_of(s, ctx.tense), settled=ctx.settled)


_YEAR_EXPR = re.compile(
    rf"(?:(?:the )?(?:year|fiscal year|fiscal|calendar year|calendar|fy|model year|"
    rf"financial year|tax year|school year|season) ?)?(?P<y>{P.YEAR})"
)


def _year(s: str, ctx: Ctx) -> Timex | Period | None:
    m = _YEAR_EXPR.fullmatch(s)
    if not m:
        return None
    y = parse_year(m.group("y"))
    if y is None or not 1 <= y <= 9999:
        return None
    return Period(G.YEAR, date(y, 1, 1))


_UNIT_BEFORE_AFTER = re.compile(
    r"the (?P<u>day|week|month|year) (?P<dir>before|after|earlier|later)"
)
_UNIT_BEFORE_AFTER_DATE = re.compile(r"(?:the )?(?P<u>day|week) (?P<dir>before|after) (?P<rest>.+)")
_POSSESSIVE_S = re.compile(r"'s$")
_WEEK_OF = re.compile(r"the week of (?P<rest>.+)")
_NTH_DAY = re.compile(rf"(?:the )?(?:{ORDINAL_WORD}|\d{{1,3}}(?:st|nd|rd|th)) day")
_BARE_DAY_NUMBER = re.compile(r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?")
_DIGITS = re.compile(r"\d+")


def _anaphor(s: str, ctx: Ctx) -> Timex | Period | None:
    m = _UNIT_BEFORE_AFTER.fullmatch(s)
    if m:
        gran = _WORD_UNIT[m.group("u")]
        base = _base(ctx, gran, True)
        return base.shift(-1 if m.group("dir") in ("before", "earlier") else 1) if base else None
    if s in ("year-end", "year end", "year's end", "the year-end"):
        base = _base(ctx, G.YEAR, False)
        return base.to_timex(s, "END") if base else _placeholder(s, G.YEAR, "XXXX")
    if (
        s == "last"
        and ctx.reference is not None
        and ctx.reference.granularity is G.YEAR
        and ctx.reference.start is not None
    ):
        return year_shift(period_of(G.YEAR, ctx.reference.start), -1)  # "this year as [last]"
    if s == "then" and ctx.reference is not None:
        return ctx.reference.with_text(s)  # "until then": the time the discourse just set
    m = _UNIT_BEFORE_AFTER_DATE.fullmatch(s)
    if m:  # "the day before last Tuesday's hearing", "the week after Christmas"
        inner = _resolve(_POSSESSIVE_S.sub("", m.group("rest")), ctx, 2)
        if inner is None or inner.granularity is not G.DAY or inner.start is None:
            return None
        step = -1 if m.group("dir") == "before" else 1
        if m.group("u") == "day":
            return _day(inner.start + timedelta(days=step))
        return period_of(G.WEEK, inner.start + timedelta(weeks=step))
    m = _WEEK_OF.fullmatch(s)
    if m:  # "the week of March 6": the (ISO) week that holds the day
        inner = _resolve(m.group("rest"), ctx, 2)
        if inner is None or inner.granularity is not G.DAY or inner.start is None:
            return None
        return period_of(G.WEEK, inner.start)
    if s == "day" and ctx.reference is not None and ctx.reference.granularity is G.DAY:
        # the bare noun as annotators mark it in "a great day for Poland", "a sad day":
        # the day the story is about, i.e. the reference time
        return ctx.reference.with_text(s)
    if _NTH_DAY.fullmatch(s) and ctx.tense == "present" and ctx.anchor is not None:
        return _day(ctx.anchor)  # "today is the eighth day of ...": the day of writing
    ref = ctx.reference
    if (
        _BARE_DAY_NUMBER.fullmatch(s)
        and ref is not None
        and ref.granularity is G.DAY
        and ref.start is not None
    ):
        try:  # "April 24 and [25]": a bare day number continues the month just named
            return _day(ref.start.replace(day=int(_DIGITS.match(s).group())))  # type: ignore[union-attr]
        except ValueError:
            return None
    return None


_CLOCK = re.compile(
    r"(?:(?:around|about|at|shortly after|shortly before|just after|just before) )?"
    r"(?:(?P<h>\d{1,2})(?:[:.](?P<mi>\d\d))? ?(?P<ap>a\.?m\.?|p\.?m\.?)|(?P<h24>[01]?\d|2[0-3]):"
    r"(?P<mi24>\d\d)|(?P<word>noon|midday|midnight))"
    r"(?: (?:[a-z]{2,4}t|gmt|utc|local time|local))?(?:,? (?:on )?(?P<rest>.+))?"
)


def _clock(s: str, ctx: Ctx) -> Timex | None:
    m = _CLOCK.fullmatch(s)
    if not m:
        return None
    if m.group("word"):
        h, mi = (0, 0) if m.group("word") == "midnight" else (12, 0)
    elif m.group("h24"):
        h, mi = int(m.group("h24")), int(m.group("mi24"))
    else:
        h, mi = int(m.group("h")) % 12, int(m.group("mi") or 0)
        h += 12 if m.group("ap").startswith("p") else 0
    if h > 23 or mi > 59:
        return None
    day: Timex | None
    if m.group("rest"):
        day = _resolve(m.group("rest"), ctx)
        if day is None or day.granularity is not G.DAY:
            return None
    elif ctx.anchor is not None:
        day = _day(ctx.anchor).to_timex(s)
    else:
        day = None
    if day is None or day.start is None:
        return Timex(s, "time", f"XXXX-XX-XXT{h:02d}:{mi:02d}", G.DAY, None, None, False)
    return Timex(s, "time", f"{day.value}T{h:02d}:{mi:02d}", G.DAY, day.start, day.end, True)


# --- modifiers and the driver ----------------------------------------------------------

_MOD_PREFIXES: list[tuple[str, str]] = [
    (
        r"the (?:beginning|start|early part|first part) of|(?:beginning|start) of|earlier in|early in"
        r"|as early as|early|earlier",
        "START",
    ),
    (
        r"the (?:end|close|latter part|rest|remainder|last part) of|(?:end|close) of|later in|late in"
        r"|as late as|late|later",
        "END",
    ),
    (r"the (?:middle|turn) of|middle of|mid|the mid", "MID"),
    (
        r"around|about|approximately|roughly|circa|sometime|some time|sometime in|some time in"
        r"|nearly|almost|just|only",
        "APPROX",
    ),
    (r"post", "AFTER"),
    (r"pre", "BEFORE"),
    # a part of the period with no TimeML modifier of its own: the period's value
    (r"(?:a good|a large|a big|the better|much|most|part|all|the bulk) (?:part )?of", ""),
]
_MOD_SUFFIXES: list[tuple[str, str]] = [
    (r"and beyond|or later|or after|onward|onwards|at the earliest", "ON_OR_AFTER"),
    (r"or earlier|or before|at the latest", "ON_OR_BEFORE"),
    (r"or so", "APPROX"),
]
_HALVES = {
    "the first half of": "H1",
    "the second half of": "H2",
    "the last half of": "H2",
    "the latter half of": "H2",
    "first half of": "H1",
    "second half of": "H2",
}


_THE_EARLY_LATE_MID = re.compile(r"the (?:early|late|mid)\b")
_MOD_PREFIX_RX = [
    (re.compile(rf"(?:{words})(?:-| )(?P<rest>.+)$"), mod) for words, mod in _MOD_PREFIXES
]
_MOD_SUFFIX_RX = [
    (re.compile(rf"(?P<rest>.+?),? (?:{words})$"), mod) for words, mod in _MOD_SUFFIXES
]


def _split_mod(s: str) -> tuple[str | None, str]:
    """Split 'early December' into ('START', 'december'); (None, s) when no modifier."""
    for half in _HALVES:
        if s.startswith(half + " "):
            return _HALVES[half], s[len(half) + 1 :]
    if s.startswith("the ") and _THE_EARLY_LATE_MID.match(s):
        s = s[4:]  # "the early 1980s" -> "early 1980s"
    for prefix, mod in _MOD_PREFIX_RX:
        m = prefix.match(s)
        if m:
            return mod, m.group("rest")
    for suffix, mod in _MOD_SUFFIX_RX:
        m = suffix.match(s)
        if m:
            return mod, m.group("rest")
    return None, s


_YEAR_RANGE = re.compile(r"(?P<a>1[0-9]\d\d|20\d\d) ?[-\u2013/] ?(?P<b>1[0-9]\d\d|20\d\d|\d\d)")
_DAY_RANGE = re.compile(
    rf"(?P<m>{P.MONTH}) ?(?P<d1>\d{{1,2}}) ?[-\u2013] ?(?P<d2>\d{{1,2}})"
    r"(?:,? (?P<y>1[0-9]\d\d|20\d\d))?"
)


def _range(s: str, ctx: Ctx) -> Timex | None:
    """A range written as one expression: "2009-2010", "1957-58", "March 3-5(, 2008)".

    The value is the range's start (TIMEX3 has no range value); start/end cover the whole range.
    """
    m = _YEAR_RANGE.fullmatch(s)
    if m:
        a = int(m.group("a"))
        b = int(m.group("b")) if len(m.group("b")) == 4 else a // 100 * 100 + int(m.group("b"))
        if len(m.group("b")) == 2 and b <= a:
            b += 100  # "1999-00"
        if not a < b <= a + 100:
            return None
        first = Period(G.YEAR, date(a, 1, 1))
        return Timex(s, "date", first.value, G.YEAR, first.first, date(b, 12, 31), True)
    m = _DAY_RANGE.fullmatch(s)
    if m:
        d1, d2 = int(m.group("d1")), int(m.group("d2"))
        if not 1 <= d1 < d2 <= 31:
            return None
        start = _resolve(
            f"{m.group('m')} {d1}" + (f", {m.group('y')}" if m.group("y") else ""), ctx, 3
        )
        if start is None or start.start is None or start.granularity is not G.DAY:
            return None
        try:
            end = start.start.replace(day=d2)
        except ValueError:
            return None
        return Timex(s, "date", start.value, G.DAY, start.start, end, True)
    return None


_RULES: list[Rule] = [
    _range,
    _ref_word,
    _recurrence,
    _year_ago,
    _half_offset,
    _offset,
    _seasons_ago,
    _duration,
    _holiday,
    _explicit_date,
    _decade,
    _quarter,
    _season,
    _today,
    _weekday,
    _month,
    _anaphor,
    _two_away,
    _day_alone,
    _deictic_unit,
    _year,
    _clock,
]


def _as_timex(found: Timex | Period, s: str) -> Timex:
    return found.to_timex(s) if isinstance(found, Period) else found


def _resolve(s: str, ctx: Ctx, depth: int = 0) -> Timex | None:
    for rule in _RULES:
        found = rule(s, ctx)
        if found is not None:
            return _as_timex(found, s)
    mod, core = _split_mod(s)
    if mod is None or depth > 2 or not core:
        return None
    inner = _resolve(core, ctx, depth + 1)
    if inner is None or inner.kind not in ("date", "time") or inner.granularity is G.REF:
        return None
    if mod in ("H1", "H2") and inner.granularity is G.YEAR and inner.start:
        return Period(G.HALF, date(inner.start.year, 1 if mod == "H1" else 7, 1)).to_timex(s)
    if mod in ("H1", "H2"):
        mod = "START" if mod == "H1" else "END"
    return inner.with_text(s, mod or None)


@lru_cache(maxsize=1024)  # the tagger asks twice of most expressions (before and with a reference)
def normalise(
    expression: str,
    anchor: date | None,
    *,
    tense: Tense | None = None,
    reference: Timex | None = None,
    settled: bool = False,
    comparison: bool = False,
) -> Timex | None:
    """Normalise one date expression as written, against the anchor (publication date).

    ``tense`` is the direction of the clause the expression sits in; it decides
    which side of the anchor a bare "Monday" or "April 7" falls on.
    ``reference`` is the date the discourse last set; anaphors ("a year
    earlier", "the following day", "the quarter") resolve against it.
    ``settled`` says nothing in a past (future) clause turns it the other way
    (``tagger.settled``): a yearless date in it is not after (before) the anchor.
    ``comparison`` says the expression dates the figure a clause compares with
    (``tagger.compares``: "up from $4 million [last year]").
    Returns None if the words are not a temporal expression.
    """
    s = _clean(expression)
    if not s or len(s) > 80:
        return None
    ref = reference if reference is not None and reference.start is not None else None
    found = _resolve(s, Ctx(anchor, tense, ref, settled and tense is not None, comparison))
    return found.with_text(expression) if found is not None else None
