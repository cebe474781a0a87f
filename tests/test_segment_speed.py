"""The faster segmentation gives pysbd's own answer.

``segment`` compiles pysbd's abbreviation patterns once a process and finds each
sentence's offset as a string (see its module docstring). Both are meant to change
nothing: each test here runs pysbd as shipped, with ``re`` as it was, beside it.
"""

from __future__ import annotations

import json
import re

import pysbd
import pysbd.abbreviation_replacer
import pytest
from support.paths import REPO

from summarizer import segment

WIKINEWS = REPO / "eval" / "datasets" / "wikinews.jsonl"
SAMPLE = REPO / "examples" / "kremlin-peace-talks-2025-11-13.txt"
# abbreviations in the cases texts write them, repeated sentences (pysbd's spans can drift
# on them), a sentence that occurs inside a longer one, trailing whitespace, lists
EDGES = [
    "Mr. Smith met MR. JONES and mr. brown. Then Gen. Lee spoke. Then Gen. Lee spoke.",
    "See p. 12 and No. 5 on art. 3 of the code.  It was 3 p.m. in the U.S. on Jan. 5.",
    "He left.\tHe left. He left again.   \n\nShe said: 'Dr. Who? No.' Prof. X agreed.",
    "1. First item. 2. Second item. 3. Third item.\n\na) one b) two c) three",
    "The e.g. case, i.e. this one, Ph.D. holders and St. Louis, Mo. residents.",
    "Yes. Yes. Yes. No.",
]


def texts() -> list[str]:
    rows = [json.loads(line) for line in WIKINEWS.read_text(encoding="utf-8").splitlines()]
    return [row["text"] for row in rows] + [SAMPLE.read_text(encoding="utf-8")] + EDGES


def spans(segmenter: pysbd.Segmenter, text: str) -> list[tuple[str, int, int]]:
    return [(piece.sent, piece.start, piece.end) for piece in segmenter.segment(text)]


def test_same_sentences_and_spans_as_pysbd(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = texts()
    ours = [spans(segment._segmenter(), text) for text in corpus]
    monkeypatch.setattr(pysbd.abbreviation_replacer, "re", re)  # pysbd as shipped
    shipped = pysbd.Segmenter(language="en", clean=False, char_span=True)
    for text, mine in zip(corpus, ours, strict=True):
        assert mine == spans(shipped, text), text[:80]
    assert sum(len(found) for found in ours) > 400  # the corpus is not trivially small


def test_each_abbreviation_pattern_is_compiled_once() -> None:
    cache = pysbd.abbreviation_replacer.re
    assert isinstance(cache, segment._PatternCache)
    corpus = texts()
    for text in corpus:
        segment.sentences(text)
    known = len(cache._compiled)
    for text in corpus:
        segment.sentences(text)
    assert known > 0 and len(cache._compiled) == known


def test_a_pattern_never_matches_without_its_required_text() -> None:
    """The searches skipped are those that cannot match: checked for every cached pattern
    on every text, with and without the text the pattern is said to need."""
    cache = pysbd.abbreviation_replacer.re
    corpus = texts()
    for text in corpus:
        segment.sentences(text)
    checked = 0
    for (pattern, _flags), (compiled, required) in list(cache._compiled.items()):
        if required is None:
            continue
        checked += 1
        for text in corpus:
            if required not in text:
                assert compiled.search(text) is None, (pattern, text[:80])
        if not required.startswith("{"):  # the stop after an abbreviation: found when there
            tails = (" a", " 1", " (")
            assert any(compiled.search(" " + required + tail) for tail in tails), pattern
    assert checked > 50
