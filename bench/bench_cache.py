"""The same batch twice over the same documents: the second run answers from the response cache.

Ratio = first run's seconds ÷ second run's. The second run makes no model call
(checked), so what it measures is the pipeline's own work plus the cache
lookups and the output writes. Measured at concurrency 1 and 8 against a
loopback server answering after a fixed delay. Target: ≥ 50×.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _loopback import loopback, write_documents

from summarizer.batch import run_batch
from summarizer.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds per model call")
    parser.add_argument("--docs", type=int, default=24)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, loopback(args.delay) as base_url:
        root = Path(tmp)
        files = write_documents(root / "in", args.docs)
        for level in (1, 8):
            settings = Settings(base_url=base_url, model="bench", cache_dir=root / f"cache-{level}")
            runs = []
            for attempt in ("cold", "warm"):
                s = run_batch(files, root / f"out-{level}-{attempt}.jsonl", settings,
                              concurrency=level, resume=False, progress=False)
                assert s.ok == args.docs, s
                runs.append(s)
            cold, warm = runs
            assert warm.cached_calls == warm.calls, "the second run asked the model"
            rows.append((level, cold.calls, cold.seconds, warm.seconds, cold.seconds / warm.seconds))
    print(f"cache: {args.docs} documents twice, loopback server at {args.delay:.2f} s per call")
    print(f"{'concurrency':>11} {'calls':>6} {'cold s':>8} {'cached s':>9} {'ratio':>7}")
    for level, calls, cold_s, warm_s, ratio in rows:
        print(f"{level:>11} {calls:>6} {cold_s:>8.2f} {warm_s:>9.3f} {ratio:>6.0f}x")
    print("target: >= 50x")


if __name__ == "__main__":
    main()
