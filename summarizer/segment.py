"""Segmentation: a document's sentences and paragraphs, each with its span in the text.

Sentence boundaries come from ``pysbd`` (rule-based, handles "U.S." and
"Jan. 5"); paragraphs are runs of text between blank lines. Every span is an
offset pair into the original string, with surrounding whitespace trimmed.

pysbd needs a capital to open a sentence, so two kinds of text get a second cut:

* **tokenised** text (Penn-Treebank style, as in some CNN/DailyMail releases: a space
  before every stop and comma, ``-lrb-`` for "(", ````` and ``''`` for quotes): a stop
  standing alone as a token ends a sentence (``"kathmandu , nepal . and they"``);
* **caseless** text (lower-cased: speech recognition, OCR, older corpora): a stop after
  a word that is no abbreviation, then a space, ends a sentence (``"nepal. and they"``).

A "sentence" longer than ``MAX_SENTENCE_CHARS`` (a 40 KB line without a full stop,
a table flattened into one line) is cut into pieces at its last clause break
(``;``, ``,``, a dash, a colon) or space before the limit: every prompt built from
one sentence then fits the model's context, and the text stays input, never a
backend failure. News sentences are far shorter (CNN/DM and BBC training
articles, 47,878 sentences: median 118 characters, 99.9th percentile 1,474;
18 were longer than 2,000, all lists or tables that lost their stops).

Speed, with pysbd's output unchanged: pysbd builds its abbreviation patterns from each
text (one per abbreviation found, in the case the text writes it), more distinct patterns
than ``re``'s 512-entry cache holds, so they were compiled again for every document;
here they are compiled once a process (``_PatternCache``). And pysbd finds each sentence's
offset by compiling the sentence itself as a pattern; ``_Segmenter`` finds it as a string.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

import pysbd
import pysbd.abbreviation_replacer
from pysbd.utils import TextSpan

from .schemas import Span

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n|\r\n[ \t]*\r\n")
MAX_SENTENCE_CHARS = 2000  # about 500 tokens of English; any script stays under 4096
_CLAUSE_BREAK = re.compile(r"[;,:\u2013\u2014]\s|\s[-\u2013\u2014]\s")


@dataclass(frozen=True)
class Sentence:
    index: int
    paragraph: int
    start: int
    end: int
    text: str

    @property
    def span(self) -> Span:
        return Span(start=self.start, end=self.end)


# pysbd's abbreviation patterns, as it writes them: "(?<=\sMr)\.(?=...)" (the stop after
# an abbreviation) and "(?<={Mr} ).{1}" (the letter after one; the braces are literal)
_AFTER_ABBREVIATION = re.compile(r"\(\?<=\\s((?:\w|\\.)+)\)\\\.\(\?=")
_NEXT_LETTER = re.compile(r"\(\?<=\{((?:\w|\\.)+)\} \)\.\{1\}")
_ESCAPED = re.compile(r"\\(.)")


def _required_text(pattern: str) -> str | None:
    """Text that every match of ``pattern`` contains, when the pattern is one of pysbd's
    abbreviation patterns: a string without it needs no search."""
    if found := _AFTER_ABBREVIATION.match(pattern):
        return _ESCAPED.sub(r"\1", found.group(1)) + "."
    if found := _NEXT_LETTER.fullmatch(pattern):
        return "{" + _ESCAPED.sub(r"\1", found.group(1)) + "} "
    return None


class _PatternCache:
    """Stands in for ``re`` inside pysbd's abbreviation replacer: the same functions and
    answers, each pattern compiled once a process, and no search where the text lacks what
    every match contains (pysbd looks for the stop after each abbreviation it meets, in the
    whole line once per occurrence: " is" occurs often, " is." rarely). The patterns come
    from pysbd's fixed abbreviation list in the cases texts write them ("Mr", "MR"), so the
    cache stays small (445 patterns over 250 FRANK articles)."""

    def __init__(self) -> None:
        self._compiled: dict[tuple[str, int], tuple[re.Pattern[str], str | None]] = {}

    def _pattern(self, pattern: str, flags: int) -> tuple[re.Pattern[str], str | None]:
        compiled = self._compiled.get((pattern, flags))
        if compiled is None:
            # a case-blind pattern needs no literal text: only a case-exact one is looked for
            compiled = re.compile(pattern, flags), None if flags else _required_text(pattern)
            self._compiled[(pattern, flags)] = compiled
        return compiled

    def sub(self, pattern: str, repl: Any, string: str, count: int = 0, flags: int = 0) -> str:
        compiled, required = self._pattern(pattern, flags)
        if required is not None and required not in string:
            return string
        return compiled.sub(repl, string, count)

    def findall(self, pattern: str, string: str, flags: int = 0) -> list[Any]:
        compiled, required = self._pattern(pattern, flags)
        if required is not None and required not in string:
            return []
        return compiled.findall(string)

    def __getattr__(self, name: str) -> Any:  # escape, IGNORECASE: as ``re`` has them
        return getattr(re, name)


pysbd.abbreviation_replacer.re = _PatternCache()


class _Segmenter(pysbd.Segmenter):
    def sentences_with_char_spans(self, sentences: list[str]) -> list[TextSpan]:
        """pysbd's own rule, found with ``str.find``: each sentence with the whitespace after
        it, at its first occurrence ending past the previous one's end; one not found is
        dropped."""
        text: str = self.original_text
        spans, prior_end = [], 0
        for sent in sentences:
            cursor = 0
            while (at := text.find(sent, cursor)) >= 0:
                end = at + len(sent)
                while end < len(text) and text[end].isspace():
                    end += 1
                if end > prior_end:
                    spans.append(TextSpan(text[at:end], at, end))
                    prior_end = end
                    break
                cursor = end
        return spans


_LOCAL = threading.local()


def _segmenter() -> pysbd.Segmenter:
    # one per thread: a pysbd Segmenter keeps per-call state and gives wrong spans when shared
    segmenter = getattr(_LOCAL, "segmenter", None)
    if segmenter is None:
        segmenter = _LOCAL.segmenter = _Segmenter(language="en", clean=False, char_span=True)
    return segmenter


_LINE_BREAK = re.compile(r"\r?\n")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each paragraph: runs between blank lines, or between line
    breaks when the text has no blank line at all (one paragraph or sentence a line)."""
    breaks = _PARAGRAPH_BREAK if _PARAGRAPH_BREAK.search(text) else _LINE_BREAK
    bounds, start = [], 0
    for brk in breaks.finditer(text):
        bounds.append((start, brk.start()))
        start = brk.end()
    bounds.append((start, len(text)))
    return [(s, e) for s, e in bounds if text[s:e].strip()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _split_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Single line breaks inside a sentence end it too (titles, datelines, list items)."""
    pieces, cursor = [], start
    for match in _LINE_BREAK.finditer(text[start:end]):
        pieces.append((cursor, start + match.start()))
        cursor = start + match.end()
    pieces.append((cursor, end))
    return pieces


# a stop token, closing quotes or brackets after it, then the next token
_TOKEN_STOP = re.compile(r"(?<=\s)[.!?](?:\s+(?:''|'|\"|”|’|-rrb-|-rsb-|\)))*(?=\s+\S)")
# a stop attached to its word, closing quotes or brackets, a space, then a lower-case opener
_ATTACHED_STOP = re.compile(r"(?<=[\w%)])([.!?])[\"'”’)\]]*(?=\s+[\"'“‘`(]*[a-z0-9])")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st no nos inc ltd co corp jr sr gen col lt sgt capt gov sen rep prof vs "
    "etc jan feb mar apr jun jul aug sep sept oct nov dec mt ft est approx dept univ".split()
)
_STOP_APART = re.compile(r"\s[.!?](?=\s|$)")
_STOP_ATTACHED = re.compile(r"\w[.!?](?=\s|$)")
_WORD_BEFORE = re.compile(r"[\w.]*$")
CASELESS_UPPER_SHARE = 0.005  # true-cased English prose has about 3% capitals among letters
TOKENISED_MIN_STOPS = 2


def caseless(text: str) -> bool:
    """Whether ``text`` is lower-cased: almost no capitals among enough letters."""
    letters = sum(map(str.isalpha, text))
    upper = sum(map(str.isupper, text))
    return letters >= 40 and upper <= CASELESS_UPPER_SHARE * letters


def tokenised(text: str) -> bool:
    """Whether ``text`` is tokenised: most of its stops stand apart as tokens (`` . ``)."""
    apart = len(_STOP_APART.findall(text))
    attached = len(_STOP_ATTACHED.findall(text))
    return apart >= TOKENISED_MIN_STOPS and apart > attached


def _abbreviation(text: str, dot: int) -> bool:
    word = _WORD_BEFORE.search(text[:dot])
    before = word.group().lower() if word else ""
    # "u.s.", "p.m.", a single initial, or a listed short form
    return "." in before or len(before) == 1 or before in _ABBREVIATIONS


def _second_cuts(text: str, start: int, end: int, kind: str) -> list[tuple[int, int]]:
    """``[start, end)`` cut again where a tokenised or caseless sentence ends (module doc)."""
    cuts = [start]
    if kind == "tokenised":
        cuts += [m.end() for m in _TOKEN_STOP.finditer(text, start, end)]
    elif kind == "caseless":
        cuts += [
            m.end()
            for m in _ATTACHED_STOP.finditer(text, start, end)
            if m.group(1) != "." or not _abbreviation(text, m.start(1))
        ]
    cuts.append(end)
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _pysbd_pieces(text: str, p_start: int, p_end: int) -> list[tuple[int, int]]:
    chunk = text[p_start:p_end]
    found, cursor = [], 0
    for piece in _segmenter().segment(chunk):
        # pysbd's spans can drift on repeated sentences: re-find from the cursor
        at = chunk.find(piece.sent, cursor)
        if at < 0:
            at = piece.start
        cursor = at + len(piece.sent)
        found.append((p_start + at, p_start + at + len(piece.sent)))
    return found


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` in pieces of at most ``MAX_SENTENCE_CHARS`` (see the module docstring)."""
    pieces = []
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        window = text[start:limit]
        breaks = [m.end() for m in _CLAUSE_BREAK.finditer(window)]
        cut = breaks[-1] if breaks and breaks[-1] > MAX_SENTENCE_CHARS // 2 else 0
        if not cut:
            space = window.rfind(" ", MAX_SENTENCE_CHARS // 2)
            cut = space + 1 if space > 0 else MAX_SENTENCE_CHARS  # no space at all: cut hard
        pieces.append((start, start + cut))
        start += cut
    pieces.append((start, end))
    return pieces


def sentences(text: str) -> list[Sentence]:
    """Every sentence of ``text`` with its paragraph number and exact span."""
    result: list[Sentence] = []
    kind = "tokenised" if tokenised(text) else "caseless" if caseless(text) else "plain"
    for number, (p_start, p_end) in enumerate(paragraphs(text)):
        # tokenised text: its stops are tokens, pysbd only gets in the way (it moves a
        # closing `` '' `` onto the next sentence)
        pieces = [(p_start, p_end)] if kind == "tokenised" else _pysbd_pieces(text, p_start, p_end)
        for piece in pieces:
            for line in _split_lines(text, *piece):
                for cut in _second_cuts(text, *line, kind):
                    for s, e in _split_long(text, *cut):
                        s, e = _trim(text, s, e)
                        if e > s:
                            result.append(Sentence(len(result), number, s, e, text[s:e]))
    return result
