"""Grounding: locating quotes in the source and checking answers against their evidence.

A quote is located in three steps, stopping at the first that succeeds:
``exact`` (the quote occurs verbatim), ``normalised`` (it occurs once quotes,
dashes, whitespace and case are folded), ``fuzzy`` (rapidfuzz's best partial
alignment scores at least ``FUZZY_THRESHOLD``). Spans are always offsets into
the original string: normalisation keeps a map from each folded character
back to where it came from, so accents, Cyrillic, CJK, emoji and ``\\r\\n``
do not shift them.

It also keeps the word lists several modules recognise, once, so they cannot drift apart:
``STOPWORDS``, and ``REPORTING_VERBS``, words that attribute what a sentence says to a
source ("said", "told", "according to", "denied") in every form a news sentence uses
(past, present, base, the adverb "reportedly"), since no stemmer runs. ``NOUN_FORMS`` are
those that are also common nouns ("reports of ...", "claims from ..."): a check that must
not take a noun for a verb leaves them out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from .schemas import Evidence, Span

FUZZY_THRESHOLD = 90.0

_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)


@dataclass(frozen=True)
class Folded:
    """A folded copy of a text and, for each of its characters, the original offset."""

    text: str
    origin: list[int]

    @classmethod
    def of(cls, text: str) -> Folded:
        chars: list[str] = []
        origin: list[int] = []
        previous_space = True  # also drops leading whitespace
        for i, ch in enumerate(text):
            ch = ch.translate(_FOLD)
            if ch.isspace():
                if previous_space:
                    continue
                ch, previous_space = " ", True
            else:
                previous_space = False
                lower = ch.lower()
                ch = lower if len(lower) == 1 else ch  # keep one char per char
            chars.append(ch)
            origin.append(i)
        while chars and chars[-1] == " ":
            chars.pop()
            origin.pop()
        return cls("".join(chars), origin)

    def span(self, start: int, end: int) -> Span:
        """Original-text span for folded ``[start, end)``."""
        return Span(start=self.origin[start], end=self.origin[end - 1] + 1)


def locate(
    quote: str, text: str, *, folded: Folded | None = None, threshold: float = FUZZY_THRESHOLD
) -> Evidence | None:
    """Find ``quote`` in ``text``; None when no alignment reaches ``threshold``."""
    quote = quote.strip()
    if not quote:
        return None
    at = text.find(quote)
    if at >= 0:
        return Evidence(
            quote=quote, span=Span(start=at, end=at + len(quote)), match="exact", score=100.0
        )
    folded = folded or Folded.of(text)
    needle = Folded.of(quote).text
    if not needle:
        return None
    at = folded.text.find(needle)
    if at >= 0:
        span = folded.span(at, at + len(needle))
        return Evidence(
            quote=text[span.start : span.end], span=span, match="normalised", score=100.0
        )
    alignment = fuzz.partial_ratio_alignment(needle, folded.text)
    if (
        alignment is None
        or alignment.score < threshold
        or alignment.dest_end <= alignment.dest_start
    ):
        return None
    span = folded.span(alignment.dest_start, alignment.dest_end)
    return Evidence(
        quote=text[span.start : span.end], span=span, match="fuzzy", score=round(alignment.score, 1)
    )


_WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(
    """
a an the and or but of in on at to for from by with as is are was were be been being has have had
that this these those it its it's their his her he she they them we our you your i not no than then
into over after before about said says will would could should may might can do does did also
who whom which what when where while there here s t up out
""".split()
)


def content_words(text: str) -> set[str]:
    """Lower-cased words that carry meaning (stopwords and 1-letter tokens removed)."""
    return {w for w in map(str.lower, _WORD.findall(text)) if len(w) > 1 and w not in STOPWORDS}


@lru_cache(maxsize=64)
def _vocabulary(evidence: str) -> tuple[frozenset[str], frozenset[str]]:
    # found once per evidence: a long report's key points are each checked against all of it
    words = frozenset(content_words(evidence))
    return words, frozenset(w[:5] for w in words)


def unsupported_words(claim: str, evidence: str) -> set[str]:
    """Content words of ``claim`` that its evidence does not contain (prefix-tolerant: 'talks'~'talk')."""
    source, stems = _vocabulary(evidence)
    return {w for w in content_words(claim) if w not in source and w[:5] not in stems}


def found_in(phrase: str, evidence: str) -> bool:
    """Whether ``phrase`` occurs in ``evidence``, ignoring case, quotes and spacing."""
    needle = Folded.of(phrase).text
    return bool(needle) and needle in Folded.of(evidence).text


def support_spans(
    claim: str, sentences: list[tuple[Span, str]], *, limit: int = 2, min_overlap: float = 0.3
) -> list[Span]:
    """Spans of the sentences that best support ``claim`` (by shared content words)."""
    words = content_words(claim)
    if not words:
        return []
    scored = []
    for span, sentence in sentences:
        shared = len(words - unsupported_words(" ".join(words), sentence))
        scored.append((shared / len(words), span))
    scored.sort(key=lambda pair: (-pair[0], pair[1].start))
    return [span for score, span in scored[:limit] if score >= min_overlap]


# --- shared word lists ------------------------------------------------------------------

REPORTING_VERBS = frozenset(
    """
    said says say saying told tells tell announced announces announce
    claimed claims claim alleged alleges allege reported reports reportedly insisted insists
    insist stated states warned warns accused accuses accuse believes believed suggested
    suggests added adds argued argues argue denied denies vowed vows urged urges confirmed confirms
    quoted disclosed revealed noted explained wrote declared described describes describe
    """.split()
) | {"according to"}
NOUN_FORMS = frozenset({"claims", "claim", "reports", "states"})


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of words (longest first, so "says" wins over "say"), spaces loose."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in ordered)


def reporting_pattern(*, nouns: bool = True) -> str:
    """``\\b(?:said|says|...)\\b`` over the reporting verbs, without the noun forms if asked."""
    words = REPORTING_VERBS if nouns else REPORTING_VERBS - NOUN_FORMS
    return r"\b(?:" + alternation(words) + r")\b"


REPORTING = re.compile(reporting_pattern(), re.IGNORECASE)
