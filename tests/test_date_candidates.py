"""The date tagger's candidate pass finds exactly what each template's own search finds.

``tagger._candidates`` looks for the templates only where one pass says a match may
start (a word start whose first word, or character, can begin the template); this
checks it against the plain form, every template's ``finditer`` over the whole text,
on real news text and on texts made to reach the edges (case folding outside ASCII,
non-ASCII digits, typographic marks, matches that overlap within one template).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.paths import REPO, SHARED

from summarizer.dates import tagger

WIKINEWS = REPO / "eval" / "datasets" / "wikinews.jsonl"


def every_template_searched(text: str) -> list[tuple[int, int]]:
    spans: set[tuple[int, int]] = set()
    for rx in tagger._compiled():
        for m in rx.finditer(text):
            if m.end() > m.start() and tagger._plausible(text, m):
                spans.add((m.start(), m.end()))
    return sorted(spans, key=lambda se: (se[0], -(se[1] - se[0])))


EDGES = [
    "On Monday, Oct. 23 , 2008 the 1990s ended; 2009-2010 and March 3-5, two weeks ago.",
    "ſeptember 5 and \u212aalends; THE LAST WEEK of ＭAY, Q3'24 and 1H26 in the 5th of May",
    "٢٠٠٩ and २०१० are years? It was 4 a.m. EDT Thursday, noon Saturday, every other week.",
    # case folding and digits outside ASCII: "ſ" is "s" and "٤" a digit to ``re``
    "It was ٤ a.m. EDT, in ſpring",
    "ſummer 2009, about ٣ weeks ago",
    "'90s, ‘90s, the week of March 6, year-end, mid-2009, the year-ago quarter, now, lately",
    "three years three years ago for decades within weeks in the days before the vote",
    # the typographic marks the guard reads as characters of their own
    "Obama\u2019s term \u2013 two years \u2014 \u2018the past year\u2019, the\u00a0week, "
    "\u00a35 million, 5\u00a0years ago, last\u00a0week, a\u00a0year ago, \u201cthe year\u201d 2009\u2026 \u201990s \u20ac2m",
    "twenty-one days twentyone days 2 1/2 years the first half of 2009 H1 2026 FY 2025",
    "",
    "x",
]


@pytest.mark.parametrize("text", EDGES)
def test_edges_found_as_every_template_searched_finds_them(text: str) -> None:
    assert tagger._candidates(text) == every_template_searched(text)


def test_news_found_as_every_template_searched_finds_them() -> None:
    texts = [json.loads(line)["text"] for line in WIKINEWS.read_text(encoding="utf-8").splitlines()]
    found = 0
    for text in texts:
        expected = every_template_searched(text)
        assert tagger._candidates(text) == expected
        found += len(expected)
    assert found > 100  # the texts hold dates, so the comparison compared something


def test_first_characters_err_towards_more() -> None:
    parsed = tagger.sre_parse.parse(r"(?:the )?(?:\d+|k)\b", re.IGNORECASE)
    chars, may_be_empty = tagger._first_characters(parsed)
    assert not may_be_empty
    assert set("tTkK0123456789") <= chars
    assert "x" not in chars


CORPORA = [
    SHARED / "data" / "frank" / "frank_docs.jsonl",
    SHARED / "data" / "news_summ_train" / "bbc_news_summary.jsonl",
    SHARED / "data" / "news_summ_train" / "cnndm_train_val.jsonl",
]


def _articles(path: Path, count: int) -> list[str]:
    texts: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            texts.append(json.loads(line)["article"])
            if len(texts) == count:
                break
    return texts


@pytest.mark.slow
@pytest.mark.parametrize("path", CORPORA, ids=lambda p: p.parent.name + "/" + p.name)
def test_corpus_found_as_every_template_searched_finds_them(path: Path) -> None:
    """The word guard skips word starts no template can open with: on news of three
    corpora (read in place) the pass still finds what every template's search finds."""
    if not path.exists():
        pytest.skip(f"{path} not in ../shared")
    found = 0
    for text in _articles(path, 60):
        expected = every_template_searched(text)
        assert tagger._candidates(text) == expected
        found += len(expected)
    assert found > 200


def test_leading_runs_of_a_template() -> None:
    """The runs a match may open with: whole words where the template goes on past them,
    prefixes where the text's word may run on; "the" is read with the word after it
    (the space stands for any spaces); lookarounds take nothing."""
    parsed = tagger.sre_parse.parse(r"(?<!x)(?:the |mid-)?(?:may|june?)\b|\d+ days?", re.I)
    states = tagger._leading_runs(parsed, {("", tagger._OPEN)})
    closed = {run for run, how in states if how == tagger._CLOSED}
    still_open = {run for run, how in states if how != tagger._CLOSED}
    assert closed == {"mid", "", "the "}  # "": a digit start, which its character judges
    assert still_open == {"may", "jun", "june", "the may", "the jun", "the june"}


def test_word_guard_holds_where_a_template_matches() -> None:
    """The guard lets through every word start a template matches at, and not the others."""
    parsed = tagger.sre_parse.parse(tagger._full_pattern(r"the (?:first|second) half"), re.I)
    chars, _ = tagger._first_characters(parsed)
    runs = tagger._runs(parsed)
    guard = re.compile(tagger._WORD_EDGE_BEFORE + tagger._word_guard([(runs, chars)]))
    text = "Then the first half, THE second half, the third half, theme, ſecond; the\u00e9"
    # "ſ" opens no ASCII run and "the" runs on into "é": the guard cannot judge them
    expected = [text.index(w) for w in ("the first", "THE", "ſecond", "the\u00e9")]
    assert [m.start() for m in guard.finditer(text)] == expected
