"""Batch throughput against a loopback server that answers after a fixed delay.

Share of ideal = measured documents/second ÷ (concurrency ÷ (calls per
document × delay)): 1.0 means the runner adds nothing to the model's latency.
Calls per document are counted from the results, not assumed. Target: ≥ 0.9
at concurrency 32.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _loopback import loopback, write_documents

from summarizer.runners.local import run_batch
from summarizer.settings import Settings

LEVELS = [1, 8, 32, 64]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds per model call")
    parser.add_argument(
        "--waves", type=int, default=4, help="documents per level = waves × concurrency"
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, loopback(args.delay) as base_url:
        root = Path(tmp)
        for level in LEVELS:
            n = max(4, args.waves * level)
            files = write_documents(root / f"in-{level}", n)
            settings = Settings(
                base_url=base_url, model="bench", cache=False, cache_dir=root / "cache"
            )
            s = run_batch(
                files,
                root / f"out-{level}.jsonl",
                settings,
                concurrency=level,
                resume=False,
                progress=False,
            )
            assert s.ok == n, s
            calls = s.calls / s.ok
            rate = s.ok / s.seconds
            ideal = level / (calls * args.delay)
            rows.append((level, n, calls, rate, ideal, rate / ideal))
    print(f"throughput: loopback server, {args.delay:.2f} s per call, decomposed strategy")
    print(
        f"{'concurrency':>11} {'docs':>5} {'calls/doc':>9} {'docs/s':>8} {'ideal':>8} {'share':>6}"
    )
    for level, n, calls, rate, ideal, share in rows:
        print(f"{level:>11} {n:>5} {calls:>9.1f} {rate:>8.2f} {ideal:>8.2f} {share:>6.2f}")
    share32 = next(r[5] for r in rows if r[0] == 32)
    print(f"share of ideal at 32: {share32:.2f} (target >= 0.9)")


if __name__ == "__main__":
    main()
