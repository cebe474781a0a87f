"""Fixed and movable holidays that news dates events by ("Thanksgiving Day")."""

from __future__ import annotations

from datetime import date, timedelta

HOLIDAY = (
    r"(?:christmas(?: eve| day)?|new year's(?: eve| day)?|new year|thanksgiving(?: day)?"
    r"|easter(?: sunday| monday)?|good friday|halloween|independence day|labor day|labour day"
    r"|memorial day|election day|valentine's day|veterans day|boxing day|may day"
    r"|martin luther king(?: jr\.?)? day|presidents' day|columbus day|mother's day|father's day"
    r"|black friday|cyber monday)"
)


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, iso_weekday: int, n: int) -> date:
    """n-th given weekday of a month; n = -1 for the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(iso_weekday - first.isoweekday()) % 7 + 7 * (n - 1))
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.isoweekday() - iso_weekday) % 7)


def holiday_date(name: str, year: int) -> date | None:
    """The date of a named holiday in a year (US conventions for the movable ones)."""
    n = name.lower().replace("labour", "labor")
    fixed = {
        "christmas": (12, 25),
        "christmas day": (12, 25),
        "christmas eve": (12, 24),
        "new year's": (1, 1),
        "new year's day": (1, 1),
        "new year": (1, 1),
        "new year's eve": (12, 31),
        "halloween": (10, 31),
        "independence day": (7, 4),
        "valentine's day": (2, 14),
        "veterans day": (11, 11),
        "boxing day": (12, 26),
        "may day": (5, 1),
    }
    if n in fixed:
        return date(year, *fixed[n])
    if n.startswith("easter"):
        return _easter(year) + timedelta(days=1 if n.endswith("monday") else 0)
    if n == "good friday":
        return _easter(year) - timedelta(days=2)
    if n in ("black friday", "cyber monday"):  # the shopping days around Thanksgiving
        return _nth_weekday(year, 11, 4, 4) + timedelta(days=1 if n == "black friday" else 4)
    if n.startswith("thanksgiving"):
        return _nth_weekday(year, 11, 4, 4)
    if n.startswith("martin luther king"):
        return _nth_weekday(year, 1, 1, 3)
    movable = {
        "labor day": (9, 1, 1),
        "memorial day": (5, 1, -1),
        "presidents' day": (2, 1, 3),
        "columbus day": (10, 1, 2),
        "mother's day": (5, 7, 2),
        "father's day": (6, 7, 3),
    }
    if n in movable:
        return _nth_weekday(year, *movable[n])
    if n == "election day":  # Tuesday after the first Monday of November
        return _nth_weekday(year, 11, 1, 1) + timedelta(days=1)
    return None
