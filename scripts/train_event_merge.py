"""Learn the merge decision (summarizer/timeline/event_merge.json) from MEANTIME's Apple topic.

Training data: the 30 Apple-topic Wikinews articles of NewsReader MEANTIME
(../shared/data/meantime_apple/intra_cross-doc_annotation/corpus_apple), read in place. Each
article's tokens are laid out one sentence a line (the title first, then the date line), run
through the model-free pipeline (the ``rules`` strategy) with its creation time as the
publication date, and each event the tool reports is given the MEANTIME event instances whose
mentions lie inside its quote (a mention refers to an instance through REFERS_TO; cross-document
instances carry an ``instance_id`` shared by every article that reports them).

Pairs: every two reports that share a content word (the merge's own candidate rule), except
two quotes that overlap in one article (a clause inside its sentence). Positive when the two
quotes report a common instance, negative when both report instances and none is shared; pairs
with an unannotated side are left out.

A logistic regression (scikit-learn, L2) is fitted on ``pair_features``; C and the decision
threshold are chosen by document-grouped 5-fold cross-validation (a pair is tested in the fold
of either of its documents and trained only in folds holding neither), maximising pairwise F1.

Usage: python scripts/train_event_merge.py [--shared ../shared] [--out summarizer/timeline/event_merge.json]
       (needs the `train` extra: pip install -e '.[train]')
"""

from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer import Document, summarise  # noqa: E402
from summarizer.timeline.merge import (  # noqa: E402
    Report,
    idf_table,
    pair_features,
)

C_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)
FOLDS = 5


def read_article(path: Path) -> tuple[Document, dict[tuple[int, int], set[str]]]:
    """The article as one sentence a line, and for each event mention's token offsets the
    instances it refers to."""
    root = ET.parse(path).getroot()
    doc_id = root.get("doc_id") or path.stem
    tokens: dict[str, tuple[int, str]] = {}
    lines: defaultdict[int, list[str]] = defaultdict(list)
    for tok in root.iter("token"):
        sentence = int(tok.get("sentence", "0"))
        tokens[tok.get("t_id", "")] = (sentence, tok.text or "")
        lines[sentence].append(tok.text or "")
    text = "".join(" ".join(lines[s]) + "\n" for s in sorted(lines))
    offsets: dict[str, tuple[int, int]] = {}
    # token offsets, recomputed in the same order
    cursor = 0
    by_sentence: defaultdict[int, list[str]] = defaultdict(list)
    for t_id, (sentence, _word) in tokens.items():
        by_sentence[sentence].append(t_id)
    for sentence in sorted(by_sentence):
        for i, t_id in enumerate(by_sentence[sentence]):
            if i:
                cursor += 1
            word = tokens[t_id][1]
            offsets[t_id] = (cursor, cursor + len(word))
            cursor += len(word)
        cursor += 1
    markables = root.find("Markables")
    assert markables is not None
    instance_of: dict[str, str] = {}
    mention_tokens: dict[str, list[str]] = {}
    dct = None
    for m in markables:
        if m.tag == "EVENT":
            instance_of[m.get("m_id", "")] = m.get("instance_id") or f"{doc_id}:{m.get('m_id')}"
        elif m.tag == "EVENT_MENTION":
            mention_tokens[m.get("m_id", "")] = [a.get("t_id", "") for a in m.iter("token_anchor")]
        elif m.tag == "TIMEX3" and m.get("functionInDocument") == "CREATION_TIME":
            dct = m.get("value")
    refers: dict[tuple[int, int], set[str]] = defaultdict(set)
    for rel in root.iter("REFERS_TO"):
        targets = [t.get("m_id", "") for t in rel.iter("target")]
        for src in rel.iter("source"):
            toks = mention_tokens.get(src.get("m_id", ""))
            if not toks or not targets or targets[0] not in instance_of:
                continue
            span = (offsets[toks[0]][0], offsets[toks[-1]][1])
            refers[span].add(instance_of[targets[0]])
    document = Document(id=doc_id, text=text, date=dct[:10] if dct else None)
    return document, refers


def reports_of(corpus: Path) -> tuple[list[Report], list[set[str]]]:
    reports: list[Report] = []
    labels: list[set[str]] = []
    for n, path in enumerate(sorted(corpus.glob("*.xml"))):
        document, refers = read_article(path)
        result = summarise(document, no_model=True)
        for k, event in enumerate(result.timeline()):
            span = event.evidence.span
            inside = set().union(
                *[ids for (s, e), ids in refers.items() if span.start <= s and e <= span.end]
            )
            reports.append(Report.of(document.id, n * 10_000 + k, event, document.date))
            labels.append(inside)
    return reports, labels


def pairs(reports: list[Report], labels: list[set[str]], cross_only: bool = False):
    idf = idf_table(reports)
    out = []
    for i in range(len(reports)):
        for j in range(i + 1, len(reports)):
            a, b = reports[i], reports[j]
            if not labels[i] or not labels[j] or not (a.words & b.words):
                continue
            if cross_only and a.document_id == b.document_id:
                continue
            sa, sb = a.event.evidence.span, b.event.evidence.span
            if a.document_id == b.document_id and sa.start < sb.end and sb.start < sa.end:
                continue
            y = int(bool(labels[i] & labels[j]))
            out.append((pair_features(a, b, idf), y, a.document_id, b.document_id))
    return out


def _shared() -> Path:
    """``shared/`` beside the clone (or beside the folder of git worktrees)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "data").is_dir():
            return base / "shared"
    return ROOT.parent / "shared"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=_shared())
    parser.add_argument("--out", type=Path, default=ROOT / "summarizer/timeline/event_merge.json")
    parser.add_argument(
        "--cross-only", action="store_true", help="train on pairs from two articles only"
    )
    args = parser.parse_args()
    import numpy as np
    import sklearn
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    corpus = args.shared / "data/meantime_apple/intra_cross-doc_annotation/corpus_apple"
    reports, labels = reports_of(corpus)
    data = pairs(reports, labels, args.cross_only)
    vec = DictVectorizer(sparse=False)
    X = vec.fit_transform([f for f, *_ in data])
    y = np.array([lab for _, lab, *_ in data])
    docs = sorted({r.document_id for r in reports})
    fold = {d: i % FOLDS for i, d in enumerate(docs)}
    cross = np.array([a != b for *_, a, b in data])
    print(
        f"{len(reports)} reports, {len(data)} pairs, {y.sum()} positive "
        f"({int(y[cross].sum())} across documents)",
        file=sys.stderr,
    )
    best = None
    for C in C_GRID:
        scores = np.zeros(len(data))
        tested = np.zeros(len(data), bool)
        for k in range(FOLDS):
            test = np.array([fold[a] == k or fold[b] == k for *_, a, b in data])
            model = LogisticRegression(C=C, max_iter=2000, fit_intercept=False)
            model.fit(X[~test], y[~test])
            scores[test] = model.predict_proba(X[test])[:, 1]
            tested |= test
        for threshold in np.arange(0.05, 0.9, 0.025):
            pred = scores >= threshold
            tp = int((pred & (y == 1)).sum())
            p = tp / max(1, pred.sum())
            r = tp / max(1, y.sum())
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            tp_x = int((pred & (y == 1) & cross).sum())
            p_x = tp_x / max(1, (pred & cross).sum())
            r_x = tp_x / max(1, (y[cross] == 1).sum())
            if best is None or f1 > best[0]:
                best = (f1, C, float(threshold), p, r, p_x, r_x)
        print(f"C={C}: best CV pair F1 so far {best[0]:.3f}", file=sys.stderr)
    assert best is not None
    f1, C, threshold, p, r, p_x, r_x = best
    model = LogisticRegression(C=C, max_iter=2000, fit_intercept=False).fit(X, y)
    weights = {n: round(float(w), 4) for n, w in zip(vec.get_feature_names_out(), model.coef_[0])}
    table = {
        "about": "merge decision weights: P(same event) = logistic(sum of feature weights) "
        "(summarizer/timeline/merge.py); made by scripts/train_event_merge.py",
        "trained_on": "MEANTIME Apple topic (30 Wikinews articles): event coreference pairs",
        "reports": len(reports),
        "pairs": len(data),
        "positive": int(y.sum()),
        "positive_across_documents": int(y[cross].sum()),
        "C": C,
        "threshold": round(threshold, 2),
        "cv_pair_f1": round(f1, 4),
        "cv_pair_precision": round(p, 4),
        "cv_pair_recall": round(r, 4),
        "cv_cross_document_precision": round(p_x, 4),
        "cv_cross_document_recall": round(r_x, 4),
        "sklearn": sklearn.__version__,
        "weights": dict(sorted(weights.items())),
    }
    args.out.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in table.items() if k != "weights"}, indent=1))


if __name__ == "__main__":
    main()
