"""Score summarizer.dates against TempEval-3 (TimeBank + AQUAINT) gold TIMEX3 values.

Usage: python bench/score_dates.py [--data ../shared/data] [--errors 25] [--part tune|check|all]

``--part`` scores one half of the documents, split by ``summarizer.evaluation.splits.part_of``
on the document id (the .tml file name without its extension): rules are tuned on the errors of
``tune``; ``check`` is only scored. (This is not the 60/40 split of score_timeline.py.)

Part 1, normalisation: for every gold TIMEX3 of type DATE, the gold words, the
document creation time (DCT), the tense inferred from the sentence around the
gold [[...]] (located in the document through its context field) and the last
date the tagger finds before it (the discourse reference, for anaphors such
as "a year earlier") go to ``normalise``; its value must equal the gold value. Two purely notational gold variants are canonicalised before comparing:
unpadded ISO weeks ("2000-W7" -> "2000-W07"), decade/century values written
with X ("199X" -> "199", "19XX" -> "19") and a known year padded with unknown
parts ("1949-XX", "1994-XX-XX" -> "1949", "1994"), as some AQUAINT files write
plain years. The table says how many gold values this rewrote and lists each
rewrite pattern (digits shown as 9); the "raw" column scores against the gold
value exactly as written, with no canonicalisation. Nothing semantic is
rewritten: a gold "1989-WXX" for "last week" (the annotator left the week
unknown) stays an error against "1989-W43"; the line after the error list
counts such errors where the output is an instance of the gold's X pattern.
Part 2, DURATION/SET recognition: is the gold expression classified as a
duration/set (not a date), and is its value exact.
Part 3, tagging: find_dates over each original .tml text against the gold
TIMEX3 extents (strict and overlapping matches) and value accuracy on the
strictly matched DATE spans.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer.dates import find_dates, infer_tense, normalise, reference_before  # noqa: E402
from summarizer.dates.tagger import compares, settled  # noqa: E402
from summarizer.evaluation.splits import part_of  # noqa: E402

CORPORA = {
    "TimeBank": "tbaq_timebank.timex.derived.jsonl",
    "AQUAINT": "tbaq_aquaint.timex.derived.jsonl",
}
TML_DIRS = {"TimeBank": "TimeBank", "AQUAINT": "AQUAINT"}
_WEEKDAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day", re.I)
_MONTHISH = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?|quarter|"
    r"spring|summer|fall|autumn|winter|christmas|thanksgiving",
    re.I,
)
_YEARISH = re.compile(r"\b(?:1\d|20)\d\d\b|\bnineteen\b|\btwo thousand\b|'\d\d\b|\d0s\b", re.I)


def canonical(value: str) -> str:
    """Gold notational variants -> one spelling (see module docstring)."""
    value = re.sub(r"-W(\d)(?!\d)", r"-W0\1", value)
    value = re.sub(r"^(\d{4})(?:-XX)+$", r"\1", value)
    value = re.sub(r"^(\d{3})X$", r"\1", value)
    return re.sub(r"^(\d\d)XX$", r"\1", value)


def kind_of(text: str, gold: str) -> str:
    """Bucket of a gold DATE: ref, absolute, weekday, partial (no year) or relative."""
    if gold.endswith("_REF"):
        return "ref"
    if _YEARISH.search(text):
        return "absolute"
    if _WEEKDAY.search(text):
        return "weekday"
    if _MONTHISH.search(text) and not re.search(
        r"\b(?:last|next|this|ago|earlier|year)\b", text, re.I
    ):
        return "partial"
    return "relative"


def locate(doc: dict, context: str) -> tuple[int, int]:
    """Offsets of the gold [[...]] in the document text (the context has newlines as spaces)."""
    left, _, rest = context.partition("[[")
    inner, _, right = rest.partition("]]")
    at = doc["text"].replace("\n", " ").find(left + inner + right)
    if at < 0:
        raise ValueError(f"context not found in {doc['doc_id']}")
    return at + len(left), at + len(left) + len(inner)


def in_part(doc_id: str, part: str) -> bool:
    """Whether a document belongs to ``part`` (``all`` holds every document)."""
    return part == "all" or part_of(doc_id) == part


def load(data: Path, corpus: str, part: str = "all") -> list[dict]:
    with open(data / "tempeval3_tbaq" / CORPORA[corpus], encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    return [doc for doc in docs if in_part(doc["doc_id"], part)]


def score_values(data: Path, n_errors: int, part: str = "all") -> dict[str, list[float]]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # n, exact, exact on raw gold
    errors: Counter[tuple[str, str, str, str, str]] = Counter()
    dur = defaultdict(lambda: [0, 0, 0])  # type -> [n, recognised, exact value]
    rewritten: Counter[str] = Counter()
    rewrites: Counter[tuple[str, str]] = Counter()  # pattern of each rewrite, for the record
    for corpus in CORPORA:
        for doc in load(data, corpus, part):
            anchor = date.fromisoformat(doc["dct"][:10])
            text = doc["text"]
            tagged = find_dates(text, anchor)  # the discourse dates, for anaphors
            for tx in doc["timexes"]:
                start, end = locate(doc, tx["context"])
                tense = infer_tense(text[:start], text[end:])
                firm = settled(text[:start], text[end:], tense)
                got = normalise(
                    tx["text"],
                    anchor,
                    tense=tense,
                    reference=reference_before(tagged, start, anchor),
                    settled=firm,
                    comparison=compares(text, start),
                )
                if tx["type"] in ("DURATION", "SET"):
                    d = dur[(corpus, tx["type"])]
                    d[0] += 1
                    want = "duration" if tx["type"] == "DURATION" else "set"
                    d[1] += bool(got and got.kind == want)
                    d[2] += bool(got and got.value == tx["value"])
                    continue
                if tx["type"] != "DATE":
                    continue
                gold = canonical(tx["value"])
                rewritten[corpus] += gold != tx["value"]
                if gold != tx["value"]:
                    rewrites[(re.sub(r"\d", "9", tx["value"]), re.sub(r"\d", "9", gold))] += 1
                ok = got is not None and got.value == gold
                raw_ok = got is not None and got.value == tx["value"]
                for key in (corpus, f"{corpus}/{kind_of(tx['text'], gold)}", "ALL"):
                    totals[key][0] += 1
                    totals[key][1] += ok
                    totals[key][2] += raw_ok
                if not ok:
                    errors[
                        (
                            corpus[:2] + ":" + tx["text"],
                            doc["dct"][:10],
                            str(tense),
                            gold,
                            got.value if got else "None",
                        )
                    ] += 1
    print("== DATE value exact match (normalise on gold expression + DCT + inferred tense) ==")
    print(f"{'subset':28s} {'n':>5s} {'exact':>7s} {'errors':>6s} {'raw':>7s}")
    for key in sorted(totals, key=lambda k: (k == "ALL", k.split("/")[0], "/" in k, k)):
        n, ok, raw_ok = totals[key]
        print(f"{key:28s} {n:5d} {100 * ok / n:6.1f}% {n - ok:6d} {100 * raw_ok / n:6.1f}%")
    print("exact: against the canonicalised gold; raw: against the gold value as written.")
    print(
        "gold values canonicalised (notation only): "
        + ", ".join(f"{c} {n}" for c, n in rewritten.items())
    )
    for (before, after), n in sorted(rewrites.items()):
        print(f"    {before:>12s} -> {after:<10s} x{n}")
    print("\n== DURATION / SET recognition (classified as such) and exact value ==")
    for (corpus, typ), (n, rec, exact) in sorted(dur.items()):
        print(
            f"{corpus + '/' + typ:28s} {n:5d} recognised {100 * rec / n:5.1f}%  value {100 * exact / n:5.1f}%"
        )
    print(f"\n== top {n_errors} DATE errors: count | text | DCT | tense | gold | got ==")
    for (text, dct, tense, gold, got), c in errors.most_common(n_errors):
        print(f"{c:3d} | {text} | {dct} | {tense} | {gold} | {got}")
    instance: Counter[str] = Counter()
    for (text, _, _, gold, got), c in errors.items():
        if "X" in gold and re.fullmatch(re.escape(gold).replace("X", "[0-9]"), got):
            instance[text[:2]] += c
    print(
        "errors (still counted) where the output fills in the gold's X placeholders "
        "(e.g. gold 1989-WXX, got 1989-W43): "
        + (", ".join(f"{c} {n}" for c, n in sorted(instance.items())) or "none")
    )
    return {k: [v[0], v[1]] for k, v in totals.items()}


_TIMEX = re.compile(r"<TIMEX3 ([^>]*)>(.*?)</TIMEX3>", re.S)
_TAG = re.compile(r"<[^>]+>")


def read_tml(path: Path) -> tuple[str, date, list[tuple[int, int, str, str]]]:
    """Text inside <TEXT>, the DCT and the gold TIMEX3 spans (start, end, type, value)."""
    raw = path.read_text(encoding="utf-8")
    dct = re.search(
        r'functionInDocument="CREATION_TIME"[^>]*>|value="([^"]+)"[^>]*functionInDocument="CREATION_TIME"',
        raw,
    )
    dct_value = re.search(r'<DCT>.*?value="([^"]+)"', raw, re.S)
    assert dct is not None and dct_value is not None
    body = raw[raw.index("<TEXT>") + 6 : raw.index("</TEXT>")]
    text, spans, pos = [], [], 0
    out_len = 0
    for m in re.finditer(r"<TIMEX3 ([^>]*)>(.*?)</TIMEX3>|<[^>]+>", body, re.S):
        chunk = html.unescape(body[pos : m.start()])
        text.append(chunk)
        out_len += len(chunk)
        if m.group(0).startswith("<TIMEX3"):
            inner = html.unescape(_TAG.sub("", m.group(2)))
            attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
            spans.append(
                (out_len, out_len + len(inner), attrs.get("type", ""), attrs.get("value", ""))
            )
            text.append(inner)
            out_len += len(inner)
        pos = m.end()
    text.append(html.unescape(body[pos:]))
    return "".join(text), date.fromisoformat(dct_value.group(1)[:10]), spans


def score_tagger(data: Path, part: str = "all") -> None:
    print("\n== Tagging (find_dates on the .tml texts vs gold TIMEX3 extents, all types) ==")
    print(
        f"{'corpus':10s} {'gold':>5s} {'found':>5s} {'strictP':>8s} {'strictR':>8s} {'strictF1':>8s}"
        f" {'relaxF1':>8s} {'DATE value|strict':>18s}"
    )
    for corpus, sub in TML_DIRS.items():
        folder = data / "tempeval3_tbaq" / "TBAQ-cleaned" / sub
        n_gold = n_found = strict = relaxed_p = relaxed_r = val_n = val_ok = 0
        for path in sorted(folder.glob("*.tml")):
            if not in_part(path.stem, part):
                continue
            text, anchor, gold = read_tml(path)
            found = find_dates(text, anchor)
            n_gold += len(gold)
            n_found += len(found)
            gold_spans = {(s, e): (t, v) for s, e, t, v in gold}
            for m in found:
                if (m.start, m.end) in gold_spans:
                    strict += 1
                    typ, val = gold_spans[(m.start, m.end)]
                    if typ == "DATE":
                        val_n += 1
                        val_ok += m.timex.value == canonical(val)
                relaxed_p += any(s < m.end and m.start < e for s, e, _, _ in gold)
            relaxed_r += sum(any(m.start < e and s < m.end for m in found) for s, e, _, _ in gold)
        p, r = strict / max(n_found, 1), strict / max(n_gold, 1)
        rp, rr = relaxed_p / max(n_found, 1), relaxed_r / max(n_gold, 1)
        f1 = 2 * p * r / max(p + r, 1e-9)
        rf1 = 2 * rp * rr / max(rp + rr, 1e-9)
        print(
            f"{corpus:10s} {n_gold:5d} {n_found:5d} {100 * p:7.1f}% {100 * r:7.1f}% {100 * f1:7.1f}%"
            f" {100 * rf1:7.1f}% {100 * val_ok / max(val_n, 1):10.1f}% of {val_n}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    ap.add_argument("--errors", type=int, default=25, help="how many top errors to print")
    ap.add_argument("--no-tagger", action="store_true", help="skip the tagging table")
    ap.add_argument(
        "--part",
        choices=["tune", "check", "all"],
        default="all",
        help="which half of the documents to score (split by a hash of the document id)",
    )
    args = ap.parse_args()
    if not (args.data / "tempeval3_tbaq").is_dir():
        sys.exit(f"no TempEval-3 data under {args.data}")
    t0 = time.time()
    if args.part != "all":
        print(f"## documents of part {args.part} only (splits.part_of on the document id)")
    score_values(args.data, args.errors, args.part)
    if not args.no_tagger:
        score_tagger(args.data, args.part)
    print(f"\n({time.time() - t0:.1f} s)")


if __name__ == "__main__":
    main()
