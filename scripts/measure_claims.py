"""Measure the claim check (``summary.faithfulness.unsupported_claims``): catches on summaries
humans judged unfaithful, false alarms on summaries they judged faithful and on human
reference highlights.

Data, read in place (no text is written anywhere):

* FRANK's CNN/DM documents and references: ``../shared/data/frank/frank_docs.jsonl``;
  its human judgements: ``human_annotations.json`` beside it (one record per document and
  system: ``Factuality`` 1.0 when every summary sentence was judged right; each error type,
  ``RelE`` ``EntE`` ``CircE`` ``OutE`` ``GramE`` ``CorefE`` ``LinkE`` ``Other``, below 1.0
  when some sentence has it).
* FRANK's system summaries: the shared folder holds the judgements but not the summaries.
  ``--summaries DIR`` is a folder of FRANK's per-article JSON files (``<hash>.json`` with a
  field per system: ``bart``, ``bert_sum``, ``bus``, ``pgn``, ``s2s``), as FRANK's public
  repository (artidoro/frank, ``data/articles-wbertscore-json/`` at commit 5860706) has them;
  from a clone, into a folder outside this repository: ``for f in $(git ls-tree -r
  --name-only 5860706 data/articles-wbertscore-json/); do git show 5860706:$f > DIR/$(basename
  $f); done``.
* CNN highlights: ``../shared/data/news_summ_train/cnndm_train_val.jsonl``.

A summary is split into sentences; each is checked against the article sentences it draws on
(``faithfulness.citing``: the two sharing most words, and one for each number or date); it is
**flagged** when any sentence is. Split by ``splits.part_of(hash)``: choose on **tune**,
report **check**. Precision and recall of "flagged" against "humans found an error";
recall per error type; false alarms on the references and on faithful summaries.

Usage: python scripts/measure_claims.py --summaries DIR [--part tune|check] [--checks a,b]
       [--highlights N] [--set PAIR_WINDOW=8 ...]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from summarizer.evaluation.splits import part_of
from summarizer.segment import sentences
from summarizer.summary import faithfulness

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
SYSTEMS = ("bart", "bert_sum", "bus", "pgn", "s2s")
ERROR_TYPES = ("RelE", "EntE", "CircE", "OutE", "GramE", "CorefE", "LinkE", "Other")


Check = Callable[[str, str, str], list[str]]  # line, cited sentences, article


def closest(check: Callable[[str, str], list[str]]) -> Check:
    """A single-sentence check run against the cited sentence closest to the line."""
    return lambda line, cited, _: check(line, faithfulness.closest(line, cited))


def on_cited(check: Callable[[str, str], list[str]]) -> Check:
    return lambda line, cited, _: check(line, cited)


CHECKS: dict[str, Check] = {
    "negation_dropped": closest(faithfulness.dropped_negation),
    "attribution": closest(faithfulness.dropped_attribution),
    "hedge": closest(faithfulness.dropped_hedge),
    "place": closest(faithfulness.moved_place),
    "agents": closest(faithfulness.swapped_agents),
    "numbers": on_cited(faithfulness.unsupported_numbers),
    "negation": on_cited(faithfulness.added_negation),
    "modality": on_cited(faithfulness.dropped_modality),
    "pairs": on_cited(faithfulness.unpaired_words),
    "new_words": on_cited(faithfulness.new_words),
    "new_words_article": lambda line, _, article: faithfulness.new_words(line, article),
    "all_cited": on_cited(faithfulness.unsupported_claims),
    "all": faithfulness.unsupported_claims,
}
CITED = 2  # article sentences a summary sentence is checked against


def summary_sentences(summary: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", summary) if len(s.split()) >= 3]


class Article:
    def __init__(self, text: str) -> None:
        self.sentences = [s.text for s in sentences(text)]
        self.text = text

    def cited(self, line: str) -> str:
        return "\n".join(
            self.sentences[i] for i in faithfulness.citing(line, self.sentences, CITED)
        )


def flags(summary: str, article: Article, checks: list[str]) -> set[str]:
    """The checks that flag some sentence of ``summary``."""
    found: set[str] = set()
    for line in summary_sentences(summary):
        cited = article.cited(line)
        for name in checks:
            if CHECKS[name](line, cited, article.text):
                found.add(name)
    return found


def ratio(a: int, b: int) -> str:
    return f"{a}/{b} = {a / b:.3f}" if b else f"{a}/0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frank", type=Path, default=SHARED / "frank")
    parser.add_argument("--summaries", type=Path, required=True)
    parser.add_argument("--news", type=Path, default=SHARED / "news_summ_train")
    parser.add_argument("--part", choices=("tune", "check"), default="tune")
    parser.add_argument("--checks", default=",".join(CHECKS))
    parser.add_argument("--highlights", type=int, default=200, help="CNN stories (0: none)")
    parser.add_argument(
        "--set", action="append", default=[], help="a faithfulness setting, NAME=NUMBER"
    )
    args = parser.parse_args(argv)
    for setting in args.set:
        name, _, value = setting.partition("=")
        if not hasattr(faithfulness, name) or not value:
            print(f"error: --set {setting!r}: no such setting", file=sys.stderr)
            return 2
        setattr(faithfulness, name, type(getattr(faithfulness, name))(value))
    checks = [c for c in args.checks.split(",") if c]
    unknown = [c for c in checks if c not in CHECKS]
    if unknown:
        print(f"error: --checks: unknown {unknown}; choose from {list(CHECKS)}", file=sys.stderr)
        return 2
    if not args.summaries.is_dir():
        print(f"error: --summaries {args.summaries}: not a folder", file=sys.stderr)
        return 2
    try:
        docs = {
            d["hash"]: d
            for d in map(json.loads, (args.frank / "frank_docs.jsonl").open(encoding="utf-8"))
            if d["dataset"] == "cnndm" and part_of(d["hash"]) == args.part
        }
        labels = json.loads((args.frank / "human_annotations.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, KeyError) as exc:
        print(f"error: {args.frank}: not FRANK's data: {exc}", file=sys.stderr)
        return 2

    rows = []  # (unfaithful, error types, flagged checks)
    reference_flags = {name: 0 for name in checks} | {"any": 0}
    references = 0
    for hash_, doc in docs.items():
        file = args.summaries / f"{hash_}.json"
        if not file.exists():
            continue
        systems = json.loads(file.read_text(encoding="utf-8"))
        article = Article(doc["article"])
        found = flags(doc["reference"], article, checks)
        references += 1
        reference_flags["any"] += bool(found)
        for name in found:
            reference_flags[name] += 1
        for record in labels:
            if record["hash"] != hash_ or record["model_name"] not in systems:
                continue
            errors = {t for t in ERROR_TYPES if record[t] < 1.0}
            rows.append(
                (
                    record["Factuality"] < 1.0,
                    errors,
                    flags(systems[record["model_name"]], article, checks),
                )
            )
    print(f"FRANK CNN/DM {args.part}: {len(docs)} documents, {len(rows)} judged summaries")
    print(f"checks: {', '.join(checks)}")
    bad = [r for r in rows if r[0]]
    good = [r for r in rows if not r[0]]
    flagged = [r for r in rows if r[2]]
    caught = [r for r in bad if r[2]]
    print(f"unfaithful (human): {len(bad)}; faithful: {len(good)}")
    print(f"precision of 'unsupported': {ratio(len(caught), len(flagged))}")
    print(f"recall of 'unsupported':    {ratio(len(caught), len(bad))}")
    print(
        f"false alarms on faithful system summaries: {ratio(len(flagged) - len(caught), len(good))}"
    )
    for kind in ERROR_TYPES:
        having = [r for r in bad if kind in r[1]]
        print(
            f"  recall, summaries with {kind:6}: {ratio(sum(bool(r[2]) for r in having), len(having))}"
        )
    for name in checks:
        by = [r for r in rows if name in r[2]]
        print(
            f"  check {name:9}: flags {len(by)}, precision {ratio(sum(r[0] for r in by), len(by))}"
        )
    print(f"false alarms on FRANK references: {ratio(reference_flags['any'], references)}")
    for name in checks:
        print(f"  check {name:9}: {reference_flags[name]}")

    if args.highlights:
        stories = [
            s
            for s in map(json.loads, (args.news / "cnndm_train_val.jsonl").open(encoding="utf-8"))
            if part_of(s["id"]) == args.part
        ][: args.highlights]
        counts = {name: 0 for name in checks} | {"any": 0}
        lines = 0
        for story in stories:
            article = Article(story["article"])
            for line in story["summary"].splitlines():
                if len(line.split()) < 3:
                    continue
                lines += 1
                found = flags(line, article, checks)
                counts["any"] += bool(found)
                for name in found:
                    counts[name] += 1
        print(
            f"false alarms on CNN highlights ({args.part}, {len(stories)} stories), per line: "
            f"{ratio(counts['any'], lines)}"
        )
        for name in checks:
            print(f"  check {name:9}: {counts[name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
