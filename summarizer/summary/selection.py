"""Sentence selection: which of an article's sentences make its abstract, learned from references.

Terms:

* **features**: generic numbers about one sentence in its article (position,
  length, centrality, overlap with the lede's names and words, quotes, numbers);
  ``Article.features``.
* **score**: the sentence's logit from the model in ``selection_weights.json``
  (learned by ``scripts/train_selection.py`` from news articles with reference
  summaries; the label is whether a greedy ROUGE-gain oracle picks the sentence): a
  dot product with ``weights``, plus the leaf values of boosted ``trees`` when the
  file holds them (read with plain Python).
* **cased**: whether the article has capitals at all (``segment.caseless``); the
  features that need capitals (names, a lower-case start) are 0 in a lower-cased one.
* **furniture**: a unit that is page structure, not a statement: a heading, a byline,
  a caption or photo credit, a "Read more" or "Click here" line, a publication stamp.
  It is never selected (``furniture``).
* **dateline**: the place-and-agency opening of a lede ("LONDON, England (CNN) --");
  ``units`` starts the lede's unit after it.
* **selection**: greedy: the sentence with the best score, plus ``lead_bonus`` in the
  first three, minus ``redundancy`` times its similarity to those already chosen, is
  added until ``sentences`` are chosen or they reach ``words``; they are returned in
  article order. The four settings are chosen by cross-validation and stored with the
  weights.

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
from ..segment import Sentence, caseless

WEIGHTS_FILE = Path(__file__).with_name("selection_weights.json")
# the selection's settings when the weights file names none (it names those chosen by CV)
DEFAULTS = {"sentences": 3, "words": 0, "lead_bonus": 0.0, "redundancy": 0.0}
HIGHLIGHT_WORDS = 20  # a CNN/DailyMail highlight runs to about this many words
PRONOUN_OPENERS = frozenset(
    "he she it they this that these those his her their its but and so however also".split()
)
ATTRIBUTION_WORDS = ("said", "says", "told", "according to", "announced", "claimed", "added")
ATTRIBUTION = re.compile(r"\b(" + "|".join(ATTRIBUTION_WORDS) + r")\b", re.I)
# straight, curly and Penn-Treebank quotes (`` and '')
QUOTES = "\"“”‘’'`"
_NAME = re.compile(r"\b[A-Z][\w'’-]*[a-z][\w'’-]*")
_DIGIT = re.compile(r"\d")
# Penn-Treebank bracket tokens and agency tags carry no content
_NOISE_WORDS = frozenset("lrb rrb lsb rsb lcb rcb cnn".split())
_WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")

# page structure (case-blind): where a line opens, what marks it as no statement
_BYLINE = re.compile(r"^by\s+\S")
_BYLINE_NOT = frozenset(
    "is was were are be been had has have will would could it they he she we then when that "
    "this time end now far".split()
)
BYLINE_MAX_WORDS = 8
_STAMP = re.compile(r"\b(?:published|updated)\s*:|\|\s*\.?\s*updated\b", re.I)
_STAMP_WORDS = ("published", "updated")  # every match of ``_STAMP`` holds one of them
_NAVIGATION = re.compile(
    r"^[\W_]*(?:read more|click here|scroll down|see more|see also|related(?: articles?)?\s*:|"
    r"watch(?: the)? video|share this|follow us|sign up|subscribe|advertisement|"
    r"more on this|for more\b|video\s*:|photos?\s*:|pictured\s*:|image\s*:|caption\s*:)",
    re.I,
)
_CREDIT = re.compile(
    r"(?:^|[\s(])(?:photo|image|picture|credit|footage)s?\s*(?:by|credit|:)|getty images|"
    r"\b(?:ap|afp|reuters|epa|pa)\s*(?:photo|images)\b",
    re.I,
)
# a caption's label: one to three words and a colon opening a line with no full stop
# ("Flying high: Half of the kite took to the sky")
_LABEL = re.compile(r"^[\w'’-]+(?:\s+[\w'’-]+){0,2}\s*:\s")
HEADING_MAX_WORDS = 10
# a lede's dateline: up to five words of place, an agency tag, a dash ("LONDON, England
# (CNN) --", "(CNN)", "kathmandu , nepal -lrb- cnn -rrb- --", "WASHINGTON --")
_DATELINE = re.compile(
    r"^(?:[^\s().,]+[ ,]+){0,5}?(?:\((?:cnn|ap|afp|reuters)\)|-lrb-\s*(?:cnn|ap|afp|reuters)\s*-rrb-)"
    r"\s*(?:--|—|–)?\s*"
    r"|^(?:[A-Z][A-Z.'-]+[ ,]+){1,4}(?:--|—|–)\s+",
    re.I,
)


def _words(text: str) -> list[str]:
    return _WORDS.findall(text)


# the letters that ``re.IGNORECASE`` matches to an ASCII letter other than its two cases, and
# that ``str.lower`` does not turn into it (the ``re`` docs; the tests check every code point)
ODD_CASES = ("İ", "ı", "ſ", "K")


def may_contain(text: str, needles: Sequence[str]) -> bool:
    """False only when no case-blind (``re.I``) match of any of ``needles`` (lower-case ASCII)
    is in ``text``: a cheap test that spares a case-blind regex whose every match holds one."""
    if not text.isascii() and any(c in text for c in ODD_CASES):
        return True
    lowered = text.lower()
    return any(n in lowered for n in needles)


def furniture(text: str, alone: bool) -> bool:
    """Whether a unit is page structure (module doc), not a statement; ``alone``: it is
    the only unit of its paragraph or line."""
    return _furniture(text.strip(), _words(text), alone)


def _furniture(stripped: str, words: list[str], alone: bool) -> bool:
    # ``furniture`` of a unit stripped, with its words (``_words``) already found
    if not words or _NAVIGATION.match(stripped):
        return True
    if may_contain(stripped, _STAMP_WORDS) and _STAMP.search(stripped):
        return True
    # "By Jane Smith, Political Editor"; not "By then it was too late." (the word count
    # first: it spares lower-casing every long sentence)
    byline = len(words) <= BYLINE_MAX_WORDS and _BYLINE.match(stripped.lower())
    if byline and _BYLINE_NOT.isdisjoint(w.lower() for w in words):
        return True
    end = stripped.rstrip(QUOTES + " )").removesuffix("-rrb-").rstrip(QUOTES + " ")
    full_stop = end.endswith((".", "!"))
    quoted = any(q in stripped for q in ('"', "“", "”", "``", "''", "‘", "’ "))
    if not full_stop and not quoted and (_CREDIT.search(stripped) or _LABEL.match(stripped)):
        return True
    # a heading: a short line of its own without a full stop ("How Do RSUs Work?",
    # "83(b) Elections"); a quoted question or a clause ending in a comma is none
    return (
        alone
        and not full_stop
        and not quoted
        and len(words) <= HEADING_MAX_WORDS
        and not end.endswith((",", ";"))
    )


def furniture_flags(
    sents: Sequence[Sentence], words: Sequence[list[str]] | None = None
) -> list[bool]:
    """``furniture`` for each sentence, a sentence alone in its paragraph told as such;
    ``words``: each sentence's ``_words``, when already found."""
    sizes = Counter(s.paragraph for s in sents)
    found = words if words is not None else [_words(s.text) for s in sents]
    return [_furniture(s.text.strip(), w, sizes[s.paragraph] == 1) for s, w in zip(sents, found)]


def dateline_end(text: str) -> int:
    """Where the lede's dateline ends (0: none)."""
    m = _DATELINE.match(text)
    return m.end() if m and len(text[m.end() :].split()) >= 3 else 0


# a sentence pysbd leaves glued to the next: a caption or a heading without its stop
# ("... retirement income 13% higher than a colleague The cost of divorce ..."); a capitalised
# pronoun or article straight after a lower-case word opens a new sentence in edited prose
_GLUED = re.compile(
    r"(?<=[a-z0-9%])\s+(?=(?:The|He|She|It|They|His|Her|Their|This|These|Those|"
    r"In|But)\s+[a-z])"
)


def units(sents: Sequence[Sentence]) -> list[Sentence]:
    """The sentences selection works on: each segmenter sentence, cut where another is
    glued to it (``_GLUED``), the first without its dateline, each with its own span;
    numbered afresh."""
    out: list[Sentence] = []
    for s in sents:
        cuts = [0] + [m.end() for m in _GLUED.finditer(s.text)] + [len(s.text)]
        if not out and s.index == 0:
            cuts[0] = dateline_end(s.text)
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
    return Counter(w[:5] for w in content_words(text) if w not in _NOISE_WORDS)


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def names(text: str) -> set[str]:
    """Capitalised words not opening the text: a cheap stand-in for named entities."""
    found = {m.group().lower() for m in _NAME.finditer(text) if m.start() > 0}
    return {n[:5] for n in found if n not in PRONOUN_OPENERS}


def _squares(bag: Counter[str]) -> int:
    return sum(v * v for v in bag.values())


class Article:
    """What every sentence's features are measured against: computed once per article.

    Centrality and redundancy are ``cosine`` of counts, worked out from each bag's sum of
    squared counts found once; these are exact integers, so the values equal ``cosine``'s."""

    def __init__(self, sents: Sequence[Sentence], title: str | None = None) -> None:
        self.sents = list(sents)
        self.bags = [stems(s.text) for s in self.sents]
        self.total: Counter[str] = Counter()
        for bag in self.bags:
            self.total.update(bag)
        self.squares = [_squares(bag) for bag in self.bags]
        self.total_squares = _squares(self.total)
        self.words = [_words(s.text) for s in self.sents]
        self.cased = not caseless(" ".join(s.text for s in self.sents[:20]))
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
        self.paragraph_sizes = Counter(s.paragraph for s in self.sents)
        self.paragraph_number = {p: k for k, p in enumerate(dict.fromkeys(self.paragraph_sizes))}
        self.is_furniture = furniture_flags(self.sents, self.words)
        self._similarity: dict[tuple[int, int], float] = {}

    def centrality(self, i: int) -> float:
        """``cosine`` of sentence ``i``'s bag and the rest of the article's
        (``total - bag``), without building the rest."""
        bag = self.bags[i]
        dot = removed = 0
        for word, count in bag.items():
            total = self.total[word]
            left = total - count  # never negative: the total holds this bag
            dot += count * left
            removed += total * total - left * left
        rest_squares = self.total_squares - removed
        if not bag or not rest_squares:  # ``cosine`` of an empty bag
            return 0.0
        return dot / math.sqrt(self.squares[i] * rest_squares)

    def similarity(self, i: int, j: int) -> float:
        """``cosine(self.bags[i], self.bags[j])``, each pair worked out once."""
        key = (i, j) if i < j else (j, i)
        found = self._similarity.get(key)
        if found is None:
            a, b = self.bags[i], self.bags[j]
            if not a or not b:
                found = 0.0
            else:
                if len(b) < len(a):  # the dot product walks the smaller bag
                    a, b = b, a
                dot = sum(v * b[k] for k, v in a.items() if k in b)
                found = dot / math.sqrt(self.squares[i] * self.squares[j])
            self._similarity[key] = found
        return found

    def features(self, i: int) -> dict[str, float]:
        """Sentence ``i``'s features."""
        s, bag, n = self.sents[i], self.bags[i], len(self.sents)
        text = s.text
        words = self.words[i]
        n_words = len(words)
        first_word = words[0].lower() if words else ""
        shared_head_words = len(bag.keys() & self.head_words) if i else 0
        sentence_names = names(text) if self.cased else set()
        head_names = self.head_names if self.cased else set()
        end = text.rstrip(QUOTES + " )").removesuffix("-rrb-").rstrip(QUOTES + " ")
        return {
            "first": float(i == 0),
            "second": float(i == 1),
            "third": float(i == 2),
            "lead_three": float(i < 3),
            "lead_five": float(i < 5),
            "inverse_position": 1.0 / (i + 1),
            "relative_position": i / max(1, n - 1),
            "position": min(i, 40) / 40,
            "units": min(n, 100) / 100,
            "paragraph_start": float(s.index in self.paragraph_starts),
            "paragraph_number": min(self.paragraph_number[s.paragraph], 20) / 20,
            "alone": float(self.paragraph_sizes[s.paragraph] == 1),
            "length": min(n_words, 60) / 30.0,
            "short": float(n_words < 8),
            "long": float(n_words > 40),
            "off_highlight_length": abs(n_words - HIGHLIGHT_WORDS) / HIGHLIGHT_WORDS,
            "centrality": self.centrality(i),
            "head_word_share": shared_head_words / max(1, len(bag)) if i else 0.0,
            "head_word_recall": (shared_head_words / max(1, len(self.head_words)) if i else 0.0),
            "head_name_recall": (
                len(sentence_names & head_names) / max(1, len(head_names)) if i else 0.0
            ),
            "name_density": len(sentence_names) / max(1, n_words),
            "quote": float(any(q in text for q in ('"', "“", "”", "``", "''"))),
            "opens_quote": float(text[:1] in QUOTES),
            "attribution": float(
                may_contain(text, ATTRIBUTION_WORDS) and ATTRIBUTION.search(text) is not None
            ),
            "number": float(bool(_DIGIT.search(text))),
            "pronoun_opener": float(first_word in PRONOUN_OPENERS),
            "question": float(end.endswith("?")),
            "no_end": float(not end.endswith((".", "!", "?"))),
            "colon_end": float(end.endswith(":")),
            "lower_start": float(self.cased and text[:1].islower()),
            "furniture": float(self.is_furniture[i]),
            "cased": float(self.cased),
        }

    def redundancy(self, i: int, chosen: Sequence[int]) -> float:
        """Sentence ``i``'s greatest similarity to the sentences ``chosen``."""
        return max((self.similarity(i, j) for j in chosen), default=0.0)


@lru_cache(maxsize=1)
def trained() -> dict[str, object]:
    return dict(json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")))


def weights() -> dict[str, float]:
    table = trained()["weights"]
    assert isinstance(table, dict)
    return {str(k): float(v) for k, v in table.items()}


def trees() -> list[list[list[float]]]:
    """The boosted trees, if any: each a list of nodes ``[feature, threshold, left, right,
    value]``; feature -1 marks a leaf (its value is added to the logit)."""
    found = trained().get("trees") or []
    assert isinstance(found, list)
    return found


def tree_features() -> list[str]:
    names = trained().get("tree_features") or []
    assert isinstance(names, list)
    return [str(n) for n in names]


def settings() -> dict[str, float]:
    stored = trained().get("selection") or {}
    assert isinstance(stored, dict)
    return {**DEFAULTS, **{str(k): float(v) for k, v in stored.items()}}


def tree_value(nodes: Sequence[Sequence[float]], row: Sequence[float]) -> float:
    """A tree's leaf value for a row of features (module doc: ``trees``)."""
    node = nodes[0]
    while node[0] >= 0:
        node = nodes[int(node[2] if row[int(node[0])] <= node[1] else node[3])]
    return node[4]


def score(
    features: dict[str, float],
    table: dict[str, float] | None = None,
    forest: Sequence[Sequence[Sequence[float]]] | None = None,
    forest_features: Sequence[str] | None = None,
) -> float:
    """The logit: bias plus the features' dot product with the weights, plus the trees'
    leaf values when there are trees."""
    if table is None:
        table, forest, forest_features = weights(), trees(), tree_features()
    logit = table.get("bias", 0.0) + sum(table.get(k, 0.0) * v for k, v in features.items())
    if forest:
        row = [features[name] for name in forest_features or ()]
        logit += sum(tree_value(t, row) for t in forest)
    return logit


def choose(
    logits: Sequence[float],
    sizes: Sequence[int],
    similarity: Callable[[int, Sequence[int]], float],
    opts: dict[str, float],
    allowed: Sequence[bool] | None = None,
) -> list[int]:
    """The greedy choice of the module doc over precomputed logits and sizes (words);
    indices in article order. ``allowed``: units that may be chosen (all by default)."""
    pool = [i for i in range(len(logits)) if allowed is None or allowed[i]]
    wanted = min(len(pool), int(opts["sentences"]) or len(pool))
    chosen: list[int] = []
    size = 0
    while len(chosen) < wanted and not (opts["words"] and size >= opts["words"]):
        pick = max(
            (i for i in pool if i not in chosen),
            key=lambda i: logits[i]
            + opts["lead_bonus"] * (i < 3)
            - (opts["redundancy"] * similarity(i, chosen) if opts["redundancy"] else 0.0),
        )
        chosen.append(pick)
        size += sizes[pick]
    return sorted(chosen)


def select(
    sents: Sequence[Sentence],
    *,
    title: str | None = None,
    table: dict[str, float] | None = None,
    size_of: Callable[[Sentence], int] | None = None,
    **overrides: float,
) -> list[Sentence]:
    """Greedy selection (see the module doc) of units that are no furniture, in article
    order (all units when every one is furniture).

    ``table`` replaces the shipped model by a linear one; ``overrides`` replace the stored
    ``sentences``, ``words`` (0: no word target), ``lead_bonus`` and ``redundancy``;
    ``size_of`` counts a sentence's words towards the target (default: all of them)."""
    if not sents:
        return []
    opts = {**settings(), **overrides}
    article = Article(sents, title)
    # the shipped model read once, not once per sentence; a given table is linear alone
    forest, forest_features = (trees(), tree_features()) if table is None else (None, None)
    table = weights() if table is None else table
    logits = [score(article.features(i), table, forest, forest_features) for i in range(len(sents))]
    sizes = [size_of(s) if size_of else len(s.text.split()) for s in sents]
    allowed = [not f for f in article.is_furniture]
    picked = choose(logits, sizes, article.redundancy, opts, allowed if any(allowed) else None)
    return [sents[i] for i in picked]


__all__ = [
    "Article",
    "choose",
    "furniture",
    "furniture_flags",
    "score",
    "select",
    "settings",
    "units",
]
