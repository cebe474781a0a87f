"""The per-document part of the HTML report: summaries side by side, highlighted source, events.

Terms:

* **shown system**: the system whose events are highlighted: the run's
  primary system (the tool, or the first baseline in a baselines-only run).
* **highlight**: each shown event's evidence span wrapped in ``<mark>`` with
  its number and date in a label and a ``title`` tooltip; each dated reference
  event's trigger (or, without one, its sentence) is underlined, green when
  the shown system found it (covered with the right date, the
  ``dated_event_recall`` rule) and red when it missed it.

Overlapping spans are handled by cutting the text at every span boundary and
wrapping each piece in the tags of the spans that cover it, so tags always
nest. Every piece of document text goes through ``html.escape``.
"""

from __future__ import annotations

import html
import re
from typing import Any

from markupsafe import Markup

from ..schemas import Event
from .harness import DocumentRun
from .metrics import covers, date_agrees, evidence_span, match_events, predicted_value
from .references import ReferenceEvent

_NOT_IN_ANCHOR = re.compile(r"[^A-Za-z0-9_-]")  # an HTML id keeps letters, digits, _ and -

DOC_METRICS = (
    "dated_event_recall",
    "event_f1",
    "date_granularity",
    "rouge1",
    "rougeLsum",
    "grounding_rate",
)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _when(event: Event) -> str:
    value = predicted_value(event.date)
    if value is None:
        return "undated"
    return value if event.date.source == "written" else f"{value}*"


def _ref_span(ref: ReferenceEvent) -> tuple[int, int]:
    return ref.trigger_span if ref.trigger_span is not None else ref.span


def found_references(events: list[Event], refs: list[ReferenceEvent], text: str) -> list[bool]:
    """For each reference event: whether some event covers it with an agreeing date."""
    spans = [(evidence_span(e, text), predicted_value(e.date)) for e in events]
    return [any(covers(s, r) and date_agrees(v, r) for s, v in spans) for r in refs]


def highlight(
    text: str, events: list[Event], refs: list[ReferenceEvent], found: list[bool]
) -> Markup:
    """The source text as HTML with event evidence in ``<mark>`` and reference triggers underlined."""
    n = len(text)
    ev_spans = [tuple(max(0, min(n, x)) for x in evidence_span(e, text)) for e in events]
    ref_spans = [_ref_span(r) for r in refs]
    cuts = sorted({0, n, *(x for s in ev_spans for x in s), *(x for s in ref_spans for x in s)})
    starts: dict[int, list[int]] = {}
    for i, (a, _) in enumerate(ev_spans):
        starts.setdefault(a, []).append(i)
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:]):
        if a >= b:
            continue
        for i in starts.get(a, []):  # a label where each event's evidence begins
            out.append(f'<span class="lbl">E{i + 1} · {_e(_when(events[i]))}</span>')
        piece = _e(text[a:b])
        for j, (s, t) in enumerate(ref_spans):
            if s <= a and b <= t:
                state = "found" if found[j] else "missed"
                piece = (
                    f'<u class="ref {state}" title="reference: {_e(refs[j].date_value)} · '
                    f'{_e(refs[j].description)} ({state})">{piece}</u>'
                )
        covering = [i for i, (s, t) in enumerate(ev_spans) if s <= a and b <= t]
        if covering:
            tip = "; ".join(
                f"E{i + 1} {_when(events[i])}: {events[i].description}" for i in covering
            )
            piece = f'<mark title="{_e(tip)}">{piece}</mark>'
        out.append(piece)
    return Markup("".join(out))


def _summary_view(doc: DocumentRun) -> dict[str, Any] | None:
    tool = doc.outputs.get("tool")
    if tool is not None and tool.result is not None and tool.result.summary is not None:
        s = tool.result.summary
        return {
            "system": "tool",
            "headline": s.headline,
            "gist": s.gist,
            "abstract": s.abstract,
            "key_points": [p.text for p in s.key_points],
        }
    lead = doc.outputs.get("lead3")
    if lead is not None and lead.summary is not None:
        return {
            "system": "lead3",
            "headline": None,
            "gist": None,
            "abstract": lead.summary,
            "key_points": [],
        }
    return None


def _event_rows(events: list[Event], doc: DocumentRun) -> list[dict[str, Any]]:
    ref = doc.reference
    matched = {i: j for i, j, _ in match_events(events, ref.events, ref.text)}
    rows = []
    for i, e in enumerate(events):
        j = matched.get(i)
        rows.append(
            {
                "n": i + 1,
                "date": _when(e),
                "date_text": e.date.text or "",
                "status": e.status,
                "description": e.description,
                "actors": ", ".join(e.actors),
                "location": e.location or "",
                "span": f"{e.evidence.span.start}–{e.evidence.span.end}",
                "match": e.evidence.match,
                "reference": (
                    f"{ref.events[j].description[:60]} ({ref.events[j].date_value or 'undated'})"
                    if j is not None
                    else ""
                ),
            }
        )
    return rows


def document_view(doc: DocumentRun, shown: str) -> dict[str, Any]:
    """Everything the template shows for one document (strings unescaped: the template escapes)."""
    ref = doc.reference
    output = doc.outputs.get(shown)
    events = list(output.events or []) if output is not None else []
    dated = [r for r in ref.events if r.date_value is not None]
    found = found_references(events, dated, ref.text)
    metrics = {s: {k: sc.values.get(k) for k in DOC_METRICS} for s, sc in doc.scores.items()}
    errors = {s: o.error for s, o in doc.outputs.items() if o.error}
    warnings = (
        [w.message for w in output.result.warnings] if output is not None and output.result else []
    )
    return {
        "anchor": _NOT_IN_ANCHOR.sub("_", f"doc-{doc.dataset}-{ref.id}"),
        "dataset": doc.dataset,
        "id": ref.id,
        "title": ref.title or ref.id,
        "date": ref.publication_date.isoformat() if ref.publication_date else "no date",
        "source": ref.source,
        "shown": shown,
        "metrics": metrics,
        "errors": errors,
        "warnings": warnings,
        "headline_value": doc.scores[shown].values.get("dated_event_recall"),
        "summary": _summary_view(doc),
        "reference_summary": ref.summary,
        "reference_key_points": ref.key_points,
        "text": highlight(ref.text, events, dated, found),
        "events": _event_rows(events, doc),
        "references": [
            {
                "n": k + 1,
                "date": r.date_value,
                "granularity": r.granularity,
                "description": r.description,
                "trigger": r.trigger or "",
                "found": f,
            }
            for k, (r, f) in enumerate(zip(dated, found, strict=True))
        ],
    }


__all__ = ["document_view", "found_references", "highlight"]
