"""The cross-document timeline: merging reports, entities and aliases, undated events, failures."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from summarizer import Document, Timeline, summarise, summarise_timeline
from summarizer.schemas import Event, EventDate, Evidence, Span
from summarizer.timeline.collection import build_timeline
from summarizer.timeline.entities import Entity, EntityMatcher, defined_aliases, name_forms
from summarizer.timeline.merge import Report, date_relation, entry, merge

# Three reports of one event (Wikinews-style wording, written for these tests): two write the
# day, one only the month, each in its own words.
DELIVERED = Document(
    id="a",
    date="2007-10-16",
    text="Airbus delivered the first A380 superjumbo to Singapore Airlines on October 15, 2007, "
    "in Toulouse. The airline will fly the plane between Singapore and Sydney.",
)
TOOK_DELIVERY = Document(
    id="b",
    date="2007-10-17",
    text="Singapore Airlines took delivery of its first Airbus A380 superjumbo in Toulouse on "
    "Monday. The delivery came two years late.",
)
RECEIVED = Document(
    id="c",
    date="2007-11-02",
    text="In October 2007, Singapore Airlines received the first Airbus A380 superjumbo in "
    "Toulouse. Qantas expects its first A380 next year.",
)


def _date(value: str, start: dt.date, end: dt.date, granularity: str, source: str) -> EventDate:
    return EventDate(
        text=value, value=value, granularity=granularity, start=start, end=end, source=source
    )  # type: ignore[arg-type]


def _report(doc: str, order: int, quote: str, date: EventDate) -> Report:
    event = Event(
        description=quote,
        date=date,
        status="fact",
        evidence=Evidence(
            quote=quote, span=Span(start=0, end=len(quote)), match="exact", score=100
        ),
    )
    return Report.of(doc, order, event, None)


def _sources(entry_) -> set[str]:
    return {s.document_id for s in entry_.sources}


def test_one_event_in_three_articles_is_one_entry_at_its_most_precise_date() -> None:
    timeline = summarise_timeline(
        [DELIVERED, TOOK_DELIVERY, RECEIVED], ["Airbus A380"], no_model=True
    )
    part = timeline.timelines[0]
    delivery = [e for e in part.entries if "Toulouse" in e.sources[0].quote]
    assert len(delivery) == 1, [e.sources for e in part.entries]
    merged = delivery[0]
    assert _sources(merged) == {"a", "b", "c"}
    # the month-precise report (c) joins the day-precise ones; the entry keeps the day
    assert merged.date is not None and merged.date.value == "2007-10-15"
    assert merged.date.granularity == "day"
    assert {s.date_value for s in merged.sources} >= {"2007-10-15", "2007-10"}
    assert merged.date_conflict == []
    # every source keeps its own quote, span and the date as that article writes it
    by_doc = {s.document_id: s for s in merged.sources}
    assert by_doc["b"].date_text == "Monday"
    text = TOOK_DELIVERY.text
    assert text[by_doc["b"].span.start : by_doc["b"].span.end] == by_doc["b"].quote


def test_entries_are_ordered_by_date() -> None:
    part = summarise_timeline([RECEIVED, DELIVERED], ["Airbus A380"], no_model=True).timelines[0]
    starts = [e.date.start for e in part.entries if e.date is not None]
    assert starts == sorted(starts) and len(starts) >= 2  # the delivery (2007), Qantas (2008)


def test_sources_that_disagree_on_the_date_are_reported_not_hidden() -> None:
    monday = _date("2024-03-04", dt.date(2024, 3, 4), dt.date(2024, 3, 4), "day", "written")
    wednesday = _date("2024-03-06", dt.date(2024, 3, 6), dt.date(2024, 3, 6), "day", "written")
    march = _date("2024-03", dt.date(2024, 3, 1), dt.date(2024, 3, 31), "month", "written")
    made = entry(
        [
            _report("a", 0, "GM closed the Lordstown plant on Monday.", monday),
            _report("b", 1, "GM closed the Lordstown plant on Wednesday.", wednesday),
            _report("c", 2, "GM closed the Lordstown plant in March.", march),
        ]
    )
    assert made.date_conflict == ["2024-03-04", "2024-03-06"]
    assert made.date is not None and made.date.value in {"2024-03-04", "2024-03-06"}
    assert len(made.sources) == 3


def test_an_inferred_date_gives_way_to_a_written_one_without_a_conflict() -> None:
    published = _date("2024-03-08", dt.date(2024, 3, 8), dt.date(2024, 3, 8), "day", "publication")
    written = _date("2024-03-04", dt.date(2024, 3, 4), dt.date(2024, 3, 4), "day", "written")
    made = entry(
        [
            _report("a", 0, "The plant closed, the company said.", published),
            _report("b", 1, "The plant closed on March 4.", written),
        ]
    )
    assert made.date is not None and made.date.value == "2024-03-04"
    assert made.date_conflict == []


def test_date_relations_follow_the_intervals() -> None:
    day = _date("2010-06-07", dt.date(2010, 6, 7), dt.date(2010, 6, 7), "day", "written")
    month = _date("2010-06", dt.date(2010, 6, 1), dt.date(2010, 6, 30), "month", "written")
    other = _date("2010-07", dt.date(2010, 7, 1), dt.date(2010, 7, 31), "month", "written")
    undated = EventDate(source="unresolved")
    assert date_relation(day, month) == "nested"
    assert date_relation(month, other) == "disjoint"
    assert date_relation(day, day) == "same"
    assert date_relation(day, undated) == "undated"


def test_unrelated_events_stay_apart() -> None:
    day = _date("2010-06-07", dt.date(2010, 6, 7), dt.date(2010, 6, 7), "day", "written")
    entries, undated = merge(
        [
            _report("a", 0, "Apple unveiled the iPhone 4 at its developers conference.", day),
            _report("b", 1, "Heavy rain flooded the streets of Manila overnight.", day),
        ]
    )
    assert len(entries) == 2 and undated == []


def test_aliases_acronyms_and_short_forms() -> None:
    aliases, short = name_forms(Entity("General Motors Corp."))
    assert {"General Motors Corp.", "General Motors", "GM"} <= set(aliases)
    aliases, short = name_forms(Entity("Steve Jobs"))
    assert short == ["Jobs"]
    matcher = EntityMatcher(Entity("Steve Jobs"))
    # the surname alone counts only after the full name came earlier in the article
    assert not matcher.mentions("Jobs returned to Apple.", introduced=False)
    assert matcher.mentions("Jobs returned to Apple.", introduced=True)
    # a model code is the product wherever it stands, also as "the A380"
    assert EntityMatcher(Entity("Airbus A380")).mentions("the A380 flew", introduced=False)
    # names longer than one word match in any case, with one extra word inside
    store = EntityMatcher(Entity("iTunes store"))
    assert store.mentions("the iTunes Music Store sells songs", introduced=False)
    assert not store.mentions("iTunesy stores", introduced=False)


def test_an_article_can_define_an_alias() -> None:
    texts = ["General Motors Co. (GMC) said it would cut jobs."]
    assert defined_aliases(Entity("General Motors"), texts) == ["GMC"]


def test_entity_found_by_alias_surname_and_pronoun_in_one_article() -> None:
    article = Document(
        id="jobs",
        date="2011-10-06",
        text="Apple co-founder Steve Jobs died on October 5, 2011. "
        "Jobs resigned as chief executive in August 2011. "
        "He had fought pancreatic cancer since 2004. "
        "Microsoft released a new version of Windows in 2009.",
    )
    part = summarise_timeline([article], ["Steve Jobs"], no_model=True).timelines[0]
    quotes = " ".join(s.quote for e in part.entries for s in e.sources)
    assert "died" in quotes and "resigned" in quotes and "cancer" in quotes
    assert "Windows" not in quotes
    assert part.aliases[:1] == ["Steve Jobs"] and "Jobs" in part.aliases


def test_undated_events_are_kept_apart_in_document_order() -> None:
    no_date = Document(
        id="u",
        text="Apple will hold its annual shareholder meeting. "
        "The board is expected to approve a dividend.",
    )
    part = summarise_timeline([no_date], no_model=True).timelines[0]
    assert part.entries == []
    assert [e.sources[0].span.start for e in part.undated] == sorted(
        e.sources[0].span.start for e in part.undated
    )
    assert len(part.undated) == 2
    assert all(e.date is None for e in part.undated)


def test_an_empty_collection_gives_an_empty_timeline() -> None:
    timeline = summarise_timeline([], ["Airbus A380"], no_model=True)
    assert timeline.documents == 0
    assert timeline.timelines[0].entries == [] and timeline.timelines[0].undated == []
    assert timeline.failed == {} and timeline.warnings == []


def test_one_article_gives_its_own_timeline() -> None:
    timeline = summarise_timeline([DELIVERED], no_model=True)
    part = timeline.timelines[0]
    assert timeline.documents == 1 and part.entity is None
    assert {s.document_id for e in part.entries for s in e.sources} == {"a"}
    assert len(part.entries) >= 2  # the delivery (2007-10-15) and the Sydney route


def test_a_document_that_fails_is_left_out_with_one_warning() -> None:
    timeline = summarise_timeline([DELIVERED, "   ", RECEIVED], ["Airbus A380"], no_model=True)
    assert timeline.documents == 2
    assert list(timeline.failed) == ["doc2"] and "no text" in timeline.failed["doc2"]
    assert len(timeline.warnings) == 1 and "doc2" in timeline.warnings[0]
    sources = {s.document_id for e in timeline.timelines[0].entries for s in e.sources}
    assert sources == {"a", "c"}


def test_results_already_computed_are_merged_without_a_second_run() -> None:
    results = [summarise(d, no_model=True) for d in (DELIVERED, TOOK_DELIVERY)]
    again = build_timeline(results, ["Airbus A380"])
    direct = summarise_timeline(results, ["Airbus A380"])
    assert again == direct
    # the timeline is a validated schema and round-trips through JSON
    assert Timeline.model_validate(json.loads(direct.model_dump_json())) == direct


@pytest.mark.parametrize("spec", ["General Motors=GM,GM Corp", "General Motors"])
def test_entity_specs_parse(spec: str) -> None:
    entity = Entity.parse(spec)
    assert entity.name == "General Motors"
    assert entity.aliases == (("GM", "GM Corp") if "=" in spec else ())


def test_two_articles_giving_different_days_make_one_entry_that_says_so() -> None:
    sentence = "Airbus delivered the first A380 superjumbo to Singapore Airlines in Toulouse on {}."
    first = Document(id="a", date="2007-10-16", text=sentence.format("October 15, 2007"))
    second = Document(id="b", date="2007-10-18", text=sentence.format("October 17, 2007"))
    # disjoint stated dates weigh against merging: the same wording carries it here, in a
    # collection with another story (the decision reads word rarity across the collection)
    other = Document(
        id="c", date="2007-10-20", text="Boeing said on Friday it would hire 500 engineers."
    )
    part = summarise_timeline([first, second, other], ["Airbus A380"], no_model=True).timelines[0]
    assert len(part.entries) == 1
    assert part.entries[0].date_conflict == ["2007-10-15", "2007-10-17"]
    assert _sources(part.entries[0]) == {"a", "b"}
