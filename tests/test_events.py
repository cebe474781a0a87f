"""Event candidates decided by code: clauses, dates (written or inferred), status."""

from __future__ import annotations

import datetime as dt

import pytest
from support.paths import SAMPLE

from summarizer import summarise
from summarizer.loading import parse_text
from summarizer.segment import sentences
from summarizer.timeline.events import candidates, status_of, tense


@pytest.fixture(scope="module")
def sample_candidates():  # type: ignore[no-untyped-def]
    doc = parse_text(SAMPLE.read_text(encoding="utf-8"), doc_id="sample")
    return doc, candidates(doc.text, sentences(doc.text), doc.date)


@pytest.mark.parametrize(
    "clause_start, value, source",
    [
        ("Moscow\u2019s Defense Ministry announced on November 12", "2025-11-12", "written"),
        ("Earlier on Monday", "2025-11-10", "written"),
        ("which last took place in the Turkish city on July 23", "2025-07-23", "written"),
        ("At the time, Ukraine proposed a meeting", "2025-08", "written"),
        ("Last month, U.S. President Donald Trump", "2025-10", "written"),
        # no date words: the narrative's last date (the previous sentence's July 23)
        ("That meeting lasted only 40 minutes", "2025-07-23", "narrative"),
        # present tense, no date words: the publication date
        ("Ukrainian officials describe the situation", "2025-11-13", "publication"),
    ],
)
def test_sample_dates(sample_candidates, clause_start: str, value: str, source: str) -> None:  # type: ignore[no-untyped-def]
    doc, found = sample_candidates
    [cand] = [c for c in found if c.text.startswith(clause_start)]
    assert (cand.date.value, cand.date.source) == (value, source)
    assert doc.text[cand.start : cand.end] == cand.text


def test_every_candidate_is_a_verbatim_span(sample_candidates) -> None:  # type: ignore[no-untyped-def]
    doc, found = sample_candidates
    assert len(found) >= 15
    for cand in found:
        assert doc.text[cand.start : cand.end] == cand.text
        if cand.date.span is not None:  # written dates point at their words, inside the clause
            words = doc.text[cand.date.span.start : cand.date.span.end]
            assert words == cand.date.text
            assert cand.start <= cand.date.span.start < cand.end


def test_reported_clause_gets_its_own_date() -> None:
    text = (
        "Apple held its developer conference yesterday. "
        "Steve Jobs announced that Mac OS X Leopard would be released in 2007."
    )
    found = candidates(text, sentences(text), dt.date(2005, 6, 7))
    values = {(c.text[:20], c.date.value) for c in found}
    assert ("Steve Jobs announced", "2005-06-06") in values  # narrative: yesterday
    assert any(c.date.value == "2007" and c.text.startswith("that Mac OS X") for c in found)


def test_no_publication_date_leaves_relative_dates_unresolved() -> None:
    text = "The council met on Monday to approve the budget for the city."
    [cand] = candidates(text, sentences(text), None)
    assert cand.date.value is None and cand.date.source == "unresolved"


@pytest.mark.parametrize(
    "clause, expected",
    [
        ("The company will open a store next year", "planned"),
        ("If the deal fails, prices could rise", "hypothetical"),
        ("Officials said the bridge collapsed", "claim"),
        ("The bridge collapsed on Tuesday", "fact"),
        # non-events: a state that holds, a report of what was not done or said
        ("The city, which once had 60,000 residents, remains a transport hub", "state"),
        ("Merrill Lynch is the sole underwriter for the offering", "state"),
        ("He did not specify when the exchanges took place", "negated"),
        ("Terms weren't disclosed", "negated"),
        ("The company declined to comment on the report", "negated"),
        # a negation inside a quotation or a relative clause is not the clause's own
        ("``We don't just arrive,'' the general said", "claim"),
        ("A pilot, who did not give his name, landed the plane", "fact"),
        ("The council is expected to vote next week", "planned"),
        ("Apple is selling films on iTunes", "fact"),  # progressive: not a state
    ],
)
def test_status(clause: str, expected: str) -> None:
    assert status_of(clause, clause) == expected


@pytest.mark.parametrize(
    "clause, expected",
    [
        ("Ukrainian officials describe the situation as difficult", "present"),
        ("Trump imposed restrictions on two oil companies", "past"),
        ("Moscow's renewed diplomatic overtures come amid fighting", "present"),
        ("The talks will resume in Istanbul", "future"),
    ],
)
def test_tense(clause: str, expected: str) -> None:
    assert tense(clause) == expected


def test_candidates_after_find_dates_does_not_tag_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pipeline._events_single tags the document itself and then calls candidates(),
    # which tags it again: find_dates caches on (text, anchor), so the second is free.
    from summarizer.dates import find_dates, tagger

    doc = parse_text(SAMPLE.read_text(encoding="utf-8"), doc_id="sample")
    mentions = find_dates(doc.text, doc.date)
    calls: list[int] = []
    monkeypatch.setattr(tagger, "_candidates", lambda text: calls.append(1) or [])
    found = candidates(doc.text, sentences(doc.text), doc.date)
    assert calls == [] and found and any(c.mention in mentions for c in found)


def test_the_title_is_an_event_dated_as_the_story() -> None:
    text = (
        "The carmaker announced on Monday that it would close its oldest plant. "
        "About 2,000 workers are employed there."
    )
    found = candidates(
        text, sentences(text), dt.date(2024, 3, 14), "Carmaker to close oldest plant"
    )
    title, lede = found[0], found[1]
    assert title.is_title and not lede.is_title
    assert (title.text, title.start, title.end) == ("Carmaker to close oldest plant", 0, 0)
    assert title.date.value == lede.date.value == "2024-03-11"  # the lede's Monday, not publication
    assert title.date.source == "narrative"


def test_a_title_without_a_recent_story_day_has_the_publication_date() -> None:
    text = "The museum reopened its east wing after a renovation that took three years."
    [title, _] = candidates(text, sentences(text), dt.date(2024, 3, 14), "Museum reopens east wing")
    assert (title.date.value, title.date.source) == ("2024-03-14", "publication")


def test_no_title_event_for_a_missing_or_one_word_title() -> None:
    text = "The museum reopened its east wing after a renovation that took three years."
    for title in (None, "wsj_0127", "  "):
        found = candidates(text, sentences(text), dt.date(2024, 3, 14), title)
        assert not any(c.is_title for c in found)


@pytest.mark.parametrize("title", ["Carmaker recalls 2024", "Airline retires A340"])
def test_a_title_with_a_number_or_model_name_is_an_event(title: str) -> None:
    text = "The company said on Monday that it would stop using the old machines next year."
    [first, *_] = candidates(text, sentences(text), dt.date(2024, 3, 14), title)
    assert first.is_title and first.text == title


def test_a_three_word_sentence_is_an_event_only_with_a_verb() -> None:
    text = "BERLIN, May 4 (Wire) --\n\nGood news, sir. The plant closed."
    found = candidates(text, sentences(text), dt.date(2024, 5, 4))
    assert [c.text for c in found] == ["The plant closed."]


def test_a_dependent_clause_is_described_with_what_it_hangs_on() -> None:
    text = (
        "Officials have repeatedly called for a renewal of the talks, "
        "which last took place in the Turkish city on July 23."
    )
    found = candidates(text, sentences(text), dt.date(2025, 11, 13))
    [clause] = [c for c in found if c.text.startswith("which")]
    assert clause.date.value == "2025-07-23"
    assert clause.description == (
        "\u2026 a renewal of the talks, which last took place in the Turkish city on July 23."
    )
    assert found[0].description == found[0].text  # a clause that stands alone is its own


def test_a_verbless_dated_piece_quotes_the_verb_before_it() -> None:
    text = "The family moved to Miami in 1961, and his uncle Lazaro in 1984."
    found = candidates(text, sentences(text), dt.date(2000, 4, 14))
    values = {c.date.value: c for c in found}
    assert set(values) == {"1961", "1984"}
    assert values["1984"].text.startswith("The family moved")  # the verb is inside the quote
    assert text[values["1984"].start : values["1984"].end] == values["1984"].text


def test_the_rules_result_lists_the_titles_event_first_marked_as_the_title() -> None:
    result = summarise(SAMPLE.read_text(encoding="utf-8"), no_model=True)
    first, rest = result.events[0], result.events[1:]
    assert first.evidence.match == "title" and first.evidence.quote == result.title
    assert (first.evidence.span.start, first.evidence.span.end) == (0, 0)
    assert all(e.evidence.match != "title" for e in rest)


def test_a_dated_noun_phrase_after_the_verb_is_an_event_of_its_own() -> None:
    text = "The court on Friday convicted the driver in the 2019 crash of a school bus, he said."
    found = candidates(text, sentences(text), dt.date(2021, 3, 8))
    phrase = [c for c in found if c.text == "the 2019 crash of a school bus"]
    assert [c.date.value for c in phrase] == ["2019"]
    assert text[phrase[0].start : phrase[0].end] == phrase[0].text
    assert found[0].text == text and found[0].date.value == "2021-03-05"  # the verb's own day


def test_a_dated_noun_phrase_after_a_present_verb_is_an_event_of_its_own() -> None:
    # "revises" is in no verb list: a present verb in -s is known by the object it takes
    text = "The new plan revises the 2004 budget of the city, the mayor's office said."
    found = candidates(text, sentences(text), dt.date(2021, 3, 8))
    assert found[0].text == text and found[0].date.value == "2021-03-08"
    assert [(c.text, c.date.value) for c in found[1:]] == [("the 2004 budget of the city", "2004")]


def test_a_possessive_date_names_the_event_it_dates() -> None:
    text = "Officials refused to comment but said last week's flooding of the valley was the worst."
    found = candidates(text, sentences(text), dt.date(2022, 6, 15))
    [phrase] = [c for c in found if c.start > 0]
    assert phrase.text == "last week's flooding of the valley"
    assert phrase.date.value == "2022-06"
    assert found[0].date.value != "2022-06"  # the saying is not dated by the flood


@pytest.mark.parametrize(
    "text",
    [
        "The 2019 budget was approved by the council after a long debate.",  # the subject
        "Members of the club met in 2019 to approve the new rules.",  # no determiner
        "Prices rose sharply in the last year and fell again.",  # no noun after the date
    ],
)
def test_no_noun_phrase_event_for_a_subject_or_an_adverbial_date(text: str) -> None:
    found = candidates(text, sentences(text), dt.date(2021, 3, 8))
    assert [c.text for c in found] == [text]


def test_a_reported_clause_with_a_pronoun_subject_is_cut_from_its_saying() -> None:
    text = "The airline said it was warned on Monday that its licence could be revoked."
    found = candidates(text, sentences(text), dt.date(2023, 9, 14))
    assert found[0].text == text  # the saying, quoting the sentence
    [reported] = found[1:]
    assert (reported.text, reported.date.value) == (text[len("The airline said ") :], "2023-09-11")


def test_a_dated_noun_phrase_opens_at_its_possessor() -> None:
    text = "Analysts on Tuesday questioned the company's 2020 takeover of a rival bank."
    found = candidates(text, sentences(text), dt.date(2022, 6, 15))
    assert [(c.text, c.date.value) for c in found[1:]] == [
        ("the company's 2020 takeover of a rival bank.", "2020")
    ]


def test_a_planned_event_is_cut_from_what_is_said_of_it_now() -> None:
    text = "The new bridge is scheduled to open to traffic on March 3, officials confirmed."
    found = candidates(text, sentences(text), dt.date(2024, 1, 10))
    assert found[0].text == text and found[0].date.value == "2024-01-10"
    [plan] = found[1:]
    assert (plan.text, plan.date.value, plan.status) == (
        "to open to traffic on March 3",  # the attribution is the saying's
        "2024-03-03",
        "planned",
    )


def test_a_planned_piece_at_the_sentences_own_date_is_no_second_event() -> None:
    # cut after "set", the piece "for Tuesday morning." would repeat the sentence's event
    text = "The final hearing is set for Tuesday morning."
    assert len(candidates(text, sentences(text), dt.date(2024, 1, 10))) == 1


def test_a_dated_trailing_attribution_is_the_saying_and_what_was_said_stands_apart() -> None:
    text = (
        "The talks in the capital collapsed today after a week of quarrels. The rebels would "
        "lay down their arms if the army left the valley, their leader said Sunday."
    )
    found = candidates(text, sentences(text), dt.date(2024, 5, 7))
    second = [c for c in found if c.sentence.index == 1]
    saying = second[0]
    assert (saying.start, saying.end) == (second[0].sentence.start, second[0].sentence.end)
    assert saying.date.value == "2024-05-05"  # dated by its own "Sunday"
    assert [c.text for c in second[1:]] == [
        "The rebels would lay down their arms if the army left the valley"
    ]


@pytest.mark.parametrize(
    "text, aside, value",
    [
        (
            "The old mill, which closed in 1987, is now a museum of local crafts.",
            "which closed in 1987",
            "1987",
        ),
        (
            "Her first novel, published in March 2019, has sold well in the town.",
            "published in March 2019",
            "2019-03",
        ),
    ],
)
def test_a_dated_aside_after_the_subject_is_an_event_of_its_own(
    text: str, aside: str, value: str
) -> None:
    found = candidates(text, sentences(text), dt.date(2024, 5, 7))
    assert found[0].text == text and found[0].date.value == "2024-05-07"  # the present verb's
    assert [(c.text, c.date.value) for c in found[1:]] == [(aside, value)]


def test_an_event_named_by_a_passive_infinitive_is_planned_on_its_own() -> None:
    text = "The council announced today a public hearing to be held on June 4 in the town hall."
    found = candidates(text, sentences(text), dt.date(2024, 5, 7))
    assert found[0].date.value == "2024-05-07"
    assert [(c.text, c.date.value, c.status) for c in found[1:]] == [
        ("to be held on June 4 in the town hall.", "2024-06-04", "planned")
    ]


def test_the_title_takes_the_date_of_what_the_ledes_attribution_reports() -> None:
    text = (
        "The founder of the bakery chain died yesterday at the age of 81, according to "
        "a statement from the company. He opened his first shop in 1968."
    )
    found = candidates(text, sentences(text), dt.date(2019, 3, 14), "Bakery founder dies at 81")
    assert found[0].is_title and found[0].date.value == "2019-03-13"


def test_a_reported_clause_with_a_bare_noun_subject_is_cut_from_its_saying() -> None:
    text = "Shop owners said prices were cut on Monday to draw buyers back."
    found = candidates(text, sentences(text), dt.date(2023, 9, 14))
    assert [c.text for c in found[1:]] == ["prices were cut on Monday to draw buyers back."]
    assert found[1].date.value == "2023-09-11"


def test_an_attribution_between_subject_and_verb_is_the_saying() -> None:
    text = "The new line, the minister said, will open to passengers in 2027."
    found = candidates(text, sentences(text), dt.date(2024, 5, 7))
    assert found[0].text == text and found[0].date.value == "2024-05-07"  # the saying
    assert [(c.text, c.date.value) for c in found[1:]] == [
        ("will open to passengers in 2027.", "2027")
    ]
