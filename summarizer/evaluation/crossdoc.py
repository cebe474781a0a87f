"""The cross-document timeline measure on gold entity timelines (SemEval-2015 Task 4 format).

Terms:

* **gold event**: one line of a gold timeline file: its position (0: not placed), its date
  (``XX`` for unknown parts) and its mentions ``doc-sentence-word``; several mentions on one
  line are one event reported in several places (often several articles).
* **covers**: a timeline entry covers a gold mention when one of its sources' quotes (its
  character span in that article) holds the mentioned word in that sentence.
* **plain measure**: *precision* is the share of an entity's entries that cover a gold event
  of that entity; *dated recall* the share of its gold events with a known date that an entry
  covers with the right date (its value equals the gold date with the unknown parts dropped);
  F1 of the two. **Merged**: of the gold events mentioned in two or more articles, those one
  entry covers in at least two of them.
* **temporal awareness** (the task's official measure, reconstructed from its description,
  UzZaman & Allen 2011): each timeline becomes a graph over event mentions: mentions at the
  same position are SIMULTANEOUS, a lower position is BEFORE a higher one, and a mention with
  a known date is ANCHORED to it. Position 0 (not placed) orders nothing; its mentions are only
  simultaneous with the other mentions of their own line. Precision is the share of the
  system's reduced graph (a chain per position, one BEFORE edge between consecutive positions,
  one anchor per position) that the gold graph's closure holds; recall the converse. The
  system's mention for a source is its quote's first verb-like word (``trigger``): Track A
  systems name event words, and the tool's entries are clauses.

The articles are laid out one sentence a line (title first, then the date line), as the
MEANTIME reader of ``scripts/train_event_merge.py`` does, so sentence numbers are line numbers.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..pipeline import summarise
from ..schemas import Document, EntityTimeline, Result, Span, TimelineEntry, TimelineSource
from ..segment import sentences
from ..settings import Settings
from ..timeline.collection import build_timeline
from ..timeline.entities import Entity, EntityMatcher
from ..timeline.events import publication_date

# tuning on three gold timelines, checking on the other three (the trial set is small: 6 entities)
TUNE_ENTITIES = ("steve_jobs", "ipod", "iphone_3g")
CHECK_ENTITIES = ("iphone_4", "itunes_store", "beatles_apple_corps")

Mention = tuple[str, int, str]  # document id, sentence number, word


@dataclass
class GoldEvent:
    position: int
    date: str | None  # the known part of the date ("2006-03"), None when unknown
    mentions: list[Mention]


@dataclass
class GoldTimeline:
    key: str  # the file's stem: steve_jobs
    entity: str  # its first line: Steve Jobs
    events: list[GoldEvent]


@dataclass
class Article:
    document: Document
    # (sentence, word) -> character spans of that word in the text
    words: dict[tuple[int, str], list[tuple[int, int]]] = field(default_factory=dict)


def known_date(value: str) -> str | None:
    """``2006-03-XX`` -> ``2006-03``; ``XXXX-XX-XX`` -> None."""
    parts = []
    for part in value.strip().split("-"):
        if not part or "X" in part.upper():
            break
        parts.append(part)
    return "-".join(parts) or None


def _doc_number(name: str) -> str:
    return re.split(r"[-_]", name, maxsplit=1)[0]


def read_article(xml_path: Path, tml_folder: Path | None) -> Article:
    """One CAT-format article (tokens with sentence numbers) as a Document and its word map."""
    root = ET.parse(xml_path).getroot()
    doc_id = root.get("doc_id") or _doc_number(xml_path.name)
    lines: defaultdict[int, list[str]] = defaultdict(list)
    for tok in root.iter("token"):
        lines[int(tok.get("sentence", "0"))].append(tok.text or "")
    words: defaultdict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    parts, cursor = [], 0
    for sentence in sorted(lines):
        for i, word in enumerate(lines[sentence]):
            cursor += 1 if i else 0
            words[(sentence, word)].append((cursor, cursor + len(word)))
            cursor += len(word)
        parts.append(" ".join(lines[sentence]))
        cursor += 1
    date = None
    if tml_folder is not None:
        for tml in tml_folder.glob(f"{doc_id}*.tml"):
            if _doc_number(tml.name) == doc_id:
                found = re.search(
                    r'functionInDocument="CREATION_TIME"[^>]*value="([\d-]+)"',
                    tml.read_text(encoding="utf-8"),
                )
                date = found.group(1)[:10] if found else None
    text = "\n".join(parts) + "\n"
    # the title stays the text's first line (sentence 0 of the gold mentions), not a title too:
    # the pipeline would report it twice
    return Article(Document(id=doc_id, text=text, date=date), dict(words))


def read_gold(path: Path) -> GoldTimeline:
    rows = path.read_text(encoding="utf-8").splitlines()
    events = []
    for row in rows[1:]:
        cells = row.split("\t")
        if len(cells) < 3:
            continue
        mentions = []
        for cell in cells[2:]:
            doc, sentence, word = cell.split("-", 2)
            mentions.append((doc, int(sentence), word))
        events.append(GoldEvent(int(cells[0]), known_date(cells[1]), mentions))
    return GoldTimeline(path.stem, rows[0].strip(), events)


def read_trial(folder: Path) -> tuple[list[Article], list[GoldTimeline]]:
    """The SemEval-2015 Task 4 trial folder: its articles and gold entity timelines."""
    corpus = folder / "Corpus-trial-data_task4"
    gold = folder / "TimeLines_trial_data_task4_v1.2"
    if not corpus.is_dir() or not gold.is_dir():
        raise ValueError(f"{folder}: not a SemEval-2015 Task 4 trial folder (no {corpus.name}/)")
    tml = folder / "Corpus-trial-data_task4_TimeML"
    articles = [
        read_article(p, tml if tml.is_dir() else None) for p in sorted(corpus.glob("*.xml"))
    ]
    return articles, [read_gold(p) for p in sorted(gold.glob("*.txt"))]


# --- the plain measure ---


def _covers(source: TimelineSource, mention: Mention, articles: dict[str, Article]) -> bool:
    doc, sentence, word = mention
    if source.document_id != doc or doc not in articles:
        return False
    spans = articles[doc].words.get((sentence, word), [])
    return any(source.span.start <= s and e <= source.span.end for s, e in spans)


def _entry_covers(entry: TimelineEntry, event: GoldEvent, articles: dict[str, Article]) -> set[str]:
    """The documents in which ``entry`` covers a mention of ``event``."""
    return {m[0] for m in event.mentions for s in entry.sources if _covers(s, m, articles)}


def plain_scores(
    timeline: EntityTimeline, gold: GoldTimeline, articles: dict[str, Article]
) -> dict[str, float]:
    entries = [*timeline.entries, *timeline.undated]
    correct = sum(any(_entry_covers(entry, g, articles) for g in gold.events) for entry in entries)
    dated_gold = [g for g in gold.events if g.date]
    found = 0
    for g in dated_gold:
        found += any(
            entry.date is not None
            and entry.date.value == g.date
            and _entry_covers(entry, g, articles)
            for entry in timeline.entries
        )
    multi = [g for g in gold.events if len({m[0] for m in g.mentions}) >= 2]
    merged = sum(any(len(_entry_covers(e, g, articles)) >= 2 for e in entries) for g in multi)
    p = correct / len(entries) if entries else 0.0
    r = found / len(dated_gold) if dated_gold else 0.0
    return {
        "entries": len(entries),
        "correct_entries": correct,
        "gold_dated": len(dated_gold),
        "dated_found": found,
        "precision": p,
        "dated_recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "multi_document_events": len(multi),
        "merged": merged,
    }


# --- the official measure (temporal awareness), reconstructed ---

_VERBISH = re.compile(r"^[a-z][a-z-]+(?:ed|ing)$")
_IRREGULAR = set(
    "is are was were has have had said says made sold took began became left won lost led paid "
    "sued met bought built held gave got went came saw ran rose fell grew put set cut hit "
    "unveils launches announces releases introduces plans sues sells owns".split()
)


def trigger(quote: str) -> str | None:
    """The quote's first verb-like word: a Track-A system's event mention for the entry."""
    words = quote.split()
    for i, word in enumerate(words):
        if word in _IRREGULAR or _VERBISH.match(word):
            if word in {"is", "are", "was", "were", "has", "have", "had"} and i + 1 < len(words):
                following = words[i + 1]
                if _VERBISH.match(following) or following in _IRREGULAR:
                    return following
            return word
    return words[0] if words else None


@dataclass
class Graph:
    """A timeline as positions of mentions (0: not placed) and each position's date."""

    position: dict[Mention, int]
    date: dict[int, str]  # position -> known date
    groups: list[list[Mention]]  # the mentions of each line (placed or not)

    def reduced(self) -> set[tuple[str, Mention, Mention | str]]:
        relations: set[tuple[str, Mention, Mention | str]] = set()
        by_position: defaultdict[int, list[Mention]] = defaultdict(list)
        for m, pos in self.position.items():
            by_position[pos].append(m)
        placed = sorted(p for p in by_position if p > 0)
        for pos in placed:
            members = sorted(by_position[pos])
            relations |= {("SIM", a, b) for a, b in zip(members, members[1:])}
            if pos in self.date:
                relations.add(("ANCHOR", members[0], self.date[pos]))
        for a, b in zip(placed, placed[1:]):
            relations.add(("BEFORE", min(by_position[a]), min(by_position[b])))
        for group in self.groups:
            members = sorted(set(group))
            if members and self.position.get(members[0], 0) == 0:
                relations |= {("SIM", a, b) for a, b in zip(members, members[1:])}
        return relations

    def holds(self, relation: tuple[str, Mention, Mention | str]) -> bool:
        kind, a, b = relation
        pa = self.position.get(a)
        if pa is None:
            return False
        if kind == "ANCHOR":
            return pa > 0 and self.date.get(pa) == b
        pb = self.position.get(b)  # type: ignore[arg-type]
        if pb is None:
            return False
        if kind == "BEFORE":
            return 0 < pa < pb
        if pa == pb and pa > 0:
            return True
        return any(a in g and b in g for g in self.groups)


def gold_graph(gold: GoldTimeline) -> Graph:
    position: dict[Mention, int] = {}
    date: dict[int, str] = {}
    for g in gold.events:
        for m in g.mentions:
            position[m] = g.position
        if g.position > 0 and g.date:
            date[g.position] = g.date
    return Graph(position, date, [g.mentions for g in gold.events])


def system_graph(timeline: EntityTimeline, articles: dict[str, Article]) -> Graph:
    position: dict[Mention, int] = {}
    date: dict[int, str] = {}
    groups: list[list[Mention]] = []
    slots: dict[tuple[object, object], int] = {}
    for entry in timeline.entries:
        assert entry.date is not None
        slot = slots.setdefault((entry.date.start, entry.date.end), len(slots) + 1)
        if entry.date.value:
            date[slot] = entry.date.value
        groups.append(_mentions(entry, articles, slot, position))
    for entry in timeline.undated:
        groups.append(_mentions(entry, articles, 0, position))
    return Graph(position, date, groups)


def _mentions(
    entry: TimelineEntry, articles: dict[str, Article], slot: int, position: dict[Mention, int]
) -> list[Mention]:
    found = []
    for source in entry.sources:
        word = trigger(source.quote)
        article = articles.get(source.document_id)
        if word is None or article is None:
            continue
        sentence = article.document.text.count("\n", 0, source.span.start)
        mention = (source.document_id, sentence, word)
        position.setdefault(mention, slot)
        found.append(mention)
    return found


def awareness_counts(system: Graph, gold: Graph) -> dict[str, int]:
    sys_reduced, gold_reduced = system.reduced(), gold.reduced()
    return {
        "system_relations": len(sys_reduced),
        "system_in_gold": sum(gold.holds(r) for r in sys_reduced),
        "gold_relations": len(gold_reduced),
        "gold_in_system": sum(system.holds(r) for r in gold_reduced),
    }


def awareness(counts: dict[str, int]) -> dict[str, float]:
    p = counts["system_in_gold"] / counts["system_relations"] if counts["system_relations"] else 0.0
    r = counts["gold_in_system"] / counts["gold_relations"] if counts["gold_relations"] else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def score_timelines(
    timelines: Sequence[EntityTimeline], golds: Sequence[GoldTimeline], articles: Iterable[Article]
) -> dict[str, dict[str, float]]:
    """Both measures per entity, and pooled over the tune and check entities and all of them."""
    by_id = {a.document.id: a for a in articles}
    rows: dict[str, dict[str, float]] = {}
    counts: dict[str, dict[str, int]] = {}
    for timeline, gold in zip(timelines, golds, strict=True):
        plain = plain_scores(timeline, gold, by_id)
        counts[gold.key] = awareness_counts(system_graph(timeline, by_id), gold_graph(gold))
        official = awareness(counts[gold.key])
        rows[gold.key] = {**plain, **{f"ta_{k}": v for k, v in official.items()}}
    for name, keys in (("tune", TUNE_ENTITIES), ("check", CHECK_ENTITIES), ("all", tuple(rows))):
        chosen = [k for k in keys if k in rows]
        if not chosen:
            continue
        total = {
            k: sum(rows[c][k] for c in chosen)
            for k in (
                "entries",
                "correct_entries",
                "gold_dated",
                "dated_found",
                "multi_document_events",
                "merged",
            )
        }
        p = total["correct_entries"] / total["entries"] if total["entries"] else 0.0
        r = total["dated_found"] / total["gold_dated"] if total["gold_dated"] else 0.0
        pooled = {k: sum(counts[c][k] for c in chosen) for k in counts[chosen[0]]}
        official = awareness(pooled)
        rows[f"[{name}]"] = {
            **total,
            "precision": p,
            "dated_recall": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0,
            **{f"ta_{k}": v for k, v in official.items()},
        }
    return rows


def markdown_table(rows: dict[str, dict[str, float]], title: str) -> str:
    lines = [
        f"### {title}",
        "",
        "| entity | entries | precision | dated recall | F1 | merged | TA precision | TA recall | TA F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, row in rows.items():
        lines.append(
            f"| {key} | {int(row['entries'])} | {row['precision']:.3f} | "
            f"{row['dated_recall']:.3f} ({int(row['dated_found'])}/{int(row['gold_dated'])}) | "
            f"{row['f1']:.3f} | {int(row['merged'])}/{int(row['multi_document_events'])} | "
            f"{row['ta_precision']:.3f} | {row['ta_recall']:.3f} | {row['ta_f1']:.3f} |"
        )
    return "\n".join(lines) + "\n"


# --- the whole evaluation: the tool, unmerged, and the sentence baseline ---

TOOL_SYSTEM = "tool"
UNMERGED = "tool_unmerged"  # the per-document timeline filtered to the entity, nothing merged
ENTITY_SENTENCES = "entity_sentences"  # every sentence naming the entity, publication-dated
ABOUT = "about"  # how the entity filter does (see about_scores)


def sentence_baseline(articles: Sequence[Article], entity: str) -> EntityTimeline:
    """Every sentence naming the entity (as the tool finds names), dated with its article's
    publication date, one entry each."""
    matcher = EntityMatcher(Entity.parse(entity))
    entries: list[TimelineEntry] = []
    for article in articles:
        doc = article.document
        introduced = False
        date = publication_date(doc.date)
        for sentence in sentences(doc.text):
            quote = doc.text[sentence.start : sentence.end]
            if matcher.mentions(quote, introduced=introduced) and len(quote) >= 3:
                source = TimelineSource(
                    document_id=doc.id,
                    quote=quote,
                    span=Span(start=sentence.start, end=sentence.end),
                    date_value=date.value,
                    date_source=date.source,
                    publication_date=doc.date,
                    status="fact",
                )
                entries.append(
                    TimelineEntry(
                        date=date, description=quote[:300], status="fact", sources=[source]
                    )
                )
            introduced = introduced or matcher.mentions(quote, introduced=False)
    entries.sort(key=lambda e: e.date.start if e.date and e.date.start else dt.date.max)
    return EntityTimeline(entity=entity, entries=entries)


def about_scores(
    results: Sequence[Result],
    unmerged: Sequence[EntityTimeline],
    golds: Sequence[GoldTimeline],
    articles: Sequence[Article],
) -> dict[str, dict[str, float]]:
    """How well "about the entity" is decided, per tune/check half: *about-recall* is the share
    of gold mentions in a sentence the tool reports at all that the entity filter keeps;
    *about-precision* the share of kept reports that hold a gold mention of the entity."""
    by_id = {a.document.id: a for a in articles}
    by_result = {r.document_id: r for r in results}
    rows: dict[str, dict[str, float]] = {}
    for name, keys in (("tune", TUNE_ENTITIES), ("check", CHECK_ENTITIES)):
        reached = kept = good = total = 0
        for timeline, gold in zip(unmerged, golds, strict=True):
            if gold.key not in keys:
                continue
            entries = [*timeline.entries, *timeline.undated]
            for event in gold.events:
                for m in event.mentions:
                    result = by_result.get(m[0])
                    quotes = [
                        _as_source(m[0], e.evidence.quote, e.evidence.span)
                        for e in (result.events if result else [])
                    ]
                    if any(_covers(q, m, by_id) for q in quotes):
                        reached += 1
                        kept += any(_covers(s, m, by_id) for e in entries for s in e.sources)
            total += len(entries)
            good += sum(any(_entry_covers(e, g, by_id) for g in gold.events) for e in entries)
        rows[name] = {
            "about_recall": kept / reached if reached else 0.0,
            "about_precision": good / total if total else 0.0,
            "reached": reached,
            "kept": kept,
        }
    return rows


def _as_source(doc_id: str, quote: str, span: Span) -> TimelineSource:
    return TimelineSource(
        document_id=doc_id, quote=quote, span=span, date_source="unresolved", status="fact"
    )


def evaluate_trial(
    folder: Path, *, settings: Settings | None = None, no_model: bool = True
) -> dict[str, dict[str, dict[str, float]]]:
    """Both measures per entity for the tool, the tool unmerged and the sentence baseline."""
    articles, golds = read_trial(folder)
    results = [summarise(a.document, settings=settings, no_model=no_model) for a in articles]
    # the merged and unmerged timelines come from the same per-article results
    names = [g.entity for g in golds]
    merged = build_timeline(results, names).timelines
    unmerged = build_timeline(results, names, threshold=1.01).timelines
    baseline = [sentence_baseline(articles, n) for n in names]
    return {
        ABOUT: about_scores(results, unmerged, golds, articles),
        TOOL_SYSTEM: score_timelines(merged, golds, articles),
        UNMERGED: score_timelines(unmerged, golds, articles),
        ENTITY_SENTENCES: score_timelines(baseline, golds, articles),
    }


def trial_report(scores: dict[str, dict[str, dict[str, float]]]) -> str:
    parts = [
        "## Cross-document timelines (SemEval-2015 Task 4 trial)",
        "",
        f"Tune entities: {', '.join(TUNE_ENTITIES)}; check entities: {', '.join(CHECK_ENTITIES)} "
        "(30 articles, 6 gold timelines: small). TA = temporal awareness, the task's measure "
        "(reconstructed).",
        "",
    ]
    about = scores.get(ABOUT, {})
    if about:
        parts += ["### about the entity (per-article reports, before merging)", ""]
        parts += [
            f"- {half}: about-recall {row['about_recall']:.3f} ({int(row['kept'])}/"
            f"{int(row['reached'])} reachable gold mentions kept), about-precision "
            f"{row['about_precision']:.3f}"
            for half, row in about.items()
        ]
        parts.append("")
    parts += [markdown_table(rows, system) for system, rows in scores.items() if system != ABOUT]
    return "\n".join(parts)


__all__ = [
    "CHECK_ENTITIES",
    "evaluate_trial",
    "trial_report",
    "TUNE_ENTITIES",
    "read_trial",
    "score_timelines",
    "markdown_table",
    "trigger",
]
