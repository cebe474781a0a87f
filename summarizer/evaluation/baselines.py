"""Model-free baselines every eval report shows next to the tool.

Terms:

* **lead-3**: the first three sentences of the text as the summary
  (``metrics.lead_n``); its key points are those three sentences.
* **publication-date baseline**: every sentence listed as an event dated with
  the publication date (``metrics.publication_date_baseline``).
* **dated-sentence baseline**: every sentence that contains a calendar date
  expression, listed as one event dated by that expression. Expressions come
  from ``summarizer.dates.find_dates`` run over the whole text (so anaphors
  such as "a day later" resolve against the date before them) and are
  normalised against the publication date by the library's normaliser. A
  sentence (split as ``metrics.sentence_spans`` splits, like the
  publication-date baseline) with several takes its most specific one (day before month before
  year), the first of equally specific ones. Deictic references ("recently",
  ``PAST_REF``), durations, sets and unresolved expressions date nothing.

A baseline shows what the model adds: a tool that does not beat the
dated-sentence baseline on dated-event recall is not yet worth its cost.
"""

from __future__ import annotations

from ..dates import DateMention, Granularity, find_dates
from ..schemas import Event, Evidence, Span
from ..timeline.events import written_date
from .metrics import lead_n, publication_date_baseline, sentence_spans, sentences
from .names import BASELINES, DATED_SENTENCES, LEAD, PUBLICATION_DATE
from .references import Reference

# Finest first: the most specific expression in a sentence dates it.
_ORDER = [
    Granularity.DAY,
    Granularity.WEEK,
    Granularity.MONTH,
    Granularity.SEASON,
    Granularity.QUARTER,
    Granularity.HALF,
    Granularity.YEAR,
    Granularity.DECADE,
    Granularity.CENTURY,
]
DESCRIPTION_MAX_CHARS = 300  # Event.description's limit


def lead3(reference: Reference) -> tuple[str, list[str]]:
    """The lead-3 summary and its key points (the same three sentences)."""
    return lead_n(reference.text, 3), sentences(reference.text)[:3]


def _calendar(mention: DateMention) -> bool:
    t = mention.timex
    return t.kind == "date" and t.resolved and t.granularity in _ORDER


def _specificity(mention: DateMention) -> int:
    """0 for a day, then coarser (``_calendar`` mentions only)."""
    granularity = mention.timex.granularity
    assert granularity is not None, "a calendar mention has a granularity"
    return _ORDER.index(granularity)


def dated_sentence_baseline(reference: Reference) -> list[Event]:
    """One event per sentence with a calendar date expression, dated by it (see module doc)."""
    text = reference.text
    mentions = [m for m in find_dates(text, reference.publication_date) if _calendar(m)]
    events: list[Event] = []
    for start, end in sentence_spans(text):
        inside = [m for m in mentions if start <= m.start and m.end <= end]
        if not inside or end - start < 3:  # Event.description needs 3 characters
            continue
        # min() keeps the first of equally specific mentions: the text order breaks ties
        best = min(inside, key=_specificity)
        quote = text[start:end]
        events.append(
            Event(
                description=quote[:DESCRIPTION_MAX_CHARS],
                date=written_date(best),
                status="fact",
                evidence=Evidence(
                    quote=quote, span=Span(start=start, end=end), match="exact", score=100.0
                ),
            )
        )
    return events


def baseline_events(name: str, reference: Reference) -> list[Event] | None:
    """The events a baseline lists, or ``None`` for a baseline that lists none (lead-3)."""
    if name == PUBLICATION_DATE:
        return publication_date_baseline(reference)
    if name == DATED_SENTENCES:
        return dated_sentence_baseline(reference)
    return None


def baseline_summary(name: str, reference: Reference) -> tuple[str, list[str]] | None:
    """A baseline's summary text and key points, or ``None`` when it writes none."""
    return lead3(reference) if name == LEAD else None


__all__ = [
    "BASELINES",
    "DATED_SENTENCES",
    "LEAD",
    "PUBLICATION_DATE",
    "baseline_events",
    "baseline_summary",
    "dated_sentence_baseline",
    "lead3",
]
