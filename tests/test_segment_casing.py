"""Sentence splitting of lower-cased and tokenised text (``segment.sentences``)."""

from __future__ import annotations

import json

import pytest
from support.paths import SHARED

from summarizer.evaluation.casing import lower_tokenised
from summarizer.evaluation.metrics import sentences as eval_sentences
from summarizer.segment import caseless, letter_counts, sentences, tokenised

TOKENISED = (
    "kathmandu , nepal -lrb- cnn -rrb- -- the quake struck at noon . and they are still "
    "digging , officials said . `` we need help . '' the u.s. sent a team of 40 . "
    "mr. smith , 45 , said it was ready ? yes ."
)
CASELESS = (
    "kathmandu, nepal (cnn) -- the quake struck at noon. and they are still digging, "
    'officials said. "we need help." the u.s. sent a team at 3 p.m. on jan. 5. '
    "mr. smith, 45, said it cost $3.5 million. no. 5 was hit too."
)
FRANK = SHARED / "data" / "frank" / "frank_docs.jsonl"


def texts(text: str) -> list[str]:
    found = sentences(text)
    assert all(text[s.start : s.end] == s.text for s in found)  # spans stay exact
    return [s.text for s in found]


def test_kinds_are_told_apart() -> None:
    assert tokenised(TOKENISED) and not tokenised(CASELESS)
    assert caseless(CASELESS) and caseless(TOKENISED)
    cased = "The quake struck at noon. Officials said they were still digging in Kathmandu."
    assert not caseless(cased) and not tokenised(cased)


@pytest.mark.skipif(not FRANK.exists(), reason="needs ../shared/data/frank")
def test_letter_counts_as_counted_one_character_at_a_time() -> None:
    """The shortcut (ASCII counted by bytes.translate) counts what str.isalpha and
    str.isupper count, on FRANK's articles as written and lower-cased, and on letters
    outside ASCII: accented, Greek, Cyrillic, titlecase, the Kelvin sign, digits in other
    scripts."""
    rows = [json.loads(line) for line in FRANK.open(encoding="utf-8")][:120]
    odd = "Ünïcode ÉCOLE Ωmega ПРАВДА ǅungla \u212a ١٢٣ ß ﬁne İstanbul ıi Straße"
    samples = [r["article"] for r in rows] + [r["article"].lower() for r in rows] + [odd]
    assert sum(not text.isascii() for text in samples) > 50
    for text in samples:
        plain = (sum(map(str.isalpha, text)), sum(map(str.isupper, text)))
        assert letter_counts(text) == plain


def test_tokenised_text_splits_at_every_stop_token() -> None:
    assert texts(TOKENISED) == [
        "kathmandu , nepal -lrb- cnn -rrb- -- the quake struck at noon .",
        "and they are still digging , officials said .",
        "`` we need help . ''",  # the closing quote stays with its sentence
        "the u.s. sent a team of 40 .",
        "mr. smith , 45 , said it was ready ?",
        "yes .",
    ]


def test_caseless_text_splits_but_not_after_abbreviations() -> None:
    assert texts(CASELESS) == [
        "kathmandu, nepal (cnn) -- the quake struck at noon.",
        "and they are still digging, officials said.",
        '"we need help."',
        "the u.s. sent a team at 3 p.m. on jan. 5.",
        "mr. smith, 45, said it cost $3.5 million.",
        "no. 5 was hit too.",
    ]


def test_true_cased_text_is_split_as_before() -> None:
    text = "The U.S. sent a team on Jan. 5 to Kathmandu. Mr. Smith said it was ready.\n\nIt was."
    assert texts(text) == [
        "The U.S. sent a team on Jan. 5 to Kathmandu.",
        "Mr. Smith said it was ready.",
        "It was.",
    ]


@pytest.mark.skipif(not FRANK.exists(), reason="needs ../shared/data/frank")
def test_lowered_articles_keep_about_as_many_sentences_as_true_cased() -> None:
    """On FRANK's CNN/DM articles, the lower-cased tokenised form splits into about as
    many sentences as the stops of the original mark (the issue measured half before),
    and so does the true-cased text."""
    rows = [json.loads(line) for line in FRANK.open(encoding="utf-8")]
    articles = [r["article"] for r in rows if r.get("dataset") == "cnndm"][:40]
    cased = sum(len(sentences(a)) for a in articles)
    lowered = sum(len(sentences(lower_tokenised(a))) for a in articles)
    stops = sum(len(eval_sentences(a)) for a in articles)
    assert 0.9 * stops <= lowered <= 1.05 * stops, (cased, lowered, stops)
    assert 0.9 * stops <= cased <= 1.05 * stops, (cased, lowered, stops)
    assert abs(lowered - cased) <= 0.05 * cased, (cased, lowered, stops)
