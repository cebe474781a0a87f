"""Regular-expression building blocks shared by the normaliser and the tagger.

All patterns are written for lower-cased text in which runs of spaces are
single spaces; the tagger compiles them case-insensitively over raw text, so
each space here is written as ``\\s+`` by :func:`loose` before compiling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .lexicon import NUMBER_WORD, ORDINAL_WORD, SPELLED_YEAR, UNITS_PATTERN

MONTH = (
    r"(?:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june|jun\.?|july|jul\.?"
    r"|aug(?:ust|\.)?|sep(?:t(?:ember|\.)?|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)"
)
WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
DAY_NUM = rf"(?:(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?|{ORDINAL_WORD})"
YEAR4 = r"(?:1[0-9]\d\d|20\d\d)"
YEAR = rf"(?:{YEAR4}|['’]\d\d|{SPELLED_YEAR})"
NUM = rf"(?:\d+(?:\.\d+)?|{NUMBER_WORD}|a|an)"
VAGUE = r"(?:a few|a couple of|a couple|couple of|several|some|many|numerous|a number of)"
UNITS = UNITS_PATTERN
SEASON = r"(?:spring|summer|fall|autumn|winter)"
PART_OF_DAY = r"(?:morning|afternoon|evening|night|overnight)"
QUARTER_ORD = r"(?:first|second|third|fourth|1st|2nd|3rd|4th)"
APPROX = (
    r"(?:about|nearly|almost|some|more than|less than|no more than|no less than|at least|up to"
    r"|over|roughly|around"
    r"|approximately|only|just|just over|barely|another|an additional|a full|a further)"
)


def loose(pattern: str) -> str:
    """Let every space in a pattern match any run of whitespace (tokenised text)."""
    return pattern.replace(" ?", r"\s*").replace(" ", r"\s+")


def trie(strings: Iterable[str], *, space: str | None = None) -> str:
    """One expression for exactly ``strings``, shaped as a trie (a branch a character, in
    sorted order, a longer path tried before stopping short: at a position it matches the
    longest of the strings that starts there). ``space``, when given, is written for each
    space (``r"\\s+"``: any run of whitespace); other characters are escaped."""
    root: dict[str, Any] = {}
    for string in strings:
        node = root
        for char in string:
            node = node.setdefault(char, {})
        node[""] = {}

    def source(node: dict[str, Any]) -> str:
        branches = [
            (space if space is not None and char == " " else re.escape(char)) + source(child)
            for char, child in sorted(node.items())
            if char
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return source(root)
