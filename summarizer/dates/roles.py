"""The role a date expression plays in its sentence, beyond its value.

Roles
-----
comparison
    A point something is measured against, not when the event happened: "the
    first annual loss since 1998", "its lowest close since March 3, 2003", "up
    from $10 million a year ago", "compared with 2007", "more than in 2005".
    The event (the loss, the close) is of the time of writing.
since
    The start of a state that still holds: "has been on leave since January".
range_start, range_end
    The ends of a range: "from 1995 to 1998", "between May and July". A range
    written as one expression ("2009-2010", "1957-58", "March 3-5") is tagged
    as one mention whose value is its start and whose interval (start, end) is
    the whole range (``resolve._range``); its role is ``range``.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SUPERLATIVE = (
    r"(?:first|last|lowest|highest|biggest|largest|smallest|worst|best|strongest|weakest|"
    r"most|least|fewest|greatest|deepest|sharpest|steepest|fastest|slowest|longest|"
    r"shortest|only|record|[a-z]+est)"
)
# "the first annual loss since", "its lowest level since", "a record since": a superlative a few
# words before "since"
_COMPARISON_SINCE = re.compile(
    rf"\b{_SUPERLATIVE}\b(?:\W+\w+){{0,6}}?\W+(?:ever\s+)?since\s+"
    r"(?:(?:early|late|mid|the\s+(?:start|end|beginning|middle)\s+of)\s*-?\s*)?$",
    re.IGNORECASE,
)
_SINCE = re.compile(
    r"\b(?:ever\s+)?since\s+(?:(?:early|late|mid|the\s+(?:start|end|beginning|middle)"
    r"\s+of)\s*-?\s*)?$",
    re.IGNORECASE,
)
_CHANGE = (
    r"(?:up|down|rose|fell|climbed|dropped|increased|decreased|declined|jumped|slipped|gained|"
    r"grew|shrank|rising|falling|rise|fall|gain|drop|increase|decrease|decline|change)"
)
_COMPARED = re.compile(
    r"(?:\b(?:compared\s+(?:with|to)|versus|vs\.?|than)(?:\s+(?:in|at|on|during|for))?"
    rf"|\b{_CHANGE}\b[^.;]{{0,40}}?\bfrom(?:\s+[^.;]{{0,30}}?\s+(?:in|on|at|of|for))?)"
    r"\s+(?:the\s+)?(?:same\s+)?$",
    re.IGNORECASE,
)
_A_YEAR_AGO = re.compile(
    r"^(?:a|one|the)?\s*(?:year|quarter|month)[- ](?:ago|earlier)|^year[- ](?:ago|earlier)",
    re.IGNORECASE,
)
_RANGE_FROM = re.compile(
    r"\b(?:from|between)\s+(?:the\s+)?(?:early\s+|late\s+|mid-?\s*)?$", re.IGNORECASE
)
_RANGE_TO = re.compile(r"^\s*(?:to|until|till|through|and|-|\u2013)\s+\S", re.IGNORECASE)
_RANGE_END_BEFORE = re.compile(
    r"\b(?:from|between)\b[^.;]{1,40}?\b(?:to|until|till|through|and)\s+$", re.IGNORECASE
)


_DIGIT_RANGE = re.compile(r"\d\s*[-\u2013]\s*\d")
_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")
_COMPARISON_WORD_BEFORE = re.compile(
    r"\b(?:from|than|with|to|versus)\s+"
    r"[^.;]{0,30}$",
    re.IGNORECASE,
)
_RANGE_DASH_AFTER = re.compile(r"^\s*[-\u2013]\s*(?:\d|[A-Z][a-z])")


def mention_role(text: str, start: int, end: int) -> str | None:
    """The role of the date expression text[start:end] (see the module docstring), or None."""
    return _role(text[max(0, start - 80) : start], text[start:end], text[end : end + 30])


@lru_cache(maxsize=1024)  # asked again of each mention by each clause that holds it
def _role(before: str, expression: str, after: str) -> str | None:
    """mention_role from the text it reads: the expression and the words either side."""
    if _DIGIT_RANGE.search(expression) and not _ISO_DAY.fullmatch(expression):
        return "range"  # one expression: "2009-2010", "March 3-5"
    if _SINCE.search(before):
        return "comparison" if _COMPARISON_SINCE.search(before) else "since"
    if _A_YEAR_AGO.match(expression) and _COMPARISON_WORD_BEFORE.search(before):
        return "comparison"
    if _RANGE_FROM.search(before) and _RANGE_TO.match(after):
        return "range_start"
    if _COMPARED.search(before):
        return "comparison"
    if _RANGE_END_BEFORE.search(before):
        return "range_end"
    if _RANGE_DASH_AFTER.match(after):
        return "range_start"
    return None
