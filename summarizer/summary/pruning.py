"""Phrase pruning: the asides a sentence can lose and still say what it said. Code only,
no model: it deletes whole phrases, never rewrites.

Terms:

* **phrase**: a removable part of a sentence, found by punctuation and a few cue words
  (``phrases``): a dateline ("WASHINGTON (CNN) --"), a parenthesis, a dash-set aside, a
  comma-set relative clause, a name's apposition ("Ana Ruiz, a baker from Leeds,"), a
  trailing comma phrase that opens as an addition (", flooding ...", ", which ..."), a
  leading adverbial clause ("After the vote, ..."). Never offered: a phrase holding a
  quotation mark or an attribution ("said", "according to": who said a thing stays with
  the claim); a leading "if"/"unless" clause (the claim would become unconditional); an
  aside a following relative clause leans on ("X, near Y, where ..."); a leading clause
  before another aside.
* **shorten**: delete phrases, the longest first and never two that overlap, until the
  sentence fits a word limit; it keeps its capital and its stop.

* **phrase logit**: a linear score of a phrase's features (``phrase_features``: kind,
  size, place, names, numbers, overlap with the lede, centrality) with the weights of
  ``pruning_weights.json``, learned by ``scripts/train_pruning.py`` from news articles with
  reference summaries (label: deleting the phrase alone raises the abstract's ROUGE).
* **pruned abstract** (``abstract``): the selection (``selection.select``), its word target
  counting each unit's words after pruning, each chosen unit without the phrases whose logit
  exceeds ``threshold`` (the length chosen to the reference style: with asides gone, the
  target holds more facts).

``shorten`` is used where a sentence would otherwise be clipped mid-clause: a long lede as
the gist, a long sentence as a key point.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..segment import Sentence
from .selection import ATTRIBUTION, Article, cosine, names, select, settings, stems

KINDS = (
    "dateline",
    "parenthesis",
    "dash",
    "relative",
    "apposition",
    "trailing_participle",
    "trailing_relative",
    "trailing",
    "leading",
)
LONGEST = 25  # words: a longer "aside" is most of the sentence
_QUOTE = re.compile('["“”]')
# a dateline names its agency in brackets or its place in capitals; "Abase Hussen – who ..."
# is a name and a dash aside, not a dateline
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Za-z.'-]*[ ,]+){0,5}\([^()]{1,30}\)\s*(?:--|—|–)\s+"
    r"|^(?:[A-Z][A-Z.'-]+[ ,]+){1,5}(?:--|—|–)\s+"
)
_PARENTHESIS = re.compile(r"\s*\([^()]{1,120}\)")
_DASH = re.compile(r"\s+(?:--|—|–)\s+[^-—–]{3,160}?\s+(?:--|—|–)(?=\s)")
_INNER = re.compile(r"(?=(,\s+[^,;:]{2,160}?,)\s)")  # a lookahead: pairs may share a comma
_TRAILING = re.compile(r",\s+[^,;:]{2,200}?(?=[.!?]?\s*$)")
_LEADING = re.compile(r"^[^,;:]{2,120}?,\s+")
RELATIVE = frozenset("who whom whose which where when".split())
SUBORDINATE = frozenset(
    "after before when while since as although though despite during "
    "following in on at earlier later last speaking once with amid "
    "until by".split()
)
DETERMINERS = frozenset("a an the his her their its".split())
TRAILING_OPENERS = frozenset("including and but as with prompting leaving making".split())
CONDITIONAL = frozenset("if unless".split())


@dataclass(frozen=True)
class Phrase:
    start: int  # offsets into the sentence text
    end: int
    kind: str


def _first(text: str) -> str:
    parts = text.strip(" ,-—–(").split()
    return parts[0].lower() if parts else ""


def phrases(text: str) -> list[Phrase]:
    """The removable phrases of one sentence (see the module docstring)."""
    found: list[Phrase] = []
    m = _DATELINE.match(text)
    if m and m.end() < len(text) // 2:
        found.append(Phrase(0, m.end(), "dateline"))
    found += [Phrase(m.start(), m.end(), "parenthesis") for m in _PARENTHESIS.finditer(text)]
    found += [Phrase(m.start(), m.end(), "dash") for m in _DASH.finditer(text)]
    for m in _INNER.finditer(text):
        start, end = m.span(1)
        before, first = text[:start].split(), _first(m.group(1))
        if _first(text[end:]) in RELATIVE:
            continue  # "X, near Y, where ...": what follows speaks of the aside's last words
        if first in RELATIVE:
            found.append(Phrase(start, end, "relative"))
        elif (
            len(before) > 1
            and before[-1][:1].isupper()
            and (first in DETERMINERS or first[:1].isdigit())
        ):
            found.append(Phrase(start, end, "apposition"))  # after a name: "Ana Ruiz, a baker,"
    m = _TRAILING.search(text)
    first = _first(m.group()) if m else ""
    # only what opens as an addition: after an aside's closing comma comes the main verb
    kind = (
        "trailing_relative"
        if first in RELATIVE
        else "trailing_participle"
        if first.endswith("ing") and len(first) > 4
        else "trailing"
        if first in SUBORDINATE | TRAILING_OPENERS
        else ""
    )
    if m and kind:
        found.append(Phrase(m.start(), m.end(), kind))
    m = _LEADING.match(text)
    after = text[m.end() :].split(",")[0].split() if m else []
    # not when another aside follows it ("Since X, now approaching Y, both sides ..."): the
    # sentence would open on that aside
    if m and _first(m.group()) in SUBORDINATE and len(after) >= 6:
        found.append(Phrase(0, m.end(), "leading"))
    return [p for p in found if _offered(text, p)]


def _offered(text: str, p: Phrase) -> bool:
    piece = text[p.start : p.end]
    n = len(piece.split())
    return (
        0 < n <= LONGEST
        and n < len(text.split()) - 3
        and not _QUOTE.search(piece)
        and not ATTRIBUTION.search(piece)
        and _first(piece) not in CONDITIONAL
    )


def _delete(text: str, spans: list[Phrase]) -> str:
    out = text
    for p in sorted(spans, key=lambda p: p.start, reverse=True):
        head, tail = out[: p.start], out[p.end :]
        out = (
            head.rstrip()
            + ("" if not head.strip() or tail[:1] in ".,!?;:" else " ")
            + tail.lstrip()
        )
    out = re.sub(r"\s+([.,!?;:])", r"\1", out).strip()
    if out[:1].islower():
        out = out[0].upper() + out[1:]
    if text.rstrip()[-1:] in ".!?" and out[-1:] not in ".!?\"”’'":
        out += text.rstrip()[-1]
    return out


def _clear_of(p: Phrase, kept: list[Phrase]) -> bool:
    return all(p.end <= q.start or p.start >= q.end for q in kept)


def disjoint(chosen: list[Phrase]) -> list[Phrase]:
    """The longest first, then each that overlaps none already kept."""
    kept: list[Phrase] = []
    for p in sorted(chosen, key=lambda p: p.start - p.end):
        if _clear_of(p, kept):
            kept.append(p)
    return kept


def without(text: str, chosen: list[Phrase]) -> str:
    """``text`` with the (non-overlapping part of the) ``chosen`` phrases deleted."""
    return _delete(text, disjoint(chosen)) if chosen else text


def shorten(text: str, limit: int) -> str:
    """``text`` with its asides deleted, the longest first, until it has at most ``limit``
    words (or none is left to delete); as it is when already that short."""
    chosen: list[Phrase] = []
    shorter = text
    for p in sorted(phrases(text), key=lambda p: p.start - p.end):
        if len(shorter.split()) <= limit:
            break
        if _clear_of(p, chosen):
            chosen.append(p)
            shorter = without(text, chosen)
    return shorter


WEIGHTS_FILE = Path(__file__).with_name("pruning_weights.json")
NEVER = 99.0  # a threshold no logit reaches: prune nothing


def phrase_features(
    text: str,
    p: Phrase,
    *,
    lede_words: set[str],
    article: Counter[str],
    first_unit: bool,
    cased: bool,
) -> dict[str, float]:
    """Phrase ``p``'s features in its unit ``text``: kind, size, place, names (0 in a
    lower-cased article), numbers, overlap with the lede, centrality in the article."""
    piece = text[p.start : p.end]
    n, total = len(piece.split()), max(1, len(text.split()))
    bag = stems(piece)
    row = {f"kind_{k}": float(p.kind == k) for k in KINDS}
    row.update(
        {
            "words": min(n, LONGEST) / 10.0,
            "share": n / total,
            "sentence_words": min(total, 60) / 30.0,
            "at_start": float(p.start == 0),
            "at_end": float(p.end >= len(text.rstrip(" .!?"))),
            "digit": float(bool(re.search(r"\d", piece))),
            "names": min(len(names(" " + piece)), 4) / 2.0 if cased else 0.0,
            "lede_word_share": len(set(bag) & lede_words) / max(1, len(bag)),
            "centrality": cosine(bag, article),
            "first_unit": float(first_unit),
        }
    )
    return row


@lru_cache(maxsize=1)
def trained() -> dict[str, object]:
    """The learned phrase weights and settings; none (prune nothing) without the file."""
    if not WEIGHTS_FILE.exists():
        return {}
    return dict(json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")))


class Pruner:
    """One article's context for phrase logits (module doc), and the deletion they choose."""

    def __init__(
        self,
        article: Article,
        table: dict[str, float] | None = None,
        threshold: float | None = None,
    ) -> None:
        stored = trained()
        weights = stored.get("weights") or {}
        assert isinstance(weights, dict)
        self.table = table if table is not None else {str(k): float(v) for k, v in weights.items()}
        found = stored.get("threshold", NEVER) if threshold is None else threshold
        assert isinstance(found, (int, float))
        self.threshold = float(found)
        head = article.sents[0].text if article.sents else ""
        self.lede_words = set(article.head_words) | set(stems(head))
        self.article = article.total
        self.cased = article.cased

    def scored(self, text: str, first_unit: bool) -> list[tuple[Phrase, float]]:
        """Each offered phrase of ``text`` with its logit."""
        out = []
        for p in phrases(text):
            row = phrase_features(
                text,
                p,
                lede_words=self.lede_words,
                article=self.article,
                first_unit=first_unit,
                cased=self.cased,
            )
            logit = self.table.get("bias", 0.0) + sum(
                self.table.get(k, 0.0) * v for k, v in row.items()
            )
            out.append((p, logit))
        return out

    def prune(self, text: str, first_unit: bool) -> str:
        """``text`` without its phrases whose logit exceeds the threshold."""
        if self.threshold >= NEVER:
            return text
        return without(
            text, [p for p, logit in self.scored(text, first_unit) if logit > self.threshold]
        )


def abstract(
    sents: Sequence[Sentence],
    title: str | None = None,
    *,
    table: dict[str, float] | None = None,
    threshold: float | None = None,
    **overrides: float,
) -> list[str]:
    """The pruned abstract (module doc): the chosen units' texts, pruned, in article order.
    The selection's word target and sentence cap are those stored with the phrase weights
    (chosen with the threshold), else the selection's own; ``table``, ``threshold`` and
    ``overrides`` (``select``'s) replace the stored ones."""
    if not sents:
        return []
    pruner = Pruner(Article(sents, title), table, threshold)
    stored = trained().get("selection") or {} if pruner.threshold < NEVER else {}
    assert isinstance(stored, dict)
    opts = {**settings(), **{str(k): float(v) for k, v in stored.items()}, **overrides}
    first = sents[0].index
    texts = {s.index: pruner.prune(s.text, s.index == first) for s in sents}
    chosen = select(
        sents,
        title=title,
        size_of=lambda s: len(texts[s.index].split()),
        sentences=opts["sentences"],
        words=opts["words"],
        lead_bonus=opts["lead_bonus"],
        redundancy=opts["redundancy"],
    )
    return [texts[s.index] for s in chosen]


__all__ = ["Phrase", "Pruner", "abstract", "phrase_features", "phrases", "shorten", "without"]
