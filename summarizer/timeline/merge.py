"""Merging many articles' events into one timeline: each event once, with all its sources.

Terms:

* **report**: one event as one article gives it (an ``Event`` of a per-document ``Result``).
* **same event**: two reports whose dates are compatible at their granularities, whose
  participants overlap and whose content agrees. The decision is a logistic regression over
  the pair's features (``pair_features``), trained on MEANTIME's Apple-topic event
  coreference (``scripts/train_event_merge.py``); its weights ship in ``event_merge.json``
  and are read with plain Python.
* **compatible dates**: the intervals the two dates cover overlap ("2010-06-07" lies in
  "2010-06"); **disjoint** ones conflict.
* **entry**: a group of reports. Its date is the most precise date its reports write;
  when reports write dates that cannot all be true the entry keeps the best supported one
  and lists every written value in ``date_conflict``. An entry with no date is undated and
  kept apart, never given one.

Reports are grouped greedily in collection order: a report joins the entry whose best
member it most likely reports the same event as (probability over ``threshold``), else
starts one; two reports of one article that state disjoint dates never share an entry. The
candidates are the ``CANDIDATES`` entries sharing the most rare words with the report, each
judged by its first and latest ``JUDGES`` reports, so the cost per report stays bounded.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..schemas import Event, EventDate, TimelineEntry, TimelineSource

WEIGHTS_FILE = Path(__file__).with_name("event_merge.json")
STATED = ("written", "narrative")  # dates an article states; "publication" is a fallback
# whether two sentences of one article may be one entry (else only a clause and its sentence);
# measured on the trial tune entities: allowed 0.504 F1, not 0.491 (docs/timeline-crossdoc.md)
SAME_DOCUMENT_ANYWHERE = True
# an article dates an event once: two of its reports stating disjoint dates are two events
ONE_DATE_PER_ARTICLE = True
CANDIDATES = 10  # entries a report is compared with: those sharing the most words with it
JUDGES = 3  # an entry's reports a new report is compared with: its first and latest
_FINENESS = {"day": 0, "week": 1, "month": 2, "season": 3, "quarter": 3, "half": 4, "year": 5}
_STOP = set(
    "a an the of to in on at for by with from and or but as is are was were be been being has "
    "have had do does did will would could should may might can its it this that these those "
    "he she they his her their them we our you your i not no also than then there here which "
    "who whom what when where while after before about into over under up down out more most "
    "said says say new one two first last year years month week day today yesterday".split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]+|\d+[A-Za-z]+")
_VERB = re.compile(
    r"\b(?:[a-z]{3,}(?:ed|ing)|said|says|made|sold|took|began|became|left|won|lost|led|paid|"
    r"sued|met|bought|built|held|gave|got|went|came|saw|ran|rose|fell|grew|died)\b"
)
_NAME = re.compile(r"\b(?:[A-Z][A-Za-z0-9]+|[a-z]+[A-Z][A-Za-z0-9]*)\b")


def _stem(word: str) -> str:
    word = word.lower().removesuffix("'s")
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text) if w.lower() not in _STOP}


def names(text: str) -> set[str]:
    """Capitalised and camel-case words: the participants a quote names (a rough cut)."""
    return {w.lower() for w in _NAME.findall(text) if w.lower() not in _STOP}


@dataclass
class Report:
    """One article's event, with what the merge compares."""

    document_id: str
    order: int  # position in the collection: document order, then place in the document
    event: Event
    publication_date: dt.date | None
    words: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    verbs: set[str] = field(default_factory=set)
    norm: float = 0.0
    norm_for: int = 0  # id() of the idf table ``norm`` was computed with

    @classmethod
    def of(cls, document_id: str, order: int, event: Event, published: dt.date | None) -> Report:
        text = event.evidence.quote
        return cls(
            document_id, order, event, published, content_words(text), names(text), verbs(text)
        )

    @property
    def dated(self) -> bool:
        return self.event.date.start is not None


def date_relation(a: EventDate, b: EventDate) -> str:
    """same, nested (one interval inside the other), overlap, disjoint, or undated."""
    if a.start is None or b.start is None:
        return "undated"
    a_end, b_end = a.end or a.start, b.end or b.start
    if a.start == b.start and a_end == b_end:
        return "same"
    if a_end < b.start or b_end < a.start:
        return "disjoint"
    if (a.start <= b.start and b_end <= a_end) or (b.start <= a.start and a_end <= b_end):
        return "nested"
    return "overlap"


def _norm(report: Report, idf: dict[str, float]) -> float:
    """The length of the report's idf-weighted word vector (kept: idf is fixed per merge)."""
    if report.norm_for != id(idf):
        report.norm = math.sqrt(sum(idf.get(w, 1.0) ** 2 for w in report.words))
        report.norm_for = id(idf)
    return report.norm


def verbs(text: str) -> set[str]:
    """Stems of the verb-like words (-ed, -ing and a few irregular ones): what happened."""
    return {_stem(w) for w in _VERB.findall(text)}


def pair_features(a: Report, b: Report, idf: dict[str, float]) -> dict[str, float]:
    """The features the merge decision weighs for two reports."""
    relation = date_relation(a.event.date, b.event.date)
    inferred = a.event.date.source not in STATED or b.event.date.source not in STATED
    union = a.names | b.names
    across = "cross" if a.document_id != b.document_id else "within"
    common = a.words & b.words
    weights = [idf.get(w, 1.0) for w in common]
    norms = _norm(a, idf) * _norm(b, idf)
    content = sum(x * x for x in weights) / norms if norms else 0.0
    named = len(a.names & b.names) / len(union) if union else 0.0
    va, vb = a.verbs, b.verbs
    features = {
        "bias": 1.0,
        f"content|{across}": content,
        f"names|{across}": named,
        # how much rare wording the two share, whatever the sentences' lengths
        f"shared|{across}": min(sum(weights), 20.0) / 20.0,
        "verbs": len(va & vb) / len(va | vb) if va | vb else 0.0,
        f"date={relation}": 1.0,
        "same_document": float(a.document_id == b.document_id),
        "same_status": float(a.event.status == b.event.status),
    }
    if relation != "undated":
        features[f"date={relation}|{'inferred' if inferred else 'stated'}"] = 1.0
    if relation == "same" and not inferred and a.event.date.granularity == "day":
        features["date=same_day_stated"] = 1.0
    return features


@lru_cache(maxsize=1)
def _shipped() -> tuple[dict[str, float], float]:
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    return {str(k): float(v) for k, v in data["weights"].items()}, float(data["threshold"])


def same_event_probability(features: dict[str, float], weights: dict[str, float]) -> float:
    z = sum(weights.get(name, 0.0) * value for name, value in features.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _ceiling(weights: dict[str, float]) -> dict[str, float]:
    """Per across-kind, the most the features other than content and shared wording can add
    to a pair's score: a pair whose wording cannot reach the threshold even with them is
    skipped without computing the rest (an exact shortcut: no decision changes)."""
    dates = [v for k, v in weights.items() if k.startswith("date=") and "|" not in k]
    qualified = [v for k, v in weights.items() if k.startswith("date=") and "|" in k]
    rest = weights.get("bias", 0.0) + max([0.0, *dates]) + max([0.0, *qualified])
    rest += max(0.0, weights.get("date=same_day_stated", 0.0))
    rest += sum(max(0.0, weights.get(k, 0.0)) for k in ("verbs", "same_status"))
    return {
        across: rest
        + max(0.0, weights.get(f"names|{across}", 0.0))
        + max(0.0, weights.get("same_document", 0.0)) * (across == "within")
        for across in ("cross", "within")
    }


def _reachable(
    a: Report, b: Report, idf: dict[str, float], weights: dict[str, float], room: float
) -> bool:
    """Whether the pair's wording leaves ``room`` (the score still needed) within reach."""
    across = "cross" if a.document_id != b.document_id else "within"
    common = [idf.get(w, 1.0) for w in a.words & b.words]
    norms = _norm(a, idf) * _norm(b, idf)
    content = sum(x * x for x in common) / norms if norms else 0.0
    shared = min(sum(common), 20.0) / 20.0
    wording = max(0.0, weights.get(f"content|{across}", 0.0)) * content
    wording += max(0.0, weights.get(f"shared|{across}", 0.0)) * shared
    return wording >= room


def idf_table(reports: Sequence[Report]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for report in reports:
        df.update(report.words)
    n = len(reports) + 1
    return {w: math.log(n / (1 + c)) + 1.0 for w, c in df.items()}


def _apart(a: Report, b: Report) -> bool:
    """Two reports of one article that do not overlap (not a clause and its sentence)."""
    if a.document_id != b.document_id:
        return False
    sa, sb = a.event.evidence.span, b.event.evidence.span
    return not (sa.start < sb.end and sb.start < sa.end)


def _clash(a: Report, b: Report) -> bool:
    """Two reports of one article whose stated dates cannot both hold."""
    return (
        a.document_id == b.document_id
        and a.event.date.source in STATED
        and b.event.date.source in STATED
        and date_relation(a.event.date, b.event.date) == "disjoint"
    )


def group(
    reports: Sequence[Report],
    *,
    weights: dict[str, float] | None = None,
    threshold: float | None = None,
    idf: dict[str, float] | None = None,
) -> list[list[Report]]:
    """Reports grouped into events (see the module docstring), in collection order.

    ``idf`` weighs words by their rarity in the whole collection (default: in ``reports``)."""
    shipped_weights, shipped_threshold = _shipped()
    weights = shipped_weights if weights is None else weights
    threshold = shipped_threshold if threshold is None else threshold
    idf = idf_table(reports) if idf is None else idf
    ceiling = _ceiling(weights)
    needed = math.log(threshold / (1 - threshold)) if 0 < threshold < 1 else math.inf
    # words in more than a tenth of the reports say nothing about which event it is
    common_cut = max(20, len(reports) // 10)
    df = Counter(w for r in reports for w in r.words)
    groups: list[list[Report]] = []
    per_article: list[dict[str, list[Report]]] = []  # each entry's reports by article
    index: defaultdict[str, set[int]] = defaultdict(set)
    for report in sorted(reports, key=lambda r: r.order):
        keys = sorted(w for w in report.words if df[w] <= common_cut)
        shared: Counter[int] = Counter()
        for word in keys:
            shared.update(index[word])
        best, best_p = -1, threshold
        # the entries sharing the most words, each judged by its first and latest reports:
        # the cost per report stays bounded however large the collection and its entries
        # ties broken by entry age, not by hash order: the same input gives the same timeline
        for gid, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:CANDIDATES]:
            members = groups[gid]
            same_article = per_article[gid].get(report.document_id, [])
            if not SAME_DOCUMENT_ANYWHERE and any(_apart(report, m) for m in same_article):
                continue
            if ONE_DATE_PER_ARTICLE and any(_clash(report, m) for m in same_article):
                continue
            judges = members if len(members) <= JUDGES else [members[0], *members[1 - JUDGES :]]
            p = max(
                (
                    same_event_probability(pair_features(report, m, idf), weights)
                    for m in judges
                    if _reachable(
                        report,
                        m,
                        idf,
                        weights,
                        needed
                        - ceiling["cross" if m.document_id != report.document_id else "within"],
                    )
                ),
                default=0.0,
            )
            if p > best_p or (p == best_p and best >= 0 and gid < best):
                best, best_p = gid, p
        if best < 0:
            groups.append([report])
            per_article.append({})
            best = len(groups) - 1
        else:
            groups[best].append(report)
        per_article[best].setdefault(report.document_id, []).append(report)
        for word in keys:
            index[word].add(best)
    return groups


def _fineness(date: EventDate) -> int:
    return _FINENESS.get(date.granularity or "", 9)


def _source(report: Report) -> TimelineSource:
    e = report.event
    return TimelineSource(
        document_id=report.document_id,
        quote=e.evidence.quote,
        span=e.evidence.span,
        date_text=e.date.text,
        date_value=e.date.value,
        date_source=e.date.source,
        publication_date=report.publication_date,
        status=e.status,
    )


def entry(reports: Sequence[Report]) -> TimelineEntry:
    """One entry from a group of reports: every source, the best date, any date conflict."""
    dated = [r for r in reports if r.dated]
    stated = [r for r in dated if r.event.date.source in STATED]
    pool = stated or dated
    conflict: list[str] = []
    chosen: Report | None = None
    if pool:
        # the most precise date that at least half the reports' dates agree with (compatible)
        def support(r: Report) -> int:
            return sum(date_relation(r.event.date, o.event.date) != "disjoint" for o in pool)

        backed = [r for r in pool if 2 * support(r) >= len(pool)] or pool
        chosen = min(backed, key=lambda r: (_fineness(r.event.date), -support(r), r.order))
        clashing = {
            str(r.event.date.value)
            for r in pool
            for o in pool
            if date_relation(r.event.date, o.event.date) == "disjoint"
        }
        if clashing and stated:
            conflict = sorted(clashing | {str(chosen.event.date.value)})
    lead = chosen or min(reports, key=lambda r: r.order)
    statuses = Counter(r.event.status for r in reports)
    status = max(statuses, key=lambda s: (statuses[s], s == lead.event.status))
    return TimelineEntry(
        date=lead.event.date if chosen else None,
        description=lead.event.description,
        status=status,
        sources=[_source(r) for r in sorted(reports, key=lambda r: r.order)],
        date_conflict=conflict,
    )


def merge(
    reports: Sequence[Report],
    *,
    weights: dict[str, float] | None = None,
    threshold: float | None = None,
    idf: dict[str, float] | None = None,
) -> tuple[list[TimelineEntry], list[TimelineEntry]]:
    """Dated entries (ordered by date) and undated ones (in collection order)."""
    groups = group(reports, weights=weights, threshold=threshold, idf=idf)
    dated: list[tuple[tuple[dt.date, int, int], TimelineEntry]] = []
    undated: list[tuple[int, TimelineEntry]] = []
    for members in groups:
        made = entry(members)
        first = min(r.order for r in members)
        if made.date is None or made.date.start is None:
            undated.append((first, made))
        else:
            dated.append(((made.date.start, _fineness(made.date), first), made))
    dated.sort(key=lambda pair: pair[0])
    undated.sort(key=lambda pair: pair[0])
    return [e for _, e in dated], [e for _, e in undated]


__all__ = [
    "Report",
    "content_words",
    "date_relation",
    "entry",
    "group",
    "merge",
    "pair_features",
    "same_event_probability",
]
