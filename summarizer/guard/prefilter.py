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

A large pattern is an alternation: each top-level *alternative* gets its own
condition and is searched alone, only where its condition holds; the leftmost of
their matches, the earlier alternative at a tie, is the whole pattern's match.
Every alternative of every filtered pattern sits in one library, indexed by its
*triggers* (what a text holds whenever the condition holds: a whole word, a *run*
of word characters inside one of the text's words, or a short *mark* such as "<|"),
so a sentence is read once for all of them: its words are looked up (what each
word holds is worked out once a process), and only the alternatives it triggers
are tested.

The test is exact in one direction only: it never skips a text the pattern would
match (``tests/test_guard_prefilter.py`` checks this, and that the search answers
as the whole pattern does), and often lets through texts that then fail the
full search.

Why lower-casing is enough: with ``re.IGNORECASE`` an ASCII letter matches only
ASCII letters and the four characters in ``_ASCII_FOLDS``; a text holding any of
those four is always searched in full.
"""

from __future__ import annotations

import re

# the standard library's own regular-expression parser, compiler and node names (no stubs)
import re._compiler as sre_compile  # type: ignore[import-not-found]
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
import threading
from collections.abc import Callable
from functools import lru_cache
from operator import itemgetter
from typing import Any

from ..dates.patterns import trie

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


def _is_run(string: str) -> bool:
    """A string of word characters only: it lies inside one of a text's words."""
    return _WORD.fullmatch(string) is not None


def _early(lowered: str, runs: frozenset[str], within: dict[str, int]) -> bool:
    """Whether one of the runs starts at most ``within[run]`` characters into the text (only
    the runs the text holds somewhere are looked for)."""
    return any(
        lowered.find(run, 0, within[run] + len(run)) >= 0 for run in runs.intersection(within)
    )


def _source(condition: Condition, constants: dict[str, Any]) -> str:
    """The condition as one Python expression over ``lowered``, ``words`` and ``runs`` (every
    string of word characters the library knows that lies inside one of the text's words);
    the sets it looks up are added to constants."""
    kind, parts = condition
    if kind == "any":
        tokens, strings = parts

        def name(value: Any) -> str:
            constants[f"c{len(constants)}"] = value
            return f"c{len(constants) - 1}"

        tests = []
        anywhere_runs = frozenset(s for s, at in strings if at is None and _is_run(s))
        for looked_up, among in ((tokens, "words"), (anywhere_runs, "runs")):
            if looked_up:
                tests.append(f"not {name(looked_up)}.isdisjoint({among})")
        early: dict[str, int] = {}
        for s, at in sorted(strings, key=lambda pair: (len(pair[0]), pair)):
            if at is None and not _is_run(s):
                tests.append(f"{s!r} in lowered")
            elif at is not None and not _is_run(s):
                tests.append(f"lowered.find({s!r}, 0, {at + len(s)}) >= 0")
            elif at is not None:
                early[s] = max(at, early.get(s, at))  # held the furthest in: the others too
        if early:
            tests.append(f"_early(lowered, runs, {name(early)})")
        return "(" + " or ".join(tests) + ")"
    joiner = " and " if kind == "all" else " or "
    return "(" + joiner.join(_source(part, constants) for part in parts) + ")"


Test = Callable[[str, frozenset[str], frozenset[str]], bool]


def compiled_test(condition: Condition) -> Test:
    """The condition as a function of (lowered text, its words, its runs), as ``holds``
    reads it but as one expression: walking the tree costs more than the tests it makes."""
    constants: dict[str, Any] = {"_early": _early}
    expression = _source(condition, constants)
    test: Test = eval(  # noqa: S307 - built above from the pattern's own literals (repr)
        f"lambda lowered, words, runs: {expression}", constants
    )
    return test


def condition_runs(condition: Condition) -> set[str]:
    """Every string of word characters only that the condition names."""
    kind, parts = condition
    if kind == "any":
        return {s for s, _ in parts[1] if _is_run(s)}
    return set().union(*(condition_runs(part) for part in parts))


# a trigger: ("word", w) among the text's words, ("run", r) inside one, ("mark", s) in the text
Trigger = tuple[str, str]
_TRIGGER_RUN = 3  # a string's run this long or longer triggers; a shorter one: the string itself


def _string_trigger(string: str) -> Trigger:
    if _is_run(string):
        return ("run", string)
    longest = max(_WORD.findall(string), key=len, default="")
    return ("run", longest) if len(longest) >= _TRIGGER_RUN else ("mark", string)


def _rarity(triggers: set[Trigger]) -> int:
    """How rarely the triggers fire, by the shortest (a whole word is rarer than a run)."""
    return min((len(value) + (kind == "word") for kind, value in triggers), default=0)


def triggers(condition: Condition) -> set[Trigger]:
    """What a text holds one of whenever the condition holds: for "all", the triggers of
    its rarest part."""
    kind, parts = condition
    if kind == "any":
        return {("word", t) for t in parts[0]} | {_string_trigger(s) for s, _ in parts[1]}
    if kind == "all":
        return max((triggers(part) for part in parts), key=_rarity)
    return set().union(*(triggers(part) for part in parts))


class Alternative:
    """One top-level alternative of a filtered pattern: its number in the library, the
    test of what its every match holds (None: nothing can be said), and its own pattern,
    compiled from the pattern's parse tree when first searched (most never are in a
    process, and import time is paid by every worker)."""

    __slots__ = ("_compiled", "_tree", "number", "test")

    def __init__(self, number: int, test: Test | None, tree: Any) -> None:
        self.number = number
        self.test = test
        self._tree = tree
        self._compiled: re.Pattern[str] | None = None

    @property
    def pattern(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = sre_compile.compile(self._tree, self._tree.state.flags)
        return self._compiled


# a text lower-cased, its words, its runs, and the numbers of the alternatives it triggers
Scan = tuple[str, frozenset[str], frozenset[str], frozenset[int]]
_KNOWN_WORDS = 200_000  # what the words seen hold is kept for this many of them
_NONE: frozenset[Any] = frozenset()
_NOTHING = (_NONE, _NONE)


class _Library:
    """Every alternative of every filtered pattern, indexed by its triggers, and what a
    text holds of them.

    A text's *runs* are the strings of word characters the conditions name that lie
    inside its words ("ai" in "said"). What a word holds, its runs and the alternatives
    they and the word itself trigger, is found once a process, so a sentence costs a
    lookup a word, and a test of each *mark* (a trigger with fewer than three word
    characters in a row: ",", "to th")."""

    def __init__(self) -> None:
        self._patterns: dict[tuple[str, int], list[Alternative]] = {}
        self._fired_by: dict[Trigger, set[int]] = {}
        self._marks: dict[str, frozenset[int]] = {}
        self._runs: set[str] = set()
        self._always: frozenset[int] = frozenset()
        self._count = 0
        self._lock = threading.RLock()
        self._scanner: Any = None
        # what each word seen holds: its runs, the alternatives it triggers
        self._words: dict[str, tuple[frozenset[str], frozenset[int]]] = {}

    def add(self, pattern: re.Pattern[str]) -> list[Alternative]:
        key = (pattern.pattern, pattern.flags)
        with self._lock:
            if key not in self._patterns:
                self._patterns[key] = [self._add(tree) for tree in _alternatives(pattern)]
                self._scanner = None
                self._words = {}
                _scan.cache_clear()
            return self._patterns[key]

    def _add(self, tree: Any) -> Alternative:
        number, self._count = self._count, self._count + 1
        condition = _necessary(tree, tree.state, None)
        if condition is None:
            self._always |= {number}
            return Alternative(number, None, tree)
        for kind, value in triggers(condition):
            if kind == "mark":
                self._marks[value] = self._marks.get(value, _NONE) | {number}
            else:
                self._fired_by.setdefault((kind, value), set()).add(number)
                if kind == "run":
                    self._runs.add(value)
        self._runs |= condition_runs(condition)
        return Alternative(number, compiled_test(condition), tree)

    def _built(
        self,
    ) -> tuple[re.Pattern[str], dict[str, frozenset[str]], dict[str, frozenset[int]]]:
        """One expression finding, at each position of a word, the longest run starting
        there; and for each such run, every run it starts with (no other run can start
        there) and the alternatives they trigger."""
        scanner = self._scanner
        if scanner is None:
            with self._lock:
                runs = self._runs
                starts = {
                    r: frozenset(r[:i] for i in range(1, len(r) + 1) if r[:i] in runs) for r in runs
                }
                fired = {
                    r: frozenset().union(*(self._fired_by.get(("run", s), _NONE) for s in held))
                    for r, held in starts.items()
                }
                scanner = (re.compile(f"(?=({trie(runs)}))"), starts, fired)
                self._scanner = scanner
        return scanner

    def _learn(self, words: frozenset[str], known: dict[str, Any]) -> None:
        """What each of the words holds, kept in known for the next time they are met."""
        scanner, starts, fired = self._built()
        for word in words:
            found = scanner.findall(word)
            as_word = self._fired_by.get(("word", word))
            if not found and not as_word:  # most words hold nothing
                known[word] = _NOTHING
                continue
            known[word] = (
                _NONE.union(*map(starts.__getitem__, found)),
                frozenset(as_word or _NONE).union(*map(fired.__getitem__, found)),
            )

    def scan(self, text: str) -> Scan:
        lowered = text.lower()
        words = frozenset(_WORD.findall(lowered))
        known = self._words  # one table for the whole scan, even if another thread renews it
        if len(known) >= _KNOWN_WORDS:
            known = self._words = {}
        new = words.difference(known)
        if new:
            self._learn(new, known)
        held = list(map(known.__getitem__, words))
        runs = _NONE.union(*map(itemgetter(0), held))
        fired = self._always.union(*map(itemgetter(1), held))
        for mark, numbers in self._marks.items():
            if mark in lowered:
                fired |= numbers
        return lowered, words, runs, fired


_LIBRARY = _Library()


@lru_cache(maxsize=8)  # the guard tries every pattern on one sentence in a row
def _scan(text: str) -> Scan | None:
    """What the text holds, or None when it holds a character that folds to ASCII (then
    every pattern is searched in full)."""
    return None if not _ASCII_FOLDS.isdisjoint(text) else _LIBRARY.scan(text)


def _alternatives(pattern: re.Pattern[str]) -> list[Any]:
    """The pattern's top-level alternatives, each a parse tree (the whole pattern when
    it is no alternation)."""
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    if len(parsed.data) == 1 and parsed.data[0][0] is sre.BRANCH:
        return list(parsed.data[0][1][1])
    return [parsed]


class Prefiltered:
    """A compiled pattern searched only where it can match: each top-level alternative is
    searched on its own, and only in text holding what its every match holds.

    ``search`` answers as the whole pattern would: its match starts where the leftmost
    alternative's does, and at one start the earlier alternative wins, as in the
    alternation (each alternative is compiled from the pattern's own parse tree, with its
    flags)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.alternatives = _LIBRARY.add(pattern)
        self._numbers = frozenset(a.number for a in self.alternatives)

    def _worth(self, scan: Scan) -> list[Alternative]:
        lowered, words, runs, fired = scan
        if self._numbers.isdisjoint(fired):  # most sentences trigger nothing of most patterns
            return []
        return [
            a
            for a in self.alternatives
            if a.number in fired and (a.test is None or a.test(lowered, words, runs))
        ]

    def could_match(self, text: str) -> bool:
        scan = _scan(text)
        return scan is None or bool(self._worth(scan))

    def search(self, text: str) -> re.Match[str] | None:
        scan = _scan(text)
        if scan is None:
            return self.pattern.search(text)
        best = None
        for alternative in self._worth(scan):
            found = alternative.pattern.search(text)
            if found is not None and (best is None or found.start() < best.start()):
                best = found
        return best
