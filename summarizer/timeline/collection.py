"""The second stage of a cross-document timeline: per-document ``Result``s in, one ``Timeline`` out.

Terms:

* **collection**: the per-document results of one story's articles, taken in order of
  publication (then document id), whatever order they came in: the merge reads them in that
  order, and it orders undated entries and breaks ties between dates.
* **entity timeline**: the entries about one entity (``summarizer.timeline.entities``
  says what "about" means), or about everything when no entity is named.

A pure function over results: no model, no I/O; the first stage (the pipeline over the
articles, here or on Ray) is ``summarizer.runners.timeline``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from ..schemas import EntityTimeline, Result, Timeline
from .entities import Entity, EntityMatcher, defined_aliases
from .merge import Report, idf_table, merge

_DOCUMENT_STRIDE = 1_000_000  # orders reports by document, then by place in the document


def _reports(results: Sequence[Result]) -> list[tuple[Result, list[Report]]]:
    out = []
    for n, result in enumerate(results):
        # the title's event (a headline of the body's main event) after the body: it then
        # joins the entry its article's lead sentence went to, instead of opening one
        events = sorted(
            result.events, key=lambda e: (e.evidence.match == "title", e.evidence.span.start)
        )
        reports = [
            Report.of(result.document_id, n * _DOCUMENT_STRIDE + k, e, result.publication_date)
            for k, e in enumerate(events)
        ]
        out.append((result, reports))
    return out


def _entity_timeline(
    entity: Entity | None,
    documents: list[tuple[Result, list[Report]]],
    texts: list[str],
    idf: dict[str, float],
    threshold: float | None,
) -> EntityTimeline:
    if entity is None:
        chosen = [r for _, reports in documents for r in reports]
        aliases: list[str] = []
    else:
        matcher = EntityMatcher(entity, defined_aliases(entity, texts))
        aliases = matcher.aliases + matcher.short
        chosen = []
        for result, reports in documents:
            verdict = matcher.about(result.title, [r.event for r in reports])
            chosen += [r for r, keep in zip(reports, verdict, strict=True) if keep]
    entries, undated = merge(chosen, idf=idf, threshold=threshold)
    return EntityTimeline(
        entity=entity.name if entity else None, aliases=aliases, entries=entries, undated=undated
    )


def build_timeline(
    results: Iterable[Result],
    entities: Iterable[str | Entity] | None = None,
    *,
    failed: dict[str, str] | None = None,
    threshold: float | None = None,
) -> Timeline:
    """Merge per-document results into one timeline per entity (one in all when none).

    ``threshold`` overrides the shipped merge threshold (above 1: nothing is merged).

    ``failed`` (document id -> why) records documents the first stage could not read;
    they are listed in the timeline and add one warning."""
    # publication order, so the timeline does not depend on which article finished first
    kept = sorted(results, key=lambda r: (r.publication_date or dt.date.max, r.document_id))
    wanted = [e if isinstance(e, Entity) else Entity.parse(e) for e in entities or []]
    documents = _reports(kept)
    texts = [r.event.evidence.quote for _, reports in documents for r in reports]
    texts += [r.title for r in kept if r.title]
    targets: list[Entity | None] = list(wanted) or [None]
    # words weigh by their rarity in the whole collection, whichever entity is merged
    idf = idf_table([r for _, reports in documents for r in reports])
    timelines = [_entity_timeline(e, documents, texts, idf, threshold) for e in targets]
    failed = dict(failed or {})
    warnings = []
    if failed:
        warnings.append(
            f"{len(failed)} document(s) failed and were left out: "
            + ", ".join(sorted(failed)[:5])
            + (" ..." if len(failed) > 5 else "")
        )
    return Timeline(documents=len(kept), timelines=timelines, failed=failed, warnings=warnings)


__all__ = ["build_timeline"]
