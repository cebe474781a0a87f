"""Learn the sentence-selection weights (summarizer/summary/selection_weights.json) from FRANK CNN/DM.

Training data: FRANK's CNN/DailyMail documents (``dataset == "cnndm"``), read in place by
``summarizer.evaluation.references.load_frank``, **tune** part only (``splits.part_of``
on the FRANK hash). Each article is segmented as the pipeline segments it; a greedy oracle
adds, step by step, the sentence with the largest ROUGE gain (mean of ROUGE-1 and ROUGE-2 F1,
Porter-stemmed as rouge-score tokenises) against the reference summary, while the gain is
positive (at most ``ORACLE_STEPS``). Every sentence is an example, labelled 1 when the oracle
picked it. A logistic regression (scikit-learn, L2, standardised features) is fitted; C and
the selection's settings (sentences, word target, lead bonus, redundancy penalty) are chosen
by 2-fold document-grouped cross-validation on the tune documents (R1 + R2 of the greedy
selection). The standardisation is folded into the weights, so at run time a sentence's logit
is a plain dot product.

Afterwards it prints ROUGE-1/2/Lsum (the project's ``metrics.rouge``) of the selection and of
lead-3 on tune and on check; check is only reported, never used for a choice (``--report``
prints them for the shipped weights without retraining).

Usage: python scripts/train_selection.py [--frank ../shared/data/frank] [--out FILE] [--report]
       (needs the `train` and `eval` extras)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from statistics import mean

import sklearn
from rouge_score import rouge_scorer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.evaluation import splits  # noqa: E402
from summarizer.evaluation.metrics import lead_n, rouge  # noqa: E402
from summarizer.evaluation.references import Reference, load_frank  # noqa: E402
from summarizer.segment import Sentence, sentences  # noqa: E402
from summarizer.summary import selection  # noqa: E402

C_GRID = (0.01, 0.1, 1.0)
SENTENCES = (0, 2, 3, 4)  # 0: only the word target stops the selection
WORDS = (0, 45, 55, 65, 75)  # 0: no word target; CNN/DM references run to ~55 words
LEAD_BONUS = (0.0, 1.0, 2.0)
REDUNDANCY = (0.0, 2.0, 5.0)
ORACLE_STEPS = 4
_TOKENIZE = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)._tokenizer.tokenize


def frank_cnndm(frank: Path) -> dict[str, list[Reference]]:
    rows = [json.loads(line) for line in (frank / "frank_docs.jsonl").open(encoding="utf-8")]
    cnndm = {f"frank-{r['hash']}" for r in rows if r.get("dataset") == "cnndm"}
    parts: dict[str, list[Reference]] = {"tune": [], "check": []}
    for ref in load_frank(frank):
        if ref.id in cnndm:
            parts[splits.part_of(ref.id.removeprefix("frank-"))].append(ref)
    return parts


def _grams(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _f(pred: Counter, ref: Counter) -> float:
    shared = sum((pred & ref).values())
    if not shared:
        return 0.0
    p, r = shared / sum(pred.values()), shared / sum(ref.values())
    return 2 * p * r / (p + r)


class Oracle:
    """Fast ROUGE-1/2 of a set of sentences against one reference (stemmed tokens cached)."""

    def __init__(self, sents: list[Sentence], summary: str) -> None:
        self.tokens = [_TOKENIZE(s.text) for s in sents]
        ref = _TOKENIZE(summary)
        self.ref1, self.ref2 = _grams(ref, 1), _grams(ref, 2)

    def value(self, chosen: list[int]) -> float:
        toks: list[str] = []
        for i in sorted(chosen):
            toks += self.tokens[i]
        return (_f(_grams(toks, 1), self.ref1) + _f(_grams(toks, 2), self.ref2)) / 2


def examples(refs: list[Reference]) -> tuple[list[dict[str, float]], list[int], list[str]]:
    """Every sentence: its features, whether the greedy oracle picks it, its document id."""
    X: list[dict[str, float]] = []
    y: list[int] = []
    groups: list[str] = []
    for ref in refs:
        sents = selection.units(sentences(ref.text))
        if len(sents) < 2:
            continue
        article, oracle = selection.Article(sents, ref.title), Oracle(sents, ref.summary or "")
        chosen: list[int] = []
        base = 0.0
        for _ in range(ORACLE_STEPS):
            gains = {
                i: oracle.value(chosen + [i]) - base for i in range(len(sents)) if i not in chosen
            }
            pick = max(gains, key=lambda i: gains[i]) if gains else None
            if pick is None or gains[pick] <= 0:
                break
            chosen.append(pick)
            base += gains[pick]
        for i in range(len(sents)):
            X.append(article.features(i))
            y.append(int(i in chosen))
            groups.append(ref.id)
    return X, y, groups


def fit(rows: list[dict[str, float]], y: list[int], c: float) -> dict[str, float]:
    """Logistic regression on standardised features, folded back to raw-feature weights."""
    names = list(rows[0])
    X = [[row[n] for n in names] for row in rows]
    scaler = StandardScaler().fit(X)
    model = LogisticRegression(C=c, max_iter=2000).fit(scaler.transform(X), y)
    scale = [s if s > 0 else 1.0 for s in scaler.scale_]
    coef = [w / s for w, s in zip(model.coef_[0], scale)]
    bias = float(model.intercept_[0]) - sum(w * m for w, m in zip(coef, scaler.mean_))
    table = {n: round(float(w), 5) for n, w in zip(names, coef)}
    table["bias"] = round(bias, 5)
    return table


def summary_of(ref: Reference, table: dict[str, float], **opts: float) -> str:
    return " ".join(
        s.text
        for s in selection.select(
            selection.units(sentences(ref.text)), title=ref.title, table=table, **opts
        )
    )


def rouge_of(refs: list[Reference], make) -> dict[str, float]:
    scores = [rouge(make(ref), ref.summary or "") for ref in refs]
    return {
        k: round(100 * mean(s[k] for s in scores), 2) for k in ("rouge1", "rouge2", "rougeLsum")
    }


def _fold(ref_id: str) -> int:
    return hashlib.sha256(("fold:" + ref_id).encode()).digest()[0] % 2


def _fast(refs: list[Reference], table: dict[str, float], opts: dict[str, float]) -> float:
    """Mean R1 + R2 (the oracle's fast ROUGE) of the selection over ``refs``."""
    values = []
    for ref in refs:
        if ref.id not in _CACHE:  # segmenting and tokenising dominate: once per document
            sents = selection.units(sentences(ref.text))
            _CACHE[ref.id] = (sents, Oracle(sents, ref.summary or ""))
        sents, oracle = _CACHE[ref.id]
        picked = {s.index for s in selection.select(sents, title=ref.title, table=table, **opts)}
        values.append(200 * oracle.value([i for i, s in enumerate(sents) if s.index in picked]))
    return mean(values)


_CACHE: dict[str, tuple[list[Sentence], Oracle]] = {}


SETTINGS = [
    {"sentences": k, "words": w, "lead_bonus": b, "redundancy": r}
    for k in SENTENCES
    for w in WORDS
    for b in LEAD_BONUS
    for r in REDUNDANCY
    if k or w
]


def choose(tune: list[Reference]) -> tuple[float, dict[str, float], float]:
    """C and selection settings with the best 2-fold cross-validated R1 + R2."""
    folds = [[r for r in tune if _fold(r.id) == k] for k in (0, 1)]
    data = [examples(f) for f in folds]
    best: tuple[float, float, dict[str, float]] = (-1.0, 0.0, {})
    for c in C_GRID:
        tables = [fit(data[1 - k][0], data[1 - k][1], c) for k in (0, 1)]
        for opts in SETTINGS:
            value = mean(_fast(folds[k], tables[k], opts) for k in (0, 1))
            if value > best[0]:
                best = (value, c, opts)
                print(f"  C {c} {opts}: R1+R2 {value:.2f}", file=sys.stderr)
    return best[1], best[2], best[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frank", type=Path, default=ROOT.parent / "shared" / "data" / "frank")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "summarizer" / "summary" / "selection_weights.json"
    )
    parser.add_argument(
        "--report", action="store_true", help="only print tune/check ROUGE of the shipped weights"
    )
    args = parser.parse_args()
    parts = frank_cnndm(args.frank)
    tune, check = parts["tune"], parts["check"]
    print(f"FRANK CNN/DM: {len(tune)} tune, {len(check)} check documents", file=sys.stderr)
    if not args.report:
        c, opts, cv = choose(tune)
        X, y, _ = examples(tune)
        table = fit(X, y, c)
        data = {
            "about": "sentence-selection weights: a sentence's logit is bias + features . weights "
            "(summarizer/selection.py); made by scripts/train_selection.py",
            "trained_on": "FRANK CNN/DailyMail, tune part (splits.part_of); label: a greedy "
            "ROUGE-gain oracle picks the sentence",
            "documents": len(tune),
            "examples": len(X),
            "C": c,
            "selection": opts,
            "cv_rouge1_plus_rouge2": round(cv, 2),
            "sklearn": sklearn.__version__,
            "weights": table,
        }
        args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        selection.trained.cache_clear()
        print(f"wrote {args.out}: C {c}, {opts}", file=sys.stderr)
    for name, refs in (("tune", tune), ("check", check)):
        sel = rouge_of(
            refs,
            lambda ref: " ".join(
                s.text
                for s in selection.select(selection.units(sentences(ref.text)), title=ref.title)
            ),
        )
        lead = rouge_of(refs, lambda ref: lead_n(ref.text, 3))
        print(f"{name} ({len(refs)} docs)  selection {sel}  lead-3 {lead}")


if __name__ == "__main__":
    main()
