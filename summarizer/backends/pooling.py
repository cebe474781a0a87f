"""Calls from several documents pooled into one decoder batch.

A batch runner summarises several documents at once in threads; each document asks its
independent questions together (one ``complete_many``), but the embedded model has one
decoder per process. The pool in front of it gathers what the documents ask and decodes
it as one batch, each caller getting its own answers. Terms:

* **submission**: one caller's list of jobs (one ``complete_many`` of one document).
* **member**: a document in flight that will submit (``document_in_flight``; the runner
  registers each). Members are counted per process, as the decoder is one per process.
* **ready**: a pool decodes its waiting submissions once every member has one waiting,
  or once the oldest has waited ``window_s`` (a member may be busy with its own CPU work,
  or ask something else). With no member registered (one document, the CLI) a
  submission is decoded at once, as before pooling.
* **leader**: the caller whose thread runs the batch; the others wait for their answers.
* **order**: a batch's submissions are put in the order of ``key`` (their content), not of
  arrival, so the same submissions make the same batch however the threads were timed (a
  sequence's greedy tokens may depend on its neighbours in a step: docs/decoding.md).

A job's own failure (an error in its place among the outputs) fails its submission only;
a failure of the whole batch (the decoder itself) reaches every submission in it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

J = TypeVar("J")  # a job
Out = TypeVar("Out")  # its output

WINDOW_S = 0.5  # the longest a ready submission waits for the other documents' calls

_COND = threading.Condition()  # guards every pool's state and the member count
_members = 0


@contextlib.contextmanager
def document_in_flight() -> Iterator[None]:
    """Count the calling document as a member while it runs (see the module docstring)."""
    global _members
    with _COND:
        _members += 1
    try:
        yield
    finally:
        with _COND:
            _members -= 1
            _COND.notify_all()  # one member fewer: the others may now be all waiting


def members() -> int:
    with _COND:
        return _members


@dataclass(eq=False)
class _Submission(Generic[J, Out]):
    jobs: list[J]
    since: float
    outputs: list[Out | BaseException] | None = None


@dataclass
class PoolStats:
    """What a pool did: batches decoded, submissions and jobs in them."""

    batches: int = 0
    submissions: int = 0
    jobs: int = 0
    largest: int = 0  # the most submissions in one batch


@dataclass(eq=False)
class CallPool(Generic[J, Out]):
    """Pools submissions for one ``decode`` (jobs to outputs, an exception in place of a
    job's output when that job failed). Thread-safe; ``decode`` runs in one thread at a time."""

    decode: Callable[[list[J]], list[Out | BaseException]]
    window_s: float = WINDOW_S
    key: Callable[[list[J]], Any] | None = None  # a submission's place in its batch
    stats: PoolStats = field(default_factory=PoolStats)
    _waiting: list[_Submission[J, Out]] = field(default_factory=list)
    _busy: bool = False

    def submit(self, jobs: list[J]) -> list[Out]:
        """Every job's output, in order; the first failed job's exception raised."""
        if not jobs:
            return []
        mine: _Submission[J, Out] = _Submission(list(jobs), time.monotonic())
        with _COND:
            self._waiting.append(mine)
            _COND.notify_all()
            while mine.outputs is None and (self._busy or not self._ready()):
                _COND.wait(self._timeout())
            if mine.outputs is None:  # ready and idle: this thread decodes the batch
                batch, self._waiting = self._waiting, []
                self._busy = True
        if mine.outputs is None:
            self._lead(batch)
        assert mine.outputs is not None
        for output in mine.outputs:
            if isinstance(output, BaseException):
                raise output
        return [o for o in mine.outputs if not isinstance(o, BaseException)]

    def _ready(self) -> bool:
        if not self._waiting:
            return False
        waited = time.monotonic() - self._waiting[0].since
        return len(self._waiting) >= _members or waited >= self.window_s

    def _timeout(self) -> float | None:
        """How long to sleep before the window may have made the pool ready."""
        if self._busy or not self._waiting:
            return None  # a notify comes when the batch ends or a submission arrives
        return max(0.0, self.window_s - (time.monotonic() - self._waiting[0].since))

    def _lead(self, batch: list[_Submission[J, Out]]) -> None:
        if self.key is not None:
            key = self.key
            batch = sorted(batch, key=lambda submission: key(submission.jobs))
        jobs = [job for submission in batch for job in submission.jobs]
        outputs: list[Out | BaseException]
        try:
            outputs = self.decode(jobs)
            assert len(outputs) == len(jobs), "decode gives one output a job"
        except BaseException as exc:  # the whole batch failed: every caller hears why
            outputs = [exc] * len(jobs)
            if not isinstance(exc, Exception):  # Ctrl-C in the leader: stop it too
                self._hand_out(batch, outputs)
                raise
        self._hand_out(batch, outputs)

    def _hand_out(
        self, batch: list[_Submission[J, Out]], outputs: list[Out | BaseException]
    ) -> None:
        with _COND:
            start = 0
            for submission in batch:
                submission.outputs = outputs[start : start + len(submission.jobs)]
                start += len(submission.jobs)
            self.stats.batches += 1
            self.stats.submissions += len(batch)
            self.stats.jobs += len(outputs)
            self.stats.largest = max(self.stats.largest, len(batch))
            self._busy = False
            _COND.notify_all()


__all__ = ["WINDOW_S", "CallPool", "PoolStats", "document_in_flight", "members"]
