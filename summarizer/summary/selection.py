"""Sentence selection: which of an article's sentences make its abstract, learned from references.

Terms:

* **features**: generic numbers about one sentence in its article (position,
  length, centrality, overlap with the lede's names and words, quotes, numbers);
  ``Article.features``.
* **score**: the sentence's logit, a dot product of its features with the weights
  in ``selection_weights.json`` (learned by ``scripts/train_selection.py``: a
  logistic regression whose label is whether a greedy ROUGE-gain oracle picks the
  sentence for the CNN/DailyMail reference summary, on FRANK's tune part).
* **selection**: greedy: the sentence with the best score, plus ``lead_bonus`` in the
  first three, minus ``redundancy`` times its similarity to those already chosen, is
  added until ``sentences`` are chosen or they reach ``words``; they are returned in
  article order. The four settings are chosen on tune and stored with the weights.
* **part**: FRANK documents are split into ``tune`` (training, choices) and
  ``check`` (reporting only) by a stable hash of the document id (``evaluation.splits.part_of``).

Plain Python at run time: scikit-learn is needed only to retrain.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from ..grounding import content_words
from ..segment import Sentence

WEIGHTS_FILE = Path(__file__).with_name("selection_weights.json")
# the selection's settings when the weights file names none (it names those chosen on tune)
DEFAULTS = {"sentences": 3, "words": 0, "lead_bonus": 0.0, "redundancy": 0.0}
HIGHLIGHT_WORDS = 20  # a CNN/DailyMail highlight runs to about this many words
_BYLINE = re.compile(r"\b(By|PUBLISHED|UPDATED|Follow)\b|\|")
PRONOUN_OPENERS = frozenset(
    "he she it they this that these those his her their its but and so however also".split()
)
ATTRIBUTION = re.compile(r"\b(said|says|told|according to|announced|claimed|added)\b", re.I)
QUOTES = "\"“”‘’'"
_NAME = re.compile(r"\b[A-Z][\w'’-]*[a-z][\w'’-]*")
_DIGIT = re.compile(r"\d")


# a sentence pysbd leaves glued to the next: a caption or a heading without its stop
# ("... retirement income 13% higher than a colleague The cost of divorce ..."); a capitalised
# pronoun or article straight after a lower-case word opens a new sentence in edited prose
_GLUED = re.compile(
    r"(?<=[a-z0-9%])\s+(?=(?:The|He|She|It|They|His|Her|Their|This|These|Those|"
    r"In|But)\s+[a-z])"
)


def units(sents: Sequence[Sentence]) -> list[Sentence]:
    """The sentences selection works on: each pysbd sentence, cut where another is glued
    to it (``_GLUED``), with its own span; numbered afresh."""
    out: list[Sentence] = []
    for s in sents:
        cuts = [0] + [m.end() for m in _GLUED.finditer(s.text)] + [len(s.text)]
        for a, b in zip(cuts, cuts[1:]):
            piece = s.text[a:b]
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            if piece:
                start = s.start + a + lead
                out.append(Sentence(len(out), s.paragraph, start, start + len(piece), piece))
    return out


def stems(text: str) -> Counter[str]:
    """Content words, cut to five letters ('talks' ~ 'talk'), with counts."""
    return Counter(w[:5] for w in content_words(text))


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def names(text: str) -> set[str]:
    """Capitalised words not opening the text: a cheap stand-in for named entities."""
    found = {m.group().lower() for m in _NAME.finditer(text) if m.start() > 0}
    return {n[:5] for n in found if n not in PRONOUN_OPENERS}


class Article:
    """What every sentence's features are measured against: computed once per article."""

    def __init__(self, sents: Sequence[Sentence], title: str | None = None) -> None:
        self.sents = list(sents)
        self.bags = [stems(s.text) for s in self.sents]
        self.total: Counter[str] = sum(self.bags, Counter())
        head = title if title and len(title) >= 3 else (self.sents[0].text if self.sents else "")
        self.head_words = set(stems(head))
        self.head_names = names(head)
        if self.sents:
            self.head_names |= names(self.sents[0].text)
        self.paragraph_starts = {
            s.index
            for i, s in enumerate(self.sents)
            if i == 0 or self.sents[i - 1].paragraph != s.paragraph
        }

    def features(self, i: int) -> dict[str, float]:
        """Sentence ``i``'s features."""
        s, bag, n = self.sents[i], self.bags[i], len(self.sents)
        text = s.text
        n_words = len(text.split())
        rest = self.total - bag
        own = set(bag)
        first_word = text.split()[0].strip(QUOTES).lower() if text.split() else ""
        sentence_names = names(text)
        return {
            "first": float(i == 0),
            "second": float(i == 1),
            "third": float(i == 2),
            "lead_three": float(i < 3),
            "lead_five": float(i < 5),
            "inverse_position": 1.0 / (i + 1),
            "relative_position": i / max(1, n - 1),
            "paragraph_start": float(s.index in self.paragraph_starts),
            "length": min(n_words, 60) / 30.0,
            "short": float(n_words < 8),
            "long": float(n_words > 40),
            "off_highlight_length": abs(n_words - HIGHLIGHT_WORDS) / HIGHLIGHT_WORDS,
            "centrality": cosine(bag, rest),
            "head_word_share": len(own & self.head_words) / max(1, len(own)) if i else 0.0,
            "head_name_recall": (
                len(sentence_names & self.head_names) / max(1, len(self.head_names)) if i else 0.0
            ),
            "name_density": len(sentence_names) / max(1, n_words),
            "quote": float(any(q in text for q in QUOTES[:3])),
            "opens_quote": float(text[:1] in QUOTES),
            "attribution": float(bool(ATTRIBUTION.search(text))),
            "number": float(bool(_DIGIT.search(text))),
            "pronoun_opener": float(first_word in PRONOUN_OPENERS),
            "question": float(text.rstrip(QUOTES + " ").endswith("?")),
            "no_end": float(not text.rstrip(QUOTES + " )").endswith((".", "!", "?"))),
            "colon_end": float(text.rstrip().endswith(":")),
            "lower_start": float(text[:1].islower()),
            "byline": float(bool(_BYLINE.search(text))),
        }

    def redundancy(self, i: int, chosen: Sequence[int]) -> float:
        """Sentence ``i``'s greatest similarity to the sentences ``chosen``."""
        return max((cosine(self.bags[i], self.bags[j]) for j in chosen), default=0.0)


@lru_cache(maxsize=1)
def trained() -> dict[str, object]:
    return dict(json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")))


def weights() -> dict[str, float]:
    table = trained()["weights"]
    assert isinstance(table, dict)
    return {str(k): float(v) for k, v in table.items()}


def settings() -> dict[str, float]:
    stored = trained().get("selection") or {}
    assert isinstance(stored, dict)
    return {**DEFAULTS, **{str(k): float(v) for k, v in stored.items()}}


def score(features: dict[str, float], table: dict[str, float] | None = None) -> float:
    """The logit: bias plus the features' dot product with the weights."""
    table = weights() if table is None else table
    return table.get("bias", 0.0) + sum(table.get(k, 0.0) * v for k, v in features.items())


def select(
    sents: Sequence[Sentence],
    *,
    title: str | None = None,
    table: dict[str, float] | None = None,
    size_of: Callable[[Sentence], int] | None = None,
    **overrides: float,
) -> list[Sentence]:
    """Greedy selection (see the module docstring), in article order.

    ``overrides`` replace the stored ``sentences``, ``words`` (0: no word target),
    ``lead_bonus`` and ``redundancy``; ``size_of`` counts a sentence's words towards the
    target (its words once pruned, say; default: all of them)."""
    if not sents:
        return []
    opts = {**settings(), **overrides}
    article = Article(sents, title)
    logits = [score(article.features(i), table) for i in range(len(sents))]
    wanted = min(len(sents), int(opts["sentences"]) or len(sents))
    chosen: list[int] = []
    size = 0
    while len(chosen) < wanted and not (opts["words"] and size >= opts["words"]):
        pick = max(
            (i for i in range(len(sents)) if i not in chosen),
            key=lambda i: logits[i]
            + opts["lead_bonus"] * (i < 3)
            - opts["redundancy"] * article.redundancy(i, chosen),
        )
        chosen.append(pick)
        size += size_of(sents[pick]) if size_of else len(sents[pick].text.split())
    return [sents[i] for i in sorted(chosen)]


__all__ = ["Article", "score", "select", "settings", "units"]
