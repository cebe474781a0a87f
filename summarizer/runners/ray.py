"""The pipeline on Ray Data: documents spread over the actors of a Ray cluster.

Terms:

* **worker**: a Ray actor holding one ``Pipeline``, so its backend loads once
  per actor (the embedded model in every actor; an OpenAI-compatible endpoint
  is shared by all). ``actors`` workers run, each with ``actor_concurrency``
  documents at once (threads: the pipeline waits on the model most of the time).
* **result row**: what a worker gives back for one document: ``id``, ``ok``,
  ``result`` (the ``Result`` as JSON, or null) and ``error`` (the error object
  of a batch line as JSON, or null). ``summarise_dataset`` returns a Dataset of
  these; ``run_ray_batch`` turns them into the lines of a local batch
  (``summarizer.runners.local``), or Parquet part files.
* **driver**: the process that runs ``summarise run --engine ray``. It reads the
  inputs (``summarizer.loading``, plus Parquet), gives repeated ids the same
  ``#2`` names as a local batch, skips the ids the output already holds, and
  writes each result as it streams back, once per id.
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

Ray is imported here only, when first needed; nothing in the core imports this module.
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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq
import ray
import ray.data
from ray.data import ActorPoolStrategy, DataContext, Dataset
from rich.console import Console

from ..errors import ConfigError, InputError, SummarizerError
from ..loading import RECORD_SUFFIXES, TEXT_SUFFIXES, iter_path, iter_stdin, parse_record
from ..pipeline import Pipeline
from ..schemas import Document
from ..settings import Settings
from .local import (
    BACKEND_FAILURE_LIMIT,
    BatchSummary,
    IdAssigner,
    Item,
    JsonlAppender,
    _progress,
    durable_replace,
    error_record,
    failed_line,
    ok_line,
    prepare_output,
)

if TYPE_CHECKING:
    from ..backends import Backend

    BackendFactory = Callable[[Settings], Backend]

PARQUET_SUFFIXES = {".parquet", ".pq"}
WORKER_RETRIES = 3  # a task whose actor died is retried this often before its documents go alone
PART_ROWS = 1000
PART_SECONDS = 30.0
BLOCKS_PER_SLOT = (
    4  # input blocks per document slot: small enough to balance, big enough to be cheap
)
MAX_BLOCK_ROWS = 32
RESULT_COLUMNS = ("id", "ok", "result", "error")
_BACKEND_ERRORS = {"BackendError", "BackendTimeout", "BackendUnavailable", "AuthenticationFailed"}


class WorkerLost(SummarizerError):
    """A document whose worker died every time it ran it."""


def _result_schema() -> pa.Schema:
    return pa.schema(
        [("id", pa.string()), ("ok", pa.bool_()), ("result", pa.string()), ("error", pa.string())]
    )


# --- the worker ---


def _date_value(value: Any) -> str | None:
    """A date cell as YYYY-MM-DD: a string, a date, a datetime or a timestamp (Parquet, pandas)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    match = re.match(r"(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}|$)", text)
    return match.group(1) if match else text  # anything else: parse_record says what is wrong


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
            [self.one(row) for row in batch.to_pylist()], schema=_result_schema()
        )

    def one(self, row: dict[str, Any]) -> dict[str, Any]:
        text = row.get("text")
        source = row.get("source") or None
        record = {
            "id": row.get("id"),
            "text": text,
            "title": row.get("title"),
            "date": _date_value(row.get("date")),
        }
        fallback = content_id(text) if isinstance(text, str) else "doc-without-text"
        try:
            document = parse_record(record, default_id=fallback, source=source or "<dataset>")
        except InputError as exc:
            return _failed(str(record["id"] or fallback), error_record(exc, exc.source))
        if self.date is not None:
            document = document.model_copy(update={"date": self.date})
        try:
            result = self.pipeline.run(document)
        except Exception as exc:  # noqa: BLE001 - one document's failure must not stop the batch
            return _failed(document.id, error_record(exc, source))
        wanted = row.get("renamed_from")
        if wanted:
            result.warnings.append(
                f"id {wanted!r} repeats an earlier document's; renamed {document.id!r}"
            )
        return {"id": document.id, "ok": True, "result": result.model_dump_json(), "error": None}


def _failed(doc_id: str, error: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": doc_id,
        "ok": False,
        "result": None,
        "error": json.dumps(error, ensure_ascii=False),
    }


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
    result row: ``id``, ``ok``, ``result`` (JSON) or ``error`` (JSON), see the
    module docstring. ``actors`` workers run ``actor_concurrency`` documents
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


# --- inputs ---


def _parquet_records(path: Path) -> Iterator[Document | InputError]:
    """Documents from a Parquet file's rows (``text``, optional ``id``, ``title``, ``date``)."""
    source = str(path)
    try:
        reader = pq.ParquetFile(path)
    except FileNotFoundError:
        yield InputError("no such file", source=source)
        return
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds for a bad file
        yield InputError(f"is not a readable Parquet file ({exc})", source=source)
        return
    if "text" not in reader.schema_arrow.names:
        yield InputError("has no 'text' column", source=source)
        return
    columns = [
        c
        for c in ("id", "text", "title", "date", "publication_date")
        if c in reader.schema_arrow.names
    ]
    if reader.metadata.num_rows == 0:
        yield InputError("has no rows", source=source)
        return
    row = 0
    for batch in reader.iter_batches(batch_size=1024, columns=columns):
        for record in batch.to_pylist():
            row += 1
            where = f"{source}:{row}"
            for key in ("date", "publication_date"):
                if key in record:
                    record[key] = _date_value(record[key])
            try:
                yield parse_record(record, default_id=f"{path.stem}-{row}", source=where)
            except InputError as exc:
                yield exc


def iter_inputs(sources: list[str]) -> Iterator[Item]:
    """What ``loading.iter_documents`` gives, and Parquet files (alone or in folders) too."""
    for source in sources:
        if source == "-":
            yield from iter_stdin()
            continue
        path = Path(source)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            known = TEXT_SUFFIXES | RECORD_SUFFIXES | PARQUET_SUFFIXES
            usable = [p for p in files if p.suffix.lower() in known]
            if not usable:
                yield InputError(
                    "folder has no .txt, .md, .json, .jsonl or .parquet files", source=str(path)
                )
            for file in usable:
                yield from _one_path(file)
        else:
            yield from _one_path(path)


def _one_path(path: Path) -> Iterator[Item]:
    if path.suffix.lower() in PARQUET_SUFFIXES:
        yield from _parquet_records(path)
    else:
        yield from iter_path(path)


def numbered(sources: list[str]) -> Iterator[tuple[str, str, Item]]:
    """(unique id, id asked for, item) in input order: ``batch.numbered_inputs`` with Parquet."""
    ids = IdAssigner()
    for index, item in enumerate(iter_inputs(sources), 1):
        wanted = item.id if isinstance(item, Document) else (item.source or f"input-{index}")
        yield ids.assign(wanted), wanted, item


# --- outputs ---


def is_parquet(path: Path) -> bool:
    return path.suffix.lower() in PARQUET_SUFFIXES


class _JsonlSink:
    """The lines of a local batch (``batch.JsonlAppender``: whole lines, each fsync'd)."""

    def __init__(self, path: Path, *, resume: bool) -> None:
        self.done = prepare_output(path, resume=resume)
        self.appender = JsonlAppender(path)

    def write(self, row: dict[str, Any]) -> None:
        if row["ok"]:
            self.appender.write_line(ok_line(row["id"], row["result"]))
        else:
            self.appender.write_line(failed_line(row["id"], json.loads(row["error"])))

    def close(self) -> None:
        self.appender.close()


_PART = re.compile(r"part-(\d+)\.parquet$")


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
        parts = sorted(p for p in path.iterdir() if _PART.match(p.name))
        if parts and not resume:
            raise ConfigError(
                f"{path} already has results; pass --resume to continue that batch, "
                "or choose another output folder"
            )
        self.done: set[str] = set()
        for part in parts:
            table = pq.read_table(part)
            rows = table.to_pylist()
            keep = [r for r in rows if not _retryable(r)]
            if len(keep) < len(rows):  # retryable errors are asked again, as in a local batch
                self._write_part(part, keep)
            self.done.update(str(r["id"]) for r in keep)
        self.next_index = 1 + max(
            (int(_PART.match(p.name).group(1)) for p in parts),  # type: ignore[union-attr]
            default=-1,
        )

    def write(self, row: dict[str, Any]) -> None:
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
        pq.write_table(pa.Table.from_pylist(rows, schema=_result_schema()), tmp)
        durable_replace(tmp, final)

    def close(self) -> None:
        self.flush()


def _retryable(row: dict[str, Any]) -> bool:
    return not row["ok"] and bool(json.loads(row["error"] or "{}").get("retryable"))


def read_results(path: Path) -> list[dict[str, Any]]:
    """Every result row of an output, JSONL or Parquet folder, as ``{id, ok, result, error}`` dicts."""
    if is_parquet(path):
        rows: list[dict[str, Any]] = []
        for part in sorted(p for p in path.iterdir() if _PART.match(p.name)):
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
    quiet = {"logging_level": logging.WARNING, "log_to_driver": False}
    if address:
        ray.init(address=address, **quiet)
    else:  # "local": a new instance, never one that `ray start` left on this machine
        ray.init(address="local", num_cpus=num_cpus, include_dashboard=False, **quiet)
    return True


class _Run:
    def __init__(
        self, output: Path, *, resume: bool, progress: bool, console: Console | None
    ) -> None:
        self.summary = BatchSummary(output=output)
        self.sink: _JsonlSink | _ParquetSink = (_ParquetSink if is_parquet(output) else _JsonlSink)(
            output, resume=resume
        )
        self.written: set[str] = set(self.sink.done)
        self.console = console or Console(stderr=True, highlight=False)
        self.progress = None
        self.task_id: Any = None
        if progress:
            self.progress = _progress(self.console)
        self.backend_failures = 0
        self.renamed_examples: list[str] = []

    def record(self, row: dict[str, Any]) -> None:
        """Write one result row (once per id) and count it."""
        doc_id = str(row["id"])
        if doc_id in self.written:
            return  # a retried task's second answer, or an id done earlier
        self.sink.write(row)
        self.written.add(doc_id)
        s = self.summary
        if row["ok"]:
            usage = json.loads(row["result"])["provenance"]["usage"]
            s.ok += 1
            s.tokens += usage["prompt_tokens"] + usage["completion_tokens"]
            s.calls += usage["calls"]
            s.cached_calls += usage["cached_calls"]
            self.backend_failures = 0
        else:
            kind = json.loads(row["error"])["type"]
            s.failed += 1
            s.error_types[kind] += 1
            if kind in _BACKEND_ERRORS:
                self.backend_failures += 1
                if kind == "AuthenticationFailed" or self.backend_failures >= BACKEND_FAILURE_LIMIT:
                    s.stopped_reason = s.stopped_reason or (
                        f"the backend kept failing: {json.loads(row['error'])['message']}"
                    )
        if self.progress is not None:
            self.progress.update(self.task_id, advance=1, tokens=s.tokens, errors=s.failed)

    def stream(self, results: Dataset) -> None:
        """Write result rows as their blocks finish; stop early when the backend is down."""
        batches = results.iter_batches(batch_size=None, batch_format="pyarrow", prefetch_batches=0)
        iterator = iter(batches)
        try:
            for batch in iterator:
                for row in batch.to_pylist():
                    self.record(row)
                if self.summary.stopped_reason:
                    return
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # stops the execution when we leave early


def _blocks(rows: int, slots: int) -> int:
    per_block = max(1, min(MAX_BLOCK_ROWS, rows // (slots * BLOCKS_PER_SLOT)))
    return max(1, -(-rows // per_block))


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
) -> BatchSummary:
    """``run_batch`` on Ray: the same inputs (and Parquet), the same lines (or Parquet parts).

    ``actors`` workers with ``actor_concurrency`` documents each, on the cluster
    at ``address`` (or ``RAY_ADDRESS``; else a local Ray with ``num_cpus``).
    Resumable as a local batch; see the module docstring for worker deaths.
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
        for doc_id, wanted, item in numbered(sources):
            total += 1
            if doc_id != wanted:
                s.renamed += 1
                if len(run.renamed_examples) < 3:
                    run.renamed_examples.append(f"{wanted} → {doc_id}")
            if doc_id in run.written:
                s.skipped += 1
            elif isinstance(item, InputError):
                run.record(_failed(doc_id, error_record(item, item.source)))
            else:
                pending.append(
                    {
                        "id": doc_id,
                        "text": item.text,
                        "title": item.title,
                        "date": item.date.isoformat() if item.date else None,
                        "source": item.source,
                        "renamed_from": wanted if doc_id != wanted else None,
                    }
                )
        s.total = total
        if pending:
            started_ray = connect(address, num_cpus=num_cpus)
            context = DataContext.get_current()
            saved = (context.max_errored_blocks, context.enable_progress_bars)
            # a block whose worker died past its retries is left out (and rerun below), not fatal
            context.max_errored_blocks = -1
            context.enable_progress_bars = False
            logging.getLogger("ray.data").setLevel(logging.WARNING)
            if run.progress is not None:
                run.progress.start()
                run.task_id = run.progress.add_task(
                    "summarising", total=len(pending), tokens=0, errors=0
                )
            try:
                todo = pending
                blocks = _blocks(len(todo), actors * slots)
                while todo and not s.stopped_reason:
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
                if not s.stopped_reason:
                    for row in todo:
                        run.record(
                            _failed(
                                row["id"],
                                error_record(
                                    WorkerLost(
                                        f"its worker died {WORKER_RETRIES + 1} times running it"
                                    ),
                                    row["source"],
                                ),
                            )
                        )
            except KeyboardInterrupt:
                s.interrupted = True
            finally:
                context.max_errored_blocks, context.enable_progress_bars = saved
                if run.progress is not None:
                    run.progress.stop()
                if started_ray:
                    ray.shutdown()
    finally:
        run.sink.close()
    s.seconds = round(time.perf_counter() - started, 3)
    if run.renamed_examples:
        run.console.print(
            f"{s.renamed} repeated document ids renamed, e.g. " + ", ".join(run.renamed_examples)
        )
    return s


def summarised(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Result rows by id, each ``result`` parsed (a helper for comparing runs)."""
    return {
        str(r["id"]): {
            **r,
            "result": json.loads(r["result"]) if r["result"] else None,
            "error": json.loads(r["error"]) if r["error"] else None,
        }
        for r in rows
    }


__all__ = [
    "WorkerLost",
    "connect",
    "content_id",
    "iter_inputs",
    "read_results",
    "run_ray_batch",
    "summarise_dataset",
]
