"""Learn the event-dating weights (summarizer/timeline/event_dates.json) from TBAQ's TimeML links.

Training data (``--train``): ``tbaq`` (the shipped weights), ``wikinews`` or ``both``.

``tbaq``: the TBAQ derived timeline units (../shared/data/tbaq_timeline/units.jsonl),
``tune`` documents only, split exactly as ../shared/tools/score_timeline.py splits them (its
``part_of`` is imported, not re-implemented). Each unit's events are located in the article
through the TimeML file they come from (derive_units.parse_tml gives their offsets); the
event-clause the tool cuts around each event offers its candidate dates
(``summarizer.timeline.events.dated_clauses``), and every option whose value is right at the unit's
granularity (as the scorer judges a date) is a positive example, the others negative.

``wikinews``: the Wikinews development articles, the SemEval-2015 Task 4 trial timelines and
the MEANTIME Apple units (``bench/timeline_units.py`` derives them from the event time
anchors). These give no event offsets, so each unit is located as the scorer locates it: the
event clause whose quote the scorer matches to the unit's sentence offers the options.

The leave-one-corpus-out figures (``docs/timeline-dating.md``) come from ``--train tbaq``
scored on the Wikinews sets and ``--train wikinews`` scored on TBAQ check, each written with
``--out`` to a scratch file and read by ``bench/timeline_units.py --weights``.

A logistic regression (scikit-learn, L2) is fitted on the options' binary features; C is
chosen by document-grouped cross-validation on the tune documents (the share of events whose
best-scoring option is right). The coefficients are written as a JSON table of
feature -> weight; at run time an option's score is their sum (no scikit-learn needed).

Usage: python scripts/train_event_dates.py [--train both|tbaq|wikinews] [--shared ../shared]
           [--out summarizer/timeline/event_dates.json]
       (needs the `train` extra: pip install -e '.[train]')
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.guard import screen  # noqa: E402
from summarizer.segment import sentences  # noqa: E402
from summarizer.timeline import dating as event_dating  # noqa: E402
from summarizer.timeline.events import dated_clauses  # noqa: E402

C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
Examples = tuple[list[list[dict[str, float]]], list[list[int]], list[str], Counter]


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"error: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tbaq_examples(shared: Path, closure: bool = True) -> Examples:
    """Per located TBAQ tune event: its options' features and labels, and its document."""
    scorer = _module(shared / "tools" / "score_timeline.py", "score_timeline")
    derive = _module(shared / "data" / "tbaq_timeline" / "derive_units.py", "derive_units")
    units = {}
    for line in (shared / "data" / "tbaq_timeline" / "units.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        if scorer.part_of(d["doc_id"]) == "tune":
            units[d["doc_id"]] = d
    feats: list[list[dict[str, float]]] = []
    labels: list[list[int]] = []
    docs: list[str] = []
    stats: Counter = Counter()
    event_dating.weights.cache_clear()
    for path in derive.tbaq_files(str(shared / "data")):
        tml = derive.parse_tml(path)
        doc = units.get(tml["doc_id"])
        if doc is None:
            continue
        text = doc["text"]
        raw = html.unescape(tml["text"])
        lead = len(raw) - len(raw.lstrip("\n"))
        anchor = dt.date.fromisoformat(doc["dct"])
        sents, _ = screen(text, sentences(text))
        clauses = dated_clauses(text, sents, anchor)
        seen = set()
        doc_units = (
            derive.tbaq_doc_units(tml, "coarsen", "factual", "core", True)[0]
            if closure
            else doc["units"]
        )
        for unit in doc_units:
            gold = {"date": unit["date"]}
            for ev in unit["events"]:
                e = tml["events"][ev["eid"]]
                offset = len(html.unescape(tml["text"][: e["start"]])) - lead
                if text[offset : offset + len(html.unescape(e["text"]))] != html.unescape(
                    e["text"]
                ):
                    stats["event not located"] += 1
                    continue
                where = [c for c in clauses if c.group_start <= offset < c.group_end]
                if not where:
                    stats["event outside candidates"] += 1
                    continue
                if where[0].phrase:
                    stats["in a dated phrase (its own date)"] += 1
                    continue
                key = (where[0].group_start, unit["date"])
                if key in seen:
                    stats["same clause and date"] += 1
                    continue
                seen.add(key)
                opts = where[0].options
                y = [int(scorer.date_ok(o.value, gold)) for o in opts]
                if not any(y):
                    stats["gold not among options"] += 1
                    continue
                stats["examples"] += 1
                feats.append([o.features for o in opts])
                labels.append(y)
                docs.append(doc["doc_id"])
    return feats, labels, docs, stats


def wikinews_examples(shared: Path) -> Examples:
    """Per Wikinews unit the scorer matches to an event clause: that clause's options' features
    and labels (right at the unit's granularity), and its document."""
    units = _module(ROOT / "bench" / "timeline_units.py", "timeline_units")
    scorer = units.scorer_module(shared)
    feats: list[list[dict[str, float]]] = []
    labels: list[list[int]] = []
    docs: list[str] = []
    stats: Counter = Counter()
    for name in ("trial", "meantime"):
        for d in units.load_set(scorer, name, "all", shared).values():
            text = d["text"]
            sents, _ = screen(text, sentences(text))
            clauses = dated_clauses(text, sents, dt.date.fromisoformat(d["dct"]))
            quotes = [{"quote": c.candidate.text, "date": c.candidate.date.value} for c in clauses]
            for unit, event in scorer.match(d["units"], quotes):
                if event is None:
                    stats["unit without an event"] += 1
                    continue
                clause = clauses[next(i for i, q in enumerate(quotes) if q is event)]
                if clause.phrase:
                    stats["in a dated phrase (its own date)"] += 1
                    continue
                opts = clause.options
                y = [int(scorer.date_ok(o.value, unit)) for o in opts]
                if not any(y):
                    stats["gold not among options"] += 1
                    continue
                stats["examples"] += 1
                feats.append([o.features for o in opts])
                labels.append(y)
                docs.append(d["title"].lower())  # trial and MEANTIME share articles
    return feats, labels, docs, stats


def examples(shared: Path, train: str, closure: bool = True) -> Examples:
    """The training examples of one corpus or both."""
    parts = []
    if train in ("tbaq", "both"):
        parts.append(tbaq_examples(shared, closure))
    if train in ("wikinews", "both"):
        parts.append(wikinews_examples(shared))
    feats, labels, docs, stats = [], [], [], Counter()
    for f, y, d, st in parts:
        feats += f
        labels += y
        docs += d
        stats.update(st)
    return feats, labels, docs, stats


def fit(feats, labels, c: float):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer()
    x = vec.fit_transform([f for group in feats for f in group])
    y = [v for group in labels for v in group]
    model = LogisticRegression(C=c, max_iter=2000, solver="lbfgs")
    model.fit(x, y)
    return {name: float(w) for name, w in zip(vec.get_feature_names_out(), model.coef_[0])}


def accuracy(table: dict[str, float], feats, labels) -> float:
    right = 0
    for group, y in zip(feats, labels):
        scores = [sum(table.get(k, 0.0) * v for k, v in f.items()) for f in group]
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        right += y[best]
    return right / max(1, len(labels))


def cross_validate(feats, labels, docs, c: float, folds: int = 5) -> float:
    names = sorted(set(docs))
    fold_of = {d: i % folds for i, d in enumerate(names)}
    right = total = 0
    for k in range(folds):
        train = [i for i, d in enumerate(docs) if fold_of[d] != k]
        test = [i for i, d in enumerate(docs) if fold_of[d] == k]
        table = fit([feats[i] for i in train], [labels[i] for i in train], c)
        right += accuracy(table, [feats[i] for i in test], [labels[i] for i in test]) * len(test)
        total += len(test)
    return right / max(1, total)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=event_dating.WEIGHTS_FILE)
    ap.add_argument("--train", choices=["both", "tbaq", "wikinews"], default="tbaq")
    ap.add_argument("--c", type=float, help="fix the regularisation C instead of choosing it by CV")
    ap.add_argument(
        "--no-closure",
        action="store_true",
        help="train on the units' own links only, not also on dates carried over "
        "event-event links (derive_units --closure)",
    )
    ap.add_argument(
        "--decoding",
        choices=event_dating.DECODERS,
        help="how the chain's previous dates are decoded (default: dating.DECODING)",
    )
    a = ap.parse_args()
    if a.decoding is not None:
        event_dating.DECODING = a.decoding
    if not (a.shared / "tools" / "score_timeline.py").is_file():
        print(f"error: {a.shared} has no tools/score_timeline.py", file=sys.stderr)
        return 2
    try:
        import sklearn
    except ImportError:
        print("error: training needs scikit-learn: pip install -e '.[train]'", file=sys.stderr)
        return 2
    feats, labels, docs, stats = examples(a.shared, a.train, closure=not a.no_closure)
    print(", ".join(f"{k}: {v}" for k, v in sorted(stats.items())), file=sys.stderr)
    cv = {c: cross_validate(feats, labels, docs, c) for c in ((a.c,) if a.c else C_GRID)}
    for c, acc in cv.items():
        print(f"C={c:<5} grouped 5-fold accuracy {acc:.3f}", file=sys.stderr)
    best_c = max(cv, key=lambda c: (round(cv[c], 3), -c))
    table = fit(feats, labels, best_c)
    kept = {k: round(v, 4) for k, v in sorted(table.items()) if abs(v) >= 1e-4}
    out = {
        "about": "event-dating weights: an option's score is the sum of its features' weights "
        "(summarizer/timeline/dating.py); made by scripts/train_event_dates.py",
        "trained_on": {
            "tbaq": "TBAQ timeline units, tune documents (score_timeline.py part_of)",
            "wikinews": "Wikinews: SemEval-2015 T4 trial timelines and MEANTIME Apple units",
            "both": "TBAQ tune units, SemEval-2015 T4 trial timelines and MEANTIME Apple units",
        }[a.train],
        "examples": len(labels),
        "documents": len(set(docs)),
        "C": best_c,
        "cv_accuracy": round(cv[best_c], 4),
        "train_accuracy": round(accuracy(table, feats, labels), 4),
        "sklearn": sklearn.__version__,
        "weights": kept,
    }
    a.out.write_text(json.dumps(out, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(
        f"C={best_c}: {len(kept)} weights, {len(labels)} examples from {len(set(docs))} documents "
        f"-> {a.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
