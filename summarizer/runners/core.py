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

The output file is locked (``flock``, exclusive) from before it is read for resume
until the run ends: a second run into it refuses at once, or waits (``wait``), so
no document is written twice. Devices and pipes are written without fsync or lock.
Every failure to open or write the output is a ``WriteError`` naming the file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import stat
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

from ..errors import AuthenticationFailed, BackendError, ConfigError, InputError, WriteError
from ..loading import FOLDER_EXTENSIONS, Item, iter_documents
from ..pipeline import Pipeline
from ..schemas import Document, Notice, Usage

BACKEND_FAILURE_LIMIT = 3  # consecutive documents failed by the backend: it is down, stop
RETRYABLE = (BackendError,)  # the moment's fault, not the document's: a resume asks again
RENAMED_EXAMPLES = 3  # renamed ids named in the closing note
FAULT_BACKEND = "backend"
FAULT_REFUSED = "refused"
OUTPUT_MODE = 0o644  # before the umask


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


def _write_error(path: Path | str, exc: OSError) -> WriteError:
    return WriteError(f"cannot write to {path}: {exc.strerror or exc}")


def is_regular(path: Path) -> bool:
    """Whether ``path`` is (or will be created as) a regular file, not a device or pipe."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        return True


class JsonlAppender:
    """Appends whole lines to an open descriptor, each durable before the next (see the
    module docstring). A device or pipe (``/dev/null``, ``>(gzip)``) is written without
    fsync, which it cannot do; a failed write is a ``WriteError`` naming the file."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd
        self._durable = stat.S_ISREG(os.fstat(fd).st_mode)
        self._lock = threading.Lock()  # fsync order = line order; one writer at a time

    def write_line(self, line: str) -> None:
        data = (line.rstrip("\n") + "\n").encode("utf-8")
        with self._lock:
            try:
                written = os.write(self._fd, data)
                if written != len(data):  # a full disk: the partial line is cut on resume
                    raise WriteError(
                        f"cannot write to {self.path}: short write ({written} of {len(data)} "
                        "bytes; is the disk full?)"
                    )
                if self._durable:
                    os.fsync(self._fd)
            except OSError as exc:
                raise _write_error(self.path, exc) from None

    def close(self) -> None:
        os.close(self._fd)


def _open_locked(path: Path, *, wait: bool) -> int:
    """A descriptor for appending to ``path``, holding its exclusive lock.

    Another run holding the lock: ``WriteError`` at once, or (``wait``) block until it
    ends. The lock is on the file itself; ``_drop_retryable`` replaces the file by a
    renamed copy that it locks before the rename, so a run that waited on the old file
    sees the inode change and locks the new one instead (the loop)."""
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, OUTPUT_MODE)
        except OSError as exc:
            raise _write_error(path, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(fd)
            raise WriteError(
                f"{path} is being written by another run; wait for it to finish "
                "(or pass --wait to start when it does), or choose another output file"
            ) from None
        except OSError:  # a file system without locks (some network mounts): go on unlocked
            return fd
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # the file was replaced while we waited: lock the new one


class JsonlSink:
    """A JSONL output: the ids it already holds (``done``, known at once), then one record
    per outcome. A regular file is locked for the whole run (``_open_locked``), so two
    runs never write one output; a device or pipe is neither locked nor read."""

    def __init__(self, path: Path, *, resume: bool, wait: bool = False) -> None:
        self.path = path
        check_output(path)
        fd: int | None = None
        if is_regular(path):
            fd = _open_locked(path, wait=wait)
            try:
                self.done, fd = prepare_output(path, resume=resume, locked_fd=fd)
            except BaseException:
                os.close(fd)
                raise
        else:
            self.done = set()
        self._fd = fd
        self._appender: JsonlAppender | None = None
        self._lock = threading.Lock()

    def write(self, outcome: Outcome) -> None:
        with self._lock:
            if self._appender is None:
                fd = self._fd
                if fd is None:
                    try:
                        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
                    except OSError as exc:
                        raise _write_error(self.path, exc) from None
                self._appender = JsonlAppender(self.path, fd)
        self._appender.write_line(outcome.line())

    def close(self) -> None:
        if self._appender is not None:
            self._appender.close()
        elif self._fd is not None:
            os.close(self._fd)


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


def check_output(path: Path) -> None:
    """``ConfigError`` (one line) for an output that is a folder or in a missing folder."""
    if path.is_dir():
        raise ConfigError(
            f"-o {path} is a folder; name a file in it, e.g. {path / 'results.jsonl'}"
        )
    if not path.parent.is_dir():
        raise ConfigError(f"-o {path}: the folder {path.parent} does not exist; create it first")


def prepare_output(path: Path, *, resume: bool, locked_fd: int) -> tuple[set[str], int]:
    """The ids the output already holds (empty for a new file), retryable errors removed,
    and the locked descriptor to append with (a new one when the file was rewritten).

    ``ConfigError`` for an existing output without ``resume``. Called with the lock held,
    so a second run reads the output only after the first has finished writing it."""
    if os.fstat(locked_fd).st_size == 0:
        return set(), locked_fd
    if not resume:
        raise ConfigError(
            f"{path} already has results; pass --resume to continue that batch, "
            "or choose another output file"
        )
    try:
        _cut_torn_line(path)
    except OSError as exc:
        raise _write_error(path, exc) from None
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
        try:
            new_fd = _drop_retryable(path)
        except OSError as exc:
            raise _write_error(path, exc) from None
        os.close(locked_fd)  # after the rename: the new file was locked before it appeared
        return done, new_fd
    return done, locked_fd


def _drop_retryable(path: Path) -> int:
    """Rewrite the output without its retryable error lines, atomically (temp file + rename);
    returns an append descriptor of the new file, locked before the rename."""
    tmp = path.with_name(f".{path.name}.resume-tmp")
    with path.open("rb") as src, tmp.open("wb") as dst:
        for raw in src:
            try:
                if _retryable_record(json.loads(raw)):
                    continue
            except ValueError:
                pass
            dst.write(raw)
    os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
    fd = os.open(tmp, os.O_WRONLY | os.O_APPEND)
    with contextlib.suppress(OSError):  # no locks on this file system: as unlocked as before
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # nobody else knows this file yet
    durable_replace(tmp, path)
    return fd


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
    "check_output",
    "prepare_output",
    "summarise_item",
]
