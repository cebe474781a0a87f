"""Speed at scale, each figure a ratio measured in this run (issue 28).

1. **model-free vs one pysbd pass**: FRANK's CNN/DM articles (read in place from
   ../shared/data/frank) through the rules strategy in this process, against one
   ``pysbd`` pass over the same texts as pysbd ships (the segmentation every document
   paid); the tool's own segmentation (its own splitter since issue 28) is timed beside it.
2. **workers**: the same articles as a batch, ``summarise run -o`` in a fresh process
   (start-up included, as a user runs it) with 1 worker and with every usable core; the
   records are checked identical (provenance aside).
3. **a shared machine**: the sample through the embedded model, and one bare
   llama-cpp-python call summarising it, quiet and beside two CPU-bound processes;
   beside them also at a forced thread count (``--busy-threads``), to show what the
   chosen count saves. Each runs in a fresh process, so each picks its own threads.

"Quiet" means no load of ours: the machine may be shared, so the load average is
printed with every figure.

    python bench/bench_speed.py [--articles 250] [--busy-threads N] [--no-model]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pysbd

from summarizer.backends.embedded import EmbeddedBackend, default_threads
from summarizer.loading import parse_text
from summarizer.pipeline import Pipeline
from summarizer.schemas import Document
from summarizer.segment import sentences
from summarizer.settings import Settings, usable_cores

REPO = Path(__file__).resolve().parents[1]
FRANK = REPO.parent / "shared" / "data" / "frank" / "frank_docs.jsonl"
SAMPLE = REPO / "examples" / "kremlin-peace-talks-2025-11-13.txt"
BARE_PROMPT = "Summarise this news article in 3-4 sentences.\n\n"
BUSY = "while True: pass"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} on {os.cpu_count()} cores"


def frank_articles(n: int) -> list[Document]:
    docs: list[Document] = []
    seen: set[str] = set()
    with FRANK.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["dataset"] != "cnndm" or row["hash"] in seen:
                continue
            seen.add(row["hash"])
            docs.append(
                Document(id=row["hash"], text=row["article"], date=row["wayback_crawl_date"])
            )
            if len(docs) == n:
                break
    return docs


def timed(work: Callable[[Document], object], docs: list[Document]) -> float:
    work(docs[0])  # warm: imports, compiled patterns
    started = time.perf_counter()
    for doc in docs:
        work(doc)
    return time.perf_counter() - started


def model_free_vs_pysbd(docs: list[Document]) -> float:
    """Print the model-free path against one pysbd pass; return the pass's seconds."""
    shipped = pysbd.Segmenter(language="en", clean=False, char_span=True)
    pysbd_s = timed(lambda doc: shipped.segment(doc.text), docs)
    segment_s = timed(lambda doc: sentences(doc.text), docs)
    pipeline = Pipeline(Settings(strategy="rules"))
    rules_s = timed(pipeline.run, docs)
    per = 1000 / len(docs)
    print(f"1. model-free vs one pysbd pass, {len(docs)} FRANK CNN/DM articles, one process:")
    for label, seconds in (
        ("pysbd pass", pysbd_s),
        ("segmentation", segment_s),
        ("model-free", rules_s),
    ):
        print(f"   {label:<12} {seconds:7.2f} s ({seconds * per:5.0f} ms an article)  {load()}")
    print(f"   segmentation {segment_s / pysbd_s:7.2f}x one pysbd pass (pysbd as shipped)")
    print(f"   model-free   {rules_s / pysbd_s:7.2f}x one pysbd pass (goal <= 1.0x)", flush=True)
    return pysbd_s


def records(path: Path) -> dict[str, Any]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["ok"]:
            record["result"].pop("provenance")
        out[record["id"]] = record
    return out


def worker_scaling(docs: list[Document], workers: int, pysbd_s: float) -> None:
    """``summarise run -o`` as a user runs it, each in a fresh process (start-up included):
    one worker, then every usable core."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_text(
            "".join(doc.model_dump_json(include={"id", "text", "date"}) + "\n" for doc in docs),
            encoding="utf-8",
        )
        seconds = {}
        for n in (1, workers):
            out = Path(tmp) / f"out{n}.jsonl"
            args = [sys.executable, "-m", "summarizer", "run", str(src), "--no-model"]
            args += ["--no-cache", "-o", str(out), "--workers", str(n)]
            started = time.perf_counter()
            subprocess.run(args, capture_output=True, check=True, env=os.environ)
            seconds[n] = time.perf_counter() - started
            print(f"   {n} worker(s)  {seconds[n]:7.2f} s  {load()}", flush=True)
        same = records(Path(tmp) / "out1.jsonl") == records(Path(tmp) / f"out{workers}.jsonl")
    print(
        f"   {workers} workers: {seconds[1] / seconds[workers]:.2f}x one "
        f"(goal >= 1.7x on 2 cores); records identical: {same}",
        flush=True,
    )
    # the batch as a user gets it (every usable core, start-up and file writing included)
    # against the one-core pysbd pass of section 1
    print(f"   {workers} workers: {seconds[workers] / pysbd_s:.2f}x one pysbd pass", flush=True)


# --- the embedded model, each measurement in its own process ---


def _measure(mode: str, threads: int | None) -> None:
    """In a child process: load the model, then time one thing; print JSON on stdout."""
    settings = Settings(cache=False, threads=threads)
    sample = parse_text(SAMPLE.read_text(encoding="utf-8"), doc_id="sample")
    chosen = threads or default_threads()
    if mode == "bare":
        backend = EmbeddedBackend(cache_dir=settings.cache_dir, threads=chosen, decoder="llama-cpp")
        started = time.perf_counter()
        backend._llm.create_chat_completion(
            messages=[{"role": "user", "content": BARE_PROMPT + sample.text}],
            temperature=0.0,
            max_tokens=256,
        )
    else:
        pipeline = Pipeline(settings)
        pipeline.run(
            Document(id="warm", text="Officials met on Monday in Paris.", date="2025-01-01")
        )
        started = time.perf_counter()
        pipeline.run(sample)
    print(json.dumps({"seconds": time.perf_counter() - started, "threads": chosen}))


def measured(mode: str, threads: int | None = None) -> tuple[float, int]:
    args = [sys.executable, __file__, "--measure", mode]
    if threads:
        args += ["--threads", str(threads)]
    done = subprocess.run(args, capture_output=True, text=True, check=True, env=os.environ)
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return float(answer["seconds"]), int(answer["threads"])


@contextmanager
def busy_processes(n: int) -> Iterator[None]:
    procs = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(n)]
    try:
        time.sleep(2)  # running before the model picks its threads
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def shared_machine(busy_threads: int) -> None:
    print("3. the sample (embedded model), quiet and beside two CPU-bound processes:")
    rows: dict[str, float] = {}

    def row(label: str, mode: str, threads: int | None = None) -> None:
        seconds, chosen = measured(mode, threads)
        rows[label] = seconds
        print(f"   {label:<34} {seconds:7.1f} s  threads {chosen}  {load()}", flush=True)

    row("bare call, quiet", "bare")
    row("sample, quiet", "sample")
    with busy_processes(2):
        row("bare call, busy", "bare")
        row("sample, busy", "sample")
        if busy_threads:
            row(f"sample, busy, {busy_threads} threads forced", "sample", busy_threads)
    quiet, bare = rows["sample, quiet"], rows["bare call, quiet"]
    print(f"   sample quiet:  {quiet / bare:.2f}x one bare call (goal <= 1.5x)")
    print(f"   sample busy:   {rows['sample, busy'] / quiet:.2f}x its quiet time (goal <= 3x)")
    if busy_threads:
        forced = rows[f"sample, busy, {busy_threads} threads forced"]
        print(f"   busy, {busy_threads} threads forced: {forced / quiet:.2f}x its quiet time")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    # all of FRANK's CNN/DM articles: with fewer, the workers' start-up hides their scaling
    parser.add_argument("--articles", type=int, default=250)
    parser.add_argument("--workers", type=int, default=usable_cores())
    parser.add_argument(
        "--busy-threads",
        type=int,
        default=usable_cores(),
        help="the forced count beside load (0: skip that row, the slowest)",
    )
    parser.add_argument("--no-model", action="store_true", help="skip part 3")
    parser.add_argument("--measure", choices=["bare", "sample"], help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure(args.measure, args.threads)
        return
    docs = frank_articles(args.articles)
    pysbd_s = model_free_vs_pysbd(docs)
    print(f"2. worker scaling, the same {len(docs)} articles as a batch:", flush=True)
    worker_scaling(docs, args.workers, pysbd_s)
    if not args.no_model:
        shared_machine(args.busy_threads)


if __name__ == "__main__":
    main()
