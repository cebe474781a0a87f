"""The eval harness: run the tool and the baselines over reference sets and score them.

Terms:

* **dataset**: one reference set: a JSONL file in the ``eval/README.md``
  format (``load_references``) or a FRANK folder read in place
  (``load_frank``), optionally cut to its first ``limit`` documents.
* **run**: every document of every dataset through every system, each
  document ending with an output or a recorded error (``EvalRun``).
* **scope**: a set of documents an aggregate is taken over: ``all``, or one
  dataset by name.

The tool runs through one ``Pipeline`` built once from ``Settings`` (the
embedded model loads once). Documents run concurrently, at most
``concurrency`` at a time, each in a worker thread (``asyncio.to_thread``):
the embedded backend serialises its model calls with a lock, so concurrency
overlaps the pipeline's own work (segmenting, dates, validation) with model
time, and with a remote server it overlaps the requests themselves. The
default bound is 1 for now (see ``names.DEFAULT_CONCURRENCY``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .._version import __version__
from ..backends import Backend
from ..pipeline import Pipeline
from ..schemas import Document, Result
from ..settings import Settings
from . import metrics
from .baselines import baseline_events, baseline_summary
from .names import DATED_SENTENCES, DEFAULT_CONCURRENCY, PUBLICATION_DATE, SYSTEMS, TOOL
from .references import Reference, load_frank, load_references
from .scoring import DocScores, Output, aggregate, score_document

ALL = "all"
FRANK_FILE = "frank_docs.jsonl"


@dataclass
class Dataset:
    """One reference set, already loaded (and cut to ``limit``)."""

    name: str
    path: Path
    references: list[Reference]
    kind: str = "jsonl"


@dataclass
class DocumentRun:
    """One document: each system's output and scores."""

    dataset: str
    reference: Reference
    outputs: dict[str, Output] = field(default_factory=dict)
    scores: dict[str, DocScores] = field(default_factory=dict)


@dataclass
class EvalRun:
    """A whole run: configuration, documents, aggregates per scope and system, timing."""

    config: dict[str, Any]
    datasets: list[Dataset]
    systems: list[str]
    documents: list[DocumentRun]
    aggregates: dict[str, dict[str, dict[str, float | None]]]
    started: str
    wall_s: float

    @property
    def primary(self) -> str:
        """The system gates and headlines speak of (see ``primary_system``)."""
        return primary_system(self.systems)


def primary_system(systems: Sequence[str]) -> str:
    """The tool if present, else the rule-based dated-sentence extractor, else the
    publication-date baseline, else the first system."""
    return next((s for s in (TOOL, DATED_SENTENCES, PUBLICATION_DATE) if s in systems), systems[0])


def load_dataset(
    path: str | Path,
    limit: int | None = None,
    *,
    part: str | None = None,
    subset: str | None = None,
) -> Dataset:
    """A JSONL reference file, or a FRANK folder / ``frank_docs.jsonl`` read in place
    (``part`` and ``subset``: see ``load_frank``)."""
    path = Path(path)
    if path.is_dir() or path.name == FRANK_FILE:
        name = (path if path.is_dir() else path.parent).name or "frank"
        name += "".join(f"-{x}" for x in (subset, part) if x)
        return Dataset(
            name, path, load_frank(path, limit=limit, part=part, subset=subset), kind="frank"
        )
    references = load_references(path)
    return Dataset(path.stem, path, references[:limit] if limit is not None else references)


def _unique_names(datasets: list[Dataset]) -> None:
    # two files both called sample.jsonl must not share a scope
    seen: dict[str, int] = {}
    for ds in datasets:
        n = seen.get(ds.name, 0)
        seen[ds.name] = n + 1
        if n:
            ds.name = f"{ds.name}-{n + 1}"


# ---------------------------------------------------------------- one document


def as_document(reference: Reference) -> Document:
    return Document(
        id=reference.id,
        text=reference.text,
        title=reference.title,
        date=reference.publication_date,
        source=reference.source,
    )


def run_tool(pipeline: Pipeline, reference: Reference) -> Output:
    """The tool's output for one reference; any exception becomes a recorded error."""
    started = time.perf_counter()
    try:
        result = pipeline.run(as_document(reference))
    except Exception as exc:  # noqa: BLE001 - one bad document never aborts the run
        return Output(
            error=f"{type(exc).__name__}: {exc}",
            latency_s=time.perf_counter() - started,
            writes_summary=True,
            lists_events=True,
            model=True,
        )
    return tool_output(result, time.perf_counter() - started)


def tool_output(result: Result, latency_s: float) -> Output:
    """An ``Output`` from a tool ``Result``: the abstract is the summary ROUGE reads."""
    summary = result.summary
    return Output(
        summary=summary.abstract if summary else None,
        key_points=[p.text for p in summary.key_points] if summary else [],
        events=list(result.events),
        result=result,
        latency_s=result.provenance.latency_s or latency_s,
        writes_summary=True,
        lists_events=True,
        model=True,
    )


def run_baseline(name: str, reference: Reference) -> Output:
    started = time.perf_counter()
    summary = baseline_summary(name, reference)
    events = baseline_events(name, reference)
    return Output(
        summary=summary[0] if summary else None,
        key_points=summary[1] if summary else None,
        events=events,
        latency_s=time.perf_counter() - started,
        writes_summary=summary is not None,
        lists_events=events is not None,
    )


def process(doc: DocumentRun, systems: Sequence[str], pipeline: Pipeline | None) -> DocumentRun:
    """Every system on one document, then its scores (runs in a worker thread)."""
    for system in systems:
        if system == TOOL:
            assert pipeline is not None, "the tool needs a pipeline"
            output = run_tool(pipeline, doc.reference)
        else:
            output = run_baseline(system, doc.reference)
        doc.outputs[system] = output
        doc.scores[system] = score_document(doc.reference, output)
    return doc


# ---------------------------------------------------------------- the run


def _progress(enabled: bool) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]eval[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not enabled,
        transient=False,
    )


async def _run_all(
    docs: list[DocumentRun],
    systems: Sequence[str],
    pipeline: Pipeline | None,
    concurrency: int,
    progress: Progress,
    on_done: Callable[[DocumentRun], None] | None,
) -> None:
    bound = asyncio.Semaphore(max(1, concurrency))
    task = progress.add_task("documents", total=len(docs))
    failed = 0

    async def one(doc: DocumentRun) -> None:
        nonlocal failed
        async with bound:
            await asyncio.to_thread(process, doc, systems, pipeline)
        tool = doc.outputs.get(TOOL)
        failed += int(tool is not None and tool.error is not None)
        note = f" [red]{failed} failed[/]" if failed else ""
        progress.update(task, advance=1, description=f"{doc.reference.id[:40]}{note}")
        if not progress.disable and not progress.console.is_terminal:
            # no live bar in a log file or CI: one line per document instead
            done = int(progress.tasks[0].completed)
            took = tool.latency_s if tool is not None else 0.0
            status = f"failed: {tool.error[:80]}" if tool is not None and tool.error else "ok"
            progress.console.print(
                f"[{done}/{len(docs)}] {doc.dataset}/{doc.reference.id} {took:.1f} s {status}",
                markup=False,
                highlight=False,
            )
        if on_done is not None:
            on_done(doc)

    await asyncio.gather(*(one(doc) for doc in docs))


def run_eval(
    datasets: Sequence[Dataset],
    *,
    settings: Settings | None = None,
    systems: Sequence[str] = SYSTEMS,
    concurrency: int = DEFAULT_CONCURRENCY,
    backend: Backend | None = None,
    pipeline: Pipeline | None = None,
    progress: bool = True,
    on_done: Callable[[DocumentRun], None] | None = None,
) -> EvalRun:
    """Run ``systems`` over every document of ``datasets`` and aggregate the scores.

    The pipeline is built once (``pipeline``, else from ``settings`` and
    ``backend``); building it may raise ``ConfigError`` (no model file), which
    is the caller's to report: nothing has run yet. ``on_done`` is called (in
    the event loop's thread) as each document finishes.
    """
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown or not systems:
        raise ValueError(f"unknown systems {unknown}; choose from {', '.join(SYSTEMS)}")
    datasets = list(datasets)
    _unique_names(datasets)
    if TOOL in systems and pipeline is None:
        pipeline = Pipeline(settings or Settings.from_env(), backend=backend)
    docs = [DocumentRun(ds.name, ref) for ds in datasets for ref in ds.references]
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    with _progress(progress) as bar:
        asyncio.run(_run_all(docs, systems, pipeline, concurrency, bar, on_done))
    wall = time.perf_counter() - clock
    return EvalRun(
        config=configuration(datasets, systems, pipeline, concurrency),
        datasets=datasets,
        systems=list(systems),
        documents=docs,
        aggregates=aggregates(docs, systems, [ds.name for ds in datasets]),
        started=started.isoformat(timespec="seconds"),
        wall_s=wall,
    )


def aggregates(
    docs: Sequence[DocumentRun], systems: Sequence[str], scopes: Sequence[str]
) -> dict[str, dict[str, dict[str, float | None]]]:
    """Aggregate scores per scope (``all`` and each dataset) and system."""
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    for scope in (ALL, *scopes):
        members = [d for d in docs if scope == ALL or d.dataset == scope]
        out[scope] = {s: aggregate([d.scores[s] for d in members]) for s in systems}
    return out


def configuration(
    datasets: Sequence[Dataset], systems: Sequence[str], pipeline: Pipeline | None, concurrency: int
) -> dict[str, Any]:
    """What a reader needs to reproduce the run (no secrets: the API key is never included)."""
    config: dict[str, Any] = {
        "summarizer_version": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "systems": list(systems),
        "concurrency": concurrency,
        "datasets": [
            {
                "name": ds.name,
                "path": str(ds.path),
                "kind": ds.kind,
                "documents": len(ds.references),
            }
            for ds in datasets
        ],
        "metric_parameters": {
            "span_weight": metrics.SPAN_WEIGHT,
            "description_weight": metrics.DESCRIPTION_WEIGHT,
            "date_weight": metrics.DATE_WEIGHT,
            "min_similarity": metrics.MIN_SIMILARITY,
            "key_point_threshold": metrics.KEY_POINT_THRESHOLD,
            "grounding_threshold": metrics.GROUNDING_THRESHOLD,
        },
    }
    if pipeline is not None:
        s = pipeline.settings
        config.update(
            backend=pipeline.backend.name if pipeline.backend else "none",  # rules: no model
            model=pipeline.backend.model if pipeline.backend else "none",
            strategy=s.strategy,
            base_url=s.base_url,
            settings=s.model_dump(mode="json", exclude={"api_key", "cache_dir"}),
        )
    return config


def prompt_hashes(run: EvalRun) -> dict[str, list[str]]:
    """Template name -> the distinct hashes the tool's results recorded (one, normally)."""
    seen: dict[str, list[str]] = {}
    for doc in run.documents:
        output = doc.outputs.get(TOOL)
        if output is None or output.result is None:
            continue
        for name, digest in output.result.provenance.prompts.items():
            if digest not in seen.setdefault(name, []):
                seen[name].append(digest)
    return dict(sorted(seen.items()))


__all__ = [
    "ALL",
    "DEFAULT_CONCURRENCY",
    "SYSTEMS",
    "TOOL",
    "Dataset",
    "DocumentRun",
    "EvalRun",
    "aggregates",
    "load_dataset",
    "prompt_hashes",
    "run_eval",
    "run_tool",
    "tool_output",
]
