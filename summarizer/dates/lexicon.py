"""Word tables and number parsing shared by the normaliser and the tagger.

Everything here is lower-case: callers lower-case the text before looking
words up. The tables are plain English news vocabulary, not lists of answers.
"""

from __future__ import annotations

import re

MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
FULL_MONTHS = [m for m in MONTHS if len(m) > 4 or m in ("may", "june", "july")]

WEEKDAYS: dict[str, int] = {  # ISO numbering: Monday = 1
    "monday": 1,
    "tuesday": 2,
    "wednesday": 3,
    "thursday": 4,
    "friday": 5,
    "saturday": 6,
    "sunday": 7,
}

# TimeML season codes; each season is three months starting at the given month.
SEASONS: dict[str, str] = {
    "spring": "SP",
    "summer": "SU",
    "fall": "FA",
    "autumn": "FA",
    "winter": "WI",
}
SEASON_START_MONTH: dict[str, int] = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}

UNITS: dict[str, str] = {  # singular unit word -> TimeML duration letter
    "second": "S",
    "minute": "M",
    "hour": "H",
    "day": "D",
    "week": "W",
    "fortnight": "W2",
    "month": "M",
    "quarter": "Q",
    "year": "Y",
    "decade": "DE",
    "century": "CE",
}
CLOCK_UNITS = frozenset({"second", "minute", "hour"})

UNITS_PATTERN = (
    r"(?:seconds?|minutes?|hours?|days?|weeks?|fortnights?|months?|quarters?"
    r"|years?|decades?|centur(?:y|ies))"
)

SMALL_NUMBERS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS: dict[str, int] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
ORDINALS: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
}
NUMBER_WORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four"
    r"|five|six|seven|eight|nine))?|zero|one|two|three|four|five|six|seven|eight|nine|ten"
    r"|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
    r"|a hundred|one hundred)"
)
ORDINAL_WORD = (
    r"(?:(?:twenty|thirty)[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
    r"|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth"
    r"|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth"
    r"|twentieth|thirtieth)"
)
# Spelled-out years as broadcast transcripts write them: "nineteen ninety-six",
# "two thousand", "two thousand and eight", "twenty twenty-five".
SPELLED_YEAR = (
    r"(?:(?:nineteen|eighteen|twenty) (?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty"
    r"|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|ten|eleven|twelve"
    r"|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|hundred)"
    r"|two thousand(?:(?: and)? (?:one|two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty"
    r"(?:[- ](?:one|two|three|four|five))?))?)"
)


_WORD_SEPARATOR = re.compile(r"[- ]+")


def parse_number(word: str) -> int | None:
    """Return the value of a cardinal written in digits or words ("twenty-four", "a"), else None."""
    w = word.strip().lower().replace(",", "")
    if w.isdigit():
        return int(w)
    if w in ("a", "an", "one", "a single", "single"):
        return 1
    if w in ("a hundred", "one hundred"):
        return 100
    if w in SMALL_NUMBERS:
        return SMALL_NUMBERS[w]
    parts = _WORD_SEPARATOR.split(w)
    if parts and parts[0] in TENS:
        rest = sum(SMALL_NUMBERS.get(p, 0) for p in parts[1:])
        if all(p in SMALL_NUMBERS for p in parts[1:]):
            return TENS[parts[0]] + rest
    return None


_ORDINAL_DIGITS = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?")


def parse_ordinal(word: str) -> int | None:
    """Return the value of an ordinal day ("12th", "twenty-first", "06"), else None."""
    w = word.strip().lower()
    m = _ORDINAL_DIGITS.fullmatch(w)
    if m:
        return int(m.group(1))
    if w in ORDINALS:
        return ORDINALS[w]
    parts = _WORD_SEPARATOR.split(w)
    if len(parts) == 2 and parts[0] in TENS and parts[1] in ORDINALS:
        return TENS[parts[0]] + ORDINALS[parts[1]]
    return None


def parse_spelled_year(text: str) -> int | None:
    """Return the year of "nineteen ninety-six" / "two thousand and eight", else None."""
    w = text.strip().lower().replace(" and ", " ")
    if w.startswith("two thousand"):
        rest = w[len("two thousand") :].strip()
        return 2000 + (parse_number(rest) or 0) if rest else 2000
    head, _, tail = w.partition(" ")
    century = {"eighteen": 1800, "nineteen": 1900, "twenty": 2000}.get(head)
    if century is None or not tail:
        return None
    if tail == "hundred":
        return century
    n = parse_number(tail)
    return century + n if n is not None and n < 100 else None


_FOUR_DIGITS = re.compile(r"\d{4}")
_APOSTROPHE_YEAR = re.compile(r"['’](\d\d)")


def parse_year(text: str) -> int | None:
    """Return a year written as digits ("1998", "'98") or words, else None."""
    w = text.strip().lower()
    if _FOUR_DIGITS.fullmatch(w):
        return int(w)
    m = _APOSTROPHE_YEAR.fullmatch(w)
    if m:  # "'98": news of the 20th/21st century; pick the closest century.
        n = int(m.group(1))
        return 1900 + n if n >= 30 else 2000 + n
    return parse_spelled_year(w)


def month_number(word: str) -> int | None:
    """Return 1-12 for a month name or abbreviation ("Sept.", "dec"), else None."""
    return MONTHS.get(word.strip().lower().rstrip("."))


_PLURAL_OR_POSSESSIVE = re.compile(r"(?:'s|’s|s)$")


def weekday_number(word: str) -> int | None:
    """Return ISO weekday 1-7 for a weekday name (plural or possessive allowed), else None."""
    w = word.strip().lower()
    w = _PLURAL_OR_POSSESSIVE.sub("", w) if w not in WEEKDAYS else w
    return WEEKDAYS.get(w)
