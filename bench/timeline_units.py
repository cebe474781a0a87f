"""The model-free timeline scored by kind of unit, with each gold unit's fate: right, wrong date, no event.

Sets (read in place from ../shared; nothing is copied into the repository):
  trial     SemEval-2015 Task 4 trial: 22 Wikinews articles, gold timelines (score_timeline.py's own)
  meantime  NewsReader MEANTIME, Apple topic: the same kind of Wikinews articles, with units
            derived here from the event time anchors (see ``meantime_units``)
  tbaq      TBAQ derived units (score_timeline.py's own), ``--part tune|check|all``

Terms
-----
unit
    One (sentence, date) pair a reader expects on the timeline: the SemEval-2015 Task 4 recipe.
right / wrong / no event
    A unit matched by an event with the right date at the unit's granularity; matched by an
    event with another date; matched by no event at all (score_timeline.py's matching).

MEANTIME units: an event mention is anchored by its instance's ``TIME`` attribute, else by a
TLINK to a DATE expression that holds it (IS_INCLUDED, SIMULTANEOUS, INV_INCLUDES); the value's
unknown parts (``XX``) are cut, and values that are no calendar day, month or year
(weeks, ``PAST_REF`` ...) are dropped, as the scorer does.
The title is sentence 0, the dateline sentence 1 (not part of the body).

Usage: python bench/timeline_units.py score SET [--part P] [--weights W.json] [--no-title]
           [--decoding greedy|viterbi] [--misses]
       --misses also lists every unit that is not right (wrong date, no event) with its
       sentence and the events whose quotes the scorer could match to it; only on the sets
       errors may be read from (MEANTIME, TBAQ tune): trial and TBAQ check are the check.
       python bench/timeline_units.py texts SET DIR [--part P]  # article files, as score_timeline.py writes
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"  # a worktree elsewhere passes --shared

from summarizer.guard import screen  # noqa: E402
from summarizer.segment import sentences  # noqa: E402
from summarizer.timeline import dating  # noqa: E402
from summarizer.timeline.events import candidates  # noqa: E402

ANCHORING = ("IS_INCLUDED", "SIMULTANEOUS", "INV_INCLUDES")
CALENDAR = re.compile(r"^\d{4}(?:-(?:\d\d|XX)){0,2}$")  # not weeks, seasons, PAST_REF ...
FATES = ("right", "wrong", "none")


def scorer_module(shared: Path = SHARED) -> Any:
    path = shared / "tools" / "score_timeline.py"
    spec = importlib.util.spec_from_file_location("score_timeline", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"error: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def meantime_units(scorer: Any, shared: Path) -> dict[str, dict]:
    """doc_id -> {dct, title, text, sentences, units, part} for the MEANTIME Apple articles."""
    path = shared / "data" / "meantime_apple" / "meantime_apple.events.jsonl"
    docs: dict[str, dict] = {}
    for line in path.open(encoding="utf-8"):
        d = json.loads(line)
        lines = [scorer.detok(s) for s in d["text"].split("\n")]
        body = lines[2:]
        units: dict[tuple[int, str], dict] = {}
        for event in d["events"]:
            value = event["instance_time"]
            if not value:
                value = next(
                    (
                        x["timex_value"]
                        for x in event["tlinks_to_timex"]
                        if x["rel"] in ANCHORING and x["timex_type"] == "DATE"
                    ),
                    None,
                )
            if not value or not CALENDAR.match(value) or scorer.granularity(value) == "unknown":
                continue
            sid = event["sentence_id"]
            if sid == 1 or sid >= len(lines):
                continue  # the dateline
            key = scorer.gold_key(value)
            units.setdefault((sid, key), scorer.unit(lines[sid], key))
        if units:
            docs["meantime-" + d["doc_id"]] = {
                "dct": d["dct"],
                "title": lines[0],
                "text": "\n".join(body),
                "sentences": body,
                "units": list(units.values()),
                "part": "all",
            }
    return docs


def load_set(scorer: Any, name: str, part: str, shared: Path) -> dict[str, dict]:
    if name == "meantime":
        return meantime_units(scorer, shared)
    return scorer.load(name, part)


def timeline(text: str, title: str | None, date: dt.date) -> list[dict]:
    """The events the model-free mode emits (quote and date), as bench/timeline_rules.py."""
    sents, _ = screen(text, sentences(text))
    found = candidates(text, sents, date, title) if title else candidates(text, sents, date)
    return [{"quote": c.text, "date": c.date.value} for c in found]


def fates(scorer: Any, docs: dict[str, dict], preds: dict[str, list[dict]]):
    """Per kind of unit: counts of right / wrong / none for the tool, and the baseline's right."""
    table: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for did, d in docs.items():
        base = [{"quote": s, "date": d["dct"]} for s in d["sentences"]]
        mine, theirs = scorer.match(d["units"], preds.get(did, [])), scorer.match(d["units"], base)
        per_sentence = collections.Counter(u["sentence"] for u in d["units"])
        for (u, e), (_, b) in zip(mine, theirs):
            fate = "none" if e is None else "right" if scorer.date_ok(e["date"], u) else "wrong"
            kinds = [scorer.category(u, d["dct"])]
            if per_sentence[u["sentence"]] > 1:
                kinds.append(SHARED_SENTENCE)
            for kind in kinds:
                row = table[kind]
                row["units"] += 1
                row[fate] += 1
                row["base"] += b is not None and scorer.date_ok(b["date"], u)
    return table


def misses(scorer: Any, docs: dict[str, dict], preds: dict[str, list[dict]]) -> None:
    """Print each unit that is not right, with its sentence and the events that quote it."""
    print("## misses: fate, gold date, kind; S = the unit's sentence; E = an event quoting it")
    counts: collections.Counter = collections.Counter()
    for did, d in docs.items():
        events = preds.get(did, [])
        quoted = [scorer.norm_tokens(e["quote"] or "") for e in events]
        for u, matched in scorer.match(d["units"], events):
            if matched is not None and scorer.date_ok(matched["date"], u):
                continue
            fate = "none" if matched is None else "wrong"
            counts[fate] += 1
            print(
                f"\n[{fate}] {did} dct={d['dct']} gold={u['date']} ({scorer.category(u, d['dct'])})"
            )
            print(f"  S: {u['sentence']}")
            joined = " ".join(u["toks"])
            for e, toks in zip(events, quoted):
                if toks and scorer.overlap(toks, u["toks"], " ".join(toks), joined):
                    mark = "*" if e is matched else " "
                    print(f" {mark}E: {e['date']} | {e['quote']}")
    print(f"\nmisses: {counts['wrong']} wrong date, {counts['none']} no event")


# the sets whose single errors are read; trial and TBAQ check only give figures
READABLE = {("meantime", "all"), ("tbaq", "tune")}


# not a kind of its own: the units (of any kind) whose sentence holds other units, at other dates
SHARED_SENTENCE = "(of these: a sentence with 2+ units)"


def print_table(title: str, table: dict[str, collections.Counter]) -> None:
    print(f"## {title}")
    print("| kind | units | tool | baseline | right | wrong date | no event |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    total: collections.Counter = collections.Counter()
    for kind in sorted(table, key=lambda k: (k == SHARED_SENTENCE, k)):
        row = table[kind]
        if kind != SHARED_SENTENCE:
            total.update(row)
        n = row["units"]
        print(
            f"| {kind} | {n} | {row['right'] / n:.3f} | {row['base'] / n:.3f} | "
            f"{row['right']} | {row['wrong']} | {row['none']} |"
        )
    n = total["units"] or 1
    print(
        f"| **all** | {total['units']} | **{total['right'] / n:.3f}** | {total['base'] / n:.3f} | "
        f"{total['right']} | {total['wrong']} | {total['none']} |"
    )
    print(
        f"dated_recall={total['right'] / n:.3f} recall={(n - total['none']) / n:.3f} "
        f"baseline={total['base'] / n:.3f} units={total['units']}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("verb", choices=["score", "texts"])
    ap.add_argument("set", choices=["trial", "meantime", "tbaq"])
    ap.add_argument("folder", nargs="?", type=Path, help="texts: the folder to write")
    ap.add_argument("--part", choices=["tune", "check", "all"], default=None)
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--no-title", action="store_true", help="run without the articles' titles")
    ap.add_argument(
        "--weights", type=Path, help="event-dating weights to use instead of the shipped ones"
    )
    ap.add_argument(
        "--decoding", choices=dating.DECODERS, help="how the sentences' dates are decoded"
    )
    ap.add_argument(
        "--misses",
        action="store_true",
        help="list the units that are not right (MEANTIME and TBAQ tune only)",
    )
    a = ap.parse_args()
    if a.decoding is not None:
        dating.DECODING = a.decoding
    if not (a.shared / "tools" / "score_timeline.py").is_file():
        print(f"error: {a.shared} has no tools/score_timeline.py", file=sys.stderr)
        return 2
    if a.weights is not None:
        if not a.weights.is_file():
            print(f"error: no weights file {a.weights}", file=sys.stderr)
            return 2
        dating.WEIGHTS_FILE = a.weights
        dating.weights.cache_clear()
    scorer = scorer_module(a.shared)
    part = a.part or ("tune" if a.set == "tbaq" else "all")
    if a.misses and (a.set, part) not in READABLE:
        print(
            f"error: --misses is for meantime and tbaq --part tune; {a.set}/{part} is a check set",
            file=sys.stderr,
        )
        return 2
    docs = load_set(scorer, a.set, part, a.shared)
    if a.verb == "texts":
        if a.folder is None:
            print("error: texts needs a folder to write", file=sys.stderr)
            return 2
        a.folder.mkdir(parents=True, exist_ok=True)
        for did, d in docs.items():
            (a.folder / f"{did}.txt").write_text(
                f"date {d['dct']} {d['title']}\n{d['text']}\n", encoding="utf-8"
            )
        print(f"wrote {len(docs)} articles to {a.folder}", file=sys.stderr)
        return 0
    preds = {
        did: timeline(
            d["text"], None if a.no_title else d["title"], dt.date.fromisoformat(d["dct"])
        )
        for did, d in docs.items()
    }
    print_table(f"{a.set}/{part}: {len(docs)} documents", fates(scorer, docs, preds))
    if a.misses:
        misses(scorer, docs, preds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
