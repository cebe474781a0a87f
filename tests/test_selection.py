"""Sentence selection: the split rule, the features, the greedy choice, the shipped weights."""

from __future__ import annotations

import json
import subprocess
import sys

from summarizer.evaluation import splits
from summarizer.segment import sentences
from summarizer.summary import selection

TEXT = (
    "The harbour authority of Port Elmar closed the northern dock on Monday after a crane collapsed. "
    "Nobody was hurt when the crane fell, the authority said. "
    "The harbour authority of Port Elmar closed the northern dock on Monday after the crane collapsed. "
    "Ships bound for the northern dock were sent to the southern terminal instead. "
    "Engineers from the crane's maker are expected to inspect the site this week. "
    '"We want answers," said a dock worker. '
    "Local cafes reported a quiet day."
)


def test_part_of_is_stable_and_splits_about_half() -> None:
    ids = [f"{i:040x}" for i in range(400)]
    parts = [splits.part_of(i) for i in ids]
    assert parts == [splits.part_of(i) for i in ids]
    assert set(parts) == {"tune", "check"}
    assert 150 < parts.count("tune") < 250


def test_features_are_generic_numbers() -> None:
    sents = sentences(TEXT)
    article = selection.Article(sents)
    first, quote = article.features(0), article.features(5)
    assert first["first"] == 1.0 and quote["first"] == 0.0
    assert quote["opens_quote"] == 1.0 and quote["attribution"] == 1.0
    assert first["centrality"] > article.features(6)["centrality"]  # the dock story vs the cafes
    assert set(first) == set(quote) and all(isinstance(v, float) for v in first.values())
    # the near-repeat of the lede is redundant once the lede is chosen
    assert article.redundancy(2, [0]) > 0.8 > article.redundancy(3, [0])


def test_score_is_the_dot_product_plus_bias() -> None:
    table = {"bias": -1.0, "first": 2.0, "length": 0.5}
    assert selection.score({"first": 1.0, "length": 2.0, "quote": 1.0}, table) == 2.0


def test_select_returns_article_order_and_respects_the_settings() -> None:
    sents = sentences(TEXT)
    table = {"bias": 0.0, "relative_position": 3.0}  # prefers late sentences
    chosen = selection.select(sents, table=table, sentences=2, words=0, lead_bonus=0, redundancy=0)
    assert [s.index for s in chosen] == [5, 6]
    # a word target stops the selection once it is reached
    by_words = selection.select(
        sents,
        table={"bias": 0.0, "first": 1.0, "inverse_position": 1.0},
        sentences=0,
        words=20,
        lead_bonus=0,
        redundancy=0,
    )
    assert [s.index for s in by_words] == [0, 1]


def test_redundancy_penalty_skips_a_near_repeat() -> None:
    sents = sentences(TEXT)
    table = {"bias": 0.0, "inverse_position": 1.0}
    plain = selection.select(sents, table=table, sentences=3, words=0, lead_bonus=0, redundancy=0)
    penalised = selection.select(
        sents, table=table, sentences=3, words=0, lead_bonus=0, redundancy=5
    )
    assert 2 in [s.index for s in plain] and 2 not in [s.index for s in penalised]


def test_shipped_weights_cover_every_feature_and_need_no_scikit_learn() -> None:
    data = json.loads(selection.WEIGHTS_FILE.read_text(encoding="utf-8"))
    names = set(selection.Article(sentences(TEXT)).features(0))
    assert set(data["weights"]) == names | {"bias"}
    assert "tune" in data["trained_on"] and data["selection"]
    code = (
        "import sys; from summarizer.summary import selection; from summarizer.segment import sentences;"
        f"selection.select(sentences({TEXT!r})); print('sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_selection_on_the_sample_keeps_whole_sentences() -> None:
    sents = sentences(TEXT)
    chosen = selection.select(sents)
    assert chosen and all(s in sents for s in chosen)
    assert [s.index for s in chosen] == sorted(s.index for s in chosen)


def test_units_cut_a_caption_glued_to_the_next_sentence() -> None:
    text = (
        "Crews cleared the northern dock after the crane fell The harbour authority said the "
        "dock would reopen on Friday. Ships waited offshore."
    )
    sents = sentences(text)
    cut = selection.units(sents)
    assert [u.text for u in cut] == [
        "Crews cleared the northern dock after the crane fell",
        "The harbour authority said the dock would reopen on Friday.",
        "Ships waited offshore.",
    ]
    assert all(text[u.start : u.end] == u.text for u in cut)  # each unit keeps its own span
    assert [u.index for u in cut] == [0, 1, 2]
    # edited prose is left as pysbd cut it: a capital after a lower-case word that is a name
    plain = sentences("The mayor met Ana Ruiz in Leeds. She said The Times had called.")
    assert [u.text for u in selection.units(plain)] == [s.text for s in plain]
