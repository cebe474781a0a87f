"""The pipeline on Ray Data: documents spread over the actors of a Ray cluster.

Terms:

* **worker**: a Ray actor holding one ``Pipeline``, so its backend loads once
  per actor (the embedded model in every actor; an OpenAI-compatible endpoint
  is shared by all). ``actors`` workers run, each with ``actor_concurrency``
  documents at once (threads: the pipeline waits on the model most of the time).
* **result row**: what a worker gives back for one document, ``core.Outcome.row``:
  ``id``, ``ok``, ``result`` (the ``Result`` as JSON, or null), ``error`` (the
  error object of a record as JSON, or null) and ``fault`` (what the failure says
  about the backend, decided on the worker from the exception's class).
  ``summarise_dataset`` returns a Dataset of these; ``run_ray_batch`` turns them
  into the records of a local batch, or Parquet part files (without ``fault``).
* **driver**: the process that runs ``summarise run --engine ray``. It walks the
  inputs as a local batch does (``core.numbered_inputs``: the same files, ``--ext``,
  ids), skips the ids the output already holds, and writes each result as it
  streams back, once per id, counted by ``core.Tally``.
* **worker death**: a worker process that exits (killed, out of memory, a crash
  in native code). Ray restarts the actor and retries its task up to
  ``WORKER_RETRIES`` times; documents whose task still failed are run again one
  per task, and a document that kills its worker even then gets an error line
  (``WorkerLost``). So every document ends with exactly one line.

Parquet output (``-o results.parquet``) is a folder of part files
(``part-00000.parquet``...; pyarrow, pandas, DuckDB and Ray read the folder as
one table), each written whole under a temporary name and renamed, every
``PART_ROWS`` rows or ``PART_SECONDS`` seconds: a killed run loses at most the
rows not yet in a part, and a resume redoes those.

Ray is imported here only, when first needed; nothing in the package imports this module
at its top.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pyarrow as pa
import pyarrow.parquet as pq
import ray
import ray.data
from ray.data import ActorPoolStrategy, DataContext, Dataset
from rich.console import Console

from ..errors import ConfigError, InputError, SummarizerError
from ..loading import FOLDER_EXTENSIONS, PARQUET_SUFFIXES, date_cell, parse_record
from ..pipeline import Pipeline
from ..settings import Settings
from .core import (
    BatchSummary,
    JsonlSink,
    Outcome,
    Tally,
    durable_replace,
    is_retryable,
    numbered_inputs,
    progress_bar,
    summarise_item,
)

if TYPE_CHECKING:
    from ..backends import Backend

    BackendFactory = Callable[[Settings], Backend]

WORKER_RETRIES = 3  # a task whose actor died is retried this often before its documents go alone
PART_ROWS = 1000
PART_SECONDS = 30.0
BLOCKS_PER_SLOT = (
    4  # input blocks per document slot: small enough to balance, big enough to be cheap
)
MAX_BLOCK_ROWS = 32


class WorkerLost(SummarizerError):
    """A document whose worker died every time it ran it."""


def _row_schema() -> pa.Schema:
    """A worker's result rows (``core.Outcome.row``)."""
    return pa.schema(
        [
            ("id", pa.string()),
            ("ok", pa.bool_()),
            ("result", pa.string()),
            ("error", pa.string()),
            ("fault", pa.string()),
        ]
    )


def _part_schema() -> pa.Schema:
    """A Parquet output's rows: the record's fields (the fault is the driver's business)."""
    return pa.schema(
        [("id", pa.string()), ("ok", pa.bool_()), ("result", pa.string()), ("error", pa.string())]
    )


# --- the worker ---


def content_id(text: str) -> str:
    """The id of a row that has none: stable across runs, so a resume finds it done."""
    return "doc-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


class _Worker:
    """A Ray Data callable class: one Pipeline per actor; a batch of document rows in, result rows out."""

    def __init__(
        self, settings: Settings, date: str | None, backend_factory: BackendFactory | None
    ) -> None:
        self.date = dt.date.fromisoformat(date) if date else None
        backend = backend_factory(settings) if backend_factory is not None else None
        self.pipeline = Pipeline(settings, backend=backend)

    def __call__(self, batch: pa.Table) -> pa.Table:
        return pa.Table.from_pylist(
            [self.one(row).row() for row in batch.to_pylist()], schema=_row_schema()
        )

    def one(self, row: dict[str, Any]) -> Outcome:
        text = row.get("text")
        source = row.get("source") or None
        record = {
            "id": row.get("id"),
            "text": text,
            "title": row.get("title"),
            "date": date_cell(row.get("date")),
        }
        fallback = content_id(text) if isinstance(text, str) else "doc-without-text"
        try:
            document = parse_record(record, default_id=fallback, source=source or "<dataset>")
        except InputError as exc:
            return Outcome.failed(str(record["id"] or fallback), exc, exc.source)
        document = document.model_copy(update={"source": source, "offset": row.get("offset") or 0})
        wanted = row.get("renamed_from") or document.id
        return summarise_item(self.pipeline, document.id, wanted, document, date=self.date)


def default_actor_concurrency(settings: Settings) -> int:
    """Documents at once per actor: 4 against an endpoint, 1 for the embedded model (as a local batch)."""
    return 4 if settings.base_url else 1


def summarise_dataset(
    dataset: Dataset,
    settings: Settings | None = None,
    *,
    actors: int = 1,
    actor_concurrency: int | None = None,
    actor_cpus: float | None = None,
    date: dt.date | None = None,
    backend_factory: BackendFactory | None = None,
) -> Dataset:
    """Summarise every row of a ``ray.data.Dataset``; a Dataset of result rows (lazy, like Ray's).

    Rows carry the document fields (``text``; optionally ``id``, ``title``,
    ``date``, ``source``; other columns are ignored). A row without an id gets
    one from its text (``content_id``); ids should be unique. Every row gives one
    result row: ``id``, ``ok``, ``result`` (JSON) or ``error`` (JSON), and
    ``fault``, see the module docstring. ``actors`` workers run ``actor_concurrency`` documents
    each (default 4 against an endpoint, 1 embedded), reserving ``actor_cpus``
    CPUs each (default: 1, or ``settings.threads`` for the embedded model).
    ``date`` overrides every publication date; ``backend_factory`` builds each
    worker's backend from the settings instead of the one they name.
    """
    settings = settings or Settings.from_env()
    slots = actor_concurrency or default_actor_concurrency(settings)
    if actors < 1 or slots < 1:
        raise ConfigError("--actors and --actor-concurrency must be at least 1")
    cpus = (
        actor_cpus
        if actor_cpus is not None
        else (1.0 if settings.base_url else float(settings.threads or 1))
    )
    with warnings.catch_warnings():
        # the retry limits have no named parameter yet in the pinned Ray: they go as remote args
        warnings.filterwarnings("ignore", message=".*ray_remote_args.*deprecated")
        return dataset.map_batches(
            _Worker,
            batch_size=None,
            batch_format="pyarrow",
            fn_constructor_args=(settings, date.isoformat() if date else None, backend_factory),
            compute=ActorPoolStrategy(
                size=actors, max_concurrent_calls_per_actor=slots, enable_true_multi_threading=True
            ),
            num_cpus=cpus,
            max_restarts=-1,
            max_task_retries=WORKER_RETRIES,
        )


# --- outputs ---


def is_parquet(path: Path) -> bool:
    return path.suffix.lower() in PARQUET_SUFFIXES


_PART = re.compile(r"part-(\d+)\.parquet$")


def _part_index(path: Path) -> int | None:
    match = _PART.match(path.name)
    return int(match.group(1)) if match else None


class _ParquetSink:
    """A folder of Parquet part files, each written whole and renamed (see the module docstring)."""

    def __init__(self, path: Path, *, resume: bool) -> None:
        self.path = path
        self.rows: list[dict[str, Any]] = []
        self.flushed_at = time.monotonic()
        if path.exists() and not path.is_dir():
            raise ConfigError(
                f"{path} is a file; a Parquet output is a folder of part files: choose a new name"
            )
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob(".part-*.tmp"):  # a run killed while writing a part
            stale.unlink()
        parts = sorted(p for p in path.iterdir() if _part_index(p) is not None)
        if parts and not resume:
            raise ConfigError(
                f"{path} already has results; pass --resume to continue that batch, "
                "or choose another output folder"
            )
        self.done: set[str] = set()
        for part in parts:
            rows = pq.read_table(part).to_pylist()
            keep = [r for r in rows if r["ok"] or not is_retryable(json.loads(r["error"] or "{}"))]
            if len(keep) < len(rows):  # retryable errors are asked again, as in a local batch
                self._write_part(part, keep)
            self.done.update(str(r["id"]) for r in keep)
        self.next_index = 1 + max((_part_index(p) or 0 for p in parts), default=-1)

    def write(self, outcome: Outcome) -> None:
        row = outcome.row()
        del row["fault"]
        self.rows.append(row)
        if len(self.rows) >= PART_ROWS or time.monotonic() - self.flushed_at >= PART_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self._write_part(self.path / f"part-{self.next_index:05d}.parquet", self.rows)
            self.next_index += 1
            self.rows = []
        self.flushed_at = time.monotonic()

    def _write_part(self, final: Path, rows: list[dict[str, Any]]) -> None:
        if not rows:
            final.unlink(missing_ok=True)
            return
        tmp = final.with_name(f".{final.stem}.tmp")
        pq.write_table(pa.Table.from_pylist(rows, schema=_part_schema()), tmp)
        durable_replace(tmp, final)

    def close(self) -> None:
        self.flush()


def read_results(path: Path) -> list[dict[str, Any]]:
    """Every result row of an output, JSONL or Parquet folder, as ``{id, ok, result, error}`` dicts."""
    if is_parquet(path):
        rows: list[dict[str, Any]] = []
        for part in sorted(p for p in path.iterdir() if _part_index(p) is not None):
            rows.extend(pq.read_table(part).to_pylist())
        return rows
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        out.append(
            {
                "id": record["id"],
                "ok": record["ok"],
                "result": json.dumps(record["result"])
                if record.get("result") is not None
                else None,
                "error": json.dumps(record["error"]) if record.get("error") is not None else None,
            }
        )
    return out


# --- the driver ---


def connect(address: str | None = None, *, num_cpus: int | None = None) -> bool:
    """Join the Ray cluster at ``address`` (or ``RAY_ADDRESS``), else start a local one.

    Returns whether this call started Ray (and so should shut it down). An
    already initialised Ray (a notebook, a test session) is used as it is.
    """
    if ray.is_initialized():
        return False
    address = address or os.environ.get("RAY_ADDRESS") or None
    if address:
        ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
    else:  # "local": a new instance, never one that `ray start` left on this machine
        ray.init(
            address="local",
            num_cpus=num_cpus,
            include_dashboard=False,
            logging_level=logging.WARNING,
            log_to_driver=False,
        )
    return True


class _Run:
    def __init__(
        self, output: Path, *, resume: bool, progress: bool, console: Console | None
    ) -> None:
        self.summary = BatchSummary(output=output)
        self.sink: JsonlSink | _ParquetSink = (_ParquetSink if is_parquet(output) else JsonlSink)(
            output, resume=resume
        )
        self.written: set[str] = set(self.sink.done)
        self.console = console or Console(stderr=True, highlight=False)
        self.tally = Tally(self.summary, progress_bar(self.console) if progress else None)

    def record(self, outcome: Outcome) -> None:
        """Write one outcome (once per id) and count it."""
        if outcome.id in self.written:
            return  # a retried task's second answer, or an id done earlier
        self.sink.write(outcome)
        self.written.add(outcome.id)
        self.tally.count(outcome)

    def stream(self, results: Dataset) -> None:
        """Write result rows as their blocks finish; stop early when the backend is down."""
        batches = results.iter_batches(batch_size=None, batch_format="pyarrow", prefetch_batches=0)
        iterator = iter(batches)
        try:
            for batch in iterator:  # pyarrow batches, as asked: the union type says more
                for row in cast(pa.Table, batch).to_pylist():
                    self.record(Outcome.from_row(row))
                if self.tally.backend_down:
                    return
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # stops the execution when we leave early


def _blocks(rows: int, slots: int) -> int:
    per_block = max(1, min(MAX_BLOCK_ROWS, rows // (slots * BLOCKS_PER_SLOT)))
    return max(1, -(-rows // per_block))


def _lost(row: dict[str, Any]) -> Outcome:
    lost = WorkerLost(f"its worker died {WORKER_RETRIES + 1} times running it")
    return Outcome.failed(row["id"], lost, row["source"])


def _run_on_ray(
    run: _Run,
    pending: list[dict[str, Any]],
    settings: Settings,
    actors: int,
    slots: int,
    date: dt.date | None,
    backend_factory: BackendFactory | None,
) -> None:
    """Every pending row through the workers; what dead workers left goes again, one per task."""
    context = DataContext.get_current()
    saved = (context.max_errored_blocks, context.enable_progress_bars)
    # a block whose worker died past its retries is left out (and rerun below), not fatal
    context.max_errored_blocks = -1
    context.enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    run.tally.start_progress(len(pending))
    try:
        todo = pending
        blocks = _blocks(len(todo), actors * slots)
        while todo and not run.tally.backend_down:
            dataset = ray.data.from_items(todo, override_num_blocks=blocks)
            run.stream(
                summarise_dataset(
                    dataset,
                    settings,
                    actors=actors,
                    actor_concurrency=slots,
                    date=date,
                    backend_factory=backend_factory,
                )
            )
            one_each = blocks >= len(todo)
            todo = [row for row in todo if row["id"] not in run.written]
            if one_each:
                break
            blocks = len(todo)  # what a dead worker's block left goes one per task
        if not run.tally.backend_down:
            for row in todo:
                run.record(_lost(row))
    finally:
        context.max_errored_blocks, context.enable_progress_bars = saved
        run.tally.stop_progress()


def run_ray_batch(
    sources: list[str],
    output: Path,
    settings: Settings,
    *,
    actors: int = 1,
    actor_concurrency: int | None = None,
    resume: bool = False,
    date: dt.date | None = None,
    address: str | None = None,
    num_cpus: int | None = None,
    progress: bool = True,
    console: Console | None = None,
    backend_factory: BackendFactory | None = None,
    extensions: tuple[str, ...] = FOLDER_EXTENSIONS,
) -> BatchSummary:
    """``run_batch`` on Ray: the same inputs, the same lines (or Parquet parts).

    ``actors`` workers with ``actor_concurrency`` documents each, on the cluster
    at ``address`` (or ``RAY_ADDRESS``; else a local Ray with ``num_cpus``); a
    folder gives its files with ``extensions``, as in a local batch. Resumable as
    a local batch; see the module docstring for worker deaths.
    """
    started = time.perf_counter()
    slots = actor_concurrency or default_actor_concurrency(settings)
    if actors < 1 or slots < 1:
        raise ConfigError("--actors and --actor-concurrency must be at least 1")
    run = _Run(output, resume=resume, progress=progress, console=console)
    s = run.summary
    pending: list[dict[str, Any]] = []
    try:
        total = 0
        for doc_id, wanted, item in numbered_inputs(sources, extensions):
            total += 1
            if not run.tally.pending(doc_id, wanted, run.written):
                continue
            if isinstance(item, InputError):
                run.record(Outcome.failed(doc_id, item, item.source))
            else:
                pending.append(
                    {
                        "id": doc_id,
                        "text": item.text,
                        "title": item.title,
                        "date": item.date.isoformat() if item.date else None,
                        "source": item.source,
                        "offset": item.offset,  # spans index the file as given, header included
                        "renamed_from": wanted if doc_id != wanted else None,
                    }
                )
        s.total = total
        if pending:
            started_ray = connect(address, num_cpus=num_cpus)
            try:
                _run_on_ray(run, pending, settings, actors, slots, date, backend_factory)
            except KeyboardInterrupt:
                s.interrupted = True
            finally:
                if started_ray:
                    ray.shutdown()
    finally:
        run.sink.close()
    s.seconds = round(time.perf_counter() - started, 3)
    run.tally.note_renames(run.console)
    return s


__all__ = [
    "WorkerLost",
    "connect",
    "content_id",
    "read_results",
    "run_ray_batch",
    "summarise_dataset",
]
