"""What every runner shares: the input walk, ids, the per-document step, the record format,
the failure tally, resume and atomic writes. A runner (``local``, ``ray``) only decides
where the per-document step runs.

Terms:

* **record**: an output line, ``{"id": ..., "ok": true, "result": {...}}`` or
  ``{"id": ..., "ok": false, "error": {"type", "message", "source"[, "retryable"]}}``.
  It is made here and nowhere else (``Outcome.line``).
* **outcome**: one document's end: its id and either the ``Result`` as JSON or the
  error object, plus its usage and its **fault**. ``Outcome.row`` is the same as a
  flat row (``id``, ``ok``, ``result``, ``error`` as JSON strings, ``fault``) for
  engines that carry results as tables; ``Outcome.from_row`` reads it back.
* **fault**: what a failure says about the backend, decided from the exception's
  class where it was raised: ``"backend"`` (a ``BackendError``: down, timed out;
  the record is marked ``retryable``), ``"refused"`` (``AuthenticationFailed``: no
  point in asking again), or None (the document's own fault).
* **id**: a document's id, unique within a batch: the second document claiming
  ``x`` becomes ``x#2``, the third ``x#3`` (decided in input order, so a resumed
  run renames the same way). An input that could not be loaded gets its source
  (``file:line``) as id.
* **resume**: skip every id the output already holds. Records of a retryable
  error are first removed from the output, so those documents are asked again
  instead of staying failed forever.
* **tally**: the counts of a run (``BatchSummary``). ``BACKEND_FAILURE_LIMIT``
  documents in a row failed by the backend, or one refused key, stop the run.

A record is written with one ``os.write`` on an ``O_APPEND`` descriptor and
fsync'd before the next one, so a killed run leaves whole lines only (at worst
one torn last line, which ``prepare_output`` cuts away). A file rewritten as a
whole goes through a temporary file and a rename (``durable_replace``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections import Counter
from collections.abc import Iterator
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
from ..loading import FOLDER_EXTENSIONS, Item, iter_documents
from ..pipeline import Pipeline
from ..schemas import Document, Notice, Usage

BACKEND_FAILURE_LIMIT = 3  # consecutive documents failed by the backend: it is down, stop
RETRYABLE = (BackendError,)  # the moment's fault, not the document's: a resume asks again
RENAMED_EXAMPLES = 3  # renamed ids named in the closing note
FAULT_BACKEND = "backend"
FAULT_REFUSED = "refused"


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


# --- one document ---


def fault_of(exc: BaseException) -> str | None:
    if isinstance(exc, AuthenticationFailed):
        return FAULT_REFUSED
    if isinstance(exc, BackendError):
        return FAULT_BACKEND
    return None


def error_record(exc: BaseException, source: str | None) -> dict[str, Any]:
    """A failed record's ``error`` object: type, message, source, and ``retryable`` when it is."""
    message = str(exc)
    if isinstance(exc, InputError) and exc.source and message.startswith(f"{exc.source}: "):
        message = message[len(exc.source) + 2 :]  # the source has its own field
    error: dict[str, Any] = {"type": type(exc).__name__, "message": message, "source": source}
    if isinstance(exc, RETRYABLE):
        error["retryable"] = True
    return error


@dataclass(frozen=True)
class Outcome:
    """One document's end (see the module docstring)."""

    id: str
    result_json: str | None = None
    error: dict[str, Any] | None = None
    usage: Usage | None = None
    fault: str | None = None

    @property
    def ok(self) -> bool:
        return self.result_json is not None

    @classmethod
    def failed(cls, doc_id: str, exc: BaseException, source: str | None) -> Outcome:
        return cls(doc_id, error=error_record(exc, source), fault=fault_of(exc))

    def line(self) -> str:
        """The record, as one JSONL line without its newline."""
        if self.result_json is not None:
            # the result is already JSON: splice it in rather than parse and dump it again
            return (
                '{"id":'
                + json.dumps(self.id, ensure_ascii=False)
                + ',"ok":true,"result":'
                + self.result_json
                + "}"
            )
        return json.dumps({"id": self.id, "ok": False, "error": self.error}, ensure_ascii=False)

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ok": self.ok,
            "result": self.result_json,
            "error": None if self.error is None else json.dumps(self.error, ensure_ascii=False),
            "fault": self.fault,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Outcome:
        if row["ok"]:
            usage = json.loads(row["result"])["provenance"]["usage"]
            return cls(str(row["id"]), result_json=row["result"], usage=Usage(**usage))
        return cls(str(row["id"]), error=json.loads(row["error"]), fault=row.get("fault"))


def summarise_item(
    pipeline: Pipeline, doc_id: str, wanted: str, item: Item, *, date: dt.date | None = None
) -> Outcome:
    """The per-document step: one input through the pipeline, every failure caught.

    ``doc_id`` is the id the document gets (``wanted`` the one it asked for: when
    they differ the result says so); ``date`` overrides its publication date."""
    if isinstance(item, InputError):
        return Outcome.failed(doc_id, item, item.source)
    document = item.model_copy(update={"id": doc_id, **({"date": date} if date else {})})
    try:
        result = pipeline.run(document)
    except Exception as exc:  # noqa: BLE001 - one document's failure must not stop the batch
        return Outcome.failed(doc_id, exc, item.source)
    if doc_id != wanted:
        result.warnings.append(
            Notice(
                code="duplicate-id",
                field="document_id",
                message=f"id {wanted!r} repeats an earlier document's; renamed {doc_id!r}",
            )
        )
    return Outcome(doc_id, result_json=result.model_dump_json(), usage=result.provenance.usage)


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


def numbered_inputs(
    sources: list[str], extensions: tuple[str, ...] = FOLDER_EXTENSIONS
) -> Iterator[tuple[str, str, Item]]:
    """(unique id, id asked for, item) for every input, in order."""
    ids = IdAssigner()
    for index, item in enumerate(iter_documents(sources, extensions=extensions), 1):
        wanted = item.id if isinstance(item, Document) else (item.source or f"input-{index}")
        yield ids.assign(wanted), wanted, item


def count_inputs(
    sources: list[str], extensions: tuple[str, ...], done: set[str]
) -> tuple[int, int]:
    """(inputs, inputs not yet done): a second walk, for a progress bar's total."""
    total = todo = 0
    for doc_id, _, _ in numbered_inputs(sources, extensions):
        total += 1
        todo += doc_id not in done
    return total, todo


# --- the tally ---


class Tally:
    """Counts outcomes into a ``BatchSummary`` and decides when the backend is down."""

    def __init__(self, summary: BatchSummary, progress: Progress | None = None) -> None:
        self.summary = summary
        self.progress = progress
        self.task_id: Any = None
        self.backend_failures = 0
        self.renamed_examples: list[str] = []

    def pending(self, doc_id: str, wanted: str, done: set[str]) -> bool:
        """Whether an input still needs running; counts renames and the ids done earlier."""
        if doc_id != wanted:
            self.summary.renamed += 1
            if len(self.renamed_examples) < RENAMED_EXAMPLES:
                self.renamed_examples.append(f"{wanted} → {doc_id}")
        if doc_id in done:
            self.summary.skipped += 1
            return False
        return True

    def count(self, outcome: Outcome) -> None:
        s = self.summary
        if outcome.ok:
            usage = outcome.usage or Usage()
            s.ok += 1
            s.tokens += usage.total_tokens
            s.calls += usage.calls
            s.cached_calls += usage.cached_calls
            self.backend_failures = 0
        else:
            error = outcome.error or {}
            s.failed += 1
            s.error_types[str(error.get("type"))] += 1
            if outcome.fault is not None:
                self.backend_failures += 1
                if outcome.fault == FAULT_REFUSED or self.backend_failures >= BACKEND_FAILURE_LIMIT:
                    s.stopped_reason = s.stopped_reason or (
                        f"the backend kept failing: {error.get('message')}"
                    )
        if self.progress is not None and self.task_id is not None:  # not before the bar starts
            self.progress.update(self.task_id, advance=1, tokens=s.tokens, errors=s.failed)

    @property
    def backend_down(self) -> bool:
        return self.summary.stopped_reason is not None

    def start_progress(self, total: int | None) -> None:
        if self.progress is not None:
            self.progress.start()
            self.task_id = self.progress.add_task("summarising", total=total, tokens=0, errors=0)

    def stop_progress(self) -> None:
        if self.progress is not None:
            self.progress.stop()

    def note_renames(self, console: Console) -> None:
        if self.renamed_examples:
            console.print(
                f"{self.summary.renamed} repeated document ids renamed, e.g. "
                + ", ".join(self.renamed_examples)
            )


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.2f} docs/s" if speed else "– docs/s", style="progress.data.speed")


def progress_bar(console: Console) -> Progress:
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


class JsonlSink:
    """A JSONL output: the ids it already holds (``done``, known at once), then one record
    per outcome (the file is opened, and created, at the first ``write``)."""

    def __init__(self, path: Path, *, resume: bool) -> None:
        self.path = path
        self.done = prepare_output(path, resume=resume)
        self._appender: JsonlAppender | None = None
        self._lock = threading.Lock()

    def write(self, outcome: Outcome) -> None:
        with self._lock:
            if self._appender is None:
                self._appender = JsonlAppender(self.path)
        self._appender.write_line(outcome.line())

    def close(self) -> None:
        if self._appender is not None:
            self._appender.close()


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


def is_retryable(error: dict[str, Any] | None) -> bool:
    """Whether a failed record's error is the moment's fault (a resume asks again)."""
    return bool((error or {}).get("retryable"))


def _retryable_record(record: Any) -> bool:
    return (
        isinstance(record, dict) and record.get("ok") is False and is_retryable(record.get("error"))
    )


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
            if _retryable_record(record):
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
                if _retryable_record(json.loads(raw)):
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


__all__ = [
    "BACKEND_FAILURE_LIMIT",
    "BatchSummary",
    "IdAssigner",
    "JsonlAppender",
    "JsonlSink",
    "Outcome",
    "Tally",
    "durable_replace",
    "error_record",
    "numbered_inputs",
    "prepare_output",
    "summarise_item",
]
