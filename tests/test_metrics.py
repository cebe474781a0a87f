"""Metrics on small hand-computed cases: each test pins a number worked out by hand."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from summarizer.evaluation.metrics import (
    date_agrees,
    date_at_granularity,
    dated_event_counts,
    dated_event_recall,
    event_scores,
    event_similarity,
    grounding_rate,
    key_point_coverage,
    lead_n,
    match_events,
    publication_date_baseline,
    rouge,
    sentence_spans,
    token_f1,
)
from summarizer.evaluation.references import Reference, ReferenceEvent
from summarizer.schemas import Event, EventDate, Evidence, Span

TEXT = "Apple released the iPhone on Monday. Jobs said sales were strong. Cisco sued Apple."
S1 = (0, 36)  # "Apple released the iPhone on Monday."
S2 = (37, 65)  # "Jobs said sales were strong."
S3 = (66, 83)  # "Cisco sued Apple."


def sl(span: tuple[int, int]) -> str:
    return TEXT[span[0] : span[1]]


def ref_event(
    span: tuple[int, int],
    trigger: str | None,
    value: str | None,
    granularity: str | None,
    description: str = "x",
    actors: list[str] | None = None,
    location: str | None = None,
) -> ReferenceEvent:
    tspan = None
    if trigger is not None:
        start = TEXT.index(trigger, span[0])
        tspan = (start, start + len(trigger))
    return ReferenceEvent(
        description=description,
        trigger=trigger,
        date_value=value,
        granularity=granularity,  # type: ignore[arg-type]
        date_source="written" if value else None,
        actors=actors or [],
        location=location,
        sentence=sl(span),
        span=span,
        trigger_span=tspan,
    )


def event(
    span: tuple[int, int],
    value: str | None,
    description: str = "something happened",
    actors: list[str] | None = None,
    location: str | None = None,
    quote: str | None = None,
    match: str = "exact",
    score: float = 100.0,
) -> Event:
    return Event(
        description=description,
        actors=actors or [],
        location=location,
        date=EventDate(value=value, source="written" if value else "unresolved"),
        status="fact",
        evidence=Evidence(
            quote=sl(span) if quote is None else quote,
            span=Span(start=span[0], end=span[1]),
            match=match,
            score=score,
        ),  # type: ignore[arg-type]
    )


def test_fixture_spans() -> None:
    assert sl(S1) == "Apple released the iPhone on Monday."
    assert sl(S2) == "Jobs said sales were strong."
    assert sl(S3) == "Cisco sued Apple." and S3[1] == len(TEXT)


# ---------------------------------------------------------------- text helpers


def test_sentence_spans_keep_abbreviations() -> None:
    text = "U.S. President Trump spoke. Apple Inc. grew.\nNew line here"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "U.S. President Trump spoke.",
        "Apple Inc. grew.",
        "New line here",
    ]


def test_token_f1() -> None:
    assert token_f1({"a", "b"}, {"b", "c", "d"}) == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))
    assert token_f1(set(), set()) == 1.0
    assert token_f1({"a"}, set()) == 0.0


# ---------------------------------------------------------------- summaries


def test_rouge_identical_and_disjoint() -> None:
    same = rouge("The cat sat. The dog ran.", "The cat sat. The dog ran.")
    assert same == {"rouge1": 1.0, "rouge2": 1.0, "rougeLsum": 1.0}
    assert rouge("alpha beta", "gamma delta")["rouge1"] == 0.0


def test_rouge_hand_computed() -> None:
    # unigrams: pred {the, cat, sat}, ref {the, cat, ran}: P = R = 2/3
    # bigrams: pred {the cat, cat sat}, ref {the cat, cat ran}: P = R = 1/2
    scores = rouge("the cat sat", "the cat ran")
    assert scores["rouge1"] == pytest.approx(2 / 3)
    assert scores["rouge2"] == pytest.approx(1 / 2)
    assert scores["rougeLsum"] == pytest.approx(2 / 3)


def test_rouge_stems() -> None:
    assert rouge("Apple launches phones", "apple launched phone")["rouge1"] == 1.0


def test_lead_n() -> None:
    assert lead_n(TEXT, 2) == "Apple released the iPhone on Monday. Jobs said sales were strong."
    assert lead_n(TEXT, 10) == TEXT


def test_key_point_coverage() -> None:
    reference = ["Apple released the iPhone", "Cisco sued Apple over the name"]
    # point 1: 3 of 4 stemmed unigrams recalled (0.75); point 2: 1 of 6 with the first
    # prediction, {cisco, sued, apple} = 3 of 6 = 0.5 with "Cisco sued Apple"
    assert key_point_coverage(["Apple released its iPhone"], reference) == 0.5
    assert key_point_coverage(["Apple released the iPhone", "Cisco sued Apple"], reference) == 1.0
    assert (
        key_point_coverage(
            ["Apple released the iPhone", "Cisco sued Apple"], reference, threshold=0.6
        )
        == 0.5
    )
    assert key_point_coverage([], reference) == 0.0
    assert math.isnan(key_point_coverage(["x"], []))


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "granularity", "expected"),
    [
        ("2008-03-06", "day", "2008-03-06"),
        ("2008-03-06", "month", "2008-03"),
        ("2008-03-06", "year", "2008"),
        ("2008-03-06", "week", "2008-W10"),
        ("2008-03-06", "quarter", "2008-Q1"),
        ("2008-07-01", "half", "2008-H2"),
        ("2008-07-01", "season", "2008-SU"),
        ("2008-03-06", "decade", "200"),
        ("2008-03", "day", None),
        ("2008", "month", None),
        ("PAST_REF", "day", None),
    ],
)
def test_date_at_granularity(value: str, granularity: str, expected: str | None) -> None:
    assert date_at_granularity(value, granularity) == expected


def test_date_agrees_at_reference_granularity() -> None:
    month = ref_event(S1, "released", "2008-03", "month")
    assert date_agrees("2008-03-06", month)
    assert date_agrees("2008-03", month)
    assert not date_agrees("2008-04-06", month)
    assert not date_agrees("2008", month)  # too coarse
    day = ref_event(S1, "released", "2008-03-06", "day")
    assert not date_agrees("2008-03", day)
    assert not date_agrees(None, day)


# ---------------------------------------------------------------- matching


def test_similarity_weights() -> None:
    ref = ref_event(S1, "released", "2008-03-06", "day", description="Apple released iPhone")
    # trigger inside evidence (0.5) + description F1 1.0 (0.3) + right date (0.2) = 1.0
    assert event_similarity(
        event(S1, "2008-03-06", "Apple released iPhone"), ref, TEXT
    ) == pytest.approx(1.0)
    # same, wrong date: 0.8
    assert event_similarity(
        event(S1, "2009-01-01", "Apple released iPhone"), ref, TEXT
    ) == pytest.approx(0.8)
    # evidence elsewhere: 0, whatever the description
    assert event_similarity(event(S3, "2008-03-06", "Apple released iPhone"), ref, TEXT) == 0.0
    # evidence "on Monday." overlaps the sentence but misses the trigger: 0.5 * 0.5 * 1.0
    tail = (S1[1] - 10, S1[1])
    assert event_similarity(event(tail, None, "zzz"), ref, TEXT) == pytest.approx(0.25)


def test_match_optimal_beats_greedy() -> None:
    # Two reference events in S1. Pred A quotes all of S1; pred B quotes
    # "the iPhone on Monday.", which contains the "iPhone" trigger only, with a wrong date.
    r_released = ref_event(S1, "released", "2008-03-06", "day", description="Apple released")
    r_iphone = ref_event(S1, "iPhone", "2008-03-06", "day", description="iPhone")
    a = event(S1, "2008-03-06", "iPhone")
    b = event((S1[0] + 15, S1[1]), "2009-01-01", "iPhone")
    # A-released 0.5 + 0 + 0.2 = 0.7     A-iphone 0.5 + 0.3 + 0.2 = 1.0
    # B-released 0.5 * 0.5 + 0 + 0 = 0.25 B-iphone 0.5 + 0.3 + 0 = 0.8
    # greedy takes A-iphone (1.0) first, leaving B-released (0.25 < 0.4): one match;
    # optimal takes A-released + B-iphone = 1.5 > 1.25: two matches.
    pairs = match_events([a, b], [r_released, r_iphone], TEXT)
    assert [(i, j) for i, j, _ in pairs] == [(0, 0), (1, 1)]
    assert [s for _, _, s in pairs] == [pytest.approx(0.7), pytest.approx(0.8)]


def test_match_drops_weak_pairs() -> None:
    ref = ref_event(S1, "released", None, None, description="Apple released")
    tail = (S1[1] - 10, S1[1])  # misses trigger: span 0.25, desc 0, undated ref 0.5*0.2 = 0.1
    assert match_events([event(tail, None, "zzz")], [ref], TEXT) == []
    assert match_events([event(tail, None, "zzz")], [ref], TEXT, min_similarity=0.3) == [
        (0, 0, pytest.approx(0.35))
    ]


def test_event_scores() -> None:
    refs = [
        ref_event(
            S1,
            "released",
            "2008-03",
            "month",
            "Apple released iPhone",
            actors=["Apple"],
            location="Cupertino",
        ),
        ref_event(S2, "said", "2008-03-06", "day", "Jobs said", actors=["Steve Jobs"]),
        ref_event(S3, "sued", None, None, "Cisco sued Apple", actors=["Cisco"]),
    ]
    preds = [
        event(
            S1,
            "2008-03-06",
            "Apple released the iPhone",
            actors=["Apple Inc."],
            location="Cupertino",
        ),
        event(S2, "2008-03-07", "Jobs said sales were strong", actors=["Jobs"]),
    ]
    scores = event_scores(preds, refs, TEXT)
    assert scores["precision"] == 1.0
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(0.8)
    assert scores["date_exact"] == 0.0  # 2008-03-06 != 2008-03; 2008-03-07 != 2008-03-06
    assert scores["date_granularity"] == 0.5  # month right, day wrong
    # actors: {apple, inc} vs {apple} = 2/3; {jobs} vs {steve, jobs} = 2/3
    assert scores["actor_f1"] == pytest.approx(2 / 3)
    # location: only pair 1 has one, and it agrees; pair 2 (both empty) is skipped
    assert scores["location_f1"] == 1.0


def test_event_scores_empty() -> None:
    scores = event_scores([], [ref_event(S1, "released", None, None)], TEXT)
    assert scores["recall"] == 0.0 and math.isnan(scores["precision"])


# ---------------------------------------------------------------- headline metric


def test_dated_event_recall() -> None:
    refs = [
        ref_event(S1, "released", "2008-03", "month"),
        ref_event(S1, "Monday", "2008-03-03", "day"),
        ref_event(S2, "said", "2008-03-06", "day"),
        ref_event(S3, "sued", None, None),  # undated: not counted
    ]
    # one prediction quoting S1 with 2008-03-03 covers both S1 triggers:
    # "released" is right at month granularity, "Monday" right at day
    preds = [event(S1, "2008-03-03"), event(S2, "2008-03-05")]
    assert dated_event_counts(preds, refs, TEXT) == (2, 3)
    assert dated_event_recall(preds, refs, TEXT) == pytest.approx(2 / 3)


def test_dated_event_recall_needs_trigger_inside_evidence() -> None:
    refs = [ref_event(S1, "released", "2008-03-06", "day")]
    clause = (S1[0] + 15, S1[1])  # "the iPhone on Monday.": overlaps, misses "released"
    assert dated_event_recall([event(clause, "2008-03-06")], refs, TEXT) == 0.0
    assert dated_event_recall([event(S1, "2008-03-06")], refs, TEXT) == 1.0


def test_dated_event_recall_without_trigger_uses_sentence() -> None:
    refs = [ref_event(S2, None, "2008-03-06", "day")]
    assert dated_event_recall([event((S2[0], S2[0] + 4), "2008-03-06")], refs, TEXT) == 1.0
    assert dated_event_recall([event(S1, "2008-03-06")], refs, TEXT) == 0.0
    assert math.isnan(dated_event_recall([], [ref_event(S3, "sued", None, None)], TEXT))


# ---------------------------------------------------------------- grounding


def test_grounding_rate() -> None:
    events = [
        event(S1, None),  # exact
        event(S2, None, quote="Jobs said sales were  strong.", match="normalised", score=95.0),
        event(S3, None, quote="Cisco sue Apple.", match="fuzzy", score=80.0),  # below 90
        event(S3, None, quote="invented", match="exact"),  # claims exact, is not
    ]
    assert grounding_rate(events, TEXT) == 0.5
    assert grounding_rate(events, TEXT, threshold=75.0) == 0.75
    assert math.isnan(grounding_rate([], TEXT))


# ---------------------------------------------------------------- baseline


def test_publication_date_baseline() -> None:
    refs = [
        ref_event(S1, "released", "2008-03", "month"),
        ref_event(S2, "said", "2008-03-06", "day"),
        ref_event(S3, "sued", "2007", "year"),
    ]
    reference = Reference(
        id="t",
        text=TEXT,
        publication_date=dt.date(2008, 3, 6),
        source="test",
        licence="test",
        events=refs,
    )
    events = publication_date_baseline(reference)
    assert [e.evidence.quote for e in events] == [sl(S1), sl(S2), sl(S3)]
    assert all(e.date.value == "2008-03-06" and e.date.granularity == "day" for e in events)
    assert grounding_rate(events, TEXT) == 1.0
    assert dated_event_counts(events, refs, TEXT) == (2, 3)


def test_cited_word_share_counts_words_found_in_the_cited_sentences() -> None:
    from summarizer.evaluation.metrics import cited_word_share

    text = "The river rose two metres. Schools closed early."
    first, second = Span(start=0, end=26), Span(start=27, end=48)
    assert cited_word_share([("River rose two metres", [first])], text) == 1.0
    # 'schools' is in the text but not in the sentence the point cites
    assert cited_word_share([("River rose, schools shut", [first])], text) == pytest.approx(2 / 4)
    assert cited_word_share([("Schools closed", [first, second])], text) == 1.0
    assert cited_word_share([("Schools closed", [])], text) == 0.0
    assert math.isnan(cited_word_share([], text))
