"""Batch runner: many documents, a bounded number at a time, each result written as it finishes.

Terms:

* **output**: a JSONL file with exactly one **line** per input, in the order the
  documents finish: ``{"id": ..., "ok": true, "result": {...}}`` or
  ``{"id": ..., "ok": false, "error": {"type", "message", "source"}}``. A line is
  written with one ``os.write`` on an ``O_APPEND`` descriptor and fsync'd before
  the next one, so a killed run leaves whole lines only (at worst one torn last
  line, which ``resume`` cuts away).
* **id**: a document's id, unique within a batch: the second document claiming
  ``x`` becomes ``x#2``, the third ``x#3`` (decided in input order, so a resumed
  run renames the same way). An input that could not be loaded gets its source
  (``file:line``) as id.
* **resume**: skip every id the output already holds. Lines recording a
  *retryable* error (the backend was down, timed out or refused the key: faults
  of the moment, not of the document) are first removed from the output, so
  those documents are asked again instead of staying failed forever.
* **in flight**: documents taken from the input and being summarised. The
  first Ctrl-C stops taking new ones and lets those finish; a second abandons
  them (they have no line yet, so a resume redoes them).

Documents are read lazily and results are not kept, so memory stays flat
however long the batch is.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ..errors import AuthenticationFailed, BackendError, ConfigError, InputError
from ..loading import FOLDER_EXTENSIONS, iter_documents
from ..pipeline import Pipeline
from ..schemas import Document
from ..settings import Settings

BACKEND_FAILURE_LIMIT = 3  # consecutive documents failed by the backend: it is down, stop
RETRYABLE = (BackendError,)  # the moment's fault, not the document's: a resume asks again


@dataclass
class BatchSummary:
    """What a batch did. ``total`` is the number of inputs, None when not counted (stdin)."""

    output: Path
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    renamed: int = 0
    total: int | None = None
    tokens: int = 0
    calls: int = 0
    cached_calls: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    abandoned: int = 0  # documents in flight when a second Ctrl-C came
    stopped_reason: str | None = None
    error_types: Counter[str] = field(default_factory=Counter)

    @property
    def done(self) -> int:
        """Inputs that have their line in the output, this run's and earlier runs'."""
        return self.ok + self.failed + self.skipped

    @property
    def complete(self) -> bool:
        return not self.interrupted and self.stopped_reason is None


# --- the output file ---


class JsonlAppender:
    """Appends whole lines to a file, each durable before the next (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._lock = threading.Lock()  # fsync order = line order; one writer at a time

    def write_line(self, line: str) -> None:
        data = (line.rstrip("\n") + "\n").encode("utf-8")
        with self._lock:
            written = os.write(self._fd, data)
            if written != len(data):  # a full disk: the partial line is cut on resume
                raise OSError(f"short write to {self.path} ({written} of {len(data)} bytes)")
            os.fsync(self._fd)

    def close(self) -> None:
        os.close(self._fd)


def ok_line(doc_id: str, result_json: str) -> str:
    # the result is already JSON: splice it in rather than parse and dump it again
    return (
        '{"id":'
        + json.dumps(doc_id, ensure_ascii=False)
        + ',"ok":true,"result":'
        + result_json
        + "}"
    )


def error_record(exc: BaseException, source: str | None) -> dict[str, Any]:
    """A failed line's ``error`` object: type, message, source, and ``retryable`` when it is."""
    message = str(exc)
    if isinstance(exc, InputError) and exc.source and message.startswith(f"{exc.source}: "):
        message = message[len(exc.source) + 2 :]  # the source has its own field
    error: dict[str, Any] = {"type": type(exc).__name__, "message": message, "source": source}
    if isinstance(exc, RETRYABLE):
        error["retryable"] = True
    return error


def failed_line(doc_id: str, error: dict[str, Any]) -> str:
    return json.dumps({"id": doc_id, "ok": False, "error": error}, ensure_ascii=False)


def error_line(doc_id: str, exc: BaseException, source: str | None) -> str:
    return failed_line(doc_id, error_record(exc, source))


def _cut_torn_line(path: Path) -> None:
    """Truncate a last line that lacks its newline (a run killed mid-write)."""
    with path.open("r+b") as fh:
        size = fh.seek(0, os.SEEK_END)
        if size == 0:
            return
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return
        end = size
        while end > 0:  # walk back in blocks to the last newline
            start = max(0, end - 65536)
            fh.seek(start)
            block = fh.read(end - start)
            at = block.rfind(b"\n")
            if at >= 0:
                fh.truncate(start + at + 1)
                break
            end = start
        else:
            fh.truncate(0)
        fh.flush()
        os.fsync(fh.fileno())


def _is_retryable(record: dict[str, Any]) -> bool:
    return record.get("ok") is False and bool((record.get("error") or {}).get("retryable"))


def prepare_output(path: Path, *, resume: bool) -> set[str]:
    """The ids the output already holds (empty for a new file); retryable errors removed.

    ``ConfigError`` (one line) for an output that is a folder, or in a folder that
    does not exist, and for an existing output without ``resume``."""
    if path.is_dir():
        raise ConfigError(
            f"-o {path} is a folder; name a file in it, e.g. {path / 'results.jsonl'}"
        )
    if not path.parent.is_dir():
        raise ConfigError(f"-o {path}: the folder {path.parent} does not exist; create it first")
    if not path.exists() or path.stat().st_size == 0:
        return set()
    if not resume:
        raise ConfigError(
            f"{path} already has results; pass --resume to continue that batch, "
            "or choose another output file"
        )
    _cut_torn_line(path)
    done: set[str] = set()
    retry = False
    with path.open("rb") as fh:
        for raw in fh:
            try:
                record = json.loads(raw)
            except ValueError:
                continue  # not ours (only torn lines can be half written, and those are cut)
            if _is_retryable(record):
                retry = True
            elif isinstance(record, dict) and "id" in record:
                done.add(str(record["id"]))
    if retry:
        _drop_retryable(path)
    return done


def _drop_retryable(path: Path) -> None:
    """Rewrite the output without its retryable error lines, atomically (temp file + rename)."""
    tmp = path.with_name(f".{path.name}.resume-tmp")
    with path.open("rb") as src, tmp.open("wb") as dst:
        for raw in src:
            try:
                if _is_retryable(json.loads(raw)):
                    continue
            except ValueError:
                pass
            dst.write(raw)
    durable_replace(tmp, path)


def durable_replace(tmp: Path, final: Path) -> None:
    """Rename ``tmp`` over ``final`` so that a crash leaves one or the other whole: the data
    is fsync'd before the rename, the folder after it (the rename itself made durable)."""
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    dir_fd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# --- inputs ---


class IdAssigner:
    """Unique ids in input order: a repeated id gets ``#2``, ``#3`` ... (see the module docstring)."""

    def __init__(self) -> None:
        self._taken: set[str] = set()
        self._last_suffix: dict[str, int] = {}

    def assign(self, wanted: str) -> str:
        if wanted not in self._taken:
            self._taken.add(wanted)
            return wanted
        n = self._last_suffix.get(wanted, 1)
        while True:
            n += 1
            candidate = f"{wanted}#{n}"
            if candidate not in self._taken:
                break
        self._last_suffix[wanted] = n
        self._taken.add(candidate)
        return candidate


Item = Document | InputError


def numbered_inputs(
    sources: list[str], extensions: tuple[str, ...] = FOLDER_EXTENSIONS
) -> Iterator[tuple[str, str, Item]]:
    """(unique id, id asked for, item) for every input, in order."""
    ids = IdAssigner()
    for index, item in enumerate(iter_documents(sources, extensions=extensions), 1):
        wanted = item.id if isinstance(item, Document) else (item.source or f"input-{index}")
        yield ids.assign(wanted), wanted, item


# --- progress ---


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.2f} docs/s" if speed else "– docs/s", style="progress.data.speed")


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[tokens]:,} tokens"),
        TextColumn("[red]{task.fields[errors]} errors"),
        console=console,
        transient=False,
    )


# --- the runner ---


class _Batch:
    def __init__(
        self,
        sources: list[str],
        output: Path,
        settings: Settings,
        *,
        concurrency: int,
        resume: bool,
        date: dt.date | None,
        progress: bool,
        console: Console | None,
        extensions: tuple[str, ...] = FOLDER_EXTENSIONS,
    ) -> None:
        self.sources = sources
        self.extensions = extensions
        self.summary = BatchSummary(output=output)
        self.done_ids = prepare_output(output, resume=resume)
        self.pipeline = Pipeline(settings)  # shared: the embedded model loads once
        self.concurrency = max(1, concurrency)
        self.date = date
        self.console = console or Console(stderr=True, highlight=False)
        self.progress = _progress(self.console) if progress else None
        self.task_id: Any = None
        self.stopping = False
        self.abandon = asyncio.Event()
        self.backend_failures = 0
        self.fatal: BaseException | None = None
        self.renamed_examples: list[str] = []

    # counted in a side thread so the first documents start at once; gives the bar its total
    def _count(self) -> None:
        try:
            todo = total = 0
            for doc_id, _, _ in numbered_inputs(self.sources, self.extensions):
                total += 1
                todo += doc_id not in self.done_ids
        except Exception:  # noqa: BLE001 - counting is a nicety; the run reports what it reads
            return
        self.summary.total = total
        if self.progress is not None:
            self.progress.update(self.task_id, total=todo)

    def _on_sigint(self) -> None:
        if not self.stopping:
            self.stopping = True
            self.summary.interrupted = True
            self.console.print(
                "stopping: no new documents; waiting for those in flight "
                "(Ctrl-C again to abandon them)"
            )
        else:
            self.abandon.set()

    def _process(self, doc_id: str, wanted: str, item: Item) -> tuple[str, Exception | None, Any]:
        """Summarise one input and write its line (in a worker thread)."""
        if isinstance(item, InputError):
            self.writer.write_line(error_line(doc_id, item, item.source))
            return doc_id, item, None
        document = item.model_copy(
            update={"id": doc_id, **({"date": self.date} if self.date else {})}
        )
        try:
            result = self.pipeline.run(document)
        except Exception as exc:  # noqa: BLE001 - one document's failure must not stop the batch
            self.writer.write_line(error_line(doc_id, exc, item.source))
            return doc_id, exc, None
        if doc_id != wanted:
            result.warnings.append(
                f"id {wanted!r} repeats an earlier document's; renamed {doc_id!r}"
            )
        self.writer.write_line(ok_line(doc_id, result.model_dump_json()))
        return doc_id, None, result.provenance.usage

    def _account(self, outcome: tuple[str, Exception | None, Any]) -> None:
        _, exc, usage = outcome
        s = self.summary
        if exc is None:
            s.ok += 1
            s.tokens += usage.total_tokens
            s.calls += usage.calls
            s.cached_calls += usage.cached_calls
            self.backend_failures = 0
        else:
            s.failed += 1
            s.error_types[type(exc).__name__] += 1
            if isinstance(exc, BackendError):
                self.backend_failures += 1
                if (
                    isinstance(exc, AuthenticationFailed)
                    or self.backend_failures >= BACKEND_FAILURE_LIMIT
                ):
                    if s.stopped_reason is None:
                        s.stopped_reason = f"the backend kept failing: {exc}"
                    self.stopping = True
        if self.progress is not None:
            self.progress.update(self.task_id, advance=1, tokens=s.tokens, errors=s.failed)

    async def run(self) -> BatchSummary:
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        # own pool, not asyncio's default one: that one caps at cpu_count + 4 threads, and
        # asyncio.run waits for it on exit, which a second Ctrl-C must not have to do
        pool = ThreadPoolExecutor(max_workers=self.concurrency + 1, thread_name_prefix="summarise")
        self.writer = JsonlAppender(self.summary.output)
        try:
            loop.add_signal_handler(signal.SIGINT, self._on_sigint)
            handles_sigint = True
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread / Windows
            handles_sigint = False
        if self.progress is not None:
            self.progress.start()
            self.task_id = self.progress.add_task("summarising", total=None, tokens=0, errors=0)
        if "-" not in self.sources:
            threading.Thread(target=self._count, daemon=True, name="count-inputs").start()
        try:
            await self._feed(loop, pool)
        finally:
            if handles_sigint:
                loop.remove_signal_handler(signal.SIGINT)
            if self.progress is not None:
                self.progress.stop()
            abandoned = self.abandon.is_set()
            pool.shutdown(wait=not abandoned, cancel_futures=True)
            if not abandoned:  # abandoned workers may still write: a closed fd number gets reused
                self.writer.close()
        self.summary.seconds = round(time.perf_counter() - started, 3)
        return self.summary

    async def _feed(self, loop: asyncio.AbstractEventLoop, pool: ThreadPoolExecutor) -> None:
        slots = asyncio.Semaphore(self.concurrency)
        in_flight: set[asyncio.Future[Any]] = set()
        inputs = numbered_inputs(self.sources, self.extensions)
        end: tuple[str, str, Item] | None = None
        while not self.stopping:
            await slots.acquire()
            if self.stopping:
                slots.release()
                break
            # reading may block (stdin, a big file): keep it off the event loop
            entry = await loop.run_in_executor(pool, next, inputs, end)
            if entry is None:
                slots.release()
                break
            doc_id, wanted, item = entry
            if doc_id != wanted:
                self.summary.renamed += 1
                if len(self.renamed_examples) < 3:
                    self.renamed_examples.append(f"{wanted} → {doc_id}")
            if doc_id in self.done_ids:
                self.summary.skipped += 1
                slots.release()
                continue
            future = loop.run_in_executor(pool, self._process, doc_id, wanted, item)

            def finished(f: asyncio.Future[Any]) -> None:
                in_flight.discard(f)
                slots.release()
                if f.cancelled():
                    return
                if f.exception() is not None:  # the line could not be written (disk full)
                    self.fatal = self.fatal or f.exception()
                    self.stopping = True
                    return
                self._account(f.result())

            future.add_done_callback(finished)
            in_flight.add(future)
        if in_flight:
            abandon = asyncio.ensure_future(self.abandon.wait())
            await asyncio.wait([*in_flight, abandon], return_when=asyncio.FIRST_COMPLETED)
            while in_flight and not self.abandon.is_set():
                await asyncio.wait([*in_flight, abandon], return_when=asyncio.FIRST_COMPLETED)
            abandon.cancel()
            self.summary.abandoned = len(in_flight)
        if self.fatal is not None:
            raise self.fatal


def run_batch(
    sources: list[str],
    output: Path,
    settings: Settings,
    *,
    concurrency: int,
    resume: bool,
    date: dt.date | None = None,
    progress: bool = True,
    console: Console | None = None,
    extensions: tuple[str, ...] = FOLDER_EXTENSIONS,
) -> BatchSummary:
    """Summarise every document in ``sources`` into the JSONL file ``output``.

    ``concurrency`` documents run at once (one shared pipeline); ``resume``
    continues an output an earlier run left, skipping the ids it holds;
    ``date`` overrides every document's publication date. Raises ``ConfigError``
    for an existing output without ``resume``. Ctrl-C stops cleanly (see the
    module docstring); the returned summary says so.
    """
    batch = _Batch(
        sources,
        output,
        settings,
        concurrency=concurrency,
        resume=resume,
        date=date,
        progress=progress,
        console=console,
        extensions=extensions,
    )
    summary = asyncio.run(batch.run())
    if batch.renamed_examples:
        batch.console.print(
            f"{summary.renamed} repeated document ids renamed, e.g. "
            + ", ".join(batch.renamed_examples)
        )
    return summary


__all__ = [
    "BatchSummary",
    "IdAssigner",
    "JsonlAppender",
    "numbered_inputs",
    "prepare_output",
    "run_batch",
]
