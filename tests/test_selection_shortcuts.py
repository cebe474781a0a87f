"""Selection's shortcuts give exactly what the plain definitions give (issue 28: the summary at a
fraction of its cost, output identical).

``selection.Article`` works centrality and redundancy out from sums of squared counts rather than
from ``cosine`` of ``Counter`` differences, and skips case-blind regexes when a lower-cased text
holds none of their words (``may_contain``). Each is checked here against the plain definition,
exactly (``==`` on floats), on the sample texts and on FRANK's CNN/DM articles read in place."""

from __future__ import annotations

import json
import re
from itertools import islice

import pytest
from support.paths import SAMPLE, SHARED

from summarizer.evaluation.casing import lower_tokenised
from summarizer.segment import sentences
from summarizer.strategies import extractive
from summarizer.summary import selection

FRANK = SHARED / "data" / "frank" / "frank_docs.jsonl"
FRANK_ARTICLES = 60

STRUCTURED = (
    "How Do Dock Closures Work?\n\n"
    "By Jane Smith, Harbour Editor\n\n"
    "PUBLISHED: 12:30 EST, 4 June 2013 | UPDATED: 13:01 EST\n\n"
    "The harbour authority of Port Elmar closed the northern dock on Monday after a crane "
    "collapsed. Nobody was hurt when the crane fell, the authority said.\n\n"
    "Ships bound for the northern dock were sent to the southern terminal instead. The dock "
    "closed on Monday after the crane collapsed, according to the authority.\n\n"
    "Insurance Claims\n\n"
    "The dock's insurer said claims would be paid within a month."
)


def texts() -> list[str]:
    """The sample article, a structured text, FRANK's first CNN/DM articles when the data is
    there; each also lower-cased and tokenised."""
    found = [SAMPLE.read_text(encoding="utf-8"), STRUCTURED]
    if FRANK.exists():
        with FRANK.open(encoding="utf-8") as fh:
            rows = (json.loads(line) for line in fh)
            cnndm = {r["hash"]: r["article"] for r in rows if r["dataset"] == "cnndm"}
        found += list(islice(cnndm.values(), FRANK_ARTICLES))
    return found + [lower_tokenised(t) for t in found]


@pytest.fixture(scope="module")
def articles() -> list[selection.Article]:
    return [selection.Article(selection.units(sentences(text))) for text in texts()]


def test_centrality_and_redundancy_equal_cosine_of_counters(
    articles: list[selection.Article],
) -> None:
    for article in articles:
        bags = article.bags
        for i in range(len(bags)):
            rest = article.total - bags[i]
            assert article.features(i)["centrality"] == selection.cosine(bags[i], rest)
            for chosen in ([], [0], list(range(i)), list(range(i + 1, len(bags)))[:6]):
                plain = max((selection.cosine(bags[i], bags[j]) for j in chosen), default=0.0)
                assert article.redundancy(i, chosen) == plain


def test_the_word_features_equal_their_plain_definitions(
    articles: list[selection.Article],
) -> None:
    for article in articles:
        for i, unit in enumerate(article.sents):
            found = article.features(i)
            own = set(article.bags[i])
            shared = len(own & article.head_words)
            words = re.findall(r"[^\W_]+(?:['’][^\W_]+)?", unit.text)
            assert found["length"] == min(len(words), 60) / 30.0
            assert found["pronoun_opener"] == float(
                (words or [""])[0].lower() in selection.PRONOUN_OPENERS
            )
            assert found["attribution"] == float(bool(selection.ATTRIBUTION.search(unit.text)))
            if i:
                assert found["head_word_share"] == shared / max(1, len(own))
                assert found["head_word_recall"] == shared / max(1, len(article.head_words))


def test_a_lower_cased_text_holds_every_case_blind_match_but_of_the_odd_letters() -> None:
    """``may_contain``'s premise, over every code point: a letter that ``re.IGNORECASE``
    matches to an ASCII letter is that letter once lower-cased, or one of ``ODD_CASES``; and
    lower-casing keeps every other character one character long."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    odd = set(selection.ODD_CASES)
    for letter in "abcdefghijklmnopqrstuvwxyz":
        for char in set(re.findall(letter, every, re.I)):
            assert char in odd or char.lower() == letter, (letter, char)
    assert all(len(c.lower()) == 1 for c in set(every) - odd)


@pytest.mark.parametrize(
    ("pattern", "needles", "line"),
    [
        (selection._STAMP, selection._STAMP_WORDS, "PUBLIſHED: 12:30 EST"),
        (selection._STAMP, selection._STAMP_WORDS, "Last UPDATED : 13:01 EST"),
        (selection._STAMP, selection._STAMP_WORDS, "PUBLİSHED: 12:30 EST"),
        (selection.ATTRIBUTION, selection.ATTRIBUTION_WORDS, "The mayor SAİD so."),
        (selection.ATTRIBUTION, selection.ATTRIBUTION_WORDS, "It was aDDed last."),
        (selection.ATTRIBUTION, selection.ATTRIBUTION_WORDS, "The ſources ſaid so."),
    ],
)
def test_may_contain_never_hides_a_match(
    pattern: re.Pattern[str], needles: tuple[str, ...], line: str
) -> None:
    assert pattern.search(line) and selection.may_contain(line, needles)


def test_may_contain_holds_every_match_on_real_text() -> None:
    for text in texts():
        for unit in selection.units(sentences(text)):
            for pattern, needles in (
                (selection._STAMP, selection._STAMP_WORDS),
                (selection.ATTRIBUTION, selection.ATTRIBUTION_WORDS),
            ):
                if pattern.search(unit.text):
                    assert selection.may_contain(unit.text, needles), unit.text


def test_the_summary_finds_the_flags_once_as_each_part_would() -> None:
    for text in texts()[:4]:
        sents = sentences(text)
        summary = extractive.summary(sents, None, spread=False)
        assert summary.gist == extractive.gist(extractive.lede_of(sents), {})[:400]
        assert summary.key_points == extractive.key_points(sents, {}, skip=None, spread=False)
