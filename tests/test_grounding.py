"""Locating quotes: spans are offsets into the original string, for any script."""

from __future__ import annotations

import pytest

from summarizer.grounding import Folded, found_in, locate, support_spans, unsupported_words
from summarizer.schemas import Span

ARTICLE = (
    "Moscow\u2019s Defense Ministry announced on November 12 that Russian troops had taken "
    "control of Sukhyi Yar \u2014 a village south of Pokrovsk.\r\n\r\n"
    "\u041c\u043e\u0441\u043a\u0432\u0430 \u0437\u0430\u044f\u0432\u0438\u043b\u0430 "
    "\u043e \u0433\u043e\u0442\u043e\u0432\u043d\u043e\u0441\u0442\u0438. "
    "Caf\u00e9 owners in Z\u00fcrich cheered \U0001f389 loudly. "
    "\u4e1c\u4eac\u5e02\u5ba3\u5e03\u4e86\u65b0\u653f\u7b56\u3002"
)


@pytest.mark.parametrize(
    "quote, kind",
    [
        ("Russian troops had taken control of Sukhyi Yar", "exact"),
        ("Moscow's Defense Ministry announced on November 12", "normalised"),  # straight quote
        ("control of Sukhyi Yar - a village", "normalised"),  # dash folded
        ("RUSSIAN TROOPS   had taken\ncontrol", "normalised"),  # case and spacing
        (
            "\u041c\u043e\u0441\u043a\u0432\u0430 \u0437\u0430\u044f\u0432\u0438\u043b\u0430",
            "exact",
        ),
        ("cheered \U0001f389 loudly", "exact"),
        ("\u4e1c\u4eac\u5e02\u5ba3\u5e03\u4e86\u65b0\u653f\u7b56", "exact"),
        ("Cafe owners in Zurich cheered", "fuzzy"),  # accents dropped
    ],
)
def test_locate_returns_original_offsets(quote: str, kind: str) -> None:
    evidence = locate(quote, ARTICLE)
    assert evidence is not None and evidence.match == kind
    found = ARTICLE[evidence.span.start : evidence.span.end]
    assert found == evidence.quote
    # the located text folds to what was asked for (fuzzy: nearly)
    if kind != "fuzzy":
        assert Folded.of(found).text == Folded.of(quote).text
    else:
        assert found.startswith("Caf\u00e9") and found.endswith("cheered")


def test_spans_survive_windows_line_endings() -> None:
    quote = "\u041c\u043e\u0441\u043a\u0432\u0430 \u0437\u0430\u044f\u0432\u0438\u043b\u0430 \u043e"
    evidence = locate(quote, ARTICLE)
    assert evidence is not None
    assert evidence.span.start == ARTICLE.index("\u041c")


def test_unlocatable_quote_is_none() -> None:
    assert locate("Ukraine surrendered Kyiv to Russian forces", ARTICLE) is None
    assert locate("   ", ARTICLE) is None


def test_folded_maps_back_across_collapsed_whitespace() -> None:
    text = "a  \r\n b\u2014c"
    folded = Folded.of(text)
    assert folded.text == "a b-c"
    assert folded.span(2, 5) == Span(start=6, end=9)


def test_unsupported_words_and_found_in() -> None:
    sentence = "Last month, U.S. President Donald Trump imposed restrictions on Lukoil and Rosneft."
    assert unsupported_words("Trump imposes restrictions on Lukoil", sentence) == set()
    assert unsupported_words("Trump bombs Paris", sentence) == {"bombs", "paris"}
    assert found_in("donald trump", sentence)
    assert not found_in("Vladimir Putin", sentence)


def test_support_spans_pick_the_supporting_sentence() -> None:
    sents = [
        (Span(start=0, end=40), "Russia took Sukhyi Yar south of Pokrovsk."),
        (Span(start=41, end=90), "Trump imposed restrictions on oil companies."),
    ]
    assert support_spans("Trump restricted Russian oil companies", sents) == [
        Span(start=41, end=90)
    ]
    assert support_spans("Bananas are yellow", sents) == []
