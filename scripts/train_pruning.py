"""Learn which asides the abstract deletes (summarizer/summary/pruning_weights.json), and the
abstract's length, from news articles with reference summaries.

Training data: the CNN stories of ``../shared/data/news_summ_train/`` (its **tune** part by
``splits.part_of``; the check part is only reported), read in place. For each article the
shipped selection (``selection_weights.json``) orders its units greedily (its lead bonus and
redundancy penalty; the first ``POOL`` picks). Every phrase ``pruning.phrases`` offers in them is
an example, labelled 1 when deleting it alone raises R1 + R2 (fast ROUGE F1, as the selection's
trainer computes it) of the shipped abstract with that unit in it. A logistic regression
(scikit-learn, standardised, folded back into raw weights) gives each phrase a logit; at run time
a unit loses the phrases whose logit exceeds a threshold, and the selection's word target counts
the words left (``pruning.abstract``).

Choices:

* **cross-validation on the training set** (3 folds by document): out-of-fold logits, the
  threshold, word target and sentence cap with the best mean R1 + R2 of the pruned abstract on
  the folds' CNN stories, beside the best without pruning (the figure reported for the
  training set);
* **the reference style** (the shipped threshold, word target and cap): chosen on FRANK's
  CNN/DM **tune** part, whose references are mostly Daily Mail highlights (~52 words, where the
  training set's CNN highlights run to ~33); the model is the one fitted on all CNN tune
  stories. FRANK check is only reported.

Variants compared (``VARIANTS``): all features, the kind of phrase only, "delete every
offered phrase" (a threshold below every logit of a constant model), and all features with
labels made in the greedy picks that first reach the reference's length (not the shipped
abstract's).

Afterwards it prints ROUGE-1/2/Lsum (``metrics.rouge``) of the pruned abstract and of lead-3 with
a paired-bootstrap 95% interval of the per-document ROUGE-1 difference (``train_selection``'s
report) on FRANK tune, check and check lower-cased and tokenised, and the held-back CNN stories.

Prepared articles are cached in ``.cache/pruning/`` (keyed by the source of the selection,
pruning, segmentation and the shipped selection weights). One core.

Usage: python scripts/train_pruning.py [--data DIR] [--frank DIR] [--out FILE] [--report]
       (needs the `train` and `eval` extras)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from train_selection import (  # noqa: E402
    _TOKENIZE,
    _f,
    _fold,
    _grams,
    _source_of,
    frank_cnndm,
    reports,
)

from summarizer.evaluation import splits  # noqa: E402
from summarizer.segment import sentences  # noqa: E402
from summarizer.summary import pruning, selection  # noqa: E402

POOL = 8  # greedy picks per article kept (the abstract never reaches this many)
LABEL_POOL = 6  # picks whose phrases are labelled
C = 1.0
THRESHOLDS = (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, pruning.NEVER)
WORDS = (45, 55, 65, 75, 85)
SENTENCES = (0, 3, 4, 5)
VARIANTS = ("all", "kinds", "every", "all, labels at the reference length")
CACHE = ROOT / ".cache" / "pruning"
FEATURES: list[str] = []


@dataclass
class Unit:
    text: str
    phrases: list[pruning.Phrase]
    rows: list[list[float]]
    grams: dict[tuple[int, ...], tuple[Counter, Counter, int]] = field(default_factory=dict)

    def pruned(self, keep_out: tuple[int, ...]) -> tuple[Counter, Counter, int]:
        """Unigrams, bigrams and word count of the unit without the phrases ``keep_out``."""
        if keep_out not in self.grams:
            text = pruning.without(self.text, [self.phrases[k] for k in keep_out])
            tokens = _TOKENIZE(text)
            self.grams[keep_out] = (_grams(tokens, 1), _grams(tokens, 2), len(text.split()))
        return self.grams[keep_out]


@dataclass
class Doc:
    id: str
    source: str
    order: list[Unit]  # the selection's greedy picks, in pick order
    positions: list[int]  # their places in the article
    ref1: Counter
    ref2: Counter


def _value(parts: list[tuple[Counter, Counter, int]], doc: Doc) -> float:
    one: Counter = Counter()
    two: Counter = Counter()
    for a, b, _ in parts:
        one.update(a)
        two.update(b)
    return 100 * (_f(one, doc.ref1) + _f(two, doc.ref2))


def greedy_order(sents: list, title: str | None) -> list[int]:
    """The shipped selection's picks in the order it makes them (the first ``POOL``)."""
    article = selection.Article(sents, title)
    logits = [selection.score(article.features(i)) for i in range(len(sents))]
    sizes = [len(s.text.split()) for s in sents]
    allowed = [not f for f in article.is_furniture]
    opts = {**selection.settings(), "words": 0}
    order: list[int] = []
    for k in range(1, min(POOL, len(sents)) + 1):
        picked = selection.choose(
            logits,
            sizes,
            article.redundancy,
            {**opts, "sentences": k},
            allowed if any(allowed) else None,
        )
        order += [i for i in picked if i not in order]
    return order


def make_doc(doc_id: str, source: str, text: str, summary: str, title: str | None) -> Doc | None:
    sents = selection.units(sentences(text))
    if len(sents) < 2:
        return None
    article = selection.Article(sents, title)
    pruner = pruning.Pruner(article, table={}, threshold=0.0)
    order = greedy_order(sents, title)
    units = []
    for i in order:
        text_i = sents[i].text
        found = pruning.phrases(text_i)
        rows = []
        for p in found:
            row = pruning.phrase_features(
                text_i,
                p,
                lede_words=pruner.lede_words,
                article=pruner.article,
                first_unit=i == 0,
                cased=pruner.cased,
            )
            if not FEATURES:
                FEATURES.extend(row)
            rows.append([row[k] for k in FEATURES])
        units.append(Unit(text_i, found, rows))
    ref = _TOKENIZE(summary)
    return Doc(doc_id, source, units, order, _grams(ref, 1), _grams(ref, 2))


def _cache_key() -> str:
    digest = hashlib.sha256()
    for path in (
        ROOT / "summarizer" / "summary" / "selection.py",
        ROOT / "summarizer" / "summary" / "pruning.py",
        ROOT / "summarizer" / "summary" / "selection_weights.json",
        ROOT / "summarizer" / "segment.py",
    ):
        digest.update(path.read_bytes())
    digest.update(f"{POOL}".encode())
    return digest.hexdigest()[:16]


def _cached(name: str, build):
    path = CACHE / f"{name}-{_cache_key()}.pkl"
    if path.exists():
        names, docs = pickle.loads(path.read_bytes())
        FEATURES[:] = names
        return docs
    docs = build()
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps((FEATURES, docs)))
    return docs


def training_docs(data: Path) -> list[Doc]:
    def build() -> list[Doc]:
        docs, started = [], time.time()
        for k, line in enumerate((data / "cnndm_train_val.jsonl").open(encoding="utf-8")):
            row = json.loads(line)
            if splits.part_of(row["id"]) != "tune":
                continue
            doc = make_doc(row["id"], _source_of(row), row["article"], row["summary"], None)
            if doc:
                docs.append(doc)
            if k % 500 == 0:
                print(f"  {k} read ({time.time() - started:.0f} s)", file=sys.stderr)
        return docs

    return _cached("train", build)


def frank_tune_docs(frank: Path) -> list[Doc]:
    def build() -> list[Doc]:
        found = [
            make_doc(r.id, "frank", r.text, r.summary or "", r.title)
            for r in frank_cnndm(frank)["tune"]
        ]
        return [d for d in found if d]

    return _cached("frank-tune", build)


# ---------------------------------------------------------------- labels, model, choice


def examples(docs: list[Doc], at_reference_length: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Phrase rows and labels (module doc): at the shipped abstract's own length, or (
    ``at_reference_length``) in the greedy picks that first reach the reference's length,
    so that a deletion is not labelled good only because the abstract is longer than the
    reference."""
    opts = selection.settings()
    X: list[list[float]] = []
    y: list[int] = []
    for doc in docs:
        parts = [u.pruned(()) for u in doc.order]
        if at_reference_length:
            base = _prefix(doc, parts, sum(doc.ref1.values()), 0)
        else:
            base = _prefix(doc, parts, opts["words"], opts["sentences"])
        for u, unit in enumerate(doc.order[:LABEL_POOL]):
            context = sorted(set(base) | {u})
            shown = [doc.order[k].pruned(()) for k in context]
            before = _value(shown, doc)
            at = context.index(u)
            for p, row in enumerate(unit.rows):
                trial = shown[:at] + [unit.pruned((p,))] + shown[at + 1 :]
                X.append(row)
                y.append(int(_value(trial, doc) > before + 1e-9))
    return np.array(X, dtype=float), np.array(y)


def _prefix(
    doc: Doc, parts: list[tuple[Counter, Counter, int]], words: float, cap: float
) -> list[int]:
    """How many of the greedy picks the selection keeps: until ``cap`` units or ``words``."""
    chosen: list[int] = []
    size = 0
    for k, part in enumerate(parts):
        if (cap and len(chosen) >= cap) or (words and size >= words):
            break
        chosen.append(k)
        size += part[2]
    return chosen


def fit(docs: list[Doc], variant: str) -> dict[str, float]:
    """Raw-feature weights of a logistic regression (``variant``: which features)."""
    if variant == "every":
        return {"bias": 1.0}  # every phrase's logit is 1: any threshold under it deletes all
    X, y = examples(docs, at_reference_length=variant.endswith("reference length"))
    used = [k for k, name in enumerate(FEATURES) if variant != "kinds" or name.startswith("kind_")]
    X = X[:, used]
    scaler = StandardScaler().fit(X)
    model = LogisticRegression(C=C, max_iter=3000).fit(scaler.transform(X), y)
    scale = [s if s > 0 else 1.0 for s in scaler.scale_]
    coef = [w / s for w, s in zip(model.coef_[0], scale)]
    table = {FEATURES[k]: round(float(w), 6) for k, w in zip(used, coef)}
    table["bias"] = round(
        float(model.intercept_[0] - sum(w * m for w, m in zip(coef, scaler.mean_))), 6
    )
    return table


def logits(doc: Doc, table: dict[str, float]) -> list[list[float]]:
    weights = [table.get(n, 0.0) for n in FEATURES]
    bias = table.get("bias", 0.0)
    return [[bias + sum(w * v for w, v in zip(weights, row)) for row in u.rows] for u in doc.order]


def pruned_parts(doc: Doc, scores: list[list[float]], threshold: float):
    """Each greedy pick without its phrases whose logit exceeds ``threshold``."""
    return [
        unit.pruned(tuple(p for p, s in enumerate(unit_scores) if s > threshold))
        for unit, unit_scores in zip(doc.order, scores)
    ]


def grid(docs: list[Doc], tables: dict[str, dict[str, float]]) -> dict[tuple, float]:
    """Mean R1 + R2 of every (threshold, words, cap), each doc scored with its own table
    (``tables`` by doc id: out-of-fold weights)."""
    results: dict[tuple, list[float]] = {}
    for doc in docs:
        scores = logits(doc, tables[doc.id])
        for threshold in THRESHOLDS:
            parts = pruned_parts(doc, scores, threshold)
            for words in WORDS:
                for cap in SENTENCES:
                    picked = sorted(_prefix(doc, parts, words, cap))
                    value = _value([parts[k] for k in picked], doc)
                    results.setdefault((threshold, words, cap), []).append(value)
    return {k: mean(v) for k, v in results.items()}


def best(results: dict[tuple, float], pruned: bool) -> tuple[tuple, float]:
    found = {k: v for k, v in results.items() if (k[0] < pruning.NEVER) == pruned}
    key = max(found, key=lambda k: found[k])
    return key, found[key]


def _fmt(key: tuple, value: float) -> str:
    threshold, words, cap = key
    return f"{value:.2f} (threshold {threshold}, {words} words, cap {cap or 'none'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared" / "data" / "news_summ_train"
    )
    parser.add_argument("--frank", type=Path, default=ROOT.parent / "shared" / "data" / "frank")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "summarizer" / "summary" / "pruning_weights.json"
    )
    parser.add_argument("--report", action="store_true", help="only report the shipped model")
    parser.add_argument("--sample", type=int, default=400, help="held-back CNN stories reported")
    parser.add_argument("--cv-docs", type=int, default=1200, help="CV stories scored (hash-chosen)")
    args = parser.parse_args()
    pruning.WEIGHTS_FILE = args.out
    pruning.trained.cache_clear()
    if not args.report:
        train = training_docs(args.data)
        style = frank_tune_docs(args.frank)
        print(f"{len(train)} CNN tune stories, {len(style)} FRANK tune documents", file=sys.stderr)
        judged = sorted(train, key=lambda d: hashlib.sha256(d.id.encode()).hexdigest())
        judged = judged[: args.cv_docs]
        cv: dict[str, dict] = {}
        chosen: dict[str, dict] = {}
        for variant in VARIANTS:
            started = time.time()
            folds = [fit([d for d in train if _fold(d.id) != k], variant) for k in range(3)]
            results = grid(judged, {d.id: folds[_fold(d.id)] for d in judged})
            (plain_key, plain), (key, value) = best(results, False), best(results, True)
            cv[variant] = {"pruned": _fmt(key, value), "unpruned": _fmt(plain_key, plain)}
            print(
                f"  CV {variant} ({len(judged)} CNN stories): pruned {_fmt(key, value)}; "
                f"unpruned {_fmt(plain_key, plain)} [{time.time() - started:.0f} s]",
                file=sys.stderr,
            )
            table = fit(train, variant)
            results = grid(style, {d.id: table for d in style})
            (plain_key, plain), (key, value) = best(results, False), best(results, True)
            chosen[variant] = {"table": table, "key": key, "value": value, "plain": plain}
            _, words, cap = key
            by_threshold = ", ".join(
                f"{t}: {results[(t, words, cap)]:.2f}" for t in THRESHOLDS if t < pruning.NEVER
            )
            print(f"    by threshold at {words} words, cap {cap}: {by_threshold}", file=sys.stderr)
            print(
                f"  FRANK tune {variant}: pruned {_fmt(key, value)}; unpruned "
                f"{_fmt(plain_key, plain)}",
                file=sys.stderr,
            )
        name = max(chosen, key=lambda v: chosen[v]["value"])
        pick = chosen[name]
        threshold, words, cap = pick["key"]
        if pick["value"] <= pick["plain"]:
            threshold = pruning.NEVER  # pruning did not pay on FRANK tune
        X, y = examples(train, at_reference_length=name.endswith("reference length"))
        data = {
            "about": "phrase-pruning model for the abstract: a phrase's logit is bias + "
            "features . weights (summarizer/summary/pruning.py); made by scripts/train_pruning.py",
            "trained_on": "news_summ_train tune part, its CNN stories; label: deleting the phrase "
            "alone raises R1 + R2 of "
            + (
                "the greedy picks that first reach the reference's length"
                if name.endswith("reference length")
                else "the shipped abstract"
            )
            + ", with its unit in it",
            "variant": name,
            "threshold": threshold,
            "selection": {"words": words, "sentences": cap},
            "chosen_on": "FRANK CNN/DM tune part (the reference style)",
            "frank_tune_rouge1_plus_rouge2": {
                v: {"pruned": round(c["value"], 2), "unpruned": round(c["plain"], 2)}
                for v, c in chosen.items()
            },
            "cv_rouge1_plus_rouge2": cv,
            "cv_documents": len(judged),
            "examples": int(len(y)),
            "positive": int(y.sum()),
            "sklearn": sklearn.__version__,
            "weights": pick["table"],
        }
        args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        pruning.trained.cache_clear()
        print(
            f"wrote {args.out}: {name}, threshold {threshold}, {words} words, cap {cap}",
            file=sys.stderr,
        )
    reports(args.data, args.frank, args.sample)  # of the shipped (pruned) abstract


if __name__ == "__main__":
    main()
