"""The reference time a sentence without date words inherits, decided over the document.

Articles here are written for these tests; the dates come from the shipped weights and the
code, nothing is stubbed. PUB is a Thursday, so "Monday" is three days before it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from summarizer.guard import screen
from summarizer.schemas import EventDate
from summarizer.segment import sentences
from summarizer.timeline import dating
from summarizer.timeline.dating import Option, Step, decode, in_quotation
from summarizer.timeline.events import candidates, dated_clauses

PUB = dt.date(2024, 3, 14)


def timeline(text: str) -> dict[str, EventDate]:
    """First words of each event's quote -> its date."""
    sents, _ = screen(text, sentences(text))
    return {" ".join(c.text.split()[:2]): c.date for c in candidates(text, sents, PUB)}


STORY = (
    "The city council voted on Monday to close the old harbour bridge to lorries.\n\n"
    "Councillors approved the measure by nine votes to four after a long debate.\n\n"
    "Engineers presented a report that showed cracks in two of the supports.\n\n"
    "Lorries now use the ring road, which adds about twenty minutes to the journey.\n\n"
    "The bridge is the only road to the port and carries about 20,000 vehicles a day."
)


def test_the_story_day_set_in_the_lede_is_inherited_by_later_past_narration() -> None:
    dates = timeline(STORY)
    assert dates["The city"].value == "2024-03-11"
    for later in ("Councillors approved", "Engineers presented"):
        assert (dates[later].value, dates[later].source) == ("2024-03-11", "narrative")


def test_present_tense_sentences_of_a_story_keep_the_publication_date() -> None:
    dates = timeline(STORY)
    for now in ("Lorries now", "The bridge"):
        assert (dates[now].value, dates[now].source) == ("2024-03-14", "publication")


def test_a_quotation_is_told_apart_from_the_narration_around_it() -> None:
    for text in (
        'The mayor said: "Today we keep our promise." Councillors agreed.',
        "The mayor said: \u201cToday we keep our promise.\u201d Councillors agreed.",
        "The mayor said: ``Today we keep our promise.'' Councillors agreed.",
    ):
        assert in_quotation(text, text.index("Today"))
        assert not in_quotation(text, text.index("Councillors"))
        assert not in_quotation(text, text.index("mayor"))
    # a quotation left open at a paragraph's end does not run into the next paragraph
    text = 'He said: "We start today.\n\nThe council met on Monday.'
    assert not in_quotation(text, text.index("council"))


def test_a_year_opening_a_sentence_is_offered_to_the_next_as_narrative_time() -> None:
    text = (
        "The company opened a new factory in the north of the country on Tuesday.\n\n"
        "In 2004, the founders sold their first machines from a garage in the capital.\n\n"
        "They hired a dozen workers and moved to a rented warehouse."
    )
    sents, _ = screen(text, sentences(text))
    clauses = dated_clauses(text, sents, PUB)
    setting = next(c for c in clauses if c.candidate.text.startswith("In 2004"))
    assert setting.candidate.date.value == "2004"
    after = next(c for c in clauses if c.candidate.text.startswith("They hired"))
    recent = next(o for o in after.options if o.kind == dating.RECENT)
    assert recent.value == "2004"
    assert recent.features.get(dating.feature(dating.RECENT, (dating.SET, "fronted"))) == 1.0


def test_a_year_inside_a_sentence_sets_no_narrative_time() -> None:
    text = (
        "The founders sold their first machines from a garage in 2004 and kept the receipts.\n\n"
        "They hired a dozen workers and moved to a rented warehouse."
    )
    sents, _ = screen(text, sentences(text))
    after = dated_clauses(text, sents, PUB)[-1]
    assert dating.RECENT not in [o.kind for o in after.options]


A, B = "2024-03-14", "2024-03-11"


def _option(kind: str, value: str, *names: str) -> Option:
    return Option(kind, EventDate(value=value, source="narrative"), None, dict.fromkeys(names, 1.0))


def test_viterbi_revises_a_doubtful_first_choice_that_greedy_keeps() -> None:
    # first sentence: A barely beats B; second sentence: strongly prefers continuing with B
    first = [_option("publication", A, "a"), _option("story", B, "b")]
    second = [_option("publication", A, "a2"), _option("story", B, "b2")]
    table = {
        "a": 0.1,
        "b": 0.0,
        "a2": 0.0,
        "b2": 0.0,
        dating.feature("story", (dating.PREVIOUS, "y")): 5.0,
        dating.feature("publication", (dating.PREVIOUS, "y")): 0.0,
    }
    steps = [Step(first, "past"), Step([], ""), Step(second, "past")]
    assert decode(steps, table, "greedy") == [0, None, 0]
    assert decode(steps, table, "viterbi") == [1, None, 1]


def test_a_step_fixed_by_the_hand_rule_is_kept_by_either_decoder() -> None:
    options = [_option("publication", A, "a"), _option("story", B)]
    steps = [Step(options, "past", fixed=options[1])]
    for how in dating.DECODERS:
        assert decode(steps, {"a": 3.0}, how) == [1]
    with pytest.raises(ValueError, match="unknown decoding"):
        decode(steps, {}, "beam")


def test_a_reported_clause_without_that_is_its_own_event() -> None:
    text = (
        "Reports from the ministry said the state oil company told foreign buyers of a "
        "cutback in its supplies in September."
    )
    sents, _ = screen(text, sentences(text))
    found = candidates(text, sents, dt.date(2024, 10, 20))
    by_value = {c.date.value: c for c in found}
    assert "2024-09" in by_value and len(found) == 2
    assert by_value["2024-09"].text.startswith("the state oil company told")
    for c in found:
        assert text[c.start : c.end] == c.text
