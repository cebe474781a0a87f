"""A cheap test run before a large regular expression: can this text match at all?

A pattern's *condition* is what every match holds, read off the pattern's own
parse tree: a run of pattern pieces whose possible texts are few ("a\\.?i\\.?"
can only read "ai", "a.i", "ai." or "a.i.") holds one of those texts, so one of
their longest words (a *whole* word, looked up among the text's words, when the
pattern puts a word edge or a non-word character on both its sides; else a
lower-case substring, or one no more than so many characters into the text after
"^"); an alternation holds what one of its branches holds; a sequence holds what
each of its pieces holds, and its three rarest pieces are required together.
When a text, lower-cased, fails the condition, the pattern cannot match it and
the search is skipped.

The test is exact in one direction only: it never skips a text the pattern would
match (``tests/test_guard_prefilter.py`` checks this), and often lets through
texts that then fail the full search.

Why lower-casing is enough: with ``re.IGNORECASE`` an ASCII letter matches only
ASCII letters and the four characters in ``_ASCII_FOLDS``; a text holding any of
those four is always searched in full.
"""

from __future__ import annotations

import re

# the standard library's own regular-expression parser and its node names (no stubs)
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
from collections.abc import Callable
from functools import lru_cache
from typing import Any

_MAX_STRINGS = 64  # above this many possible texts a piece is treated as open-ended
_MAX_REPEAT = 3  # "x{0,3}" is expanded; longer repeats are open-ended
# non-ASCII characters that re.IGNORECASE matches to an ASCII letter
# (dotted capital I, dotless i, long s, Kelvin sign): tests/test_guard_prefilter.py
# finds them by trying every code point
_ASCII_FOLDS = frozenset("\u0130\u0131\u017f\u212a")
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)

Strings = frozenset[str]
# a condition: ("any", {(string, at)}) one of the strings, found anywhere (at None) or
# starting at most at characters into the text; ("all", parts) or ("or", parts)
Condition = tuple[str, Any]
_MAX_REQUIRED = 3  # a sequence requires at most its three rarest parts together
_SHORT_WORD = 6  # a string whose longest word is shorter is looked for whole
_WORD = re.compile(r"[a-z0-9_]+")
_ANCHORED_BONUS = 8  # a string held to the text's start is as rare as one 8 letters longer
_EDGE = "\x00"  # stands for a word boundary ("\\b") in a possible match text


def _cross(left: Strings, right: Strings) -> Strings | None:
    if len(left) * len(right) > _MAX_STRINGS:
        return None
    return frozenset(a + b for a in left for b in right)


def _texts(items: Any) -> Strings | None:
    """Every text a sequence of parse nodes can match, lower-cased; None when too many."""
    found: Strings = frozenset({""})
    for op, av in items:
        piece = _node_texts(op, av)
        if piece is None:
            return None
        crossed = _cross(found, piece)
        if crossed is None:
            return None
        found = crossed
    return found


def _node_texts(op: Any, av: Any) -> Strings | None:
    if op is sre.LITERAL:
        char = chr(av)
        return frozenset({char.lower()}) if char.isascii() and char != _EDGE else None
    if op is sre.AT and av is sre.AT_BOUNDARY:
        return frozenset({_EDGE})
    if op in _ZERO_WIDTH:
        return frozenset({""})
    if op is sre.SUBPATTERN:
        return _texts(av[-1])
    if op is sre.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            texts = _texts(branch)
            if texts is None:
                return None
            union |= texts
        return frozenset(union) if len(union) <= _MAX_STRINGS else None
    if op is sre.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is not sre.LITERAL or not chr(value).isascii() or chr(value) == _EDGE:
                return None  # ranges, categories, negation: too many to list
            chars.add(chr(value).lower())
        return frozenset(chars)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, high, item = av
        if high > _MAX_REPEAT:
            return None
        once = _texts(item)
        if once is None:
            return None
        found: set[str] = set()
        for count in range(low, high + 1):
            repeated: Strings | None = frozenset({""})
            for _ in range(count):
                repeated = _cross(repeated, once) if repeated is not None else None
            if repeated is None:
                return None
            found |= repeated
        return frozenset(found) if len(found) <= _MAX_STRINGS else None
    return None


def _score(condition: Condition) -> tuple[int, int]:
    """Rarer first: a longer shortest string, a string held to the text's start; then fewer."""
    kind, parts = condition
    if kind == "any":
        tokens, strings = parts
        lengths = [len(t) for t in tokens] + [
            len(s) + (_ANCHORED_BONUS if at is not None else 0) for s, at in strings
        ]
        return (min(lengths), -len(lengths))
    scores = [_score(part) for part in parts]
    return max(scores) if kind == "all" else min(scores)


def _all(candidates: list[Condition]) -> Condition | None:
    """Every candidate holds, so the rarest few are required together."""
    rarest = sorted(candidates, key=_score, reverse=True)[:_MAX_REQUIRED]
    if not rarest:
        return None
    return rarest[0] if len(rarest) == 1 else ("all", tuple(rarest))


def _whole_words(text: str) -> list[str]:
    """The words of a possible match text that stand whole in any text holding it: a
    non-word character or a word edge on both sides (maximal runs, so a neighbour is
    never a word character)."""
    return [m.group() for m in _WORD.finditer(text) if m.start() > 0 and m.end() < len(text)]


def _starting(texts: Strings, at: int | None) -> Condition | None:
    """A match holds one of the texts (at most at characters into the text when at is
    given). Each text is cut to its longest whole word (looked up among the text's words)
    or else to its longest word (looked for as a substring), which it holds too, so that
    fewer and shorter strings are looked for."""
    tokens: set[str] = set()
    strings: set[tuple[str, int | None]] = set()
    for text in texts:
        plain = text.replace(_EDGE, "")
        if not plain:
            return None  # the empty text: nothing is required
        whole = max(_whole_words(text), key=len, default="") if at is None else ""
        words = _WORD.findall(plain)
        word = max(words, key=len) if words else ""
        if whole and len(whole) >= min(len(word), _SHORT_WORD):
            tokens.add(whole)
        elif len(word) >= _SHORT_WORD:
            strings.add((word, None if at is None else at + plain.index(word)))
        else:
            strings.add((plain, at))
    return ("any", (frozenset(tokens), _pruned(frozenset(strings))))


def _width(state: Any, op: Any, av: Any) -> int | None:
    """The most characters a node can match, None when unbounded."""
    high = sre_parse.SubPattern(state, [(op, av)]).getwidth()[1]
    return high if high < sre.MAXREPEAT else None


def _starts_text(state: Any, op: Any, av: Any) -> bool:
    return op is sre.AT and (
        av is sre.AT_BEGINNING_STRING or (av is sre.AT_BEGINNING and not state.flags & re.MULTILINE)
    )


def _necessary(items: Any, state: Any, at: int | None) -> Condition | None:
    """What every match of the sequence holds; at is the most characters of text before
    the sequence starts (None: unknown)."""
    candidates: list[Condition | None] = []
    run: Strings = frozenset({""})
    run_at = at
    for op, av in items:
        if _starts_text(state, op, av):
            at = 0  # "^": what follows starts the text
        piece = _node_texts(op, av)
        joined = _cross(run, piece) if piece is not None else None
        if joined is not None:
            if run == frozenset({""}):
                run_at = at
            run = joined
        else:
            candidates.append(_starting(run, run_at))
            candidates.append(_node_necessary(op, av, state, at))
            run, run_at = (piece, at) if piece is not None else (frozenset({""}), None)
        width = _width(state, op, av) if at is not None else None
        at = at + width if at is not None and width is not None else None
    candidates.append(_starting(run, run_at))
    return _all([c for c in candidates if c is not None])


def _node_necessary(op: Any, av: Any, state: Any, at: int | None) -> Condition | None:
    if op is sre.SUBPATTERN:
        return _necessary(av[-1], state, at)
    if op is sre.BRANCH:
        branches: list[Condition] = []
        for branch in av[1]:
            condition = _necessary(branch, state, at)
            if condition is None:
                return None
            branches.append(condition)
        return _either(branches)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:
        return _necessary(av[2], state, None)  # later repetitions start later
    texts = _node_texts(op, av)
    return _starting(texts, at) if texts else None


def _either(branches: list[Condition]) -> Condition:
    """One of the branches holds; plain "any" conditions merge into one."""
    tokens: set[str] = set()
    strings: set[tuple[str, int | None]] = set()
    others: list[Condition] = []
    for kind, parts in branches:
        if kind == "any":
            tokens |= parts[0]
            strings |= parts[1]
        else:
            others.append((kind, parts))
    if tokens or strings:
        others.insert(0, ("any", (frozenset(tokens), _pruned(frozenset(strings)))))
    return others[0] if len(others) == 1 else ("or", tuple(others))


def _pruned(pairs: frozenset[tuple[str, int | None]]) -> frozenset[tuple[str, int | None]]:
    """Without strings that hold one found anywhere: "bot" anywhere covers "bots"."""
    anywhere = {s for s, at in pairs if at is None}
    return frozenset(
        (s, at) for s, at in pairs if not any(t in s and (t, None) != (s, at) for t in anywhere)
    )


def necessary_condition(pattern: re.Pattern[str]) -> Condition | None:
    """What every match of the pattern holds, or None when nothing can be said: ("any",
    (words, strings)) one of the words among the text's words or one of the strings in it
    (each anywhere, or starting at most so many characters in); ("all", parts); ("or", parts)."""
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    return _necessary(parsed, parsed.state, None)


def holds(condition: Condition, lowered: str, words: frozenset[str]) -> bool:
    """Whether a lower-cased text with these words satisfies the condition (the reading
    ``compiled_test`` turns into one expression)."""
    kind, parts = condition
    if kind == "any":
        tokens, strings = parts
        return not tokens.isdisjoint(words) or any(
            (s in lowered) if at is None else lowered.find(s, 0, at + len(s)) >= 0
            for s, at in strings
        )
    if kind == "all":
        return all(holds(part, lowered, words) for part in parts)
    return any(holds(part, lowered, words) for part in parts)


@lru_cache(maxsize=4)  # the guard tries several patterns on one sentence in a row
def text_words(text: str) -> tuple[str, frozenset[str]]:
    """The text lower-cased and its words (maximal runs of ASCII letters, digits, "_")."""
    lowered = text.lower()
    return lowered, frozenset(_WORD.findall(lowered))


def _source(condition: Condition, word_sets: list[frozenset[str]]) -> str:
    """The condition as one Python expression over ``lowered`` and ``words`` (the word sets
    it looks up are appended to word_sets, named ``sets[i]``)."""
    kind, parts = condition
    if kind == "any":
        tokens, strings = parts
        tests = []
        if tokens:
            word_sets.append(tokens)
            tests.append(f"not sets[{len(word_sets) - 1}].isdisjoint(words)")
        for s, at in sorted(strings, key=lambda pair: len(pair[0])):
            tests.append(
                f"{s!r} in lowered" if at is None else f"lowered.find({s!r}, 0, {at + len(s)}) >= 0"
            )
        return "(" + " or ".join(tests) + ")"
    joiner = " and " if kind == "all" else " or "
    return "(" + joiner.join(_source(part, word_sets) for part in parts) + ")"


def compiled_test(condition: Condition) -> Callable[[str, frozenset[str]], bool]:
    """The condition as a function of (lowered text, its words), as ``holds`` reads it but
    as one expression: walking the tree costs more than the tests it makes."""
    word_sets: list[frozenset[str]] = []
    expression = _source(condition, word_sets)
    test: Callable[[str, frozenset[str]], bool] = eval(  # noqa: S307 - built above from the pattern's own literals (repr)
        f"lambda lowered, words: {expression}", {"sets": tuple(word_sets)}
    )
    return test


class Prefiltered:
    """A compiled pattern whose ``search`` first checks what every match must hold."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.condition = necessary_condition(pattern)
        self._test = compiled_test(self.condition) if self.condition else None

    def could_match(self, text: str) -> bool:
        if self._test is None or not _ASCII_FOLDS.isdisjoint(text):
            return True
        lowered, words = text_words(text)
        return self._test(lowered, words)

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.could_match(text) else None
