"""find_dates(): a rule-based tagger for temporal expressions in running news text.

Candidate spans come from a family of regular expressions (explicit dates,
weekdays, deictic phrases, offsets, decades, durations, recurrences ...).
Extents follow TimeML: prepositions are left out ("on November 12" ->
"November 12", "Earlier on Monday" -> "Monday"), determiners and modifiers
that belong to the expression are kept ("the third quarter", "early December").
Each candidate is normalised; among overlapping candidates the longest that
normalises wins. The clause's tense is inferred from the words around it.
"""

from __future__ import annotations

import re

# the standard library's regular-expression parser and its node names (no stubs)
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from . import patterns as P
from .holidays import HOLIDAY
from .lexicon import FULL_MONTHS, NUMBER_WORD, ORDINAL_WORD, SPELLED_YEAR
from .model import DateMention, Granularity, Tense, Timex
from .resolve import normalise

_MODT = (
    r"(?:(?:early|late|mid|earlier|later|around|sometime|some time)[- ]|the (?:beginning|start|end|middle|close|rest"
    r"|remainder|early part|latter part|first half|second half|last half) of "
    r"|(?:the )?(?:early|late|mid)[- ]|(?:beginning|end|middle) of |(?:earlier|later|early|late) in )"
)
_C = r"\s*,?\s*"
_DUR_APPROX = r"(?:about|nearly|almost|some|more than|less than|no more than|at least|up to|roughly|around|approximately)"  # an optional comma, with or without tokenisation spaces
_YEAR_TAIL = rf"(?:{_C}(?:{P.YEAR4}|{SPELLED_YEAR})(?!\d))"
_MON_FULL = "(?:" + "|".join(FULL_MONTHS) + ")"
_UNIT_WORDS = r"(?:year|month|week|quarter|decade|century)"
_SINGULAR_UNIT = r"(?:year|month|week|day|hour|minute|decade|century)"
_SHORT_PART = r"(?:Q[1-4]|H[12]|[1-4]Q|[12]H)"  # quarters and halves as analysts write them
_REL = r"(?:last|this|next|this past|this coming|coming|past)"
_DEICTIC_REL = (
    r"(?:last|this|next|the past|the last|the previous|the coming|the next|the current"
    r"|this past|this coming|the latest|the following|the prior|that|the same|that same)"
)

# "the 23-year war", "the 30-day rate": a length used as an adjective (a number and a
# singular unit) is tagged without the article, as TimeML marks it
_NOT_ADJECTIVAL = rf"(?!(?:\d+|{NUMBER_WORD})[- ](?:{_SINGULAR_UNIT})(?![\w-]))"

_TEMPLATES: list[str] = [
    # explicit dates: "Friday, Oct. 23", "March 06 , 2008", "5 January 2009", "the 5th of May"
    rf"(?:(?:this coming |this |next |last )?{P.WEEKDAY}{_C})?{P.MONTH} ?(?:the )?{P.DAY_NUM}(?![\d%]|\s*(?:%|percent|million|billion)\b){_YEAR_TAIL}?",
    rf"(?:{P.WEEKDAY}{_C})?(?:the )?{P.DAY_NUM} (?:of )?{P.MONTH}(?![a-z]){_YEAR_TAIL}?",
    rf"{P.MONTH}{_C}(?:of )?(?:{P.YEAR4}|{SPELLED_YEAR})(?!\d)",
    r"\d{4}-\d\d-\d\d|\d{1,2}/\d{1,2}/\d{4}",
    # ranges written as one expression: "2009-2010", "1957-58", "March 3-5" (resolve._range)
    rf"{P.YEAR4} ?[-\u2013] ?(?:{P.YEAR4}|\d\d)(?!\d)",
    rf"{P.MONTH} ?\d{{1,2}} ?[-\u2013] ?\d{{1,2}}(?![\d%]){_YEAR_TAIL}?",
    rf"the week of {P.MONTH} ?{P.DAY_NUM}(?![\d%]){_YEAR_TAIL}?",  # "the week of March 6"
    # months, seasons, holidays with relative words and modifiers
    rf"{_MODT}?(?:{_REL} )?{_MON_FULL}(?: (?:of )?(?:this|last|next) year)?",
    rf"{_MODT}?(?:(?:{_REL}|the) )?{P.SEASON}(?: (?:of )?(?:{P.YEAR4}|{SPELLED_YEAR}|this year|last year"
    r"|next year))?",
    rf"(?:(?:last|this|next) )?{HOLIDAY}(?: week(?:end)?)?(?:{_C}{P.YEAR4})?",
    rf"the {HOLIDAY} week(?:end)?",  # "over the Labor Day weekend": the article is the weekend's
    # quarters and halves
    rf"(?:the )?(?:(?:{P.YEAR4}|this year's|last year's|next year's|year-ago|year-earlier"
    rf"|current|latest|fiscal|comparable year-ago|same) )?(?:fiscal )?{P.QUARTER_ORD} (?:fiscal )?"
    rf"quarter(?: of (?:fiscal )?(?:{P.YEAR4}|this year|last year|next year))?",
    rf"(?:fiscal )?{P.QUARTER_ORD}-quarter(?: (?:of )?{P.YEAR4}(?!\d))?",
    rf"(?:the )?{_MON_FULL} ?[-\u2013/] ?{_MON_FULL} quarter(?: (?:of )?(?:{P.YEAR4}|this year|last year|next year))?",  # adjective: "third-quarter loss", no determiner
    rf"the (?:first|last) (?:two|three|{P.QUARTER_ORD}) quarters(?: of {P.YEAR4})?",
    rf"the (?:final|last) quarter of (?:fiscal )?(?:{P.YEAR4}|this year|last year|next year)",
    rf"(?:the )?(?:first|second) half of (?:{P.YEAR4}|this year|last year|next year|the year)",
    # abbreviated: "Q2 2024", "2Q 2024", "Q3'24", "Q4 of last year", "H1 2026", "1H26"
    rf"(?:{P.YEAR4} )?(?:fiscal )?{_SHORT_PART}(?: ?['’]\d\d|\d\d(?!\d)|(?: of)? (?:FY ?)?{P.YEAR4}| FY ?\d\d(?!\d)"
    r"| (?:of )?(?:this|last|next) year)?",
    rf"(?:the )?(?:{P.QUARTER_ORD}[- ]quarter|{P.QUARTER_ORD} half) (?:of )?(?:last|this|next) year",
    # deictic units: "last week", "this fiscal year", "the end of the year", "the weekend"
    rf"{_MODT}?{_DEICTIC_REL}(?: fiscal| calendar)? (?:{_UNIT_WORDS}|weekend)(?: or so)?",
    rf"{_MODT}the (?:{_UNIT_WORDS}|weekend)|the weekend|year-end|year end|year's end"
    r"|the (?:latest|current|full|fiscal) (?:fiscal )?(?:quarter|period|year)|the (?:quarter|year)",
    r"(?:the )?(?:next|following|previous|same) (?:day|morning|evening|night)|that (?:same )?(?:day|morning|night|evening)",
    r"the (?:day|week|month|year) (?:before|after)(?=\s*[,.;)]|\s*$)",
    r"the (?:week|month|year) (?:before last|after next)",
    # a day of the month alone after a preposition, at the clause's edge: "on the 12th,"
    r"(?:(?<=\bon\s)|(?<=\bby\s)|(?<=\buntil\s)|(?<=\btill\s)|(?<=\bbefore\s)|(?<=\bafter\s)"
    r"|(?<=\bsince\s)|(?<=\bfrom\s)|(?<=\bthrough\s))the (?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)"
    r"(?=\s*[,.;:)]|\s*$|\s+(?:but|when|while|after|before|at|in|as|with|for|by|from)\b)",
    # weekdays and days relative to today
    rf"{_MODT}?(?:(?:{_REL}|the following|the previous) )?{P.WEEKDAY}(?: {P.PART_OF_DAY})?",
    rf"{_MODT}?(?:today|yesterday|tomorrow|tonight|this (?:morning|afternoon|evening)|last night"
    rf"|the day (?:before yesterday|after tomorrow))(?: {P.PART_OF_DAY})?",
    # counted offsets: "two weeks ago", "a month earlier"
    rf"(?:{P.APPROX} )?(?:{P.NUM}|{P.VAGUE})(?: or (?:so|two|three))? {P.UNITS}(?: or so)? "
    rf"(?:ago|earlier|later|from now|hence|(?:before|after)(?=\s*[,.;)]|\s*$))",
    rf"(?:{P.APPROX} )?(?:half an? {P.UNITS}|{P.NUM} {P.UNITS} and a half|{P.NUM} and a half {P.UNITS})"
    r" (?:ago|earlier|later|from now|hence|(?:before|after)(?=\s*[,.;)]|\s*$))",
    rf"(?:{P.APPROX} )?{P.NUM} (?:weekends|summers|winters|springs|autumns|falls|{P.WEEKDAY}s) ago",
    r"the (?:comparable |corresponding |same )?(?:year-ago|year-earlier|prior-year) (?:period|quarter)"
    r"|(?:year-ago|year-earlier|prior-year)(?: (?:period|quarter))?|last year's (?:period|quarter)"
    rf"|the {P.YEAR4} (?:period|quarter)",
    r"the (?:same |corresponding |comparable )?(?:period|quarter) (?:a year (?:ago|earlier)|last year)",
    # decades, centuries, years
    rf"{_MODT}?(?:the )?(?:(?:1[0-9]|20)\d0 ?'?s|'\d0s)(?![\w'])",
    r"(?:the )?(?:nineteen[- ])?(?:twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)",
    rf"(?:this|last|next|(?:the )?(?:\d{{1,2}}(?:st|nd|rd|th)|{ORDINAL_WORD}))[- ]century",
    rf"{_MODT}?(?:(?:fiscal(?: year)?|FY|the year|calendar(?: year)?) ?)?{P.YEAR4}(?![\d,.]\d)"
    r"(?: (?:and beyond|or later))?",
    rf"(?:the year )?{SPELLED_YEAR}(?![- ](?:{P.UNITS}|people|dollars|miles|and)\b)",
    # reference words
    r"right now|now|currently|at present|presently|these days|nowadays|recently|more recently|lately"
    r"|formerly|soon(?! as)|as soon as possible|the near future|the near term"
    r"|recent (?:years|months|weeks|days)"
    r"|(?:the )?coming (?:days|weeks|months|quarters|years)|the (?:years|months|weeks|days) ahead"
    r"|future (?:quarters|years)|past years",
    rf"the (?:past|future)(?!\s+(?:\d|{P.NUM}\b|few|several|couple|{P.UNITS}))",
    # durations and recurrences
    rf"(?:the (?:past|last|next|coming|previous|first|following) |the {_NOT_ADJECTIVAL})?(?:{_DUR_APPROX} )?"
    rf"(?:{P.NUM}(?: 1/2)?|{P.VAGUE})(?: (?:to|or) {P.NUM})?(?: more| additional| full| straight"
    rf"| consecutive)?(?: trading| business| working)?[- ]{P.UNITS}(?: and a half)?(?:[- ]long)?"
    r"(?![- ](?:old|ago|earlier))(?<!-quarters)(?: or so)?",
    r"(?:(?<=\bfor\s)|(?<=\bwithin\s)|(?<=\bin\s))(?:years|decades|centuries|months|weeks|days|hours)",
    # "in the weeks before the shooting": the unit word, as TimeML marks it
    r"(?<=\bthe\s)(?:days|weeks|months|years)(?=\s+(?:before|after|leading up to|following|that followed)\b)",
    r"P(?:\d+[YMWD]|T\d+[HMS])",
    rf"(?:(?:once|twice|{P.NUM} times) )?(?:every|each) (?:other )?(?:{P.NUM} )?(?:{P.UNITS}|{P.WEEKDAY}"
    rf"|{_MON_FULL}|{P.SEASON}|weekend)(?: {P.PART_OF_DAY})?",
    rf"(?:once|twice|{P.NUM} times) (?:a|per|each) (?:year|month|week|day|quarter)",
    rf"{P.WEEKDAY}s|daily|weekly|monthly|quarterly|annually|annual|yearly|hourly|nightly",
    # clock times: "4 a.m. EDT Thursday", "noon Saturday"
    rf"(?:\d{{1,2}}(?:[:.]\d\d)? ?(?:a\.m\.|p\.m\.|am\b|pm\b)|\d{{1,2}}:\d\d|noon|midnight)"
    rf"(?: (?:[A-Z]{{2,4}}T|GMT|UTC|local time))?(?:,? (?:on )?(?:{P.WEEKDAY}|today|yesterday|tomorrow"
    rf"|{P.MONTH} ?{P.DAY_NUM}))?",
]


_WORD_EDGE_BEFORE = r"(?<![\w'’-])"


def _full_pattern(template: str) -> str:
    return rf"{_WORD_EDGE_BEFORE}(?:{P.loose(template)})(?![\w’-]|'(?!s))"


@lru_cache(maxsize=1)
def _compiled() -> list[re.Pattern[str]]:
    """Compile on first use so that importing the module stays fast."""
    return [re.compile(_full_pattern(t), re.IGNORECASE) for t in _TEMPLATES]


# The characters looked at one by one: ASCII and the marks news writes outside it (curly
# quotes, dashes, pound and euro signs, no-break space), none of which ``re`` folds to a
# letter. Any other character may begin or continue anything (``_OUTSIDE``).
_TYPOGRAPHIC = "\u00a0\u00a3\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u20ac"
_CHARACTERS = [chr(code) for code in range(128)] + list(_TYPOGRAPHIC)
_CHARACTER_SET = frozenset(_CHARACTERS)


def _outside_source() -> str:
    """A [...] set of every character that is not in _CHARACTERS."""
    ranges, low = [], 0x80
    for code in sorted(ord(c) for c in _TYPOGRAPHIC):
        if code > low:
            ranges.append(f"\\U{low:08x}-\\U{code - 1:08x}")
        low = code + 1
    ranges.append(f"\\U{low:08x}-\\U0010ffff")
    return "".join(ranges)


_OUTSIDE = _outside_source()
_CATEGORY_SOURCE = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
}


@lru_cache(maxsize=512)  # the same few sets recur across the templates
def _matched_characters(source: str) -> frozenset[str]:
    """The characters of _CHARACTERS one-character pattern `source` matches, asked of ``re``."""
    one = re.compile(source, re.IGNORECASE)
    return frozenset(c for c in _CHARACTERS if one.fullmatch(c))


def _set_source(items: list[tuple[Any, Any]]) -> str | None:
    """A [...] set written back from its parse, or None for a part not handled."""
    parts = []
    for op, av in items:
        if op is sre.NEGATE:
            parts.append("^")
        elif op is sre.LITERAL:
            parts.append(re.escape(chr(av)))
        elif op is sre.RANGE:
            parts.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is sre.CATEGORY and av in _CATEGORY_SOURCE:
            parts.append(_CATEGORY_SOURCE[av])
        else:
            return None
    return "[" + "".join(parts) + "]"


def _first_characters(items: Any) -> tuple[frozenset[str], bool]:
    """The characters (of _CHARACTERS) a match of parsed `items` may begin with, and whether
    it may match nothing (then what follows may begin it). Errs towards more."""
    first: set[str] = set()
    for op, av in items:
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # takes no character
        if op is sre.LITERAL:
            return frozenset(first | _matched_characters(re.escape(chr(av)))), False
        if op is sre.IN:
            source = _set_source(av)
            return frozenset(
                first | (_matched_characters(source) if source else set(_CHARACTERS))
            ), False
        if op is sre.SUBPATTERN or op is sre.BRANCH or op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            parts = [av[3]] if op is sre.SUBPATTERN else av[1] if op is sre.BRANCH else [av[2]]
            may_be_empty = op is not sre.BRANCH and op is not sre.SUBPATTERN and av[0] == 0
            for part in parts:
                chars, empty = _first_characters(part)
                first |= chars
                may_be_empty |= empty
            if not may_be_empty:
                return frozenset(first), False
            continue
        return frozenset(_CHARACTERS), False  # anything else may begin with any character
    return frozenset(first), True


def led_by_first_characters(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """`pattern` searched sooner: led by a set of the characters its matches may begin with
    (both cases, and any character outside _CHARACTERS), which ``re`` scans for in C before
    it tries the pattern itself. A match starts where the pattern's first match starts and
    is one character long: for callers that read only where, or whether, it matches
    (tests/test_timeline_shortcuts.py compares it with the pattern)."""
    chars, may_be_empty = _first_characters(sre_parse.parse(pattern.pattern, pattern.flags))
    if may_be_empty:
        raise ValueError(f"a pattern that may match nothing cannot be led: {pattern.pattern}")
    case_blind = pattern.flags & re.IGNORECASE
    source = f"(?i:{pattern.pattern})" if case_blind else f"(?:{pattern.pattern})"
    # the set as what it leaves out (quick to compile, unlike _OUTSIDE's ranges)
    others = "".join(re.escape(c) for c in _CHARACTERS if c not in chars)
    led = f"[^{others}](?<=(?={source})(?s:.))"
    # without re.IGNORECASE on the whole: only then does ``re`` scan for a set of letters
    return re.compile(led, pattern.flags & ~re.IGNORECASE)


# --- which words a template's match may begin with ------------------------------------
#
# A "leading run" is the run of ASCII letters a match begins with, lower-cased: "the" for
# "The first half of 2009", "mid" for "mid-December". It is found from the template's
# parse as a set of states (run, how it ends): _OPEN while letters may still follow,
# _CLOSED once the template has consumed a character that is not an ASCII letter (the
# text's run is then exactly the run), _PREFIX once the run is _RUN_LIMIT letters long
# (the text's run then only begins with it). Every step errs towards more states, never
# fewer: lookarounds are skipped, a character set counts every one of _CHARACTERS ``re``
# says it matches, and what is not understood gives up (_Unanalysable).

_OPEN, _CLOSED, _PREFIX = 0, 1, 2
_RUN_LIMIT = 8  # letters of a word: longer runs are kept as prefixes ("thanksgi...")
_STATE_LIMIT = 5000
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_SPACES = frozenset(c for c in _CHARACTERS if c.isspace())  # those \s takes
# Words so common that the run goes on past them and the spaces after them, written " ":
# "the past", "a year"; the guard reads them with the word that follows. They are the
# words templates open with where the guard stopped most often in news without them.
_SEE_THROUGH = frozenset(
    "the a an that at as this one up more about over new just no last first two".split()
)


class _Unanalysable(Exception):
    """A template whose leading runs are not worked out (then any word may begin it)."""


def _consumed(op: Any, av: Any) -> frozenset[str] | None:
    """The characters (of _CHARACTERS) one consuming node matches; None for another node."""
    if op is sre.LITERAL:
        return _matched_characters(re.escape(chr(av)))
    if op is sre.IN:
        source = _set_source(av)
        return _matched_characters(source) if source else frozenset(_CHARACTERS)
    if op in (sre.ANY, sre.NOT_LITERAL):
        return frozenset(_CHARACTERS)
    return None


@lru_cache(maxsize=512)
def _letters_and_others(chars: frozenset[str]) -> tuple[frozenset[str], bool, bool]:
    """The letters (lower-cased) among `chars`, whether they hold a space, and whether
    they hold anything else."""
    lowered = {c.lower() for c in chars}
    return (
        frozenset(lowered & _LETTERS),
        bool(lowered & _SPACES),
        bool(lowered - _LETTERS - _SPACES),
    )


def _step(states: set[tuple[str, int]], chars: frozenset[str]) -> set[tuple[str, int]]:
    letters, spaces, others = _letters_and_others(chars)
    out = {s for s in states if s[1] != _OPEN}
    for run, how in states:
        if how != _OPEN:
            continue
        for letter in letters:
            longer = run + letter
            word = len(longer) - longer.rfind(" ") - 1
            out.add((longer, _PREFIX if word >= _RUN_LIMIT else _OPEN))
        if run.endswith(" "):
            # after a see-through word's spaces: more spaces keep it open; anything else
            # (a digit, a quote, another character) is judged by the first word
            if spaces:
                out.add((run, _OPEN))
            out.add((run, _CLOSED))
        elif spaces and run in _SEE_THROUGH:
            out.add((run + " ", _OPEN))
            if others:
                out.add((run, _CLOSED))
        elif spaces or others:
            out.add((run, _CLOSED))
    if len(out) > _STATE_LIMIT:
        raise _Unanalysable
    return out


def _leading_runs(items: Any, states: set[tuple[str, int]]) -> set[tuple[str, int]]:
    """The states a match of parsed `items` may leave, starting from `states`."""
    for op, av in items:
        if all(how != _OPEN for _, how in states):
            return states
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # takes no character
        chars = _consumed(op, av)
        if chars is not None:
            states = _step(states, chars)
        elif op is sre.SUBPATTERN:
            states = _leading_runs(av[3], states)
        elif op is sre.BRANCH:
            states = set().union(*(_leading_runs(alt, states) for alt in av[1]))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high, item = av
            reached = set(states) if low == 0 else set()
            current, times = states, 0
            while times < high:
                current, times = _leading_runs(item, current), times + 1
                if times >= low:
                    if current <= reached:
                        break  # nothing new: more repeats add nothing either
                    reached |= current
                if times > _RUN_LIMIT + low:
                    raise _Unanalysable
            states = reached
        else:
            raise _Unanalysable
    return states


_ANY_SPACE = r"\s+"  # a space in a template's leading words: any run of whitespace

_Runs = tuple[frozenset[str], frozenset[str]] | None


def _runs(items: Any) -> _Runs:
    """(whole runs, prefixes): a match of parsed `items` opens with a run of ASCII
    letters that is one of the whole runs ("" for none) or begins with one of the
    prefixes; a space in a run stands for the spaces after a see-through word ("the
    past"). None when the template is not understood."""
    try:
        states = _leading_runs(items, {("", _OPEN)})
    except _Unanalysable:
        return None
    closed = frozenset(run for run, how in states if how == _CLOSED)
    return closed, frozenset(run for run, how in states if how != _CLOSED)


def _may_open(runs: _Runs, chars: frozenset[str], word: str) -> bool:
    """Whether a template (its runs, its first characters) may match where the text's
    run of ASCII letters is `word` (lower-cased, followed by no letter-like character)."""
    if runs is None:
        return word[0] in chars
    closed, prefixes = runs
    if any(run.startswith(word + " ") for run in closed | prefixes):
        return True  # a see-through word, and the template may go on after it
    return word in closed or any(word[:k] in prefixes for k in range(len(word) + 1))


def _word_guard(templates: list[tuple[_Runs, frozenset[str]]]) -> str:
    """A lookahead that holds at every word start where a match of one of `templates`
    (each as its runs and the characters it may begin with) may begin: a leading run
    one of them may open with, a character that is not an ASCII letter one of them may
    open with, any character outside _CHARACTERS, or a run of ASCII letters followed by
    one. The empty string when there is no telling (a template may match nothing)."""
    closed: set[str] = set()
    prefixes: set[str] = set()
    any_letter: set[str] = set()
    others: set[str] = set()
    for runs, chars in templates:
        others |= {c for c in chars if c.lower() not in _LETTERS}
        if runs is None:
            any_letter |= {c.lower() for c in chars if c.lower() in _LETTERS}
            continue
        closed |= {run for run in runs[0] if run}
        prefixes |= runs[1]
    # a see-through word closed by what is not a space: the spaces after it are read
    # with the next word, so the guard asks for something else
    see_through = closed & _SEE_THROUGH
    closed -= see_through
    if "" in prefixes:
        return ""
    guards = [f"[A-Za-z]++(?=[{_OUTSIDE}])", f"[{_OUTSIDE}]"]  # ++: the whole run, once
    if closed:
        guards.append(f"(?i:{P.trie(closed, space=_ANY_SPACE)})(?![A-Za-z])")
    if see_through:
        guards.append(f"(?i:{P.trie(see_through, space=_ANY_SPACE)})(?![A-Za-z\\s])")
    if prefixes:
        guards.append(f"(?i:{P.trie(prefixes, space=_ANY_SPACE)})")
    if others:
        guards.append("[" + "".join(re.escape(c) for c in sorted(others)) + "]")
    if any_letter:
        guards.append("(?i:[" + "".join(sorted(any_letter)) + "])")
    return "(?=" + "|".join(guards) + ")"


@dataclass(frozen=True, eq=False)  # hashed by identity, for by_word's cache
class _Dispatch:
    """The candidate pass (see ``_dispatch``) and the templates to try where it stops."""

    starts: re.Pattern[str]  # where at least one template may match
    by_char: dict[str, list[re.Pattern[str]]]  # by a first character of _CHARACTERS
    everything: list[re.Pattern[str]]
    runs: list[_Runs]  # each template's leading runs
    firsts: list[frozenset[str]]  # each template's first characters

    @lru_cache(maxsize=4096)  # noqa: B019 (one dispatch lives as long as the process)
    def by_word(self, word: str) -> list[re.Pattern[str]]:
        """The templates that may match where the text's run of ASCII letters is `word`."""
        return [
            rx
            for rx, runs, chars in zip(self.everything, self.runs, self.firsts, strict=True)
            if _may_open(runs, chars, word)
        ]

    def tried_at(self, text: str, start: int) -> list[re.Pattern[str]]:
        """The templates that may match at word start `start` of `text`."""
        run = _ASCII_RUN.match(text, start)
        if run is None:
            return self.by_char.get(text[start], self.everything)
        end = run.end()
        if end < len(text) and text[end] not in _CHARACTER_SET:
            return self.everything  # the word runs on into another character: no telling
        return self.by_word(run.group().lower())


_ASCII_RUN = re.compile("[A-Za-z]+")


@lru_cache(maxsize=1)
def _dispatch() -> _Dispatch:
    """One pass that finds where at least one template matches, and, for a first
    character of _CHARACTERS, the templates a match there may come from.

    Each template searched on its own is tried at every word start. The pass
    tries only word starts whose first word (or character) some template may open
    with (``_word_guard``), and there only the templates whose match may begin
    with the character there: one branch a template, opening with those
    characters (case-sensitive, so that ``re`` skips the branch on one
    comparison). Any other character tries them all. Where the pass stops, the
    templates are tried that may open with the word there (``_Dispatch.tried_at``).
    """
    compiled = _compiled()
    parsed = [sre_parse.parse(_full_pattern(template), re.I) for template in _TEMPLATES]
    firsts = []
    for items in parsed:
        chars, may_be_empty = _first_characters(items)
        firsts.append(frozenset(_CHARACTERS) if may_be_empty else chars)
    by_char = {c: [i for i, chars in enumerate(firsts) if c in chars] for c in _CHARACTERS}
    branches = [
        f"[{''.join(re.escape(c) for c in sorted(chars))}{_OUTSIDE}]"
        f"(?<=(?=(?i:{_full_pattern(template)})).)"
        for template, chars in zip(_TEMPLATES, firsts, strict=True)
    ]
    runs = [_runs(items) for items in parsed]
    guard = _word_guard(list(zip(runs, firsts, strict=True)))
    starts = re.compile(_WORD_EDGE_BEFORE + guard + "(?:" + "|".join(branches) + ")")
    tried = {c: [compiled[i] for i in indices] for c, indices in by_char.items()}
    return _Dispatch(starts, tried, compiled, runs, firsts)


_CAPITALISED = re.compile(
    rf"\b(?:{P.MONTH}|{P.WEEKDAY}|christmas|easter|thanksgiving|halloween)(?![a-z])", re.IGNORECASE
)
_SHORT_PART_SPAN = re.compile(rf"(?<![a-z])(?:{_SHORT_PART})", re.IGNORECASE)
_YEAR_ONLY = re.compile(r"(?:fiscal(?: year)?|FY|the year|calendar(?: year)?)?\s*(\d{4})", re.I)
_QUANTITY_BEFORE = re.compile(
    r"(?:[$£€#]|\bno\.|\bnumber|\babout|\bsome|\bnearly|\bover|\bthan"
    r"|\bapproximately|\broughly|\baround|\balmost|\broute|\bflight"
    r"|\bmodel|\bversion)\s*$",
    re.I,
)
_QUANTITY_AFTER = re.compile(
    r"^\s*(?:%|percent|per cent|million|billion|thousand|hundred|people"
    r"|times|units|points|feet|meters|metres|miles|kilometers|km|tons"
    r"|barrels|dollars|yen|euros|shares|votes|[-–]\d)",
    re.I,
)
_MONTH_CUE_BEFORE = re.compile(
    r"(?:\b(?:in|since|by|until|till|through|during|from|to|of|last|this"
    r"|next|early|late|before|after|and|or|between|around|for|the|a|its|his|her|their)|mid-?|,)\s*$",
    re.I,
)


_MAY_OR_MARCH = re.compile(r"(?:may|march)")
_NOT_A_MONTH_AFTER = re.compile(
    r"\s+(?:be|have|not|also|well|still|need|want|say|take|make)\b", re.I
)
_LOWER_WORD = re.compile(r"[a-z]+")
_COMMA_AFTER = re.compile(r"\s*,")
_YEAR_SPAN_RANGE = re.compile(r"\d{4}\s*[-\u2013]\s*\d{2,4}")
_YEAR_PREPOSITION_BEFORE = re.compile(r"\b(?:in|since|of|from|until|by)\s*$", re.I)
_TWO_DIGITS = re.compile(r"\d\d")
_FALL_OR_SPRING = re.compile(r"(?:the )?(?:fall|spring)")
_IN_BEFORE = re.compile(r"\b(?:in|by|until|till|through|during|over)\s*$", re.I)
_OF_AFTER = re.compile(r"\s+of\b", re.I)
_HALF_WORD = re.compile(r"\bhalf\b")
_A_SECOND_OR_MINUTE = re.compile(r"(?:a|an) (?:second|minute)")
_DURATION_CODE = re.compile(r"p(?:\d+[ymwd]|t\d+[hms])")
# "This Week" (a programme), "VOA Today": a deictic word capitalised inside a sentence
# is part of a name
_TITLE_CASE_DEICTIC = re.compile(r"(?:This|Next|Last) (?:Week|Month|Year)|Today|Tonight|Tomorrow")
_SENTENCE_START_BEFORE = re.compile(r"(?:^|[.!?:]\s*[\"'“‘`]*|\n)\s*[\"'“‘`(]*$")
_FRACTION = re.compile(r"(?:(?:more|less) than )?(?:a|one|three) quarters?")


def _plausible(text: str, m: re.Match[str]) -> bool:
    """Reject spans that are words of the same shape but not dates ("may be", "$ 2008 million")."""
    span = m.group(0)
    before, after = text[max(0, m.start() - 25) : m.start()], text[m.end() : m.end() + 20]
    for word in _CAPITALISED.finditer(span):
        if not word.group(0)[0].isupper():
            return False
    low = span.lower()
    if _MAY_OR_MARCH.fullmatch(low):
        return bool(_MONTH_CUE_BEFORE.search(before)) and not _NOT_A_MONTH_AFTER.match(after)
    if _LOWER_WORD.fullmatch(low) and low in FULL_MONTHS:
        return bool(_MONTH_CUE_BEFORE.search(before)) or bool(_COMMA_AFTER.match(after))
    if _YEAR_SPAN_RANGE.fullmatch(span) and (
        _QUANTITY_BEFORE.search(before) or _QUANTITY_AFTER.match(after)
    ):
        return False  # "$ 1990-95 million", "1990-95 percent"
    y = _YEAR_ONLY.fullmatch(span)
    if y:
        year = int(y.group(1))
        if _QUANTITY_BEFORE.search(before) or _QUANTITY_AFTER.match(after):
            return False
        if not 1900 <= year <= 2099 and not _YEAR_PREPOSITION_BEFORE.search(before):
            return False
    short = _SHORT_PART_SPAN.search(span)
    if short and (not short.group(0).isupper() or ("h" in low and not _TWO_DIGITS.search(low[2:]))):
        return False  # "q3" is no quarter; "H2" alone is more often hydrogen than a half-year
    if _FALL_OR_SPRING.fullmatch(low) and (not _IN_BEFORE.search(before) or _OF_AFTER.match(after)):
        return False  # "the fall of Rome", "a spring in his step"
    if _TITLE_CASE_DEICTIC.fullmatch(span) and not _SENTENCE_START_BEFORE.search(before):
        return False
    if _FRACTION.fullmatch(low) and _OF_AFTER.match(after):
        return False  # "more than a quarter of the market": a fraction
    if _HALF_WORD.search(low) is None and _A_SECOND_OR_MINUTE.fullmatch(low):
        return False  # "a second term"
    return not (low.startswith("p") and _DURATION_CODE.fullmatch(low) and not span.isupper())


# --- tense ------------------------------------------------------------------------------

_FUTURE_AUX = {
    "will",
    "'ll",
    "shall",
    "wo",
    "won't",
    "would",
    "gonna",
    "must",
    "should",
    "can",
    "might",
    "may",
}
# Verbs whose time argument lies ahead of the speech time even in the past tense.
# ("set" is left out: "a record set on Aug. 6", "set Friday as the deadline" look back;
# "set to"/"set for" are in the bigrams.)
_FUTURE_VERBS = {
    "scheduled",
    "planned",
    "postponed",
    "delayed",
    "adjourned",
    "deferred",
    "slated",
    "expected",
    "due",
    "plans",
    "plan",
    "planning",
    "scheduling",
    # a hope or expectation now is of what comes later: "expects a decision by [Friday]"
    "expects",
    "expect",
    "expecting",
    "hopes",
    "hope",
    "hoping",
    "aims",
    "aiming",
    "intends",
    "wants",
}
_DETERMINERS = {
    "a",
    "an",
    "the",
    "its",
    "their",
    "his",
    "her",
    "our",
    "this",
    "that",
    "these",
    "those",
    "some",
    "any",
    "no",
    "every",
    "each",
}
_FUTURE_BIGRAMS = {
    ("going", "to"),
    ("expected", "to"),
    ("scheduled", "to"),
    ("scheduled", "for"),
    ("set", "to"),
    ("set", "for"),
    ("due", "to"),
    ("is", "to"),
    ("are", "to"),
    ("plans", "to"),
    ("plan", "to"),
    ("planning", "to"),
    ("intends", "to"),
    ("aims", "to"),
    ("hopes", "to"),
    ("hope", "to"),
    ("hoping", "to"),
    ("hoped", "to"),  # "said it hoped to settle by [Tuesday]": the hope looks ahead of the report
    ("aimed", "to"),
    ("forecast", "for"),
    ("expects", "to"),
    ("expect", "to"),
    ("expecting", "to"),
    ("aim", "to"),
    ("aiming", "to"),
    ("want", "to"),
    ("wants", "to"),
    ("likely", "to"),
    ("poised", "to"),
    # commitments: what is agreed, promised or decided is done later
    ("agreed", "to"),
    ("agreement", "to"),
    ("agrees", "to"),
    ("decided", "to"),
    ("promised", "to"),
    ("pledged", "to"),
    ("vowed", "to"),
    ("voted", "to"),
    ("offered", "to"),
    ("threatened", "to"),
    ("intended", "to"),
    ("intend", "to"),
}
_PRESENT = {"is", "are", "am", "has", "have", "does", "do", "says", "say", "remains", "seems"}
_PERFECT = {"has", "have", "'ve"}
# Present-tense forms of verbs that news uses for scheduled events ("meets Monday").
# They double as nouns ("the meet", "a visit"), so they count only right after a
# subject: a pronoun or a capitalised name.
_PRESENT_VERBS = {
    f
    for v in (
        "meet",
        "visit",
        "begin",
        "start",
        "open",
        "hold",
        "head",
        "travel",
        "leave",
        "arrive",
        "return",
        "resume",
        "reopen",
        "end",
        "debut",
        "premiere",
        "vote",
        "face",
        "close",
        "take",
        "go",
        "come",
        "launch",
        "sign",
        "host",
        "attend",
        "testify",
        "expire",
        "fly",
        "speak",
        "address",
        "tour",
        "appear",
        "convene",
        "reconvene",
        "dock",
        "sail",
        "release",
        "unveil",
        "announce",
        "report",
        "publish",
        "celebrate",
    )
    for f in (v, v + "s", v + "es")
}
# "returns", "meets": the third-person forms, which a bare noun subject takes
_THIRD_PERSON = {
    f
    for f in _PRESENT_VERBS
    if (f.endswith("es") and f[:-2] in _PRESENT_VERBS)
    or (f.endswith("s") and not f.endswith("ss") and f[:-1] in _PRESENT_VERBS)
}
_SUBJECT_PRONOUNS = {"he", "she", "it", "they", "we", "i", "you", "who"}
_PAST = {
    "was",
    "were",
    "had",
    "did",
    "said",
    "told",
    "met",
    "took",
    "gave",
    "came",
    "went",
    "made",
    "fell",
    "rose",
    "began",
    "left",
    "won",
    "lost",
    "held",
    "saw",
    "sold",
    "bought",
    "paid",
    "got",
    "sent",
    "brought",
    "thought",
    "found",
    "became",
    "ran",
    "led",
    "fled",
    "spoke",
    "wrote",
    "broke",
    "chose",
    "grew",
    "knew",
    "shot",
    "stood",
    "threw",
    "struck",
    "fought",
    "caught",
    "sought",
    "built",
    "spent",
    "felt",
    "kept",
    "quit",
    "hit",
    "put",
    "cut",
    "set",
    "shut",
    "beat",
    "dealt",
    "meant",
    "read",
    "heard",
    "agreed",
    "died",
    "drew",
    "flew",
    "swept",
    "slid",
    "sank",
    "rang",
    "wound",
    "ended",
}
_NOT_VERBS = {
    "need",
    "speed",
    "united",
    "red",
    "bed",
    "shed",
    "feed",
    "seed",
    "hundred",
    "indeed",
    "armed",
    "based",
    "related",
    "limited",
    "proposed",
    "expected",
    "alleged",
    "so-called",
    "scheduled",
    "planned",
    "detailed",
    "advanced",
    "named",
    "called",
    "used",
}
_PRONOUNS = {"it", "that", "there", "here", "what", "he", "she", "who", "this", "where", "which"}
_CLAUSE_END = re.compile(r"[.!?;]\s+(?=[A-Z\"'“‘(`])|\n")
# A period after an abbreviation does not end the sentence: titles ("Mr.", "Gen."),
# "vs.", month and state abbreviations as news agencies write them ("Sept.", "Ala.",
# "Calif."), company suffixes and initials ("U.S.", "N.Y.", "J.").
_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "maj",
        "sen",
        "rep",
        "gov",
        "pres",
        "rev",
        "st",
        "jr",
        "sr",
        "messrs",
        "vs",
        "v",
        "no",
        "nos",
        "mt",
        "ft",
        "co",
        "corp",
        "inc",
        "ltd",
        "bros",
        "cos",
        "dept",
        "univ",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "ala",
        "ariz",
        "ark",
        "calif",
        "colo",
        "conn",
        "del",
        "fla",
        "ga",
        "ill",
        "ind",
        "kan",
        "kans",
        "ky",
        "la",
        "md",
        "mass",
        "mich",
        "minn",
        "miss",
        "mo",
        "mont",
        "neb",
        "nev",
        "okla",
        "ore",
        "pa",
        "tenn",
        "tex",
        "va",
        "vt",
        "wash",
        "wis",
        "wyo",
    }
)
_ABBREV_BEFORE = re.compile(r"(?:\b[A-Za-z]\.)+[A-Za-z]$|\b[A-Za-z]$|\b([A-Za-z]+)$")


def _is_abbreviation_stop(text: str, m: re.Match[str]) -> bool:
    """True if the sentence-like break at m is only the period of an abbreviation."""
    if text[m.start()] != ".":
        return False
    w = _ABBREV_BEFORE.search(text, max(0, m.start() - 12), m.start())
    if w is None:
        return False
    return w.group(1) is None or w.group(1).lower() in _ABBREVIATIONS


@lru_cache(maxsize=256)  # a window is read for its context, then for its clause's bounds
def _clause_stops(text: str) -> tuple[re.Match[str], ...]:
    """The clause ends in text, abbreviation periods left out."""
    return tuple(m for m in _CLAUSE_END.finditer(text) if not _is_abbreviation_stop(text, m))


@lru_cache(maxsize=256)  # infer_tense and settled ask of the same two windows
def _clause_bounds(text: str, last: bool) -> str:
    """The last (or first) clause of text, not cut at abbreviation periods."""
    stops = _clause_stops(text)
    if not stops:
        return text
    return text[stops[-1].end() :] if last else text[: stops[0].start()]


_TOKEN = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|'ll|n't|[,:]")


@lru_cache(maxsize=256)  # the same clause is read by infer_tense, looks_ahead, looks_back
def _tokens(clause: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(clause))


def _verb_tense(tokens: list[str], i: int, lowered: list[str] | None = None) -> Tense | None:
    """Tense of the verb group whose head is tokens[i], or None if it is not a verb cue.

    ``lowered`` is the tokens lower-cased, when the caller asks of many of them."""
    if lowered is None:
        lowered = [t.lower() for t in tokens]
    w = lowered[i]
    if tokens[i] == "May":
        return None  # the month, not the modal
    prev = lowered[max(0, i - 4) : i]
    adverb = len(prev) >= 2 and (prev[-1].endswith("ly") or prev[-1] in ("still", "long", "well"))
    if (
        w.endswith("ed")
        and prev
        and (prev[-1] in _DETERMINERS or adverb and prev[-2] in _DETERMINERS)
    ):
        return None  # participle used as an adjective: "a still unspecified date"
    if w in _FUTURE_VERBS:
        return None if prev and prev[-1] in _DETERMINERS else "future"  # "the plan" is a noun
    after = lowered[i + 1 : i + 3]
    if "'" in w and w not in _FUTURE_AUX:  # contractions: "it's", "they're", "we've", "he'll"
        base, _, clitic = w.partition("'")
        if clitic == "ll":
            return "future"
        if clitic == "re" or (clitic == "s" and base in _PRONOUNS):
            perfect = clitic == "s" and after and (after[0] == "been" or after[0] in _PAST)
            return "past" if perfect else "present"
        if (
            clitic == "ve"
            and after
            and (after[0] == "been" or after[0] in _PAST or after[0].endswith(("ed", "en")))
        ):
            return "past"
        return None
    if (
        w in ("was", "were", "is", "are")
        and after
        and (after[0] in _FUTURE_VERBS or tuple(after) in _FUTURE_BIGRAMS)
    ):
        return "future"  # "were planning to ...", "was expected to ...": ahead of that time
    if (
        w in _PERFECT
        and after
        and (after[0] == "been" or after[0] in _PAST or after[0].endswith(("ed", "en")))
    ) or (w == "been" and prev and prev[-1] in _PERFECT | {"had"}):
        return "past"  # the present perfect reports what has already happened
    prev_pairs = set(zip(prev, prev[1:] + [w]))
    if (
        w in _FUTURE_AUX
        or prev_pairs & _FUTURE_BIGRAMS
        or (set(prev) & _FUTURE_AUX and w not in _PRESENT)
    ):
        return "future"
    if w in _PAST or (w.endswith("ed") and len(w) > 4 and w not in _NOT_VERBS):
        if prev and prev[-1] in ("to", "be", "been") and {"is", "are"} & set(prev):
            return "future" if "to" in prev else "present"
        if prev and prev[-1] in ("is", "are", "am"):
            return "present"  # "the airport is closed": a state now, not a past event
        if prev[-2:] == ["to", "be"]:
            return "future"  # "expects the repairs to be finished by [Saturday]"
        return "past"
    if w in _PRESENT:
        return "present"
    if (
        w in _PRESENT_VERBS
        and prev
        and (
            prev[-1] in _SUBJECT_PRONOUNS
            or (tokens[i - 1][:1].isupper() and prev[-1] not in _DETERMINERS)
            # "the orchestra returns [in August]": a noun subject right after a determiner
            or (w in _THIRD_PERSON and _noun_subject(tokens[max(0, i - 3) : i]))
            # "the festival, which begins [in July]": a relative clause's own present
            or (w in _THIRD_PERSON and prev[-1] == "which")
        )
    ):
        return "future"  # "Clinton and Arafat meet separately [Monday]", "he leaves [Friday]"
    return None


_AHEAD_PHRASE_BEFORE = re.compile(r"(?:as soon as|as early as|ahead of|in time for|effective)$")
_POSSESSIVE_AFTER = re.compile(r"\s*['’]s\b")
_BOUNDARY_WORD_BEFORE = re.compile(r"(?:before|until|for)$")


def _noun_subject(before: list[str]) -> bool:
    """'the orchestra', 'the ferry service': a determiner and one or two lower-case nouns."""
    for k in (2, 3):
        if len(before) >= k and before[-k].lower() in ("the", "its", "their"):
            nouns = before[-k + 1 :]
            return all(n.isalpha() and n.islower() and not n.endswith("ed") for n in nouns)
    return False


def infer_tense(left: str, right: str) -> Tense | None:
    """Direction of the clause around an expression, from the nearest verb group.

    ``left`` is the text before the expression, ``right`` the text after it
    (whole document or a window; only the same sentence is looked at). The
    nearest tensed verb wins, the left one on ties.
    """
    left = _clause_bounds(left, last=True)
    right = _clause_bounds(right, last=False)
    ltoks, rtoks = list(_tokens(left)[-NEAR_WINDOW:]), list(_tokens(right)[:NEAR_WINDOW])
    near = " ".join(ltoks[-3:]).lower()
    if any(
        t.lower() in ("next", "upcoming", "coming") for t in ltoks[-2:]
    ) or _AHEAD_PHRASE_BEFORE.search(near):
        return "future"
    if ltoks and ltoks[-1].lower() in ("last", "since"):
        return "past"  # "last [October]", "since [March]": the word just before decides
    if _POSSESSIVE_AFTER.match(right) and not _BOUNDARY_WORD_BEFORE.search(near):
        return "past"  # "Tuesday's meeting": a possessive date names an event already known
    if ltoks and ltoks[-1].lower() in ("until", "till", "through") and _holds_now(ltoks[:-1]):
        # "has given them until [Tuesday]", "has extended loans through [January]": a
        # state that holds at the time of writing and lasts until the date -> ahead.
        return "future"
    if ltoks and ltoks[-1].lower() == "for" and _holds_now(ltoks[:-1]):
        # "has been in Bethesda for [the last week]": a state that lasts up to now
        return "present"
    found = _nearest_verb_tense(ltoks, rtoks) or _nearest_verb_tense(
        list(_tokens(left)[-WIDE_WINDOW:]), list(_tokens(right)[:WIDE_WINDOW])
    )
    if found is None and ltoks and ltoks[-1].lower() in ("until", "till"):
        return "future"  # "runs until [February]", "Airport closed until [May]": ahead
    if found == "present" and any(t.lower() in _COMING for t in ltoks + rtoks):
        return "future"  # "the next election is in [September]": a present about what comes
    return found


_COMING = frozenset({"next", "upcoming", "forthcoming", "coming"})


# Words that make a past-tense clause point ahead of its own time: reported plans,
# deadlines, terms ("said it would ...", "extended to", "invited them to a summit on").
_AHEAD_WORDS = frozenset(
    {
        "will",
        "would",
        "'ll",
        "shall",
        "to",
        "until",
        "till",
        "through",
        "by",
        "deadline",
        "payable",
        "record",
        "due",
        "expire",
        "expires",
        "expired",
        "extended",
        "invited",
        "next",
        "upcoming",
        "coming",
        "ahead",
        "before",
        "starting",
        "beginning",
        "effective",
    }
    | _FUTURE_VERBS
)


def looks_ahead(left: str, right: str) -> bool:
    """Whether the clause around an expression has a word that points ahead of its time.

    A past-tense clause without one reports what happened ("The plant opened in
    December"): a yearless date in it is not after the publication date. With
    one ("said it would open in December", "payable Dec. 7") it may be.
    """
    left = _clause_bounds(left, last=True)
    right = _clause_bounds(right, last=False)
    before_tokens = list(_tokens(left)[-WIDE_WINDOW:])
    before = [w.lower() for w in before_tokens]
    # after the date, "to" is what was done then ("voted on [Dec. 4] to expand"), not a goal
    after = [w.lower() for w in _tokens(right)[:WIDE_WINDOW] if w.lower() != "to"]
    if _dates_a_past_verb(before_tokens):
        after = []  # "said on [Nov. 20] it would cut jobs": what follows is what was said
    words = before + after
    return any(
        w in _AHEAD_WORDS
        # "the plan", "the expected rise": a noun or adjective, not a verb that looks ahead
        and not (w in _FUTURE_VERBS and i and words[i - 1] in _DETERMINERS)
        for i, w in enumerate(words)
    )


def _dates_a_past_verb(before: list[str]) -> bool:
    """'said on [date]', 'told reporters on [date]': the date is the time of a past verb
    just before it, so the clause after it (what was said or agreed) does not move it."""
    if len(before) < 2 or before[-1].lower() != "on":
        return False
    lowered = [t.lower() for t in before]
    return any(
        _verb_tense(before, i, lowered) == "past"
        for i in range(max(0, len(before) - 3), len(before) - 1)
    )


def looks_back(left: str, right: str) -> bool:
    """Whether the clause around an expression has a past-tense verb: a future in it may
    be reported from that past ("said they would act by [Jan. 14]")."""
    left = _clause_bounds(left, last=True)
    right = _clause_bounds(right, last=False)
    tokens = list(_tokens(left)[-WIDE_WINDOW:] + _tokens(right)[:WIDE_WINDOW])
    lowered = [t.lower() for t in tokens]
    return any(_verb_tense(tokens, i, lowered) == "past" for i in range(len(tokens)))


def settled(left: str, right: str, tense: Tense | None) -> bool:
    """Whether nothing in the clause turns its tense the other way: a past clause with no
    word that looks ahead, a future one with no past verb it may be reported from."""
    if tense == "past":
        return not looks_ahead(left, right)
    if tense == "future":
        return not looks_back(left, right)
    if tense == "present":
        return _complement_of_present(left)
    return False


_COMPLEMENT_BEFORE = frozenset({"in", "on", "until", "till", "through", "by", "is", "are"})
_COMPARISON_BEFORE = frozenset({"than", "from", "since", "as", "with", "to"})


def _complement_of_present(left: str) -> bool:
    """'The hearing is [in January]', 'The deadline is [March 31]': the date completes the
    present clause right after a preposition or the copula; not a comparison ('higher than
    in [March]') nor a modifier ('under a [June] agreement')."""
    words = [w.lower() for w in _tokens(_clause_bounds(left, last=True))[-2:]]
    if not words or words[-1] not in _COMPLEMENT_BEFORE:
        return False
    return not (len(words) == 2 and words[0] in _COMPARISON_BEFORE)


def _holds_now(ltoks: list[str]) -> bool:
    """True if the nearest verb group on the left is present or present perfect."""
    lowered = [t.lower() for t in ltoks]
    for i in range(len(ltoks) - 1, -1, -1):
        t = _verb_tense(ltoks, i, lowered)
        if t is None:
            continue
        if t == "present":
            return True
        prev = [w.lower() for w in ltoks[max(0, i - 3) : i + 1]]
        return t == "past" and bool(set(prev) & _PERFECT) and "been" not in prev[:-1]
    return False


NEAR_WINDOW = 14  # tokens either side: the verb group next to the expression
WIDE_WINDOW = 40  # tokens: the rest of a long clause, when no verb is near


# --- the context tense inference needs ---------------------------------------------------
#
# infer_tense reads only the clause around an expression: back to the last clause end
# before it and on to the first one after it, and of that at most the WIDE_WINDOW tokens
# next to the expression. So find_dates gives it a window of about TENSE_WINDOW characters
# each side instead of the whole rest of the document (which made every mention cost
# O(document) in clause-end scanning: quadratic in the document). A window is cut where
# the answer cannot differ from the whole text's:
#
# * left: it starts at a non-space right after a space. No clause end (punctuation plus
#   the spaces after it, or a newline) and no token spans that point, and the abbreviation
#   test before a period (letters and periods only) cannot reach across a space, so the
#   clause ends and tokens found in the window are exactly the whole text's from there on.
# * right: it ends on a character that is neither a space nor [.!?;], before a space, so
#   every clause-end match and token inside it reads nothing beyond the cut.
#
# If the window holds a clause end, the clause is the same as with the whole text; if it
# does not but holds at least WIDE_WINDOW tokens, the clause is longer than the window
# but the tokens read from it are the same. Otherwise (a run of text with neither) the
# window doubles, up to the whole text.

TENSE_WINDOW = 400  # characters either side of an expression, before cutting (see above)
_LEFT_CUT = re.compile(r"\s(?=\S)")
_RIGHT_CUT = re.compile(r"[^\s.!?;](?=\s)")


def _enough_context(window: str) -> bool:
    """Whether a window cut as above decides what infer_tense reads (see above)."""
    if _clause_stops(window):
        return True
    return len(_TOKEN.findall(window)) >= max(NEAR_WINDOW, WIDE_WINDOW)


def tense_context(text: str, start: int, end: int) -> tuple[str, str]:
    """(left, right): the text around text[start:end] that ``infer_tense`` needs.

    ``infer_tense(*tense_context(text, start, end))`` equals
    ``infer_tense(text[:start], text[end:])``, but each window is about
    TENSE_WINDOW characters (a sentence or two) whatever the length of the text.
    """
    return _left_context(text, start), _right_context(text, end)


def _left_context(text: str, start: int) -> str:
    width = TENSE_WINDOW
    while start - width > 0:
        cut = _LEFT_CUT.search(text, start - width, start)
        if cut is not None and _enough_context(window := text[cut.end() : start]):
            return window
        width *= 2
    return text[:start]


def _right_context(text: str, end: int) -> str:
    width = TENSE_WINDOW
    while end + width < len(text):
        cut = _RIGHT_CUT.search(text, end + width - 1)
        if cut is None:
            break
        if _enough_context(window := text[end : cut.end()]):
            return window
        width *= 2
    return text[end:]


def _nearest_verb_tense(ltoks: list[str], rtoks: list[str]) -> Tense | None:
    """The tense of the nearest verb cue, the left one on ties."""
    best: tuple[int, Tense] | None = None
    left_lowered = [t.lower() for t in ltoks]
    for dist, i in enumerate(range(len(ltoks) - 1, -1, -1), start=1):
        t = _verb_tense(ltoks, i, left_lowered)
        if t:
            best = (dist, t)
            break
    right_lowered = [t.lower() for t in rtoks]
    for dist, i in enumerate(range(len(rtoks)), start=1):
        if best and dist >= best[0]:
            break
        t = _verb_tense(rtoks, i, right_lowered)
        if t == "future" and _planned_before(rtoks, i):
            t = "past"
        if t:
            best = (dist, t)
            break
    return best[1] if best else None


def _planned_before(rtoks: list[str], i: int) -> bool:
    """'On [Friday], the government planned to pay ...': a date written before a finite
    past-tense verb of planning dates the planning (past), not what was planned."""
    w = rtoks[i].lower()
    before = rtoks[i - 1].lower() if i else ""
    return (
        w in _FUTURE_VERBS
        and w.endswith("ed")
        and before not in ("is", "are", "was", "were", "be", "been", "being")
    )


# --- driver -----------------------------------------------------------------------------


def _candidates(text: str) -> list[tuple[int, int]]:
    dispatch = _dispatch()
    # what each template's finditer(text) finds: a match starts where the pass
    # found one, and the next is searched for from the end of the last
    searched_from: dict[re.Pattern[str], int] = {}
    spans: set[tuple[int, int]] = set()
    for found in dispatch.starts.finditer(text):
        start = found.start()
        for rx in dispatch.tried_at(text, start):
            if start < searched_from.get(rx, 0):
                continue
            m = rx.match(text, start)
            if m is None:
                continue
            searched_from[rx] = m.end()
            if m.end() > m.start() and _plausible(text, m):
                spans.add((m.start(), m.end()))
    return sorted(spans, key=lambda se: (se[0], -(se[1] - se[0])))


def find_dates(text: str, anchor: date | None) -> list[DateMention]:
    """Find the temporal expressions in running text and normalise each one.

    Tense comes from the words around each expression; anaphors ("a year
    earlier", "the following day") resolve against the previous calendar date
    found. Mentions are non-overlapping and sorted by start offset.

    The result depends only on (text, anchor), so the last few are cached: a
    caller that tags the same document twice pays once. Each call returns a new
    list (of frozen mentions), so callers may change it freely.
    """
    return list(_find_dates(text, anchor))


@lru_cache(maxsize=8)
def _find_dates(text: str, anchor: date | None) -> tuple[DateMention, ...]:
    chosen: list[tuple[int, int, Tense | None, bool]] = []
    taken_until = -1
    for start, end in _candidates(text):
        if start < taken_until:
            continue
        left, right = tense_context(text, start, end)
        tense = infer_tense(left, right)
        firm = settled(left, right, tense)
        # reference=None written out: the call below asks the same (one cached answer)
        # where no calendar date comes before
        if normalise(text[start:end], anchor, tense=tense, reference=None, settled=firm) is None:
            continue  # not a temporal expression after all; a shorter candidate may be
        chosen.append((start, end, tense, firm))
        taken_until = end
    mentions: list[DateMention] = []
    for start, end, tense, firm in chosen:
        reference = reference_before(mentions, start, anchor)
        tx = normalise(
            text[start:end],
            anchor,
            tense=tense,
            reference=reference,
            settled=firm,
            comparison=compares(text, start),
        )
        if tx is not None:
            mentions.append(DateMention(start, end, tx))
    return tuple(mentions)


_MONTHS_SO_FAR = re.compile(
    r"the (?:first )?(?:two|three|four|five|six|seven|eight|nine|ten|eleven|[2-9]|1[01])"
    r"[- ]months?(?: period)?|the year to date|the year-to-date period",
    re.I,
)
_COMPARES_WINDOW = 80
_COMPARES = re.compile(
    r"\b(?:compared (?:with|to)|(?:up|down) from|from|against|versus|vs\.)\s[^.;:]*$", re.I
)


def compares(text: str, start: int) -> bool:
    """Whether the expression at ``start`` dates the figure its clause compares with:
    "compared with a loss of $3 million [last year]", "up from [last year's] $1.5 billion"
    (the comparison word in the same clause, within _COMPARES_WINDOW characters before it)."""
    return bool(_COMPARES.search(text[max(0, start - _COMPARES_WINDOW) : start]))


REFERENCE_WINDOW = 1000  # characters: the same paragraph or two (wire paragraphs are short)
_COMPARISON = re.compile(r"year[- ](?:ago|earlier)|a year (?:ago|earlier)|last year's", re.I)


def reference_before(
    mentions: list[DateMention], offset: int, anchor: date | None = None
) -> Timex | None:
    """The date the discourse last set before offset: the reference time for anaphors.

    Only calendar dates count, only within REFERENCE_WINDOW characters, and not
    comparison dates ("a year earlier"), which point back without moving the story.
    One span counts too: the months of the year so far ("in the first nine months,
    ... a year earlier"), which TimeML, having no value for them, writes as the
    anchor's year, so a comparison with them is the previous year, not a quarter.
    """
    for m in reversed(mentions):
        if m.end > offset:
            continue
        if offset - m.end > REFERENCE_WINDOW:
            return None
        tx = m.timex
        if anchor is not None and tx.kind == "duration" and _MONTHS_SO_FAR.fullmatch(tx.text):
            return Timex(
                tx.text,
                "date",
                f"{anchor.year:04d}",
                Granularity.YEAR,
                date(anchor.year, 1, 1),
                date(anchor.year, 12, 31),
                True,
            )
        if (
            tx.kind == "date"
            and tx.start is not None
            and tx.granularity is not Granularity.REF
            and not _COMPARISON.search(tx.text)
        ):
            return tx
    return None
