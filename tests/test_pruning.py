"""Phrase pruning (summarizer/pruning.py): which phrases are offered, how deletion keeps a
sentence, and shortening to a limit, on sentences written here."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from summarizer.segment import sentences
from summarizer.summary import pruning, selection
from summarizer.summary.pruning import (
    NEVER,
    Phrase,
    abstract,
    phrase_features,
    phrases,
    shorten,
    without,
)


def offered(text: str) -> dict[str, str]:
    return {p.kind: text[p.start : p.end].strip(" ,") for p in phrases(text)}


def test_each_kind_of_phrase_is_found():
    assert (
        offered(
            "WELLINGTON, New Zealand (CNN) -- The harbour bridge reopened on Monday after "
            "two days of repairs."
        )["dateline"]
        == "WELLINGTON, New Zealand (CNN) --"
    )
    assert (
        offered("The council (which met twice) approved the plan for the new library.")[
            "parenthesis"
        ]
        == "(which met twice)"
    )
    assert (
        offered("The mayor -- elected only last spring -- approved the plan for the library.")[
            "dash"
        ]
        == "-- elected only last spring --"
    )
    assert (
        offered("Ana Ruiz, who founded the bakery in 1998, opened a second shop on Main Street.")[
            "relative"
        ]
        == "who founded the bakery in 1998"
    )
    assert (
        offered("Ana Ruiz, a baker from Leeds, opened a second shop on Main Street on Friday.")[
            "apposition"
        ]
        == "a baker from Leeds"
    )
    assert (
        offered("The river burst its banks on Tuesday, flooding hundreds of homes in the valley.")[
            "trailing_participle"
        ]
        == "flooding hundreds of homes in the valley"
    )
    assert (
        offered(
            "After a long debate in the chamber, the council approved the plan for the library."
        )["leading"]
        == "After a long debate in the chamber"
    )


def test_a_name_before_a_dash_aside_is_no_dateline():
    text = (
        "Abase Hussen – who blamed police for failing to stop his daughter – conceded the "
        "teenager was influenced by the rally."
    )
    assert "dateline" not in offered(text)
    assert without(text, phrases(text)) == (
        "Abase Hussen conceded the teenager was influenced by the rally."
    )
    assert (
        offered("WASHINGTON -- The Senate passed the budget bill late on Friday night.")["dateline"]
        == "WASHINGTON --"
    )


def test_an_aside_that_a_relative_clause_leans_on_is_not_offered():
    text = (
        "Troops advanced on Ukraine, even as talks resumed around the city of Pokrovsk, where "
        "fighting has intensified."
    )
    assert not any(text[p.start : p.end].startswith(", even") for p in phrases(text))
    # only a name's apposition that opens as a noun phrase: not a clause after a name
    assert "apposition" not in offered(
        "Talks began with Ukraine, even as the troops advanced on the city."
    )


def test_a_leading_clause_before_another_aside_is_not_offered():
    assert "leading" not in offered(
        "Since the talks broke down, now almost a year ago, both sides "
        "have escalated their attacks on the border towns."
    )


def test_attributions_quotes_and_conditions_are_never_offered():
    # who said it stays with the claim; a quotation is not cut; "if" keeps the claim conditional
    assert "trailing" not in offered(
        "The bridge will stay shut until March, the city engineer said."
    )
    assert "apposition" not in offered(
        "The plan, according to the mayor, will cost less than expected."
    )
    assert not any(
        p.kind == "trailing"
        for p in phrases(
            'The bridge is safe, "but only for cars and bicycles", the engineer told reporters.'
        )
    )
    assert "leading" not in offered(
        "If the rain continues, the match will be moved to Sunday afternoon."
    )


def test_deleting_keeps_a_sentence():
    text = "after a long debate, the city council approved the new plan (in principle), which had twice been delayed."
    found = phrases(text)
    assert {p.kind for p in found} == {"leading", "trailing_relative", "parenthesis"}
    assert without(text, found) == "The city council approved the new plan."
    inner = "The council, which met twice, approved the plan."
    assert without(inner, phrases(inner)) == "The council approved the plan."
    trailing = "The river burst its banks on Tuesday, flooding hundreds of homes."
    assert without(trailing, phrases(trailing)) == "The river burst its banks on Tuesday."
    assert without(trailing, []) == trailing


def test_overlapping_phrases_delete_only_the_longest():
    text = "The mayor approved the plan for the new library in the old town."
    inner, outer = Phrase(10, 27, "apposition"), Phrase(5, 40, "apposition")
    assert without(text, [inner, outer]) == without(text, [outer])


def test_shorten_deletes_the_longest_asides_until_the_sentence_fits():
    text = (
        "Ana Ruiz, a baker from the old town of Leeds, opened a second shop (her third in all) "
        "on Main Street on Friday, drawing a queue."
    )
    assert shorten(text, 40) == text  # already short enough
    # the longest aside first; only as many as the limit needs
    assert (
        shorten(text, 20)
        == "Ana Ruiz opened a second shop (her third in all) on Main Street on Friday, drawing a queue."
    )
    assert shorten(text, 12) == "Ana Ruiz opened a second shop on Main Street on Friday."
    # nothing left to delete: what remains may still be over the limit
    assert shorten(text, 3) == "Ana Ruiz opened a second shop on Main Street on Friday."


def test_shorten_keeps_the_articles_words_in_order_and_its_attributions():
    article = (
        "WELLINGTON, New Zealand (CNN) -- The harbour bridge reopened on Monday, two days "
        "after a crane struck one of its spans. Engineers, who worked through the night, "
        "found no damage to the main cables. The city council said the crane's operator, a "
        "firm based in Auckland, would pay for the repairs. Traffic was heavy but moving by "
        "mid-morning, police said. Ferries, which had run extra crossings, returned to their "
        "usual timetable."
    )
    text = " ".join(shorten(s.text, 5) for s in sentences(article))
    assert len(text.split()) < len(article.split())
    words = article.lower().replace(",", " ").replace(".", " ").split()
    position = 0
    for word in text.lower().replace(",", " ").replace(".", " ").split():
        assert word in words[position:], word  # each word is the article's, in the article's order
        position = words.index(word, position) + 1
    assert "police said" in text  # an attribution is never cut
    assert "no damage" in text  # nor the main clause


# an article whose units carry long parentheses (and one relative clause)
ASIDES = (
    "The harbour bridge in Port Elmar reopened to traffic on Monday morning after repairs "
    "(the work took two days and cost more than the council had set aside). "
    "Engineers found no damage to the main cables of the bridge over the harbour "
    "(they had worked through the night with lamps and a borrowed crane). "
    "Ferries that had run extra crossings returned to their usual timetable on Tuesday "
    "(the ferry company had laid on six crossings for commuters and school children). "
    "The council, which met on Wednesday, thanked the engineers for their quick work on it."
)
PARENTHESES_ONLY = {"bias": -1.0, "kind_parenthesis": 2.0}


def _in_order(text: str, source: str) -> bool:
    words = source.lower().replace(",", " ").replace(".", " ").split()
    position = 0
    for word in text.lower().replace(",", " ").replace(".", " ").split():
        if word not in words[position:]:
            return False
        position = words.index(word, position) + 1
    return True


def test_the_abstract_deletes_only_the_phrases_scored_over_the_threshold():
    units = selection.units(sentences(ASIDES))
    texts = abstract(
        units, table=PARENTHESES_ONLY, threshold=0.0, sentences=4, words=0, redundancy=0
    )
    assert len(texts) == 4
    joined = " ".join(texts)
    assert "(" not in joined and "which met on Wednesday" in joined  # relative: logit -1
    assert _in_order(joined, ASIDES)
    # above every logit: nothing deleted, the plain selection
    plain = abstract(
        units, table=PARENTHESES_ONLY, threshold=NEVER, sentences=4, words=0, redundancy=0
    )
    assert plain == [s.text for s in selection.select(units, sentences=4, words=0, redundancy=0)]
    assert plain.count("(") == texts.count("(") and joined != " ".join(plain)


def test_the_word_target_counts_the_words_left_after_pruning():
    units = selection.units(sentences(ASIDES))
    settings = {"sentences": 0, "words": 40, "lead_bonus": 0.0, "redundancy": 0.0}
    unpruned = abstract(units, table=PARENTHESES_ONLY, threshold=NEVER, **settings)
    pruned = abstract(units, table=PARENTHESES_ONLY, threshold=0.0, **settings)
    # with the asides gone the same target holds more of the article's statements
    assert len(pruned) > len(unpruned)
    assert sum(len(t.split()) for t in pruned) < sum(len(t.split()) for t in unpruned) + 20


def test_phrase_features_leave_capitals_out_of_a_lowered_article():
    text = "Ana Ruiz, a baker from Leeds, opened a second shop on Main Street on Friday."
    (p,) = [p for p in phrases(text) if p.kind == "apposition"]
    common = {"lede_words": set(), "article": Counter(), "first_unit": False}
    assert phrase_features(text, p, cased=True, **common)["names"] > 0
    assert phrase_features(text, p, cased=False, **common)["names"] == 0.0


def test_shipped_pruning_weights_name_only_known_features():
    stored = pruning.trained()
    if not stored:
        pytest.skip("no pruning_weights.json: the abstract is not pruned")
    text = "Ana Ruiz, a baker from Leeds, opened a second shop on Main Street on Friday."
    known = set(
        phrase_features(
            text,
            phrases(text)[0],
            lede_words=set(),
            article=Counter(),
            first_unit=False,
            cased=True,
        )
    )
    assert set(stored["weights"]) <= known | {"bias"}
    assert isinstance(stored["threshold"], float)
    assert set(stored["selection"]) <= {"words", "sentences"}


def test_the_pruned_abstract_needs_no_scikit_learn():
    code = (
        "import sys; from summarizer.summary import pruning, selection; "
        "from summarizer.segment import sentences; "
        f"pruning.abstract(selection.units(sentences({ASIDES!r}))); print('sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
