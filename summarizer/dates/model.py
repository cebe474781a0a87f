"""Value types of the date module and the calendar arithmetic behind them.

A *period* is a calendar interval of one granularity (a day, an ISO week, a
month, a season, a quarter, a half-year, a year, a decade, a century). It is
identified by its granularity and its first day, so moving it by n units is
date arithmetic on that first day followed by re-snapping to the period.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import Enum
from typing import Literal

from .lexicon import SEASON_START_MONTH

Kind = Literal["date", "duration", "set", "time"]
Tense = Literal["past", "present", "future"]


class Granularity(str, Enum):
    """Size of the calendar interval a date value names (REF for PRESENT_REF etc.)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    SEASON = "season"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"
    DECADE = "decade"
    CENTURY = "century"
    REF = "ref"


@dataclass(frozen=True)
class Timex:
    """One normalised temporal expression (a TimeML TIMEX3, flattened)."""

    text: str
    kind: Kind
    value: str
    granularity: Granularity | None
    start: date | None
    end: date | None
    resolved: bool
    mod: str | None = None  # TimeML mod: START, END, MID, APPROX, ...

    def with_text(self, text: str, mod: str | None = None) -> Timex:
        """The same value as written with other words (and optionally a mod)."""
        return replace(self, text=text, mod=mod if mod is not None else self.mod)


@dataclass(frozen=True)
class DateMention:
    """A temporal expression found in running text: half-open offsets plus its value."""

    start: int
    end: int
    timex: Timex


@dataclass(frozen=True)
class Period:
    """A calendar interval: granularity + first day (+ weekend flag for 'the weekend')."""

    gran: Granularity
    first: date
    weekend: bool = False

    @property
    def last(self) -> date:
        """Last day of the period, inclusive."""
        g, d = self.gran, self.first
        if g is Granularity.DAY:
            return d
        if g is Granularity.WEEK:
            return d + timedelta(days=1 if self.weekend else 6)
        months = {
            Granularity.MONTH: 1,
            Granularity.SEASON: 3,
            Granularity.QUARTER: 3,
            Granularity.HALF: 6,
            Granularity.YEAR: 12,
            Granularity.DECADE: 120,
            Granularity.CENTURY: 1200,
        }[g]
        return add_months(d, months) - timedelta(days=1)

    @property
    def value(self) -> str:
        """The TIMEX3 value string of the period."""
        g, d = self.gran, self.first
        if g is Granularity.DAY:
            return d.isoformat()
        if g is Granularity.WEEK:
            y, w, _ = (d - timedelta(days=5) if self.weekend else d).isocalendar()
            return f"{y}-W{w:02d}" + ("-WE" if self.weekend else "")
        if g is Granularity.MONTH:
            return f"{d.year}-{d.month:02d}"
        if g is Granularity.SEASON:
            code = {3: "SP", 6: "SU", 9: "FA", 12: "WI"}[d.month]
            return f"{d.year}-{code}"
        if g is Granularity.QUARTER:
            return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
        if g is Granularity.HALF:
            return f"{d.year}-H{(d.month - 1) // 6 + 1}"
        if g is Granularity.YEAR:
            return f"{d.year:04d}"
        if g is Granularity.DECADE:
            return f"{d.year // 10:03d}"
        return f"{d.year // 100:02d}"

    def shift(self, n: int) -> Period:
        """The period n units later (n < 0: earlier)."""
        g = self.gran
        if g is Granularity.DAY:
            return Period(g, self.first + timedelta(days=n))
        if g is Granularity.WEEK:
            return Period(g, self.first + timedelta(weeks=n), self.weekend)
        step = {
            Granularity.MONTH: 1,
            Granularity.SEASON: 3,
            Granularity.QUARTER: 3,
            Granularity.HALF: 6,
            Granularity.YEAR: 12,
            Granularity.DECADE: 120,
            Granularity.CENTURY: 1200,
        }[g]
        return Period(g, add_months(self.first, step * n))

    def to_timex(self, text: str, mod: str | None = None) -> Timex:
        """Wrap the period as a resolved date Timex."""
        return Timex(text, "date", self.value, self.gran, self.first, self.last, True, mod)


def add_months(d: date, n: int) -> date:
    """d moved by n calendar months, the day clipped to the month's length."""
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    y = min(max(y, 1), 9999)
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def period_of(gran: Granularity, d: date) -> Period:
    """The period of the given granularity that contains day d."""
    if gran is Granularity.DAY:
        return Period(gran, d)
    if gran is Granularity.WEEK:
        return Period(gran, d - timedelta(days=d.isoweekday() - 1))
    if gran is Granularity.MONTH:
        return Period(gran, d.replace(day=1))
    if gran is Granularity.SEASON:
        # Winter runs December-February and is labelled with December's year.
        start_month = 12 if d.month in (12, 1, 2) else (d.month // 3) * 3
        year = d.year - 1 if d.month in (1, 2) else d.year
        return Period(gran, date(year, start_month, 1))
    if gran is Granularity.QUARTER:
        return Period(gran, date(d.year, (d.month - 1) // 3 * 3 + 1, 1))
    if gran is Granularity.HALF:
        return Period(gran, date(d.year, 1 if d.month <= 6 else 7, 1))
    if gran is Granularity.YEAR:
        return Period(gran, date(d.year, 1, 1))
    if gran is Granularity.DECADE:
        return Period(gran, date(max(d.year // 10 * 10, 1), 1, 1))
    return Period(gran, date(max(d.year // 100 * 100, 1), 1, 1))


def season_period(year: int, code: str) -> Period:
    """The season with a TimeML code (SP/SU/FA/WI) labelled with the given year."""
    return Period(Granularity.SEASON, date(year, SEASON_START_MONTH[code], 1))


def weekend_period(saturday: date) -> Period:
    """A weekend (Saturday + Sunday) as a week-granularity period."""
    return Period(Granularity.WEEK, saturday, weekend=True)


def ref_timex(text: str, value: str) -> Timex:
    """PRESENT_REF / PAST_REF / FUTURE_REF: deictic, no calendar interval."""
    return Timex(text, "date", value, Granularity.REF, None, None, True)


def unresolved_timex(text: str, value: str, gran: Granularity, mod: str | None = None) -> Timex:
    """A date whose value needs an anchor that is missing: X placeholders, no interval."""
    return Timex(text, "date", value, gran, None, None, False, mod)


def duration_timex(text: str, value: str) -> Timex:
    """A length of time (P5Y, PT40M, PXY)."""
    return Timex(text, "duration", value, None, None, None, True)


def set_timex(text: str, value: str) -> Timex:
    """A recurrence (P1W for 'every week', XXXX-WXX-1 for 'every Monday')."""
    return Timex(text, "set", value, None, None, None, True)


def nearest_weekday(anchor: date, iso_weekday: int, tense: Tense | None) -> date:
    """The day with that weekday closest to the anchor in the direction the tense points.

    News convention (TimeML annotators): a bare weekday is the most recent such
    day, the publication day included, unless the clause looks ahead.
    """
    back = anchor - timedelta(days=(anchor.isoweekday() - iso_weekday) % 7)
    ahead = anchor + timedelta(days=(iso_weekday - anchor.isoweekday()) % 7)
    if tense == "future":
        return ahead
    if tense == "present" and (ahead - anchor) < (anchor - back):
        return ahead
    return back


PAST_SLACK_DAYS = 90
FUTURE_SLACK_DAYS = 30


def year_shift(p: Period, years: int) -> Period:
    """The same period (same month/quarter/day of year) some years later."""
    if p.gran is Granularity.DAY:
        return Period(p.gran, add_months(p.first, 12 * years))
    if p.gran is Granularity.WEEK:
        return p.shift(52 * years)
    return Period(p.gran, add_months(p.first, 12 * years), p.weekend)


def place_in_year(p: Period, anchor: date, tense: Tense | None, *, settled: bool = False) -> Period:
    """Move a yearless period (taken in the anchor's year) to the year the tense implies.

    Past tense cannot point (well) after the anchor, future cannot point (well)
    before it; with no tense the reading closest to the anchor wins, ties to the
    anchor's year. ``settled``: nothing in the clause turns its tense the other way
    (``tagger.settled``), so the date is not on the wrong side of the anchor at all; in a
    present clause, the date is its complement ("is in January"), so not well before it.
    """
    if tense == "past":
        # Writers drop the year only for dates near publication: a date a few
        # weeks ahead in a past-tense clause is a deadline, not last year's,
        # unless nothing in the clause looks ahead.
        slack = 0 if settled else PAST_SLACK_DAYS
        return year_shift(p, -1) if (p.first - anchor).days > slack else p
    if tense == "future":
        # Likewise a date up to a month before publication in a future clause is
        # reported future ("said they would act by Jan. 14") or a statistic "through"
        # a recent date, not the same date next year ("next January" says that),
        # unless the clause reports from no past ("The market reopens in May").
        slack = 0 if settled else FUTURE_SLACK_DAYS
        return year_shift(p, 1) if (anchor - p.last).days > slack else p

    if tense == "present" and settled and (anchor - p.last).days > FUTURE_SLACK_DAYS:
        # "The final hearing is in January", written in June: a present clause whose
        # complement is the date names a coming one (a past one takes the past tense)
        return year_shift(p, 1)

    def distance(q: Period) -> int:
        if q.first <= anchor <= q.last:
            return 0
        return min(abs((q.first - anchor).days), abs((q.last - anchor).days))

    options = [p, year_shift(p, -1), year_shift(p, 1)]
    return min(options, key=distance)
