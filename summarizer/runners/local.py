"""The local runner: many documents on this machine, a bounded number at a time, each
result written as it finishes.

What a run reads, the ids, the records, resume and the tally are ``core``'s; this
module adds the concurrency and Ctrl-C. Terms:

* **in flight**: documents taken from the input and being summarised, in worker
  threads around one shared pipeline. The first Ctrl-C stops taking new ones and
  lets those finish; a second abandons them (they have no line yet, so a resume
  redoes them).
* **workers**: processes, each with its own pipeline, for model-free documents (all
  CPU work, which threads would run on one core under the GIL). A thread per
  document in flight hands it to a worker and writes the line the worker returns,
  so the output file has one writer. Workers ignore Ctrl-C: the runner decides.
  A model keeps the threads: a server's calls wait on the network, and the
  embedded model's weights are loaded once, in this process.
* **pooled**: on the embedded model, the calls of the documents in flight are decoded
  together, one batch for all of them (``backends.pooling``): each document in flight
  counts as a member of the pool while it runs.

Documents are read lazily and results are not kept, so memory stays flat
however long the batch is.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rich.console import Console

from ..backends.pooling import document_in_flight
from ..errors import InputError
from ..loading import FOLDER_EXTENSIONS, Item
from ..pipeline import Pipeline
from ..settings import Settings
from .core import (
    BatchSummary,
    JsonlSink,
    Outcome,
    Tally,
    count_inputs,
    numbered_inputs,
    progress_bar,
    summarise_item,
)

MODEL_FREE = "rules"  # the strategy that asks no model: the one worker processes run
DOCUMENTS_PER_WORKER = 2  # in flight per process: the next one is ready when one finishes

# --- in a worker process ---

_worker_pipeline: Pipeline | None = None


def _start_worker(settings: Settings) -> None:
    global _worker_pipeline
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to handle
    _worker_pipeline = Pipeline(settings)


def _summarise_in_worker(doc_id: str, wanted: str, item: Item, date: dt.date | None) -> Outcome:
    assert _worker_pipeline is not None, "_start_worker builds the pipeline first"
    return summarise_item(_worker_pipeline, doc_id, wanted, item, date=date)


def start_method() -> str:
    """How worker processes start here: ``fork`` while this process runs no thread but its
    own (the CLI, a plain script), else ``forkserver``.

    A forked worker starts at once with every module imported, where a fork server first
    imports the package anew (0.7 s, as long as 40 articles' work). But a child forked
    while another thread holds a lock (logging's, a stream's) inherits it held, so with
    other threads, and off Linux, the server forks workers instead."""
    if sys.platform == "linux" and threading.active_count() == 1:
        return "fork"
    return "forkserver"


def _worker_pool(settings: Settings, workers: int) -> ProcessPoolExecutor:
    method = start_method()
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload([__name__])  # the server imports the package once
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start_worker, initargs=(settings,)
    )
    if method == "fork":
        # fork every worker now, before the runner starts its threads: under fork the pool
        # starts them all at its first task, before its own manager thread
        pool.submit(os.getpid)
    return pool


# --- the runner ---


class _Batch:
    def __init__(
        self,
        sources: list[str],
        output: Path,
        settings: Settings,
        pipeline: Pipeline | None,
        *,
        concurrency: int,
        workers: int,
        resume: bool,
        date: dt.date | None,
        progress: bool,
        console: Console | None,
        extensions: tuple[str, ...],
        wait: bool,
    ) -> None:
        self.sources = sources
        self.extensions = extensions
        self.summary = BatchSummary(output=output)
        # a bad or busy output fails before a model loads
        self.sink = JsonlSink(output, resume=resume, wait=wait)
        self.workers: ProcessPoolExecutor | None = None
        self.pipeline: Pipeline | None = None
        if workers > 1 and pipeline is None and settings.strategy == MODEL_FREE:
            self.workers = _worker_pool(settings, workers)
            concurrency = workers * DOCUMENTS_PER_WORKER
        else:  # shared: the embedded model loads once
            self.pipeline = pipeline or Pipeline(settings)
        self.concurrency = max(1, concurrency)
        self.date = date
        self.console = console or Console(stderr=True, highlight=False)
        self.tally = Tally(self.summary, progress_bar(self.console) if progress else None)
        self.stopping = False
        self.abandon = asyncio.Event()
        self.fatal: BaseException | None = None

    # counted in a side thread so the first documents start at once; gives the bar its total
    def _count(self) -> None:
        try:
            total, todo = count_inputs(self.sources, self.extensions, self.sink.done)
        except Exception:  # noqa: BLE001 - counting is a nicety; the run reports what it reads
            return
        self.summary.total = total
        if self.tally.progress is not None:
            self.tally.progress.update(self.tally.task_id, total=todo)

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

    def _process(self, doc_id: str, wanted: str, item: Item) -> Outcome:
        """Summarise one input and write its line (in a worker thread)."""
        if self.pipeline is not None:
            with document_in_flight():  # its calls pooled with the others' (embedded model)
                outcome = summarise_item(self.pipeline, doc_id, wanted, item, date=self.date)
        elif isinstance(item, InputError):  # nothing to summarise: no need to ship it
            outcome = Outcome.failed(doc_id, item, item.source)
        else:
            assert self.workers is not None
            future = self.workers.submit(_summarise_in_worker, doc_id, wanted, item, self.date)
            outcome = future.result()
        self.sink.write(outcome)
        return outcome

    def _account(self, outcome: Outcome) -> None:
        self.tally.count(outcome)
        if self.tally.backend_down:
            self.stopping = True

    async def run(self) -> BatchSummary:
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        # own pool, not asyncio's default one: that one caps at cpu_count + 4 threads, and
        # asyncio.run waits for it on exit, which a second Ctrl-C must not have to do
        pool = ThreadPoolExecutor(max_workers=self.concurrency + 1, thread_name_prefix="summarise")
        try:
            loop.add_signal_handler(signal.SIGINT, self._on_sigint)
            handles_sigint = True
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread / Windows
            handles_sigint = False
        self.tally.start_progress(None)
        if "-" not in self.sources:
            threading.Thread(target=self._count, daemon=True, name="count-inputs").start()
        try:
            await self._feed(loop, pool)
        finally:
            if handles_sigint:
                loop.remove_signal_handler(signal.SIGINT)
            self.tally.stop_progress()
            abandoned = self.abandon.is_set()
            if self.workers is not None:  # first: threads waiting on a cancelled one wake up
                self.workers.shutdown(wait=not abandoned, cancel_futures=True)
            pool.shutdown(wait=not abandoned, cancel_futures=True)
            if not abandoned:  # abandoned workers may still write: a closed fd number gets reused
                self.sink.close()
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
            if not self.tally.pending(doc_id, wanted, self.sink.done):
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
    workers: int = 1,
    date: dt.date | None = None,
    progress: bool = True,
    console: Console | None = None,
    extensions: tuple[str, ...] = FOLDER_EXTENSIONS,
    pipeline: Pipeline | None = None,
    wait: bool = False,
) -> BatchSummary:
    """Summarise every document in ``sources`` into the JSONL file ``output``.

    ``concurrency`` documents run at once (one shared pipeline: ``pipeline``, or one
    built from ``settings``); a model-free run (the rules strategy, no ``pipeline``
    given) with ``workers`` > 1 runs in that many processes instead, ``concurrency``
    then being two documents per worker; ``resume`` continues an output an earlier run left,
    skipping the ids it holds; ``date`` overrides every document's publication
    date; a folder gives its files with ``extensions``. Raises ``ConfigError`` for
    an existing output without ``resume``, and ``WriteError`` when another run is
    writing ``output`` (``wait``: start when it ends instead). Ctrl-C stops cleanly (see the module
    docstring); the returned summary says so.
    """
    batch = _Batch(
        sources,
        output,
        settings,
        pipeline,
        concurrency=concurrency,
        workers=workers,
        resume=resume,
        date=date,
        progress=progress,
        console=console,
        extensions=extensions,
        wait=wait,
    )
    summary = asyncio.run(batch.run())
    batch.tally.note_renames(batch.console)
    return summary


__all__ = ["run_batch"]
