"""The embedded model's two decoding loops side by side, on the tool's own requests.

The requests are the first round the decomposed strategy sends for the sample and the
first Wikinews articles (an event description per clause, the headline), captured by a
recording backend, no model involved. Each goes through today's path (llama-cpp-python's
``create_chat_completion``, one at a time, its grammar over the whole vocabulary at every
token) and through ``decoding.BatchDecoder`` at batch 1, 2, 4 and 8, in one run:
seconds, completion tokens per second, and the share of parsed answers equal to today's
path's (where they differ, the first few are shown). Then the sample end to end by each
path, against one bare llama-cpp-python call that summarises it, timed in the same run.

Last, pooling: ``--pool N`` short Wikinews articles as one batch (``run_batch``), one
document at a time against N in flight whose calls the pool decodes together, alternated
``--pool-rounds`` times: seconds, completion tokens per second, the pool's batches, the
records equal to one-at-a-time's (provenance aside), the load average and the CPU share
this process got (CPU seconds over wall seconds).

    python bench/bench_decode.py [--docs 8] [--threads N] [--parallel 1,2,4,8]
    python bench/bench_decode.py --pool-only [--pool 4] [--pool-rounds 2] [--pool-parallel 4,8]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import llama_cpp as lc
import numpy as np

from summarizer.backends.base import ChatRequest, Completion, extract_json
from summarizer.backends.decoding import BatchDecoder
from summarizer.backends.embedded import EmbeddedBackend, decode_pool, default_threads
from summarizer.evaluation.references import load_references
from summarizer.pipeline import Pipeline
from summarizer.runners.local import run_batch
from summarizer.schemas import Document
from summarizer.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "kremlin-peace-talks-2025-11-13.txt"
WIKINEWS = REPO / "eval" / "datasets" / "wikinews.jsonl"
BARE_PROMPT = "Summarise this news article in 3-4 sentences.\n\n"


class Recorder:
    """A backend that keeps every request and answers nothing usable (no re-asks follow
    with max_reasks 0): the tool's first round of requests, without a model."""

    name = "recorder"
    model = "none"
    supports_grammar = False  # so decomposed records its free-writing questions

    def __init__(self, counter: EmbeddedBackend) -> None:
        self.requests: list[ChatRequest] = []
        self._counter = counter

    def complete(self, request: ChatRequest) -> Completion:
        self.requests.append(request)
        return Completion(text="{}")

    def count_tokens(self, text: str) -> int:
        return self._counter.count_tokens(text)


def documents(n_wikinews: int) -> list[Document]:
    sample = Document(id="sample", text=SAMPLE.read_text(encoding="utf-8"))
    refs = load_references(WIKINEWS)[:n_wikinews]
    return [
        sample,
        *(Document(id=r.id, text=r.text, title=r.title, date=r.publication_date) for r in refs),
    ]


def first_round(
    docs: list[Document], settings: Settings, counter: EmbeddedBackend
) -> tuple[list[ChatRequest], list[int]]:
    """The requests, and the index of the document each came from."""
    recorder = Recorder(counter)
    pipeline = Pipeline(settings.model_copy(update={"max_reasks": 0}), backend=recorder)
    owners: list[int] = []
    for index, doc in enumerate(docs):
        pipeline.run(doc)
        owners += [index] * (len(recorder.requests) - len(owners))
    return recorder.requests, owners


def parsed(text: str) -> Any:
    try:
        return json.loads(extract_json(text))
    except json.JSONDecodeError:
        return text


def timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def exactness(plain: EmbeddedBackend, requests: list[ChatRequest], threads: int) -> None:
    """Why answers differ: the plain path's own answers depend on the call before (it reuses
    the previous prompt's KV cache, so each prompt is computed in two parts, split where the
    two prompts part). Computed whole, as our loop without prefix sharing computes it, the
    answers are the same bit for bit."""
    history = [plain.complete(r) for r in requests]
    fresh = []
    for r in requests:
        plain._llm.reset()  # no reuse: the whole prompt in one pass
        fresh.append(plain.complete(r))
    whole = EmbeddedBackend(
        cache_dir=plain.path.parent,
        model_path=plain.path,
        threads=threads,
        context_tokens=plain.context_tokens,
        decoder="batched",
        parallel=1,
    )
    whole._batched = BatchDecoder(
        plain._llm.model,
        context_tokens=plain.context_tokens,
        parallel=1,
        threads=threads,
        share_prefix=False,
    )
    ours = whole.complete_many(requests)

    def share(a: list[Completion], b: list[Completion]) -> str:
        return f"{sum(parsed(x.text) == parsed(y.text) for x, y in zip(a, b)) / len(a):.1%}"

    print(f"exactness, the sample's {len(requests)} requests:")
    print(
        f"  llama-cpp-python, fresh context per call vs after the previous call: {share(fresh, history)}"
    )
    print(
        f"  our loop, each prompt whole (no prefix sharing) vs llama-cpp-python fresh: {share(ours, fresh)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=8, help="Wikinews articles beside the sample")
    parser.add_argument("--threads", type=int, default=default_threads())
    parser.add_argument("--parallel", default="1,2,4,8")
    parser.add_argument("--no-e2e", action="store_true", help="skip the end-to-end sample timings")
    parser.add_argument("--pool", type=int, default=4, help="documents pooled (0: skip pooling)")
    parser.add_argument("--pool-rounds", type=int, default=2, help="one-at-a-time/pooled pairs")
    parser.add_argument("--pool-only", action="store_true", help="only the pooling comparison")
    parser.add_argument(
        "--pool-parallel", default="4", help="the pooled runs' --parallel, comma-separated"
    )
    args = parser.parse_args()
    levels = [int(p) for p in args.parallel.split(",")]
    base = Settings(cache=False, threads=args.threads)
    if args.pool_only:
        batch_invariance(
            EmbeddedBackend(cache_dir=base.cache_dir, threads=args.threads, decoder="batched")
        )
        pooling(base, args.pool, args.pool_rounds, [int(p) for p in args.pool_parallel.split(",")])
        return
    plain = EmbeddedBackend(cache_dir=base.cache_dir, threads=args.threads, decoder="llama-cpp")
    docs = documents(args.docs)
    requests, request_docs = first_round(docs, base, plain)
    print(
        f"decode: {len(requests)} requests (first round, decomposed) from {len(docs)} documents; "
        f"{args.threads} threads on {os.cpu_count()} cores; load average before "
        f"{os.getloadavg()[0]:.2f}",
        flush=True,
    )

    if not args.no_e2e:
        end_to_end(plain, docs[0], base)
    print(
        f"{'path':<17} {'batch':>5} {'seconds':>8} {'compl tok':>9} {'tok/s':>7} "
        f"{'speed-up':>8} {'equal':>7} {'full grammar passes':>19}",
        flush=True,
    )
    reference, base_s = timed(lambda: [plain.complete(r) for r in requests])
    row("llama-cpp-python", 1, base_s, base_s, reference, reference, None)
    last: list[Completion] = reference
    for level in levels:
        batched = EmbeddedBackend(
            cache_dir=base.cache_dir, threads=args.threads, decoder="batched", parallel=level
        )
        last, seconds = timed(lambda b=batched: b.complete_many(requests))  # type: ignore[misc]
        row("batched", level, seconds, base_s, last, reference, batched._batched.grammar_passes)
    differing = [
        (r, a, b) for r, a, b in zip(requests, last, reference) if parsed(a.text) != parsed(b.text)
    ]
    for request, new, old in differing[:4]:
        print(
            f"  differs: {request.messages[-1]['content'][-90:]!r}\n"
            f"    llama-cpp-python: {old.text[:160]!r}\n    batched x{levels[-1]}:       {new.text[:160]!r}"
        )
    exactness(plain, [r for r, d in zip(requests, request_docs) if d == 0], args.threads)
    print(f"load average after {os.getloadavg()[0]:.2f}")
    if args.pool:
        pooling(base, args.pool, args.pool_rounds, [int(p) for p in args.pool_parallel.split(",")])


def row(
    name: str,
    level: int,
    seconds: float,
    base_s: float,
    out: list[Completion],
    reference: list[Completion],
    passes: int | None,
) -> None:
    tokens = sum(c.completion_tokens for c in out)
    equal = sum(parsed(a.text) == parsed(b.text) for a, b in zip(out, reference))
    print(
        f"{name:<17} {level:>5} {seconds:>8.1f} {tokens:>9} {tokens / seconds:>7.1f} "
        f"{base_s / seconds:>7.2f}x {equal / len(out):>7.1%} "
        f"{'every token' if passes is None else passes:>19}",
        flush=True,
    )


def end_to_end(plain: EmbeddedBackend, sample: Document, base: Settings) -> None:
    """The sample through the tool by each decoder, against one bare call that summarises it."""
    bare, bare_s = timed(
        lambda: plain._llm.create_chat_completion(
            messages=[{"role": "user", "content": BARE_PROMPT + sample.text}],
            temperature=0.0,
            max_tokens=256,
        )
    )
    print(f"end to end, the sample ({bare['usage']['completion_tokens']} tokens in the bare call):")
    print(f"{'path':<34} {'seconds':>8} {'calls':>5} {'x bare call':>11}")
    print(f"{'one bare llama-cpp-python call':<34} {bare_s:>8.1f} {1:>5} {1.0:>10.1f}x", flush=True)
    for decoder in ("llama-cpp", "batched"):
        pipeline = Pipeline(base.model_copy(update={"decoder": decoder}))
        result, seconds = timed(lambda p=pipeline: p.run(sample))  # type: ignore[misc]
        label = f"the tool, decoder {decoder}"
        print(
            f"{label:<34} {seconds:>8.1f} {result.provenance.usage.calls:>5} "
            f"{seconds / bare_s:>10.1f}x",
            flush=True,
        )


INVARIANCE_STEPS = 8


def next_token_logits(decoder: BatchDecoder, prompts: list[list[int]], steps: int) -> list[Any]:
    """The first prompt's logits at each of ``steps`` greedy tokens, every prompt decoded
    beside the others (one sequence each, one ``llama_decode`` a step), nothing shared."""

    def logits(index: int) -> Any:
        pointer = lc.llama_get_logits_ith(decoder._ctx, index)
        return np.ctypeslib.as_array(pointer, shape=(decoder.n_vocab,)).copy()

    decoder._batch.n_tokens = 0
    ends, positions = [], []
    for seq, tokens in enumerate(prompts, 1):
        decoder._fill(tokens, seq, 0, logits_last=True)
        ends.append(decoder._batch.n_tokens - 1)
        positions.append(len(tokens))
    decoder._decode()
    first: list[Any] = []
    for _ in range(steps):
        rows = [logits(i) for i in ends]
        first.append(rows[0])
        decoder._batch.n_tokens = 0
        ends = []
        for seq, row in enumerate(rows, 1):
            decoder._fill([int(np.argmax(row))], seq, positions[seq - 1], logits_last=True)
            positions[seq - 1] += 1
            ends.append(decoder._batch.n_tokens - 1)
        decoder._decode()
    lc.llama_memory_clear(decoder._mem, True)
    return first


def batch_invariance(backend: EmbeddedBackend) -> None:
    """Whether a sequence's logits are bit for bit the same alone and beside others."""
    system = {"role": "system", "content": "You describe news events briefly."}
    questions = [
        "Describe the event: The council approved the new bridge on Monday.",
        "Describe the event: Heavy snow closed the airport for two days.",
        "Describe the event: The company will open a factory in Leeds next year.",
        "Describe the event: The minister resigned after the vote on Friday.",
    ]
    prompts = [backend.prompt_tokens([system, {"role": "user", "content": q}]) for q in questions]
    decoder = BatchDecoder(
        backend._llm.model,
        context_tokens=backend.context_tokens,
        parallel=len(prompts),
        threads=backend.threads,
        share_prefix=False,
    )
    alone = next_token_logits(decoder, prompts[:1], INVARIANCE_STEPS)
    print(f"batch invariance, one prompt's logits over {INVARIANCE_STEPS} greedy tokens:")
    for others in range(1, len(prompts)):
        beside = next_token_logits(decoder, prompts[: others + 1], INVARIANCE_STEPS)
        same = sum(np.array_equal(a, b) for a, b in zip(alone, beside))
        drift = max(float(np.abs(a - b).max()) for a, b in zip(alone, beside))
        tokens = sum(int(np.argmax(a)) == int(np.argmax(b)) for a, b in zip(alone, beside))
        print(
            f"  beside {others} other(s): {same}/{INVARIANCE_STEPS} steps bit-identical "
            f"(the prompt's own step among them), largest logit difference {drift:.3f}, "
            f"same greedy token {tokens}/{INVARIANCE_STEPS}",
            flush=True,
        )
    decoder.close()


POOL_CHARS = (700, 1400)  # short articles: a few calls each, a bounded run


def short_articles(n: int) -> list[dict[str, Any]]:
    """The first ``n`` Wikinews articles of ``POOL_CHARS`` characters, as input records."""
    lo, hi = POOL_CHARS
    refs = [r for r in load_references(WIKINEWS) if lo <= len(r.text) <= hi][:n]
    return [
        {"id": r.id, "text": r.text, "title": r.title, "date": r.publication_date.isoformat()}
        if r.publication_date
        else {"id": r.id, "text": r.text, "title": r.title}
        for r in refs
    ]


def records(path: Path) -> dict[str, Any]:
    """Each record by id, its provenance (timings, usage) left out."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("ok"):
            record["result"].pop("provenance", None)
        out[record["id"]] = record
    return out


def differing_fields(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two records differ: the paths of the differing leaves (lists by index)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            p
            for key in sorted(set(a) | set(b))
            for p in differing_fields(a.get(key), b.get(key), f"{path}.{key}" if path else key)
        ]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            p for i, (x, y) in enumerate(zip(a, b)) for p in differing_fields(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [path]


def completion_tokens(path: Path) -> int:
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("ok"):
            total += record["result"]["provenance"]["usage"]["completion_tokens"]
    return total


def pooling(base: Settings, n: int, rounds: int, pool_parallel: list[int]) -> None:
    """``n`` short articles as a batch: one document at a time (at the settings' parallel)
    against ``n`` pooled at each of ``pool_parallel`` sequences a step, alternated."""
    folder = Path(tempfile.mkdtemp(prefix="bench-pool-"))
    inputs = folder / "articles.jsonl"
    articles = short_articles(n)
    inputs.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    runs: list[tuple[str, int, Pipeline]] = [("one at a time", 1, Pipeline(base))]
    for parallel in pool_parallel:
        settings = base.model_copy(update={"parallel": parallel})
        pipeline = runs[0][2] if parallel == base.parallel else Pipeline(settings)
        runs.append((f"{n} pooled x{parallel}", n, pipeline))
    print(
        f"pooling: {len(articles)} Wikinews articles of {POOL_CHARS[0]}-{POOL_CHARS[1]} "
        f"characters, {base.threads} threads, one at a time at parallel {base.parallel}, "
        f"{os.cpu_count()} cores",
        flush=True,
    )
    print(
        f"{'run':<16} {'seconds':>8} {'calls':>5} {'compl tok':>9} {'tok/s':>6} {'batches':>7} "
        f"{'docs/batch':>10} {'cpu/wall':>8} {'load before':>11} {'load after':>10} "
        f"{'equal records':>13}",
        flush=True,
    )
    seconds: dict[str, float] = {}
    reference: dict[str, Any] | None = None
    for round_ in range(rounds):
        for index, (label, concurrency, pipeline) in enumerate(runs):
            backend = pipeline.backend
            assert isinstance(backend, EmbeddedBackend) and backend._batched is not None
            pool = decode_pool(backend._batched).stats
            out = folder / f"out-{round_}-{index}.jsonl"
            before = (pool.batches, pool.submissions)
            load = os.getloadavg()[0]
            cpu = resource.getrusage(resource.RUSAGE_SELF)
            summary = run_batch(
                [str(inputs)],
                out,
                pipeline.settings,
                concurrency=concurrency,
                resume=False,
                progress=False,
                pipeline=pipeline,
            )
            cpu_after = resource.getrusage(resource.RUSAGE_SELF)
            used = (cpu_after.ru_utime - cpu.ru_utime) + (cpu_after.ru_stime - cpu.ru_stime)
            batches = pool.batches - before[0]
            submissions = pool.submissions - before[1]
            tokens = completion_tokens(out)
            got = records(out)
            reference = reference or got
            equal = sum(got.get(k) == v for k, v in reference.items())
            differing = [
                f"{k}: {', '.join(differing_fields(got.get(k), v))}"
                for k, v in reference.items()
                if got.get(k) != v
            ]
            seconds[label] = seconds.get(label, 0.0) + summary.seconds
            print(
                f"{label:<16} {summary.seconds:>8.1f} {summary.calls:>5} {tokens:>9} "
                f"{tokens / summary.seconds:>6.1f} {batches:>7} "
                f"{submissions / max(1, batches):>10.2f} {used / summary.seconds:>8.2f} "
                f"{load:>11.2f} {os.getloadavg()[0]:>10.2f} {equal:>6}/{len(reference)}",
                flush=True,
            )
            for line in differing:
                print(f"  differs from the first run: {line}", flush=True)
    one = seconds[runs[0][0]]
    for label, _, _ in runs[1:]:
        print(
            f"{label}: {one / seconds[label]:.2f}x one at a time "
            f"(its seconds over these, all {rounds} rounds)"
        )


if __name__ == "__main__":
    main()
