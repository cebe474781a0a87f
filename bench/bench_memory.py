"""Peak memory of a batch of 1,000 vs 10,000 generated documents: it should not grow with the batch.

Each batch runs in its own subprocess against a loopback server (no delay,
single strategy: two calls a document) and reports its peak resident set size
(``ru_maxrss``) and its resident size after imports, before the batch. Ratio =
peak at 10,000 ÷ peak at 1,000. Target: flat (≈ 1.0).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from _loopback import loopback, write_documents

SIZES = [1_000, 10_000]
CONCURRENCY = 8


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(base_url: str, output: str, files: list[str]) -> None:
    from summarizer.runners.local import run_batch
    from summarizer.settings import Settings

    settings = Settings(
        base_url=base_url, model="bench", strategy="single", cache_dir=Path(output).parent / "cache"
    )
    before = _rss_mb()
    s = run_batch(
        files, Path(output), settings, concurrency=CONCURRENCY, resume=False, progress=False
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    print(
        json.dumps(
            {
                "ok": s.ok,
                "failed": s.failed,
                "seconds": s.seconds,
                "before_mb": before,
                "peak_mb": peak,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.child[2:])
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp, loopback(0.0) as base_url:
        for n in SIZES:
            root = Path(tmp) / str(n)
            files = write_documents(root / "in", n)
            proc = subprocess.run(
                [sys.executable, __file__, "--child", base_url, str(root / "out.jsonl"), *files],
                capture_output=True,
                text=True,
                check=True,
            )
            report = json.loads(proc.stdout.strip().splitlines()[-1])
            lines = sum(1 for _ in (root / "out.jsonl").open())
            assert report["ok"] == n == lines, (report, lines)
            rows.append((n, report))
    print(
        f"memory: peak RSS per batch (subprocess each), loopback server, concurrency {CONCURRENCY}"
    )
    print(f"{'documents':>9} {'after imports MB':>16} {'peak MB':>8} {'seconds':>8}")
    for n, r in rows:
        print(f"{n:>9,} {r['before_mb']:>16.1f} {r['peak_mb']:>8.1f} {r['seconds']:>8.1f}")
    ratio = rows[1][1]["peak_mb"] / rows[0][1]["peak_mb"]
    print(f"peak ratio 10,000 / 1,000: {ratio:.2f} (target: flat, ~1.0)")


if __name__ == "__main__":
    main()
