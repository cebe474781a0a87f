"""Does learned phrase pruning help the abstract? An experiment on FRANK CNN/DM (the
answer so far: no; the abstract does not prune, docs/summaries.md).

Training data: FRANK's CNN/DailyMail documents, **tune** part only (``splits.part_of``),
read in place. For each document the shipped selection (``selection_weights.json``) ranks
its sentences; every phrase ``pruning.phrases`` offers in the first six it ranks is an
example, labelled 1 when deleting it alone raises the mean of ROUGE-1 and ROUGE-2 F1 of the
shipped abstract with that sentence in it against the reference summary (labels at the
abstract's own length: deleting words raises precision as much as the summary is long). A logistic regression (scikit-learn, L2, standardised features, folded
back into raw weights) scores phrases; C, the logit threshold and the selection's word
target (which counts the pruned words) are chosen by 2-fold document-grouped
cross-validation on tune (R1 + R2 of the pruned selection).

Afterwards it prints ROUGE-1/2/Lsum (``metrics.rouge``) of the pruned selection, the
selection alone and lead-3 on tune and on check; check is only reported, never used for a
choice. ``--out`` keeps the fitted weights and choices as JSON; nothing in the package
reads them.

Usage: python scripts/train_pruning.py [--frank ../shared/data/frank] [--out FILE]
       (needs the `train` and `eval` extras)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from statistics import mean

import sklearn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from train_selection import _TOKENIZE, _f, _fold, _grams, fit, frank_cnndm, rouge_of  # noqa: E402

from summarizer.evaluation.metrics import lead_n  # noqa: E402
from summarizer.evaluation.references import Reference  # noqa: E402
from summarizer.segment import Sentence, sentences  # noqa: E402
from summarizer.summary import pruning, selection  # noqa: E402
from summarizer.summary.selection import cosine, names, stems  # noqa: E402

C_GRID = (0.01, 0.1, 1.0)
THRESHOLDS = (-1.0, -0.5, 0.0, 0.5, 1.0, 99.0)  # 99: prune nothing
WORDS = (45, 55, 65, 75, 85)
POOL = 6  # sentences per document the labels are made on


def features(
    text: str, p: pruning.Phrase, *, lede_words: set[str], article: Counter, first_sentence: bool
) -> dict[str, float]:
    """Phrase ``p``'s features in its sentence ``text``: kind, size, place, names, numbers,
    overlap with the lede, centrality in the article."""
    piece = text[p.start : p.end]
    n, total = len(piece.split()), max(1, len(text.split()))
    bag = stems(piece)
    row = {f"kind_{k}": float(p.kind == k) for k in pruning.KINDS}
    row.update(
        {
            "words": min(n, pruning.LONGEST) / 10.0,
            "share": n / total,
            "sentence_words": min(total, 60) / 30.0,
            "at_start": float(p.start == 0),
            "at_end": float(p.end >= len(text.rstrip(" .!?"))),
            "digit": float(bool(re.search(r"\d", piece))),
            "names": min(len(names(" " + piece)), 4) / 2.0,
            "lede_word_share": len(set(bag) & lede_words) / max(1, len(bag)),
            "centrality": cosine(bag, article),
            "first_sentence": float(first_sentence),
        }
    )
    return row


class Scorer:
    """One article's lede words and word counts, and the phrase weights being tried."""

    def __init__(self, texts: list[str], title: str | None) -> None:
        self.lede_words = set(stems((title or "") + " " + (texts[0] if texts else "")))
        self.article: Counter = sum((stems(t) for t in texts), Counter())
        self.table: dict[str, float] = {}
        self.threshold = 99.0

    def row(self, text: str, p: pruning.Phrase, first: bool) -> dict[str, float]:
        return features(
            text, p, lede_words=self.lede_words, article=self.article, first_sentence=first
        )

    def prune(self, text: str, first: bool) -> str:
        chosen = [
            p
            for p in pruning.phrases(text)
            if self.table.get("bias", 0.0)
            + sum(self.table.get(k, 0.0) * v for k, v in self.row(text, p, first).items())
            > self.threshold
        ]
        return pruning.without(text, chosen)


def value(text: str, ref: tuple) -> float:
    """The fast R1 + R2 mean (as the selection's oracle) of ``text`` against a reference."""
    toks = _TOKENIZE(text)
    return (_f(_grams(toks, 1), ref[0]) + _f(_grams(toks, 2), ref[1])) / 2


_DOCS: dict[str, tuple[list[Sentence], tuple, Scorer]] = {}


def doc(ref: Reference) -> tuple[list[Sentence], tuple, Scorer]:
    if ref.id not in _DOCS:
        sents = selection.units(sentences(ref.text))
        toks = _TOKENIZE(ref.summary or "")
        _DOCS[ref.id] = (
            sents,
            (_grams(toks, 1), _grams(toks, 2)),
            Scorer([s.text for s in sents], ref.title),
        )
    return _DOCS[ref.id]


def examples(refs: list[Reference]) -> tuple[list[dict[str, float]], list[int]]:
    X: list[dict[str, float]] = []
    y: list[int] = []
    for ref in refs:
        sents, gold, pruner = doc(ref)
        shipped = selection.select(sents, title=ref.title)
        for extra in selection.select(sents, title=ref.title, sentences=POOL, words=0):
            # the abstract as shipped, with this sentence in it: labels at the abstract's length
            texts = [s.text for s in sorted(set(shipped) | {extra}, key=lambda s: s.index)]
            k = [s.index for s in sorted(set(shipped) | {extra}, key=lambda s: s.index)].index(
                extra.index
            )
            base = value(" ".join(texts), gold)
            for p in pruning.phrases(extra.text):
                trial = texts[:k] + [pruning.without(extra.text, [p])] + texts[k + 1 :]
                X.append(pruner.row(extra.text, p, extra.index == 0))
                y.append(int(value(" ".join(trial), gold) > base))
    return X, y


def pruned_summary(ref: Reference, table: dict[str, float], threshold: float, words: float) -> str:
    sents, _, pruner = doc(ref)
    pruner.table, pruner.threshold = table, threshold
    chosen = selection.select(
        sents,
        title=ref.title,
        words=words,
        size_of=lambda s: len(pruner.prune(s.text, s.index == 0).split()),
    )
    return " ".join(pruner.prune(s.text, s.index == 0) for s in chosen)


def choose(tune: list[Reference]) -> tuple[float, float, float, float]:
    folds = [[r for r in tune if _fold(r.id) == k] for k in (0, 1)]
    data = [examples(f) for f in folds]
    best = (-1.0, 0.0, 0.0, 0.0)
    for c in C_GRID:
        tables = [fit(data[1 - k][0], data[1 - k][1], c) for k in (0, 1)]
        for threshold in THRESHOLDS:
            for words in WORDS:
                score = mean(
                    200 * value(pruned_summary(r, tables[k], threshold, words), doc(r)[1])
                    for k in (0, 1)
                    for r in folds[k]
                )
                if score > best[0]:
                    best = (score, c, threshold, words)
                    print(
                        f"  C {c} threshold {threshold} words {words}: R1+R2 {score:.2f}",
                        file=sys.stderr,
                    )
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frank", type=Path, default=ROOT.parent / "shared" / "data" / "frank")
    parser.add_argument("--out", type=Path, help="write the fitted weights and choices here (JSON)")
    args = parser.parse_args()
    parts = frank_cnndm(args.frank)
    tune, check = parts["tune"], parts["check"]
    cv, c, threshold, words = choose(tune)
    X, y = examples(tune)
    table = fit(X, y, c)
    print(
        f"chosen on tune: C {c}, threshold {threshold}, words {words} (CV R1+R2 {cv:.2f}); "
        f"{len(X)} phrases, {sum(y)} labelled 1",
        file=sys.stderr,
    )
    if args.out:
        args.out.write_text(
            json.dumps(
                {
                    "C": c,
                    "threshold": threshold,
                    "words": words,
                    "cv_rouge1_plus_rouge2": round(cv, 2),
                    "examples": len(X),
                    "positive": sum(y),
                    "sklearn": sklearn.__version__,
                    "weights": table,
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
    for name, refs in (("tune", tune), ("check", check)):
        pruned = rouge_of(refs, lambda r: pruned_summary(r, table, threshold, words))
        plain = rouge_of(
            refs, lambda r: " ".join(s.text for s in selection.select(doc(r)[0], title=r.title))
        )
        lead = rouge_of(refs, lambda r: lead_n(r.text, 3))
        print(
            f"{name} ({len(refs)} docs)\n  pruned    {pruned}\n  selection {plain}\n  lead-3    {lead}"
        )


if __name__ == "__main__":
    main()
