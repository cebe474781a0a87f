"""Temporal expressions in news: find them, normalise them to TimeML TIMEX3 values.

Terms
-----
anchor
    The publication date (TimeML's document creation time, DCT). Relative
    expressions ("yesterday", "last month", "on Monday") are resolved against it.
timex
    A normalised temporal expression (:class:`Timex`): its words, its kind, its
    TIMEX3 ``value`` and the calendar interval that value covers.
kind
    ``date`` (a calendar interval: "November 12", "last week", "the 1990s",
    or a deictic reference PRESENT_REF / PAST_REF / FUTURE_REF), ``time`` (a
    clock time on a day), ``duration`` (a length: "40 minutes" = PT40M) or
    ``set`` (a recurrence: "every week" = P1W, "each Thursday" = XXXX-WXX-4).
value
    The TIMEX3 value string: ``2025-11-12`` (day), ``2025-W46`` (ISO week),
    ``2025-W45-WE`` (weekend), ``2025-10`` (month), ``2025-SU`` (season),
    ``2025-Q3`` (quarter), ``2025-H1`` (half), ``2025`` (year), ``199``
    (decade), ``19`` (century, the 1900s), ``P5Y`` (duration). Parts that need
    a missing anchor are written with X: ``XXXX-WXX-1``.
granularity
    The size of the interval (:class:`Granularity`); REF for the *_REF values.
mod
    TimeML modifier that narrows the interval without changing the value:
    START ("early December"), END ("late 1990"), MID, APPROX, ON_OR_AFTER, ...
tense
    The direction of the clause around an expression (past / present /
    future). It decides which side of the anchor a bare "Monday" or "April 7"
    falls on. :func:`find_dates` infers it; :func:`normalise` takes it.
reference
    The date the discourse last set (for anaphors such as "a year earlier" or
    "the following day"); :func:`find_dates` passes the previous mention.
"""

from .model import DateMention, Granularity, Timex
from .resolve import normalise
from .tagger import find_dates, infer_tense, reference_before

__all__ = [
    "DateMention",
    "Granularity",
    "Timex",
    "find_dates",
    "infer_tense",
    "normalise",
    "reference_before",
]
