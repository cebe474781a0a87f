"""Runs repeated over the same documents: the second answers from the response cache.

1. **Eval**: ``run_eval`` (what ``summarise eval`` runs: the tool and the
   baselines, then every metric) over the sample article and the first
   ``--eval-docs`` Wikinews documents on the embedded model, twice, the
   response cache in a fresh folder. This is the user's case the target is
   about: re-running an eval after changing something that does not touch the
   prompts.
2. **Batch**: ``run_batch`` over generated documents against a loopback
   server answering after a fixed delay, at concurrency 1 and 8: what is left
   when the model costs nothing, i.e. the pipeline's own work plus the cache
   lookups and the output writes.

Ratio = first run's seconds ÷ second run's. Every second run is checked to
have made no model call. Target: ≥ 50×.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _loopback import REPO, loopback, write_documents

from summarizer.backends.model_file import embedded_model_path
from summarizer.evaluation.harness import EvalRun, load_dataset, run_eval
from summarizer.evaluation.names import TOOL
from summarizer.runners.local import run_batch
from summarizer.settings import Settings

DATASETS = REPO / "eval" / "datasets"


def _calls(run: EvalRun) -> tuple[int, int]:
    """(model calls, of which answered from the cache) over the tool's results."""
    calls = cached = 0
    for doc in run.documents:
        output = doc.outputs.get(TOOL)
        if output is None or output.result is None:
            raise SystemExit(
                f"{doc.reference.id}: the tool failed: {output.error if output else '?'}"
            )
        usage = output.result.provenance.usage
        calls, cached = calls + usage.calls, cached + usage.cached_calls
    return calls, cached


def eval_twice(root: Path, wikinews_docs: int) -> tuple[int, int, float, float]:
    datasets = [
        load_dataset(DATASETS / "sample.jsonl"),
        load_dataset(DATASETS / "wikinews.jsonl", limit=wikinews_docs),
    ]
    model = embedded_model_path(Settings().cache_dir)  # the model stays where it is
    settings = Settings(model_path=model, cache_dir=root / "cache-eval")
    cold = run_eval(datasets, settings=settings, progress=False)
    warm = run_eval(datasets, settings=settings, progress=False)
    calls, _ = _calls(cold)
    warm_calls, warm_cached = _calls(warm)
    assert warm_cached == warm_calls == calls, "the second eval asked the model"
    return len(cold.documents), calls, cold.wall_s, warm.wall_s


def batch_twice(root: Path, docs: int, delay: float) -> list[tuple[int, int, float, float]]:
    rows = []
    with loopback(delay) as base_url:
        files = write_documents(root / "in", docs)
        for level in (1, 8):
            settings = Settings(base_url=base_url, model="bench", cache_dir=root / f"cache-{level}")
            runs = []
            for attempt in ("cold", "warm"):
                s = run_batch(
                    files,
                    root / f"out-{level}-{attempt}.jsonl",
                    settings,
                    concurrency=level,
                    resume=False,
                    progress=False,
                )
                assert s.ok == docs, s
                runs.append(s)
            cold, warm = runs
            assert warm.cached_calls == warm.calls, "the second run asked the model"
            rows.append((level, cold.calls, cold.seconds, warm.seconds))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--eval-docs",
        type=int,
        default=2,
        help="Wikinews documents beside the sample in the eval runs (-1: none)",
    )
    parser.add_argument("--delay", type=float, default=0.2, help="loopback seconds per model call")
    parser.add_argument("--docs", type=int, default=24, help="generated documents for the batch")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.eval_docs >= 0:
            n, calls, cold_s, warm_s = eval_twice(root, args.eval_docs)
            print(
                f"cache, eval: {n} documents on the embedded model, tool + baselines + metrics, "
                f"{calls} model calls"
            )
            print(f"{'':>11} {'calls':>6} {'first s':>8} {'second s':>9} {'ratio':>7}")
            print(f"{'eval':>11} {calls:>6} {cold_s:>8.2f} {warm_s:>9.3f} {cold_s / warm_s:>6.0f}x")
        rows = batch_twice(root, args.docs, args.delay)
    print(f"cache, batch: {args.docs} documents, loopback server at {args.delay:.2f} s per call")
    print(f"{'concurrency':>11} {'calls':>6} {'first s':>8} {'second s':>9} {'ratio':>7}")
    for level, calls, cold_s, warm_s in rows:
        print(f"{level:>11} {calls:>6} {cold_s:>8.2f} {warm_s:>9.3f} {cold_s / warm_s:>6.0f}x")
    print("target: >= 50x")


if __name__ == "__main__":
    main()
