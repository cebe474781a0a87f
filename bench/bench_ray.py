"""Documents per second on Ray against a loopback server with a fixed delay per call.

One run, one loopback server (its own process), the same generated documents:
a local batch (``run_batch``, ``--concurrency C``), then ``run_ray_batch`` with
1 and 2 actors of ``C`` documents each, on a local Ray of ``--cpus`` CPUs
(started once, before the clock). ``docs/s`` is over the whole run, the actors'
start included; ``first s`` is the time to the first line written (the actors
starting, the pipeline loading in each, and the first block of documents done);
``steady`` is the rate after it; ``ideal`` = slots ÷ (calls per document × delay).
Calls and tokens per document are counted from the results (they size a
cluster: see docs/ray.md).
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from _loopback import loopback, write_documents

from summarizer.runners.local import BatchSummary, run_batch
from summarizer.settings import Settings


def first_line_at(path: Path, started: float, stop: threading.Event, into: list[float]) -> None:
    while not stop.is_set():
        if path.exists() and path.stat().st_size > 0:
            into.append(time.perf_counter() - started)
            return
        time.sleep(0.02)


def timed(run: object, out: Path) -> tuple[BatchSummary, float, float]:
    stop, seen = threading.Event(), []  # type: ignore[var-annotated]
    started = time.perf_counter()
    watcher = threading.Thread(target=first_line_at, args=(out, started, stop, seen), daemon=True)
    watcher.start()
    summary = run()  # type: ignore[operator]
    wall = time.perf_counter() - started
    stop.set()
    return summary, wall, (seen[0] if seen else wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds per model call")
    parser.add_argument("--docs", type=int, default=160)
    parser.add_argument("--concurrency", type=int, default=8, help="documents at once per worker")
    parser.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray")
    args = parser.parse_args()

    import ray

    from summarizer.runners.ray import run_ray_batch

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp, loopback(args.delay) as base_url:
        root = Path(tmp)
        files = write_documents(root / "in", args.docs)
        settings = Settings(base_url=base_url, model="bench", cache=False, cache_dir=root / "cache")
        ray.init(
            address="local",
            num_cpus=args.cpus,
            include_dashboard=False,
            log_to_driver=False,
            logging_level="WARNING",
            _temp_dir=str(root / "ray"),
        )
        try:
            runs = [
                (
                    "local batch",
                    1,
                    lambda out: run_batch(
                        files,
                        out,
                        settings,
                        concurrency=args.concurrency,
                        resume=False,
                        progress=False,
                    ),
                )
            ]
            for actors in (1, 2):
                runs.append(
                    (
                        f"ray, {actors} actor{'s' if actors > 1 else ''}",
                        actors,
                        lambda out, a=actors: run_ray_batch(
                            files,
                            out,
                            settings,
                            actors=a,
                            actor_concurrency=args.concurrency,
                            progress=False,
                        ),
                    )
                )
            for i, (name, workers, run) in enumerate(runs):
                out = root / f"out-{i}.jsonl"
                summary, wall, start = timed(lambda run=run, out=out: run(out), out)
                assert summary.ok == args.docs, summary
                steady = (summary.ok - 1) / (wall - start) if wall > start else float("nan")
                ideal = workers * args.concurrency / (summary.calls / summary.ok * args.delay)
                rows.append(
                    (
                        name,
                        workers * args.concurrency,
                        summary.calls / summary.ok,
                        summary.tokens / summary.ok,
                        summary.ok / wall,
                        start,
                        steady,
                        ideal,
                    )
                )
        finally:
            ray.shutdown()
    print(
        f"ray: {args.docs} documents, loopback server {args.delay:.2f} s per call, "
        f"decomposed strategy, local Ray of {args.cpus} CPUs"
    )
    print(
        f"{'engine':<14} {'slots':>5} {'calls/doc':>9} {'tokens/doc':>10} {'docs/s':>7} "
        f"{'first s':>7} {'steady':>7} {'ideal':>7}"
    )
    for name, slots, calls, tokens, rate, start, steady, ideal in rows:
        print(
            f"{name:<14} {slots:>5} {calls:>9.1f} {tokens:>10.0f} {rate:>7.2f} {start:>7.2f} "
            f"{steady:>7.2f} {ideal:>7.2f}"
        )


if __name__ == "__main__":
    main()
