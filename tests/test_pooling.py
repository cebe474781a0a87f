"""Calls of several documents pooled into one decoder batch (``summarizer.backends.pooling``),
and a batch on the real embedded model pooled against the same batch one document at a time."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from summarizer.backends.base import ChatRequest
from summarizer.backends.embedded import EmbeddedBackend, decode_pool
from summarizer.backends.pooling import CallPool, document_in_flight, members
from summarizer.errors import BackendError, InputError
from summarizer.pipeline import Pipeline
from summarizer.runners.local import run_batch
from summarizer.settings import Settings


class Decoder:
    """A decode function that records each batch it gets and answers every job with its
    text upper-cased; a job named in ``failing`` fails alone, ``broken`` fails the batch."""

    def __init__(self, failing: frozenset[str] = frozenset(), broken: bool = False) -> None:
        self.batches: list[list[str]] = []
        self.failing = failing
        self.broken = broken

    def __call__(self, jobs: list[str]) -> list[str | BaseException]:
        self.batches.append(list(jobs))
        time.sleep(0.05)  # a decode takes time: later submissions queue behind it
        if self.broken:
            raise BackendError("llama_decode failed (code 1)", backend="embedded")
        return [InputError(f"{j} is too long") if j in self.failing else j.upper() for j in jobs]


def in_threads(work: list[Callable[[], object]]) -> list[object]:
    """Run each callable in its own thread (each a member of the pool); results or errors."""
    results: list[object] = [None] * len(work)
    start = threading.Barrier(len(work))

    def run(i: int) -> None:
        with document_in_flight():
            start.wait()
            try:
                results[i] = work[i]()
            except Exception as exc:  # noqa: BLE001 - the test reads it
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a caller never got its answer"
    return results


def test_the_calls_of_every_member_are_decoded_in_one_batch_each_getting_its_own() -> None:
    decoder = Decoder()
    pool: CallPool[str, str] = CallPool(decoder, window_s=10.0)  # only "all waiting" flushes
    docs = [[f"d{d}-q{q}" for q in range(d + 1)] for d in range(3)]
    results = in_threads([lambda jobs=jobs: pool.submit(jobs) for jobs in docs])
    assert results == [[j.upper() for j in jobs] for jobs in docs]
    assert len(decoder.batches) == 1 and sorted(decoder.batches[0]) == sorted(sum(docs, []))
    assert pool.stats.largest == 3 and members() == 0


def test_a_job_that_fails_fails_its_own_document_only() -> None:
    decoder = Decoder(failing=frozenset({"b2"}))
    pool: CallPool[str, str] = CallPool(decoder, window_s=10.0)
    results = in_threads(
        [
            lambda: pool.submit(["a1", "a2"]),
            lambda: pool.submit(["b1", "b2"]),
            lambda: pool.submit(["c1"]),
        ]
    )
    assert results[0] == ["A1", "A2"] and results[2] == ["C1"]
    assert isinstance(results[1], InputError) and "b2" in str(results[1])
    assert len(decoder.batches) == 1


def test_a_failing_decoder_reaches_every_caller_and_the_pool_stays_usable() -> None:
    decoder = Decoder(broken=True)
    pool: CallPool[str, str] = CallPool(decoder, window_s=10.0)
    results = in_threads([lambda: pool.submit(["a"]), lambda: pool.submit(["b"])])
    assert all(isinstance(r, BackendError) for r in results)
    decoder.broken = False
    assert pool.submit(["c"]) == ["C"]  # no member left: at once


def asking(pool: CallPool[str, str]) -> tuple[Callable[[], list[str]], list[float]]:
    """A member that asks once, and the seconds from now to its answer (filled when answered)."""
    answered: list[float] = []
    started = time.monotonic()

    def ask() -> list[str]:
        out = pool.submit(["a"])
        answered.append(time.monotonic() - started)
        return out

    return ask, answered


def test_a_member_that_does_not_ask_holds_the_others_for_the_window_only() -> None:
    decoder = Decoder()
    pool: CallPool[str, str] = CallPool(decoder, window_s=0.3)
    ask, answered = asking(pool)
    results = in_threads([ask, lambda: time.sleep(3.0)])
    assert results[0] == ["A"] and len(decoder.batches) == 1
    assert 0.3 <= answered[0] < 2.0  # the window, not the busy member's 3 seconds


def test_a_member_that_ends_releases_the_others_at_once() -> None:
    decoder = Decoder()
    pool: CallPool[str, str] = CallPool(decoder, window_s=30.0)
    ask, answered = asking(pool)
    results = in_threads([ask, lambda: time.sleep(0.2)])
    assert results[0] == ["A"]
    assert answered[0] < 5.0  # not the 30-second window: the other member left


def test_submissions_arriving_during_a_decode_make_the_next_batch() -> None:
    decoder = Decoder()
    pool: CallPool[str, str] = CallPool(decoder, window_s=10.0)

    def two_rounds(name: str) -> list[str]:
        return pool.submit([f"{name}1"]) + pool.submit([f"{name}2"])

    results = in_threads([lambda n=n: two_rounds(n) for n in "abcd"])
    assert results == [[f"{n}1".upper(), f"{n}2".upper()] for n in "abcd"]
    assert [sorted(b) for b in decoder.batches] == [
        ["a1", "b1", "c1", "d1"],
        ["a2", "b2", "c2", "d2"],
    ]


def test_a_batch_orders_its_submissions_by_content_not_by_arrival() -> None:
    orders = []
    for delays in ([0.0, 0.1, 0.2], [0.2, 0.1, 0.0]):
        decoder = Decoder()
        pool: CallPool[str, str] = CallPool(decoder, window_s=10.0, key=lambda jobs: jobs)

        def late(name: str, delay: float, pool: CallPool[str, str] = pool) -> list[str]:
            time.sleep(delay)
            return pool.submit([name])

        results = in_threads([lambda n=n, d=d: late(n, d) for n, d in zip("xyz", delays)])
        assert results == [["X"], ["Y"], ["Z"]]
        orders.append(decoder.batches)
    assert orders[0] == orders[1] == [["x", "y", "z"]]


# --- the real model ---

ARTICLES = {
    "harbour": (
        "Harbour town opens new ferry terminal\n\n"
        "The town of Eastwick opened a new ferry terminal on Tuesday, 3 March 2025. "
        "Mayor Lena Ortiz said the terminal would double the number of daily crossings. "
        "Construction began in April 2023 after a two-year planning dispute. "
        "The first ferry left for Norlund at 7 a.m. with 300 passengers on board. "
        "A second terminal building will open in June, the harbour authority said."
    ),
    "storm": (
        "Storm closes schools across the valley\n\n"
        "A winter storm closed 40 schools in the Arden valley on Monday, 10 February 2025. "
        "Snow blocked the main road to Kelby for six hours on Sunday night. "
        "The utility restored power to 12,000 homes by Monday evening. "
        "Forecasters warned that more snow will fall on Wednesday. "
        "The schools reopened on Tuesday morning, the district office said."
    ),
    "library": (
        "City library to extend opening hours\n\n"
        "The council of Marlow voted on Thursday, 5 June 2025, to fund longer library hours. "
        "The central library will stay open until 9 p.m. from 1 July. "
        "Librarians first asked for the change in a petition in 2023. "
        "The council also approved a new branch in the north of the city. "
        "Work on the branch will start next spring, a spokesman said."
    ),
}


CAPITALS = 'root ::= "Paris" | "Berlin" | "Madrid" | "Rome" | "Lisbon"'
SYSTEM = {"role": "system", "content": "You answer questions about the world briefly."}


@pytest.mark.model
def test_a_bad_call_fails_its_own_document_in_a_pooled_batch_of_the_real_decoder(
    model_path: Path, tmp_path: Path
) -> None:
    backend = EmbeddedBackend(
        cache_dir=tmp_path, model_path=model_path, parallel=2, context_tokens=1024
    )
    assert backend._batched is not None
    stats = decode_pool(backend._batched).stats
    before = stats.batches

    def ask(question: str, grammar: str) -> list[str]:
        request = ChatRequest(
            [SYSTEM, {"role": "user", "content": question}], grammar=grammar, max_tokens=8
        )
        return [c.text for c in backend.complete_many([request, request])]

    results = in_threads(
        [
            lambda: ask("What is the capital of Italy? One word.", CAPITALS),
            lambda: ask("Say yes.", "root ::= ("),  # a grammar that does not parse
            lambda: ask("What is the capital of Spain? One word.", CAPITALS),
        ]
    )
    assert results[0] == ["Rome", "Rome"] and results[2] == ["Madrid", "Madrid"]
    assert isinstance(results[1], BackendError) and "grammar" in str(results[1])
    assert stats.batches == before + 1 and stats.largest == 3  # one batch for the three


def _records(path: Path) -> dict[str, dict[str, object]]:
    records = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("ok"):
            record["result"].pop("provenance")
        records[record["id"]] = record
    return records


@pytest.mark.model
@pytest.mark.slow
def test_a_pooled_batch_gives_the_records_of_one_document_at_a_time(
    model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    settings = Settings(cache=False, model_path=model_path, threads=1)
    pipeline = Pipeline(settings)
    assert isinstance(pipeline.backend, EmbeddedBackend) and pipeline.backend._batched is not None
    pool = decode_pool(pipeline.backend._batched)
    stats = pool.stats
    # only "every document waiting" makes a batch: a busy machine's slow CPU work between
    # calls would otherwise split the pooled batch by timing, and the comparison with it
    monkeypatch.setattr(pool, "window_s", 60.0)
    one = run_batch(
        [str(folder)],
        tmp_path / "one.jsonl",
        settings,
        concurrency=1,
        resume=False,
        progress=False,
        pipeline=pipeline,
    )
    alone_largest, alone_batches = stats.largest, stats.batches
    pooled = run_batch(
        [str(folder)],
        tmp_path / "pooled.jsonl",
        settings,
        concurrency=3,
        resume=False,
        progress=False,
        pipeline=pipeline,
    )
    assert one.ok == pooled.ok == len(ARTICLES)
    assert alone_largest == 1  # one at a time: each batch one document's calls
    assert stats.largest == 3 and stats.batches - alone_batches < alone_batches  # pooled
    assert _records(tmp_path / "pooled.jsonl") == _records(tmp_path / "one.jsonl")
