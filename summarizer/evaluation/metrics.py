"""Evaluation metrics and baselines: pure functions over the tool's output and references.

Terms:

* **tokens**: lower-cased runs of letters and digits (``\\w+``); **content
  tokens** are tokens minus a short English stop-word list.
* **token F1**: F1 of two token *sets* (precision = shared / predicted,
  recall = shared / reference); 1.0 when both are empty.
* **agrees at the reference granularity**: a predicted date value read at the
  reference's granularity equals the reference value (predicted ``2008-03-06``
  against reference ``2008-03``, month granularity, agrees; predicted
  ``2008-03`` against reference ``2008-03-06`` does not: it says less).
* **covers**: a predicted event covers a reference event when its evidence span
  contains the reference trigger span, or, for a reference without a trigger
  span, overlaps the reference sentence span.
* **match**: a pair from the one-to-one optimal assignment of predicted to
  reference events (``match_events``) whose similarity reaches ``MIN_SIMILARITY``.

Functions that average over an empty set return ``nan`` so a report can tell
"nothing to score" from zero; set-level numbers should be micro-averaged from
the ``*_counts`` helpers rather than averaging per-document ratios.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from rouge_score import rouge_scorer
from scipy.optimize import linear_sum_assignment

from ..schemas import Event, EventDate, Evidence, Span
from .references import Reference, ReferenceEvent, granularity_of

# --- similarity weights for match_events (sum to 1) -------------------------------------
# Where the evidence sits is the strongest signal: the tool must quote the source.
SPAN_WEIGHT = 0.5
# What happened: content-token F1 of descriptions (reference description + trigger).
DESCRIPTION_WEIGHT = 0.3
# When: date agreement at the reference granularity (neutral 0.5 for undated references).
DATE_WEIGHT = 0.2
# Below this a pair is not a match. A predicted event whose evidence contains the
# reference trigger (0.5) clears it alone; one that only shares the sentence (0.25)
# also needs some description or date agreement.
MIN_SIMILARITY = 0.4
# Key-point coverage: a reference point is covered when some predicted point recalls
# at least half of its (stemmed) unigrams; paraphrases of a short point share ~half.
KEY_POINT_THRESHOLD = 0.5
# Grounding: a normalised/fuzzy evidence match at or above this alignment score counts.
GROUNDING_THRESHOLD = 90.0

_STOP = frozenset(
    "a an the and or but of to in on at for from by with as is are was were be been being "
    "has have had do does did it its this that these those he she they them his her their "
    "will would can could should may might not no than then there which who whom what when "
    "where while also into over after before about said says".split()
)
_ABBREVIATIONS = frozenset(
    "u.s mr mrs ms dr st no inc ltd co corp jr sr gen gov sen rep prof vs jan feb mar apr "
    "aug sept sep oct nov dec e.g i.e".split()
)


# ---------------------------------------------------------------- text helpers


_WORD = re.compile(r"\w+")
_WORD_BEFORE_END = re.compile(r"[\w.]*$")
_INITIAL = re.compile(r"[a-z]")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return _WORD.findall(text.lower())


def content_tokens(text: str) -> set[str]:
    """Tokens minus stop words, as a set."""
    return {t for t in tokens(text) if t not in _STOP}


def token_f1(predicted: set[str], reference: set[str]) -> float:
    """F1 of two token sets; 1.0 when both are empty, 0.0 when only one is."""
    if not predicted and not reference:
        return 1.0
    shared = len(predicted & reference)
    if shared == 0:
        return 0.0
    precision, recall = shared / len(predicted), shared / len(reference)
    return 2 * precision * recall / (precision + recall)


_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+|\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` spans of the sentences of ``text`` (whitespace trimmed).

    Splits at newlines and after ``.``/``!``/``?`` (plus closing quotes or
    brackets) followed by whitespace, except after common abbreviations
    (``U.S.``, ``Inc.``, ``Mr.``...) and single initials.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if text[m.start()] == "." and _is_abbreviation(text, m.start()):
            continue
        _add_span(text, start, m.start() + len(m.group().rstrip()), spans)
        start = m.end()
    _add_span(text, start, len(text), spans)
    return spans


def _is_abbreviation(text: str, dot: int) -> bool:
    word = _WORD_BEFORE_END.search(text[:dot])
    before = word.group().lower() if word else ""
    return before in _ABBREVIATIONS or bool(_INITIAL.fullmatch(before))


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    if right > left:
        spans.append((start + left, start + right))


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


# ---------------------------------------------------------------- summaries


@lru_cache(maxsize=1)
def _scorer() -> rouge_scorer.RougeScorer:
    return rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)


def rouge(prediction: str, reference: str) -> dict[str, float]:
    """ROUGE-1, ROUGE-2 and ROUGE-Lsum F1 (Google ``rouge-score``, Porter stemmer).

    ROUGE-Lsum computes a summary-level LCS over sentences, which it reads
    from newlines, so both texts are re-split one sentence per line first.
    """
    scores = _scorer().score("\n".join(sentences(reference)), "\n".join(sentences(prediction)))
    return {name: score.fmeasure for name, score in scores.items()}


def lead_n(text: str, n: int = 3) -> str:
    """The lead-n baseline summary: the first ``n`` sentences of the text."""
    return " ".join(sentences(text)[:n])


def key_point_coverage(
    predicted: Sequence[str], reference: Sequence[str], threshold: float = KEY_POINT_THRESHOLD
) -> float:
    """Share of reference key points covered by some predicted point.

    A reference point is covered when the best predicted point's ROUGE-1
    *recall* against it (stemmed unigrams of the reference point found in the
    predicted point) is at least ``threshold``. ``nan`` without reference points.
    """
    if not reference:
        return math.nan
    covered = sum(
        1
        for ref in reference
        if any(_scorer().score(ref, pred)["rouge1"].recall >= threshold for pred in predicted)
    )
    return covered / len(reference)


def cited_word_share(points: Sequence[tuple[str, Sequence[Span]]], text: str) -> float:
    """Share of the words of summary lines found in the sentences each line cites.

    ``points`` are (line, the spans it cites); a line citing nothing finds none of its
    words. Words are ``tokens``, counted over all lines (micro); ``nan`` without words.
    """
    found = total = 0
    for line, spans in points:
        words = tokens(line)
        cited = set(tokens(" ".join(text[s.start : s.end] for s in spans)))
        total += len(words)
        found += sum(w in cited for w in words)
    return found / total if total else math.nan


# ---------------------------------------------------------------- dates


def predicted_value(date: EventDate) -> str | None:
    """The predicted date's TIMEX3 value; a one-day ``start == end`` range stands in for it."""
    if date.value:
        return date.value
    if date.start is not None and date.start == date.end:
        return date.start.isoformat()
    return None


def date_at_granularity(value: str, granularity: str) -> str | None:
    """``value`` re-expressed at ``granularity``, or ``None`` if it is too coarse for it.

    ``2008-03-06`` at month is ``2008-03``; at week ``2008-W10``; at quarter
    ``2008-Q1``; ``2008-03`` at day is ``None`` (it does not name a day).
    """
    own = granularity_of(value)
    if own is None:
        return None
    if own == granularity:
        return value
    day = dt.date.fromisoformat(value) if own == "day" else None
    month = int(value[5:7]) if own in {"day", "month"} else None
    return _convert(value, granularity, day, month)


def _convert(value: str, granularity: str, day: dt.date | None, month: int | None) -> str | None:
    year = value[:4]
    if granularity == "year" and len(value) >= 4 and value[:4].isdigit():
        return year
    if granularity == "decade" and len(value) >= 3:
        return value[:3]
    if granularity == "century" and len(value) >= 2:
        return value[:2]
    if granularity == "month" and month is not None:
        return value[:7]
    if granularity == "week" and day is not None:
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if granularity == "quarter" and month is not None:
        return f"{year}-Q{(month - 1) // 3 + 1}"
    if granularity == "half" and month is not None:
        return f"{year}-H{1 if month <= 6 else 2}"
    if granularity == "season" and month is not None:
        return f"{year}-{_SEASONS[month]}"
    return None


# Northern-hemisphere meteorological seasons; December counts as that year's winter.
_SEASONS = {
    12: "WI",
    1: "WI",
    2: "WI",
    3: "SP",
    4: "SP",
    5: "SP",
    6: "SU",
    7: "SU",
    8: "SU",
    9: "FA",
    10: "FA",
    11: "FA",
}


def date_agrees(predicted: str | None, reference: ReferenceEvent) -> bool:
    """Whether a predicted value is right at the reference event's granularity."""
    if predicted is None or reference.date_value is None or reference.granularity is None:
        return False
    return date_at_granularity(predicted, reference.granularity) == reference.date_value


# ---------------------------------------------------------------- event matching


def evidence_span(event: Event, text: str) -> tuple[int, int]:
    """The predicted evidence span; re-located by its quote when the span does not slice to it."""
    span = event.evidence.span
    if text[span.start : span.end] == event.evidence.quote:
        return span.start, span.end
    found = text.find(event.evidence.quote) if event.evidence.quote else -1
    return (found, found + len(event.evidence.quote)) if found >= 0 else (span.start, span.end)


def covers(span: tuple[int, int], reference: ReferenceEvent) -> bool:
    """Whether an evidence span covers a reference event (see module docstring)."""
    if reference.trigger_span is not None:
        return span[0] <= reference.trigger_span[0] and reference.trigger_span[1] <= span[1]
    return _overlap(span, reference.span) > 0


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def span_similarity(span: tuple[int, int], reference: ReferenceEvent) -> float:
    """1.0 when the evidence covers the reference; else half the overlap coefficient
    (overlap / shorter length) with the reference sentence; 0.0 when disjoint.
    """
    if covers(span, reference):
        return 1.0
    shortest = min(span[1] - span[0], reference.span[1] - reference.span[0])
    if shortest <= 0:
        return 0.0
    ratio = _overlap(span, reference.span) / shortest
    return ratio if reference.trigger_span is None else 0.5 * ratio


def event_similarity(predicted: Event, reference: ReferenceEvent, text: str) -> float:
    """Weighted similarity in [0, 1]; 0.0 whenever the evidence misses the reference sentence."""
    span_sim = span_similarity(evidence_span(predicted, text), reference)
    if span_sim == 0.0:
        return 0.0  # an event quoted from elsewhere is another mention, whatever it says
    ref_words = content_tokens(f"{reference.description} {reference.trigger or ''}")
    desc_sim = token_f1(content_tokens(predicted.description), ref_words)
    date_sim = (
        0.5
        if reference.date_value is None
        else float(date_agrees(predicted_value(predicted.date), reference))
    )
    return SPAN_WEIGHT * span_sim + DESCRIPTION_WEIGHT * desc_sim + DATE_WEIGHT * date_sim


def similarity_matrix(
    predicted: Sequence[Event], reference: Sequence[ReferenceEvent], text: str
) -> np.ndarray:
    matrix = np.zeros((len(predicted), len(reference)))
    for i, p in enumerate(predicted):
        for j, r in enumerate(reference):
            matrix[i, j] = event_similarity(p, r, text)
    return matrix


def match_events(
    predicted: Sequence[Event],
    reference: Sequence[ReferenceEvent],
    text: str,
    min_similarity: float = MIN_SIMILARITY,
) -> list[tuple[int, int, float]]:
    """One-to-one matching maximising total similarity: ``(pred index, ref index, similarity)``.

    Optimal (Hungarian, ``scipy.optimize.linear_sum_assignment``), not greedy:
    a predicted event that fits two references takes the one that leaves the
    other for a second prediction. Pairs below ``min_similarity`` are dropped.
    """
    if not predicted or not reference:
        return []
    matrix = similarity_matrix(predicted, reference, text)
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    pairs = [(int(i), int(j), float(matrix[i, j])) for i, j in zip(rows, cols, strict=True)]
    return sorted(p for p in pairs if p[2] >= min_similarity)


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else math.nan


def _f1(precision: float, recall: float) -> float:
    if math.isnan(precision) or math.isnan(recall):
        return math.nan
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def event_scores(
    predicted: Sequence[Event], reference: Sequence[ReferenceEvent], text: str
) -> dict[str, float]:
    """Event precision/recall/F1 and, over matched pairs, date, actor and location scores.

    * ``date_exact``: matched pairs with a dated reference whose predicted value
      equals the reference value; ``date_granularity``: agrees at the reference
      granularity (see ``date_agrees``).
    * ``actor_f1``: mean token F1 of all actor tokens (case-insensitive) over
      matched pairs where either side names an actor; ``location_f1`` likewise
      for locations. Pairs where both sides are empty are skipped, so agreeing
      on absence does not inflate the score.
    * ``matched``/``predicted``/``reference``: the counts behind the ratios.
    """
    pairs = match_events(predicted, reference, text)
    precision = _ratio(len(pairs), len(predicted))
    recall = _ratio(len(pairs), len(reference))
    dated = [(predicted[i], reference[j]) for i, j, _ in pairs if reference[j].date_value]
    return {
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        "date_exact": _mean([predicted_value(p.date) == r.date_value for p, r in dated]),
        "date_granularity": _mean([date_agrees(predicted_value(p.date), r) for p, r in dated]),
        "actor_f1": _mean(
            _field_f1s(
                [
                    (" ".join(predicted[i].actors), " ".join(reference[j].actors))
                    for i, j, _ in pairs
                ]
            )
        ),
        "location_f1": _mean(
            _field_f1s(
                [(predicted[i].location or "", reference[j].location or "") for i, j, _ in pairs]
            )
        ),
        "matched": float(len(pairs)),
        "predicted": float(len(predicted)),
        "reference": float(len(reference)),
    }


def _field_f1s(pairs: list[tuple[str, str]]) -> list[float]:
    return [token_f1(set(tokens(p)), set(tokens(r))) for p, r in pairs if p.strip() or r.strip()]


def _mean(values: Sequence[float | bool]) -> float:
    return sum(float(v) for v in values) / len(values) if values else math.nan


# ---------------------------------------------------------------- headline metric


def dated_event_counts(
    predicted: Sequence[Event], reference: Sequence[ReferenceEvent], text: str
) -> tuple[int, int]:
    """``(found, dated)``: reference events with a ``date_value``, and how many are found.

    A dated reference event is found when at least one predicted event both
    *covers* it (its evidence span contains the reference trigger span; for a
    reference without a trigger span, its evidence overlaps the reference
    sentence) and has a date that agrees at the reference granularity. This is
    not one-to-one: one predicted event may find every reference event whose
    trigger its evidence contains (a sentence quoted whole covers all its
    triggers), but never one outside its evidence.
    """
    spans = [(evidence_span(p, text), predicted_value(p.date)) for p in predicted]
    dated = [r for r in reference if r.date_value is not None]
    found = sum(1 for r in dated if any(covers(s, r) and date_agrees(v, r) for s, v in spans))
    return found, len(dated)


def dated_event_recall(
    predicted: Sequence[Event], reference: Sequence[ReferenceEvent], text: str
) -> float:
    """The headline metric: share of dated reference events listed with the right date.

    See ``dated_event_counts`` for the rule; ``nan`` when the reference has no
    dated event. Over a set, sum the counts (micro-average).
    """
    found, dated = dated_event_counts(predicted, reference, text)
    return _ratio(found, dated)


# ---------------------------------------------------------------- grounding


def is_grounded(event: Event, text: str, threshold: float = GROUNDING_THRESHOLD) -> bool:
    """Exact quote at its span, or a normalised/fuzzy match scoring at least ``threshold``."""
    evidence = event.evidence
    if text[evidence.span.start : evidence.span.end] == evidence.quote:
        return True
    return evidence.match in {"normalised", "fuzzy"} and evidence.score >= threshold


def grounding_rate(
    events: Sequence[Event], text: str, threshold: float = GROUNDING_THRESHOLD
) -> float:
    """Share of events whose evidence is grounded in ``text`` (``nan`` without events)."""
    return _mean([is_grounded(e, text, threshold) for e in events])


# ---------------------------------------------------------------- event baseline


def publication_date_baseline(reference: Reference) -> list[Event]:
    """ "Every sentence, dated with the publication date": one event per sentence.

    Evidence is the sentence (exact), the date the publication date at day
    granularity (source ``publication``); without a publication date the
    events are undated (source ``unresolved``). It shows what listing
    everything and dating it "today" already scores on dated-event recall.
    """
    pub = reference.publication_date
    date = EventDate(
        value=pub.isoformat() if pub else None,
        granularity="day" if pub else None,
        start=pub,
        end=pub,
        source="publication" if pub else "unresolved",
    )
    events = []
    for start, end in sentence_spans(reference.text):
        quote = reference.text[start:end]
        if len(quote) < 3:
            continue
        events.append(
            Event(
                description=quote[:300],
                date=date,
                status="fact",
                evidence=Evidence(
                    quote=quote, span=Span(start=start, end=end), match="exact", score=100.0
                ),
            )
        )
    return events
