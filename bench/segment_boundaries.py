"""The segmenter against gold sentence boundaries, beside pysbd, and its speed (issue 28).

Two segmenters, run through the same paragraphs, lines, second cuts and long-sentence
splits of ``summarizer.segment.split``; only the first cut of each line differs:
  new    ``summarizer.segment`` (its own rules, the shipped one)
  pysbd  ``pysbd.Segmenter(language="en", clean=False, char_span=True)`` on the line, as shipped

Gold (read in place from ../shared/data):
  MEANTIME  NewsReader MEANTIME, Apple topic (30 Wikinews articles): each token carries
            its sentence number. The body (sentence 2 on; 0 is the title, 1 the date line)
            is detokenised as ``eval/build_wikinews.py`` does it and the sentences joined
            by one space into one paragraph, so every boundary must be found from the text.
            Also lower-cased, the same text and boundaries (the caseless second cut).
  TBAQ      TempEval-3 TBAQ-cleaned .tml files carry no sentence tags (no ``<s>``; only
            TEXT, EVENT, TIMEX3, SIGNAL, links): there is no gold. Printed instead: how far
            the two agree (pysbd's ends taken as the reference), over the 256 texts.

Terms
-----
boundary
    The character offset where a sentence ends (its last non-space character, plus one);
    the end of the whole text is left out (every segmenter finds it).
precision, recall, F1
    Of the boundaries found, the share that are gold; of the gold boundaries, the share
    found; their harmonic mean.
speed
    ``time.process_time`` of each segmenter over FRANK's CNN/DM articles, as a multiple of
    one pysbd pass over the same texts (pysbd as shipped, on each whole text), the three
    timed in turn, ``--rounds`` times, the median ratio printed.

Usage: python bench/segment_boundaries.py [--shared DIR] [--articles 150] [--rounds 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pysbd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"  # a worktree elsewhere passes --shared

from summarizer import segment  # noqa: E402

BODY_FROM = 2  # MEANTIME: sentence 0 is the title, 1 the date line
_PYSBD = pysbd.Segmenter(language="en", clean=False, char_span=True)


def pysbd_cut(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """pysbd's sentences of the line ``[start, end)``, as spans of ``text``."""
    line = text[start:end]
    pieces, cursor = [], 0
    for piece in _PYSBD.segment(line):
        at = line.find(piece.sent, cursor)  # pysbd's own offsets drift on repeated sentences
        at = piece.start if at < 0 else at
        cursor = at + len(piece.sent)
        pieces.append((start + at, start + cursor))
    return pieces


SEGMENTERS: dict[str, Callable[[str], list[segment.Sentence]]] = {
    "new": segment.sentences,
    "pysbd": lambda text: segment.split(text, pysbd_cut),
}


def boundaries(text: str, found: list[segment.Sentence]) -> set[int]:
    return {s.end for s in found} - {len(text.rstrip())}


def load_module(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"error: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look themselves up here
    spec.loader.exec_module(module)
    return module


def meantime(shared: Path) -> list[tuple[str, set[int]]]:
    """(text, gold boundaries) of each MEANTIME Apple article body, one paragraph each."""
    build = load_module(ROOT / "eval" / "build_wikinews.py", "build_wikinews")
    folder = shared / "data" / "meantime_apple" / "intra-doc_annotation" / "corpus_apple"
    docs = []
    for path in sorted(folder.glob("*.xml")):
        root = ET.parse(path).getroot()
        tokens = [
            build.Token(t.get("t_id"), int(t.get("sentence")), t.text or "")
            for t in root.iter("token")
        ]
        lines = build.detokenise(tokens).split("\n")[BODY_FROM:]
        text, gold = "", set()
        for line in lines:
            text += (" " if text else "") + line
            gold.add(len(text))
        docs.append((text, gold - {len(text)}))
    if not docs:
        raise SystemExit(f"error: no MEANTIME articles in {folder}")
    return docs


def tbaq_texts(shared: Path) -> list[str]:
    folder = shared / "data" / "tempeval3_tbaq"
    texts = []
    for name in ("tbaq_timebank.timex.derived.jsonl", "tbaq_aquaint.timex.derived.jsonl"):
        with (folder / name).open(encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh]
    return texts


def scores(found: int, gold: int, right: int) -> str:
    p, r = right / max(found, 1), right / max(gold, 1)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return f"P {p:.3f}  R {r:.3f}  F1 {f1:.3f}"


def against_gold(title: str, docs: list[tuple[str, set[int]]]) -> None:
    gold_n = sum(len(g) for _, g in docs)
    print(f"## {title}: {len(docs)} articles, {gold_n} gold boundaries")
    for name, split in SEGMENTERS.items():
        found = right = 0
        for text, gold in docs:
            mine = boundaries(text, split(text))
            found, right = found + len(mine), right + len(mine & gold)
        print(f"  {name:<6} {scores(found, gold_n, right)}  ({found} found, {right} right)")


def agreement(title: str, texts: list[str]) -> None:
    found = reference = right = 0
    for text in texts:
        ours = boundaries(text, SEGMENTERS["new"](text))
        theirs = boundaries(text, SEGMENTERS["pysbd"](text))
        found, reference, right = (
            found + len(ours),
            reference + len(theirs),
            right + len(ours & theirs),
        )
    print(f"## {title}: {len(texts)} texts; no gold (the .tml files have no sentence tags)")
    print(f"  new against pysbd's boundaries: {scores(found, reference, right)}")


def speed(texts: list[str], rounds: int) -> None:
    work = {
        "pysbd pass": lambda text: _PYSBD.segment(text),
        "pysbd segmenter": SEGMENTERS["pysbd"],
        "new segmenter": SEGMENTERS["new"],
    }
    for run in work.values():
        run(texts[0])  # warm: imports, compiled patterns
    seconds: dict[str, list[float]] = {name: [] for name in work}
    for _ in range(rounds):
        for name, run in work.items():
            started = time.process_time()
            for text in texts:
                run(text)
            seconds[name].append(time.process_time() - started)
    base = statistics.median(seconds["pysbd pass"])
    print(f"## speed: {len(texts)} FRANK CNN/DM articles, process time, median of {rounds}")
    for name, times in seconds.items():
        ratios = [t / p for t, p in zip(times, seconds["pysbd pass"], strict=True)]
        print(
            f"  {name:<16} {statistics.median(times):6.2f} s  "
            f"{statistics.median(ratios):5.3f}x one pysbd pass"
        )
    print(f"  (one pysbd pass: {base * 1000 / len(texts):.1f} ms an article)")


def frank_texts(shared: Path, n: int) -> list[str]:
    texts, seen = [], set()
    with (shared / "data" / "frank" / "frank_docs.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["dataset"] == "cnndm" and row["hash"] not in seen:
                seen.add(row["hash"])
                texts.append(row["article"])
            if len(texts) == n:
                break
    return texts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--articles", type=int, default=150, help="FRANK articles timed")
    ap.add_argument("--rounds", type=int, default=3, help="timings of each segmenter")
    a = ap.parse_args()
    if not (a.shared / "data").is_dir():
        print(f"error: {a.shared} has no data folder", file=sys.stderr)
        return 2
    docs = meantime(a.shared)
    against_gold("MEANTIME (Apple), true-cased", docs)
    lowered = [(text.lower(), gold) for text, gold in docs if len(text.lower()) == len(text)]
    against_gold("MEANTIME (Apple), lower-cased", lowered)
    agreement("TBAQ (TimeBank + AQUAINT)", tbaq_texts(a.shared))
    speed(frank_texts(a.shared, a.articles), a.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
