"""The segmenter's own rules: hand-checked cuts, exact spans, gold boundaries, its cost.

``segment`` cuts sentences with its own linear scan (module docstring); pysbd stays beside
it here as the baseline it replaced: it must do no worse on gold boundaries. Its cost
against one pysbd pass is a benchmark, not a test: ``bench/segment_boundaries.py``.
"""

from __future__ import annotations

import json

import pysbd
import pytest
from support.paths import REPO

from summarizer import segment
from summarizer.segment import sentences

WIKINEWS = REPO / "eval" / "datasets" / "wikinews.jsonl"
SAMPLE = REPO / "examples" / "kremlin-peace-talks-2025-11-13.txt"

# text -> the sentences a careful reader cuts it into
EDGES = {
    "Mr. Smith met MR. JONES and mr. brown. Then Gen. Lee spoke. Then Gen. Lee spoke.": [
        "Mr. Smith met MR. JONES and mr. brown.",
        "Then Gen. Lee spoke.",
        "Then Gen. Lee spoke.",
    ],
    "See p. 12 and No. 5 on art. 3 of the code.  It was 3 p.m. in the U.S. on Jan. 5.": [
        "See p. 12 and No. 5 on art. 3 of the code.",
        "It was 3 p.m. in the U.S. on Jan. 5.",
    ],
    "1. First item. 2. Second item. 3. Third item.": [
        "1. First item.",
        "2. Second item.",
        "3. Third item.",
    ],
    "The e.g. case, i.e. this one, Ph.D. holders and St. Louis, Mo. residents.": [
        "The e.g. case, i.e. this one, Ph.D. holders and St. Louis, Mo. residents.",
    ],
    "It was 3 p.m. The rain fell on the U.S. Army base. Talks in the U.S. It was over.": [
        "It was 3 p.m.",
        "The rain fell on the U.S. Army base.",
        "Talks in the U.S.",
        "It was over.",
    ],
    "Apple Inc. The company said so. Apple Inc. CEO Tim Cook spoke. George W. Bush left.": [
        "Apple Inc.",
        "The company said so.",
        "Apple Inc. CEO Tim Cook spoke.",
        "George W. Bush left.",
    ],
    "He was born in 1950. 1960 saw him leave. It cost $3.5 million. $2 million was paid.": [
        "He was born in 1950.",
        "1960 saw him leave.",
        "It cost $3.5 million.",
        "$2 million was paid.",
    ],
    'Wait... What happened... it was late. "Stop!" he said. "Go." She went. Why? No.': [
        "Wait...",
        "What happened... it was late.",
        '"Stop!" he said.',
        '"Go."',
        "She went.",
        "Why?",
        "No.",
    ],
    "The rate rose to 5.5. Analysts said so. Visit apple.com. The iPhone sold. iOS 4 is out.": [
        "The rate rose to 5.5.",
        "Analysts said so.",
        "Visit apple.com.",
        "The iPhone sold.",
        "iOS 4 is out.",
    ],
    "``It was a bomb,'' he said. ``You can see a crater.'' Police came.\nA title\nYes. Yes.": [
        "``It was a bomb,'' he said.",
        "``You can see a crater.''",  # the closing quote stays with its sentence
        "Police came.",
        "A title",
        "Yes.",
        "Yes.",
    ],
    # a numbered list flattened into one line: each item is cut before its marker
    "Facts about him 1. Twizzlers are his snack 2. Ramen soup is a meal 3. He runs daily": [
        "Facts about him",
        "1. Twizzlers are his snack",
        "2. Ramen soup is a meal",
        "3. He runs daily",
    ],
    'On Jan. 5. He left. It was 2. Then 3. He said. "... A woman may." Inc. Ms. Lee came.': [
        "On Jan. 5.",
        "He left.",
        "It was 2.",
        "Then 3.",
        "He said.",
        '"... A woman may."',
        "Inc.",
        "Ms. Lee came.",
    ],
    # scripts without capitals: a full-width stop needs no space after it
    "北京今天下雨。我们留在家里！他说：「我們走吧。」然後離開了。": [
        "北京今天下雨。",
        "我们留在家里！",
        "他说：「我們走吧。」",
        "然後離開了。",
    ],
    "مرحبا. كيف حالك؟ بخير. यह एक वाक्य है। यह दूसरा है।": [
        "مرحبا.",
        "كيف حالك؟",
        "بخير.",
        "यह एक वाक्य है।",
        "यह दूसरा है।",
    ],
}


def corpus() -> list[str]:
    rows = [json.loads(line) for line in WIKINEWS.read_text(encoding="utf-8").splitlines()]
    return [row["text"] for row in rows] + [SAMPLE.read_text(encoding="utf-8"), *EDGES]


@pytest.mark.parametrize("text", list(EDGES))
def test_cuts_where_a_reader_does(text: str) -> None:
    assert [s.text for s in sentences(text)] == EDGES[text]


def test_spans_are_exact_ordered_and_cover_every_word() -> None:
    for text in corpus():
        found = sentences(text)
        assert all(text[s.start : s.end] == s.text and s.text == s.text.strip() for s in found)
        assert all(a.end <= b.start for a, b in zip(found, found[1:]))
        covered = "".join(text[a.end : b.start] for a, b in zip(found, found[1:]))
        outside = text[: found[0].start] + covered + text[found[-1].end :]
        assert not outside.strip(), text[:80]  # only whitespace falls between sentences
        assert [s.index for s in found] == list(range(len(found)))


def _pysbd_cut(segmenter: pysbd.Segmenter) -> segment.FirstCut:
    def cut(text: str, start: int, end: int) -> list[tuple[int, int]]:
        line, pieces, cursor = text[start:end], [], 0
        for piece in segmenter.segment(line):
            at = line.find(piece.sent, cursor)
            at = piece.start if at < 0 else at
            cursor = at + len(piece.sent)
            pieces.append((start + at, start + cursor))
        return pieces

    return cut


def test_gold_boundaries_no_worse_than_pysbd() -> None:
    """MEANTIME's gold sentences (``wikinews.jsonl`` holds them one a line) run together
    into one paragraph: every boundary must be found from the text itself."""
    shipped = _pysbd_cut(pysbd.Segmenter(language="en", clean=False, char_span=True))
    rows = [json.loads(line) for line in WIKINEWS.read_text(encoding="utf-8").splitlines()]
    scores = {}
    for name, split in (("new", sentences), ("pysbd", lambda t: segment.split(t, shipped))):
        found = right = gold_n = 0
        for row in rows:
            text, gold = "", set()
            for line in row["text"].split("\n"):
                text += (" " if text else "") + line
                gold.add(len(text))
            gold.discard(len(text))
            ends = {s.end for s in split(text)} - {len(text)}
            found, right, gold_n = found + len(ends), right + len(ends & gold), gold_n + len(gold)
        precision, recall = right / found, right / gold_n
        scores[name] = 2 * precision * recall / (precision + recall)
    assert gold_n > 300
    assert scores["new"] >= scores["pysbd"] and scores["new"] >= 0.98, scores
