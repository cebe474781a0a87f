"""Eval reports: ``report.json`` (machines), ``report.md`` (pull requests), ``report.html`` (people).

Terms:

* **report dictionary**: the content of ``report.json`` (``build_report``):
  configuration (backend, model, strategy, prompt template hashes),
  aggregates per scope and system, per-document metrics and outputs, timing
  and the gate's verdict. Markdown and the regression gate read only this, so
  an old report from disk compares with a new run in one shape.
* **delta**: new minus old value of a metric against a ``--baseline`` report.

The HTML page is self-contained: inline CSS, inline SVG charts
(``charts``), no script and no external URL. Every document string is
escaped (by Jinja2's autoescape, or ``html.escape`` where HTML is built in
Python), since documents can be hostile.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, ValidationError

from . import charts, docview
from .gate import Delta, Verdict
from .harness import ALL, TOOL, DocumentRun, EvalRun, prompt_hashes
from .scoring import BY_KEY, HEADLINE, METRICS, Metric, Output

FORMAT = "summarize-eval-report"
FORMAT_VERSION = 1
TEMPLATES = Path(__file__).resolve().parent / "templates"
HOUSE_TEMPLATES = Path(__file__).parents[1] / "templates"  # the style result pages share


class ReportFile(BaseModel):
    """The top level of ``report.json``: enough to validate a file before comparing with it."""

    model_config = ConfigDict(extra="allow")

    format: str
    format_version: int
    started: str
    systems: list[str]
    primary_system: str
    config: dict[str, Any]
    metrics: list[dict[str, Any]]
    aggregates: dict[str, dict[str, dict[str, float | None]]]
    documents: list[dict[str, Any]]
    timing: dict[str, float | None]
    gate: dict[str, Any] | None = None


# ---------------------------------------------------------------- JSON


def _clean(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def _output_json(output: Output) -> dict[str, Any]:
    """A system's output as JSON: the tool's whole Result; baselines compactly."""
    if output.result is not None:
        return {"result": output.result.model_dump(mode="json")}
    data: dict[str, Any] = {}
    if output.summary is not None:
        data.update(summary=output.summary, key_points=output.key_points or [])
    if output.events is not None and not output.model:
        data["events"] = [
            {"span": [e.evidence.span.start, e.evidence.span.end], "date": e.date.value}
            for e in output.events
        ]
    return data


def _document_json(doc: DocumentRun) -> dict[str, Any]:
    ref = doc.reference
    return {
        "dataset": doc.dataset,
        "id": ref.id,
        "title": ref.title,
        "publication_date": ref.publication_date.isoformat() if ref.publication_date else None,
        "source": ref.source,
        "reference": {
            "has_summary": ref.summary is not None,
            "key_points": len(ref.key_points),
            "events": len(ref.events),
            "dated_events": len(ref.dated_events),
        },
        "systems": {
            system: {
                "error": output.error,
                "latency_s": round(output.latency_s, 4),
                "metrics": doc.scores[system].values,
                "counts": doc.scores[system].counts,
                "output": _output_json(output),
            }
            for system, output in doc.outputs.items()
        },
    }


def _verdict_json(verdict: Verdict | None) -> dict[str, Any] | None:
    if verdict is None:
        return None
    return {
        "passed": verdict.passed,
        "checks": verdict.checks,
        "failures": verdict.failures,
        "notes": verdict.notes,
    }


def build_report(run: EvalRun, verdict: Verdict | None = None) -> dict[str, Any]:
    """The report dictionary (see module docstring); JSON-ready, no NaN."""
    n = len(run.documents)
    tool = run.aggregates.get(ALL, {}).get(TOOL, {})
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "started": run.started,
        "systems": run.systems,
        "primary_system": run.primary,
        "config": {**run.config, "prompts": prompt_hashes(run)},
        "metrics": [
            {
                "key": m.key,
                "label": m.label,
                "group": m.group,
                "doc": m.doc,
                "higher_is_better": m.higher_is_better,
                "kind": m.kind,
            }
            for m in METRICS
        ],
        "aggregates": {
            scope: {s: {k: _clean(v) for k, v in values.items()} for s, values in by_system.items()}
            for scope, by_system in run.aggregates.items()
        },
        "documents": [_document_json(doc) for doc in run.documents],
        "timing": {
            "wall_s": round(run.wall_s, 3),
            "documents": n,
            "wall_s_per_doc": round(run.wall_s / n, 3) if n else None,
            "tool_latency_s_per_doc": _clean(tool.get("latency_s_per_doc")),
        },
        "gate": _verdict_json(verdict),
    }


def load_report(path: str | Path) -> dict[str, Any]:
    """A ``report.json`` read and validated; ``ValueError`` naming the file otherwise."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        ReportFile.model_validate(data)
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"baseline report {path}: {exc}") from None
    except ValidationError as exc:
        raise ValueError(
            f"baseline report {path} is not a summarise eval report: "
            f"{exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}"
        ) from None
    if data.get("format") != FORMAT:
        raise ValueError(f"baseline report {path}: format {data.get('format')!r}, not {FORMAT}")
    result: dict[str, Any] = data
    return result


# ---------------------------------------------------------------- formatting


def fmt(metric: Metric | None, value: float | None) -> str:
    if value is None:
        return "–"
    if metric is not None and metric.kind == "count":
        return f"{value:,.0f}"
    if metric is not None and metric.kind == "seconds":
        return f"{value:.1f}" if value >= 1 else f"{value:.3f}"
    if metric is not None and metric.kind == "number":
        return f"{value:.1f}"
    return f"{value:.3f}"


def fmt_delta(metric: Metric, change: float | None) -> str:
    if change is None:
        return ""
    if abs(change) < 5e-4:
        return "±0"
    return f"{change:+,.0f}" if metric.kind == "count" else f"{change:+.3f}"


def _deltas(verdict: Verdict | None) -> dict[tuple[str, str], Delta]:
    return {(d.system, d.metric): d for d in (verdict.deltas if verdict else [])}


def _run_line(report: dict[str, Any]) -> str:
    c = report["config"]
    who = f"{c.get('backend', 'no model')}:{c['model']}" if c.get("model") else "baselines only"
    sets = ", ".join(f"{d['name']} {d['documents']}" for d in c["datasets"])
    t = report["timing"]
    per_doc = f" · {t['wall_s_per_doc']:.1f} s/doc (wall)" if t.get("wall_s_per_doc") else ""
    strategy = f" · {c['strategy']}" if c.get("strategy") else ""
    return (
        f"{who}{strategy} · {t['documents']} documents ({sets}) · started "
        f"{report['started']}{per_doc}"
    )


# ---------------------------------------------------------------- Markdown


# the metrics the Markdown report repeats per dataset (a summary set has no dated events, a
# timeline set may have no reference summary)
BY_DATASET = (HEADLINE, "rouge1", "rouge2", "rougeLsum", "cited_word_share")


def markdown(report: dict[str, Any], verdict: Verdict | None = None) -> str:
    """A compact table (metrics × systems), deltas vs the baseline report, the gate's verdict."""
    systems: list[str] = report["systems"]
    agg = report["aggregates"][ALL]
    deltas = _deltas(verdict)
    lines = [
        "## summarise eval",
        "",
        _run_line(report),
        "",
        "| metric | " + " | ".join(systems) + " |",
        "|---|" + "---:|" * len(systems),
    ]
    for m in METRICS:
        values = [agg.get(s, {}).get(m.key) for s in systems]
        if all(v is None for v in values):
            continue
        cells = []
        for s, v in zip(systems, values, strict=True):
            d = deltas.get((s, m.key))
            change = fmt_delta(m, d.change) if d else ""
            cells.append(fmt(m, v) + (f" ({change})" if change else ""))
        label = f"**{m.label}**" if m.key == HEADLINE else m.label
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    scopes = [k for k in report["aggregates"] if k != ALL]
    if len(scopes) > 1:
        lines += [
            "",
            "by dataset:",
            "",
            "| dataset | metric | " + " | ".join(systems) + " |",
            "|---|---|" + "---:|" * len(systems),
        ]
        for scope in scopes:
            for key in BY_DATASET:
                values = [report["aggregates"][scope].get(s, {}).get(key) for s in systems]
                if any(v is not None for v in values):
                    lines.append(
                        f"| {scope} | {BY_KEY[key].label} | "
                        + " | ".join(fmt(BY_KEY[key], v) for v in values)
                        + " |"
                    )
    failed = [
        (d["id"], d["systems"][s]["error"])
        for d in report["documents"]
        for s in d["systems"]
        if d["systems"][s]["error"]
    ]
    if failed:
        lines += [
            "",
            f"{len(failed)} document(s) failed: "
            + "; ".join(f"`{i}` ({e[:80]})" for i, e in failed[:5]),
        ]
    lines += ["", *_verdict_lines(verdict)]
    return "\n".join(lines).rstrip() + "\n"


def _verdict_lines(verdict: Verdict | None) -> list[str]:
    if verdict is None:
        return []
    lines = [f"> note: {n}" for n in verdict.notes]
    if verdict.deltas:
        lines.insert(0, "Deltas in parentheses are against the baseline report.")
    if not verdict.checks:
        return lines
    if verdict.passed:
        return [*lines, f"Gate: **passed** ({verdict.checks} checks)."]
    return [*lines, "Gate: **failed**", *(f"- {f}" for f in verdict.failures)]


# ---------------------------------------------------------------- HTML


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(TEMPLATES), str(HOUSE_TEMPLATES)]),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = lambda v, key=None: fmt(BY_KEY.get(key) if key else None, v)
    return env


def _table_rows(
    report: dict[str, Any], scope: str, verdict: Verdict | None
) -> list[dict[str, Any]]:
    """Rows for the metrics tables: label, doc, per-system value and delta text and sign."""
    agg = report["aggregates"][scope]
    deltas = _deltas(verdict) if scope == ALL else {}
    rows = []
    for m in METRICS:
        values = {s: agg.get(s, {}).get(m.key) for s in report["systems"]}
        if all(v is None for v in values.values()):
            continue
        cells = []
        for s, v in values.items():
            d = deltas.get((s, m.key))
            change = d.change if d else None
            good = (
                None if change is None or abs(change) < 5e-4 else (change > 0) == m.higher_is_better
            )
            cells.append(
                {
                    "value": fmt(m, v),
                    "old": fmt(m, d.old) if d else None,
                    "delta": fmt_delta(m, change),
                    "good": good,
                }
            )
        rows.append(
            {
                "key": m.key,
                "label": m.label,
                "doc": m.doc,
                "cells": cells,
                "headline": m.key == HEADLINE,
            }
        )
    return rows


def html_report(
    run: EvalRun,
    report: dict[str, Any],
    baseline: dict[str, Any] | None = None,
    verdict: Verdict | None = None,
) -> str:
    """The self-contained HTML page."""
    systems = run.systems
    agg = report["aggregates"][ALL]
    quality = [
        m
        for m in METRICS
        if m.higher_is_better and any(agg.get(s, {}).get(m.key) is not None for s in systems)
    ]
    old = baseline["aggregates"][ALL] if baseline else None
    bars = charts.metric_bars(
        [(m.label, {s: agg.get(s, {}).get(m.key) for s in systems}) for m in quality],
        systems,
        old=old,
        old_keys=[m.key for m in quality],
    )
    per_doc = {
        s: [
            (f"{d.dataset}/{d.reference.id}", d.scores[s].values[HEADLINE])
            for d in run.documents
            if HEADLINE in d.scores[s].values
        ]
        for s in systems
    }
    strip = charts.strip_plot(
        per_doc,
        {s: agg.get(s, {}).get(HEADLINE) for s in systems},
        [s for s in systems if per_doc[s]],
        palette_of=systems,
    )
    scopes = [k for k in report["aggregates"] if k != ALL] if len(report["aggregates"]) > 2 else []
    template = _environment().get_template("report.html.j2")
    return template.render(
        title="summarise eval report",
        run_line=_run_line(report),
        report=report,
        systems=systems,
        primary=run.primary,
        legend=Markup(charts.legend(systems)),
        bars=Markup(bars),
        strip=Markup(strip),
        has_strip=any(per_doc.values()),
        headline={s: fmt(None, agg.get(s, {}).get(HEADLINE)) for s in systems},
        headline_label=BY_KEY[HEADLINE].label,
        rows=_table_rows(report, ALL, verdict),
        scope_rows={scope: _table_rows(report, scope, None) for scope in scopes},
        baseline=baseline,
        verdict=verdict,
        documents=[docview.document_view(d, run.primary) for d in run.documents],
        config_json=json.dumps({k: v for k, v in report["config"].items()}, indent=2),
    )


# ---------------------------------------------------------------- files


def _write_atomic(path: Path, text: str) -> None:
    # write beside the target and rename: a reader never sees half a report
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is meant to be read by others
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_reports(
    run: EvalRun,
    out_dir: str | Path,
    *,
    baseline: dict[str, Any] | None = None,
    verdict: Verdict | None = None,
) -> dict[str, Path]:
    """Write report.json, report.md and report.html into ``out_dir``; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report = build_report(run, verdict)
    paths = {"json": out / "report.json", "md": out / "report.md", "html": out / "report.html"}
    _write_atomic(
        paths["json"], json.dumps(report, indent=1, allow_nan=False, ensure_ascii=False) + "\n"
    )
    _write_atomic(paths["md"], markdown(report, verdict))
    _write_atomic(paths["html"], html_report(run, report, baseline, verdict))
    return paths


__all__ = [
    "FORMAT",
    "ReportFile",
    "build_report",
    "html_report",
    "load_report",
    "markdown",
    "write_reports",
]
