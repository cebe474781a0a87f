"""How long a cross-document timeline takes: 90 articles end to end, 1,000 from a run output.

Parts (each prints seconds; nothing is asserted):

* ``90``: 90 TimeBank/AQUAINT news articles (TempEval-3 training data, read in place, their
  own publication dates), model-free: the per-article stage in this process, then the merge,
  for the whole collection and for three entities.
* ``1000``: 1,000 BBC News Summary articles (read in place; they carry no date, so each is
  given 2005-06-01), summarised model-free once into a run output JSONL (``run_batch``,
  timed apart, kept in ``--work``), then the second stage alone from that file: reading the
  results and merging, as ``summarise timeline results.jsonl`` does.
* ``model N``: the first N of the same 90 articles with the embedded model (per article).

Usage: python bench/bench_timeline.py [--shared ../shared] [--work /tmp/bench-timeline]
       [--parts 90,1000] [--model-articles 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from summarizer import Document, Settings, summarise  # noqa: E402
from summarizer.runners.local import run_batch  # noqa: E402
from summarizer.runners.timeline import read_run_output, timeline_from  # noqa: E402
from summarizer.timeline.collection import build_timeline  # noqa: E402

TBAQ_ENTITIES = ["Clinton", "Kenya", "Iraq"]
BBC_ENTITIES = ["Tony Blair", "Microsoft", "Chelsea"]


def tbaq_articles(shared: Path, n: int) -> list[Document]:
    folder = shared / "data" / "tempeval3_tbaq"
    docs: list[Document] = []
    for name in ("tbaq_aquaint.timex.derived.jsonl", "tbaq_timebank.timex.derived.jsonl"):
        for line in (folder / name).open(encoding="utf-8"):
            d = json.loads(line)
            docs.append(
                Document(id=d["doc_id"], text=d["text"], title=d["title"], date=d["dct"][:10])
            )
            if len(docs) == n:
                return docs
    return docs


def sizes(timeline) -> str:
    return ", ".join(
        f"{t.entity or 'all'}: {len(t.entries)}+{len(t.undated)} entries, "
        f"{sum(len({s.document_id for s in e.sources}) > 1 for e in t.entries)} multi-article"
        for t in timeline.timelines
    )


def part_90(shared: Path) -> None:
    docs = tbaq_articles(shared, 90)
    started = time.perf_counter()
    results = [summarise(d, no_model=True) for d in docs]
    stage1 = time.perf_counter() - started
    started = time.perf_counter()
    whole = build_timeline(results)
    whole_s = time.perf_counter() - started
    started = time.perf_counter()
    entities = build_timeline(results, TBAQ_ENTITIES)
    entity_s = time.perf_counter() - started
    print(
        f"90 articles, model-free: per-article stage {stage1:.1f} s, merge {whole_s:.2f} s "
        f"(whole collection: {sizes(whole)}), {entity_s:.2f} s for {len(TBAQ_ENTITIES)} "
        f"entities ({sizes(entities)}); total {stage1 + whole_s + entity_s:.1f} s"
    )


def part_1000(shared: Path, work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    output = work / "bbc-1000.jsonl"
    if not output.exists():
        inputs = work / "bbc-1000-input.jsonl"
        with inputs.open("w", encoding="utf-8") as fh:
            source = shared / "data" / "news_summ_train" / "bbc_news_summary.jsonl"
            for n, line in enumerate(source.open(encoding="utf-8")):
                if n == 1000:
                    break
                d = json.loads(line)
                fh.write(json.dumps({"id": d["id"], "text": d["article"]}) + "\n")
        summary = run_batch(
            [str(inputs)],
            output,
            Settings(strategy="rules"),
            concurrency=2,
            resume=False,
            date=Document(id="x", text="x", date="2005-06-01").date,
            progress=False,
        )
        inputs.unlink()
        print(
            f"1000 articles, per-article stage (run_batch, rules, 2 threads): "
            f"{summary.seconds:.1f} s, {summary.ok} ok, {summary.failed} failed"
        )
    started = time.perf_counter()
    outcomes = list(read_run_output(output))
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    whole = timeline_from(outcomes)
    whole_s = time.perf_counter() - started
    started = time.perf_counter()
    entities = timeline_from(outcomes, BBC_ENTITIES)
    entity_s = time.perf_counter() - started
    events = sum(len(r.events) for _, r in outcomes if not isinstance(r, str))
    print(
        f"1000 articles from a run output ({events} events): read {read_s:.1f} s, merge of the "
        f"whole collection {whole_s:.1f} s ({sizes(whole)}), {len(BBC_ENTITIES)} entities "
        f"{entity_s:.1f} s ({sizes(entities)})"
    )


def part_model(shared: Path, n: int) -> None:
    docs = tbaq_articles(shared, n)
    results, spent = [], 0.0
    for doc in docs:
        started = time.perf_counter()
        results.append(summarise(doc, cache=False))  # a real run, not the response cache
        took = time.perf_counter() - started
        spent += took
        print(
            f"  {doc.id}: {len(doc.text.split())} words, {len(results[-1].events)} events, "
            f"{took:.1f} s with the embedded model",
            flush=True,
        )
    timeline = build_timeline(results, TBAQ_ENTITIES)
    print(
        f"{n} articles with the embedded model: {spent:.1f} s ({spent / n:.1f} s/article; "
        f"90 articles ~{spent / n * 90 / 60:.0f} min); {sizes(timeline)}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-timeline"))
    parser.add_argument("--parts", default="90,1000")
    parser.add_argument("--model-articles", type=int, default=0)
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if "90" in parts:
        part_90(args.shared)
    if "1000" in parts:
        part_1000(args.shared, args.work)
    if args.model_articles:
        part_model(args.shared, args.model_articles)


if __name__ == "__main__":
    main()
