"""Scores for eval reports: the metric catalogue, per-document scores and their aggregates.

Terms:

* **system**: what produced an output: ``tool`` (the model pipeline) or a
  baseline (``lead3``, ``publication_date``, ``dated_sentences``; see
  ``baselines``).
* **output**: what a system gave for one document: a summary with key points
  and/or an event list (``None`` for what the system does not produce).
* **document scores**: every metric for one document and one system, plus the
  counts behind its ratios (``matched``, ``dated_found`` ...). A metric that
  does not apply (no reference summary, no reference events, a baseline that
  writes no summary) is absent, never zero.
* **aggregate**: one number per metric over a set of documents:

  - *micro* (counts summed, then divided) for event precision/recall/F1,
    date accuracy, dated-event recall and grounding rate, so long documents
    weigh by their number of events (as the metrics module asks);
  - *macro* (mean of per-document values) for ROUGE, key-point coverage and
    actor/location F1 (per-pair means whose counts the metrics module does
    not expose), and for the per-document costs (warnings, attempts, tokens,
    latency).

A failed document (the tool raised) counts as an empty output: it scores zero
on ROUGE and on recall rather than leaving the denominator, so failures lower
the numbers instead of hiding.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ..schemas import Event, Result
from .metrics import (
    cited_word_share,
    date_agrees,
    dated_event_counts,
    event_scores,
    is_grounded,
    key_point_coverage,
    match_events,
    predicted_value,
    rouge,
)
from .references import Reference

Kind = Literal["ratio", "count", "seconds", "number"]


@dataclass(frozen=True)
class Metric:
    """One aggregate metric: how to show it and which way is better."""

    key: str
    label: str
    group: str
    doc: str
    higher_is_better: bool = True
    kind: Kind = "ratio"


METRICS: tuple[Metric, ...] = (
    Metric(
        "dated_event_recall",
        "dated-event recall",
        "headline",
        "share of dated reference events some predicted event covers with a date right "
        "at the reference granularity (micro)",
    ),
    Metric("rouge1", "ROUGE-1", "summary", "unigram F1 vs the reference summary (mean)"),
    Metric("rouge2", "ROUGE-2", "summary", "bigram F1 vs the reference summary (mean)"),
    Metric(
        "rougeLsum", "ROUGE-Lsum", "summary", "summary-level longest-common-subsequence F1 (mean)"
    ),
    Metric(
        "key_point_coverage",
        "key-point coverage",
        "summary",
        "share of reference key points recalled by some predicted point (mean)",
    ),
    Metric(
        "event_precision",
        "event precision",
        "events",
        "predicted events matched one-to-one to a reference event (micro)",
    ),
    Metric(
        "event_recall",
        "event recall",
        "events",
        "reference events matched one-to-one by a predicted event (micro)",
    ),
    Metric("event_f1", "event F1", "events", "harmonic mean of event precision and recall"),
    Metric(
        "date_exact",
        "date exact",
        "dates",
        "matched dated pairs whose predicted value equals the reference value (micro)",
    ),
    Metric(
        "date_granularity",
        "date at granularity",
        "dates",
        "matched dated pairs whose date agrees at the reference granularity (micro)",
    ),
    Metric("actor_f1", "actor F1", "events", "token F1 of actors over matched pairs (mean)"),
    Metric(
        "location_f1", "location F1", "events", "token F1 of locations over matched pairs (mean)"
    ),
    Metric(
        "grounding_rate",
        "grounding rate",
        "grounding",
        "predicted events whose evidence quote is found in the source (micro)",
    ),
    Metric(
        "cited_word_share",
        "cited-word share",
        "grounding",
        "words of the key points found in the sentences each point cites (mean)",
    ),
    Metric(
        "schema_valid_rate",
        "schema-valid rate",
        "grounding",
        "documents that produced a valid Result",
    ),
    Metric(
        "warnings_per_doc",
        "warnings / doc",
        "cost",
        "warnings per document (mean)",
        higher_is_better=False,
        kind="number",
    ),
    Metric(
        "attempts_per_doc",
        "model calls / doc",
        "cost",
        "model calls per document, re-asks included (mean)",
        higher_is_better=False,
        kind="number",
    ),
    Metric(
        "tokens_per_doc",
        "tokens / doc",
        "cost",
        "prompt + completion tokens per document (mean)",
        higher_is_better=False,
        kind="count",
    ),
    Metric(
        "cached_calls_per_doc",
        "cached calls / doc",
        "cost",
        "model calls answered from the response cache (their latency is not the model's)",
        higher_is_better=False,
        kind="number",
    ),
    Metric(
        "latency_s_per_doc",
        "latency s / doc",
        "cost",
        "seconds from start to result per document, waiting for the model included (mean)",
        higher_is_better=False,
        kind="seconds",
    ),
)
BY_KEY: dict[str, Metric] = {m.key: m for m in METRICS}
HEADLINE = "dated_event_recall"
# Metrics a regression check compares: the quality ratios, not the costs.
QUALITY = tuple(m.key for m in METRICS if m.higher_is_better)


@dataclass
class Output:
    """One system's output for one document (``None`` for what it does not produce)."""

    summary: str | None = None
    key_points: list[str] | None = None
    events: list[Event] | None = None
    result: Result | None = None
    error: str | None = None
    latency_s: float = 0.0
    writes_summary: bool = False  # the system writes summaries: ROUGE and coverage apply
    lists_events: bool = False  # the system lists events: event metrics apply
    model: bool = False  # a model produced it: attempts, tokens and warnings apply


@dataclass
class DocScores:
    """Every metric of one document and one system, plus the counts behind them."""

    values: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _finite(values: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in values.items() if not math.isnan(v)}


def score_document(reference: Reference, output: Output) -> DocScores:
    """Per-document scores with the metric functions (see module docstring for the rules)."""
    scores = DocScores()
    text = reference.text
    if output.writes_summary:
        if reference.summary:
            scores.values.update(rouge(output.summary or "", reference.summary))
        if reference.key_points:
            scores.values["key_point_coverage"] = key_point_coverage(
                output.key_points or [], reference.key_points
            )
        if output.result is not None and output.result.summary is not None:
            scores.values["cited_word_share"] = cited_word_share(
                [(p.text, p.support) for p in output.result.summary.key_points], text
            )
    events = output.events or []
    if output.lists_events and reference.events:
        _score_events(scores, events, reference)
    if output.lists_events:
        grounded = sum(is_grounded(e, text) for e in events)
        scores.counts.update(events=len(events), grounded=grounded)
        if events:
            scores.values["grounding_rate"] = grounded / len(events)
    scores.counts["valid"] = int(output.error is None)
    scores.values["latency_s"] = output.latency_s
    if output.model:
        result = output.result
        scores.values["warnings"] = float(len(result.warnings)) if result else 0.0
        scores.values["attempts"] = float(result.provenance.attempts) if result else 0.0
        scores.values["tokens"] = float(result.provenance.usage.total_tokens) if result else 0.0
        scores.values["cached_calls"] = (
            float(result.provenance.usage.cached_calls) if result else 0.0
        )
    scores.values = _finite(scores.values)
    return scores


def _score_events(scores: DocScores, events: Sequence[Event], reference: Reference) -> None:
    text, refs = reference.text, reference.events
    ev = event_scores(events, refs, text)
    scores.values.update(
        {
            "event_precision": ev["precision"],
            "event_recall": ev["recall"],
            "event_f1": ev["f1"],
            "date_exact": ev["date_exact"],
            "date_granularity": ev["date_granularity"],
            "actor_f1": ev["actor_f1"],
            "location_f1": ev["location_f1"],
        }
    )
    # the counts behind the date ratios, for micro-averaging: the same pairs event_scores uses
    dated = [
        (events[i], refs[j]) for i, j, _ in match_events(events, refs, text) if refs[j].date_value
    ]
    found, total = dated_event_counts(events, refs, text)
    scores.counts.update(
        matched=int(ev["matched"]),
        predicted=int(ev["predicted"]),
        reference=int(ev["reference"]),
        dated_pairs=len(dated),
        date_exact_hits=sum(predicted_value(p.date) == r.date_value for p, r in dated),
        date_granularity_hits=sum(date_agrees(predicted_value(p.date), r) for p, r in dated),
        dated_found=found,
        dated_total=total,
    )
    if total:
        scores.values["dated_event_recall"] = found / total


def _ratio(hits: int, total: int) -> float | None:
    return hits / total if total else None


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def aggregate(scores: Sequence[DocScores]) -> dict[str, float | None]:
    """Aggregate metrics (``METRICS`` keys, ``None`` when nothing to score) and summed counts."""
    if not scores:
        return {}
    total: dict[str, int] = {}
    for s in scores:
        for key, n in s.counts.items():
            total[key] = total.get(key, 0) + n
    with_events = [s for s in scores if "predicted" in s.counts]

    def macro(key: str) -> float | None:
        return _mean(s.values[key] for s in scores if key in s.values)

    def summed(key: str) -> int:
        return sum(s.counts.get(key, 0) for s in with_events)

    precision = _ratio(summed("matched"), summed("predicted")) if with_events else None
    recall = _ratio(summed("matched"), summed("reference")) if with_events else None
    f1 = None
    if precision is not None and recall is not None:
        f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    result: dict[str, float | None] = {
        "dated_event_recall": _ratio(total.get("dated_found", 0), total.get("dated_total", 0)),
        "rouge1": macro("rouge1"),
        "rouge2": macro("rouge2"),
        "rougeLsum": macro("rougeLsum"),
        "key_point_coverage": macro("key_point_coverage"),
        "event_precision": precision,
        "event_recall": recall,
        "event_f1": f1,
        "date_exact": _ratio(total.get("date_exact_hits", 0), total.get("dated_pairs", 0)),
        "date_granularity": _ratio(
            total.get("date_granularity_hits", 0), total.get("dated_pairs", 0)
        ),
        "actor_f1": macro("actor_f1"),
        "location_f1": macro("location_f1"),
        "grounding_rate": _ratio(total.get("grounded", 0), total.get("events", 0)),
        "cited_word_share": macro("cited_word_share"),
        "schema_valid_rate": _ratio(total.get("valid", 0), len(scores)),
        "warnings_per_doc": macro("warnings"),
        "attempts_per_doc": macro("attempts"),
        "tokens_per_doc": macro("tokens"),
        "cached_calls_per_doc": macro("cached_calls"),
        "latency_s_per_doc": macro("latency_s"),
    }
    result.update({f"n_{key}": float(n) for key, n in sorted(total.items())})
    result["n_documents"] = float(len(scores))
    return result


__all__ = [
    "BY_KEY",
    "HEADLINE",
    "METRICS",
    "QUALITY",
    "DocScores",
    "Metric",
    "Output",
    "aggregate",
    "score_document",
]
