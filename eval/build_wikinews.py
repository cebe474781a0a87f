"""Build ``eval/datasets/wikinews.jsonl`` from MEANTIME (Apple) and SemEval-2015 Task 4.

Run from anywhere: ``python eval/build_wikinews.py [--shared /work/shared/data]``.
The output is deterministic (documents sorted by MEANTIME doc id, events by
position, JSON keys in model order).

Sources (read in place from ``../shared/data``):

* ``meantime_apple/meantime_apple.events.jsonl``: per event mention its
  cross-document ``instance_time``; and ``meantime_apple/intra_cross-doc_annotation``
  XML, the authority for tokens, mention token anchors, participants, TIMEX3
  values and TLINKs (the jsonl names a trigger only by its words and sentence,
  which is ambiguous when a word repeats).
* ``semeval2015_task4_trial``: the same 30 Wikinews articles (joined to MEANTIME
  by URL; sentence numbering is identical), its event mentions
  (``Corpus-trial-data_task4_events_timelines``) and gold per-entity timelines
  (``TimeLines_trial_data_task4_v1.2``, lines ``ordinal<TAB>date<TAB>doc-sentence-word``).
* ``eval/wikinews_summaries.json``: hand-written reference summaries and key
  points (id -> {summary, key_points}), merged in.

Text. The corpora give tokens, not the original characters. ``text`` is the
article body (sentences 2.. ; sentence 0 is the title, which becomes ``title``,
and sentence 1 the date line, which becomes ``publication_date``), one sentence
per line, detokenised by fixed rules: no space before closing punctuation,
``'s``/``n't``/contractions and closing quotes; none after opening brackets,
opening quotes and currency signs before a number; `````/``''`` become ``"``;
MEANTIME's ``#`` is restored to ``£`` where SemEval's token is ``£``; two
split hyphenations (``Wal - Mart``, ``iTunes - compatible``) are rejoined.
Spans index this text.

Events. One reference event per annotated event mention in the body: every
MEANTIME ``EVENT_MENTION`` plus the SemEval timeline mentions MEANTIME lacks;
mentions over the same tokens are one event (deduplicated). Mentions in the
title and date line are dropped (the title restates the lead). ``trigger`` is
the mention's words, ``sentence``/``span`` its sentence, ``actors`` its PropBank
``Arg0`` participants, ``location`` its ``Argm-LOC`` participant, and
``description`` is "Arg0 trigger Arg1" (the trigger alone when it has no
arguments).

Dates, first rule that gives a value wins:

1. written: a TLINK anchors the mention to a TIMEX3 (other than the creation
   time) in the same sentence: event IS_INCLUDED / SIMULTANEOUS / DURING timex,
   or timex INCLUDES / SIMULTANEOUS event. Several: the finest granularity.
   ``date_text`` is that TIMEX3's words.
2. inferred (cross-document): MEANTIME's ``instance_time`` for the mention's
   event instance, else the SemEval timeline date of the mention. If a TIMEX3
   in the sentence has the same value, the date counts as written.
3. inferred (link): an anchoring TLINK (as in 1) to the creation time or to a
   TIMEX3 in another sentence.
4. otherwise undated (``date_value`` None). BEFORE/AFTER/BEGINS/ENDS links do
   not date an event: they bound it without placing it.

Values: ``XX`` parts are unknown, so a value keeps its known prefix:
``2008-03-XX`` -> ``2008-03`` (month), ``2010-XX-XX`` -> ``2010`` (year),
``XXXX-XX-XX`` (or the typo ``XXX-XX-XX``) -> undated. Times keep their day
(``2010-07-16TMO`` -> ``2010-07-16``). ``2006-W14``/``2006-Q4`` keep week/quarter,
``200`` is a decade. ``PRESENT_REF``/``PAST_REF``/``FUTURE_REF``, durations
(``P1Y``), sets and fiscal years (``FY2006``) date nothing.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.evaluation.references import (  # noqa: E402
    Reference,
    ReferenceEvent,
    granularity_of,
)

DEFAULT_SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "eval" / "datasets" / "wikinews.jsonl"
SUMMARIES = ROOT / "eval" / "wikinews_summaries.json"
LICENCE = (
    "Text: Wikinews, CC BY 2.5 (Wikinews contributors). Annotations: NewsReader MEANTIME "
    "(FBK, VU Amsterdam, UPV/EHU), CC BY 4.0; SemEval-2015 Task 4 TimeLine trial data, CC BY 3.0."
)
BODY_FROM = 2  # sentence 0 is the title, sentence 1 the date line
ANCHOR_AS_SOURCE = {"IS_INCLUDED", "SIMULTANEOUS", "DURING"}  # event REL timex
ANCHOR_AS_TARGET = {"INCLUDES", "SIMULTANEOUS", "DURING_INV"}  # timex REL event
GRAIN_ORDER = ["day", "week", "month", "season", "quarter", "half", "year", "decade", "century"]
JOIN_HYPHEN = {("Wal", "Mart"), ("iTunes", "compatible"), ("Macintosh", "curious")}
CONTRACTIONS = {"s", "re", "ve", "ll", "d", "m", "t"}


# ---------------------------------------------------------------- tokens -> text


@dataclass
class Token:
    tid: str
    sentence: int
    text: str
    start: int = -1
    end: int = -1


def _glue(tokens: list[Token], i: int, state: dict[str, bool]) -> tuple[str, bool, bool]:
    """(surface form, no space before, no space after) of token ``i``; ``state`` tracks quotes."""
    tok = tokens[i].text
    prev = tokens[i - 1].text if i else ""
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
    if tok in {",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "...", "n't", "”"}:
        return tok, True, False
    if tok in {"(", "[", "{", "“", "‘"}:
        return tok, False, True
    if tok in {"$", "£", "#"} or tok.endswith("$"):
        return tok, False, bool(re.match(r"\d", nxt))
    if tok == "``":
        return '"', False, True
    if tok == "''":
        return '"', True, False
    if tok == '"':
        return _double_quote(tokens, i, state)
    if tok in {"'", "’"}:
        return _single_quote(tok, prev, nxt, state)
    if tok == "`":
        state["single"] = True
        return "'", False, True
    if tok.startswith(("'", "’")) and len(tok) > 1:
        if tok[1:].lower() in CONTRACTIONS or prev == "O":
            return tok, True, False
        if tok[1:].isalpha():
            state["single"] = True  # an opening quote glued to its word: 'switch
        return tok, False, False
    if tok == "-" and (prev, nxt) in JOIN_HYPHEN:
        return tok, True, True
    if tok == "/" and prev.isalpha() and nxt.isalpha():
        return tok, True, True
    return tok, False, False


def _double_quote(tokens: list[Token], i: int, state: dict[str, bool]) -> tuple[str, bool, bool]:
    """A straight double quote: closing at a sentence end or before punctuation, opening at a
    sentence start, else the opposite of the last one (quotes may span sentences)."""
    last = i + 1 == len(tokens) or tokens[i + 1].sentence != tokens[i].sentence
    first = i == 0 or tokens[i - 1].sentence != tokens[i].sentence
    before_punct = not last and tokens[i + 1].text in {",", ".", ";", ":", "?", "!", ")"}
    opening = False if (last or before_punct) else True if first else not state["double"]
    state["double"] = opening
    return '"', not opening, opening


def _single_quote(tok: str, prev: str, nxt: str, state: dict[str, bool]) -> tuple[str, bool, bool]:
    if nxt.lower() in CONTRACTIONS:
        return tok, True, True  # we ' re -> we're, Microsoft ’ s -> Microsoft’s
    if tok == "’" or state["single"]:
        state["single"] = False
        return tok, True, False  # closing quote
    if prev[-1:] in {"s", "S"}:
        return tok, True, False  # possessive: Beatles'
    state["single"] = True
    return tok, False, True  # opening quote


def detokenise(tokens: list[Token]) -> str:
    """Join tokens into text, one sentence per line; sets each token's start/end."""
    state = {"double": False, "single": False}
    parts: list[str] = []
    pos = 0
    glue_next = True  # nothing before the first token
    for i, token in enumerate(tokens):
        surface, glue_before, glue_after = _glue(tokens, i, state)
        if i and token.sentence != tokens[i - 1].sentence:
            sep = "\n"
            state["single"] = False  # single quotes never span sentences here
        else:
            sep = "" if (glue_next or glue_before) else " "
        parts.append(sep + surface)
        token.start = pos + len(sep)
        token.end = token.start + len(surface)
        pos = token.end
        glue_next = glue_after
    return "".join(parts)


# ---------------------------------------------------------------- parsing


@dataclass
class Mention:
    mid: str
    tids: list[str]
    origin: str  # "meantime" or "semeval"
    instance_time: str | None = None
    semeval_date: str | None = None


@dataclass
class Timex:
    mid: str
    tids: list[str]
    value: str
    type: str
    creation_time: bool


@dataclass
class Doc:
    doc_id: str
    url: str
    dct: str
    tokens: list[Token]
    mentions: dict[str, Mention]
    timexes: dict[str, Timex]
    entities: dict[str, list[str]]
    participants: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    tlinks: list[tuple[str, str, str]] = field(default_factory=list)  # (source, rel, target)


def _anchors(elem: ET.Element) -> list[str]:
    return [a.get("t_id", "") for a in elem.findall("token_anchor")]


def parse_meantime(path: Path, instance_times: dict[str, str | None]) -> Doc:
    root = ET.parse(path).getroot()
    tokens = [
        Token(t.get("t_id", ""), int(t.get("sentence", "0")), t.text or "")
        for t in root.iter("token")
    ]
    markables = root.find("Markables")
    assert markables is not None, path
    mentions: dict[str, Mention] = {}
    timexes: dict[str, Timex] = {}
    entities: dict[str, list[str]] = {}
    dct = ""
    for elem in markables:
        mid = elem.get("m_id", "")
        if elem.tag == "EVENT_MENTION" and _anchors(elem):
            mentions[mid] = Mention(mid, _anchors(elem), "meantime", instance_times.get(mid))
        elif elem.tag == "ENTITY_MENTION":
            entities[mid] = _anchors(elem)
        elif elem.tag == "TIMEX3":
            creation = elem.get("functionInDocument") == "CREATION_TIME"
            timexes[mid] = Timex(
                mid, _anchors(elem), elem.get("value", ""), elem.get("type", ""), creation
            )
            dct = elem.get("value", "") if creation else dct
    doc = Doc(root.get("doc_id", ""), root.get("url", ""), dct, tokens, mentions, timexes, entities)
    _parse_relations(root, doc)
    return doc


def _parse_relations(root: ET.Element, doc: Doc) -> None:
    relations = root.find("Relations")
    for rel in relations if relations is not None else []:
        sources = [s.get("m_id", "") for s in rel.findall("source")]
        targets = [t.get("m_id", "") for t in rel.findall("target")]
        if not sources or not targets:
            continue
        if rel.tag == "HAS_PARTICIPANT":
            role = rel.get("sem_role", "")
            doc.participants.setdefault(sources[0], []).append((role, targets[0]))
        elif rel.tag == "TLINK":
            doc.tlinks.append((sources[0], rel.get("reltype", ""), targets[0]))


def load_instance_times(jsonl: Path) -> dict[str, dict[str, str | None]]:
    """doc_id -> m_id -> instance_time, from MEANTIME's convenience jsonl."""
    out: dict[str, dict[str, str | None]] = {}
    for line in jsonl.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        out[record["doc_id"]] = {e["m_id"]: e["instance_time"] for e in record["events"]}
    return out


@dataclass
class SemevalDoc:
    doc_id: str
    url: str
    tokens: list[Token]
    mentions: dict[str, list[str]]  # m_id -> t_ids


def parse_semeval(path: Path) -> SemevalDoc:
    root = ET.parse(path).getroot()
    tokens = [
        Token(t.get("t_id", ""), int(t.get("sentence", "0")), t.text or "")
        for t in root.iter("token")
    ]
    mentions = {m.get("m_id", ""): _anchors(m) for m in root.iter("EVENT_MENTION") if _anchors(m)}
    return SemevalDoc(root.get("doc_id", ""), root.get("src_url", ""), tokens, mentions)


def load_timelines(folder: Path) -> dict[tuple[str, int, str], str]:
    """(semeval doc id, sentence, word) -> timeline date, over every entity timeline."""
    dates: dict[tuple[str, int, str], str] = {}
    for file in sorted(folder.glob("*.txt")):
        for line in file.read_text(encoding="utf-8").splitlines()[1:]:
            cols = line.split("\t")
            for ref in cols[2:]:
                doc, sentence, word = ref.split("-", 2)
                dates[(doc, int(sentence), word)] = cols[1]
    return dates


# ---------------------------------------------------------------- joining SemEval to MEANTIME


def _norm_tok(text: str) -> str:
    return {"``": '"', "''": '"', "“": '"', "”": '"', "’": "'", "#": "£", "--": "-"}.get(text, text)


def align_tokens(sem: list[Token], mt: list[Token]) -> dict[str, Token]:
    """SemEval t_id -> MEANTIME token, aligned on (normalised) words."""
    matcher = difflib.SequenceMatcher(
        a=[_norm_tok(t.text) for t in sem], b=[_norm_tok(t.text) for t in mt], autojunk=False
    )
    out: dict[str, Token] = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            out[sem[block.a + k].tid] = mt[block.b + k]
    return out


def restore_pounds(sem: list[Token], mt: list[Token], aligned: dict[str, Token]) -> None:
    """MEANTIME lost '£' (it reads '#'); SemEval kept it."""
    for token in sem:
        target = aligned.get(token.tid)
        if target is not None and target.text == "#" and token.text == "£":
            target.text = "£"


def add_semeval_mentions(
    doc: Doc, sem: SemevalDoc, timelines: dict[tuple[str, int, str], str], problems: list[str]
) -> None:
    """Put each timeline date on its mention; add the timeline mentions MEANTIME lacks."""
    aligned = align_tokens(sem.tokens, doc.tokens)
    restore_pounds(sem.tokens, doc.tokens, aligned)
    by_tids = {tuple(m.tids): m for m in doc.mentions.values()}
    for (doc_id, sentence, word), date in sorted(timelines.items()):
        if doc_id != sem.doc_id:
            continue
        tids = _timeline_tokens(sem, sentence, word)
        mt_tids = tuple(aligned[t].tid for t in tids if t in aligned)
        if not mt_tids:
            problems.append(f"timeline entry {doc_id}-{sentence}-{word} not found in the text")
            continue
        mention = by_tids.get(mt_tids) or _overlapping(doc, mt_tids)
        if mention is None:
            mention = Mention(f"semeval-{doc_id}-{sentence}-{word}", list(mt_tids), "semeval")
            doc.mentions[mention.mid] = mention
            by_tids[mt_tids] = mention
        mention.semeval_date = date


def _timeline_tokens(sem: SemevalDoc, sentence: int, word: str) -> list[str]:
    """Token ids a timeline entry names: its SemEval mention, else its words in the sentence.

    Timeline words join a mention's tokens with ``_``; four entries name no
    mention (case differs, "took ... off" is discontinuous, one has no mention),
    so fall back to the words themselves, matched case-insensitively in order.
    """
    tok = {t.tid: t for t in sem.tokens}
    for tids in sem.mentions.values():
        if (
            tok[tids[0]].sentence == sentence
            and "_".join(tok[t].text for t in tids).lower() == word.lower()
        ):
            return tids
    parts = word.lower().split("_")
    found: list[str] = []
    for token in (t for t in sem.tokens if t.sentence == sentence):
        if len(found) < len(parts) and token.text.lower() == parts[len(found)]:
            found.append(token.tid)
    return found if len(found) == len(parts) else found[:1]


def _overlapping(doc: Doc, tids: tuple[str, ...]) -> Mention | None:
    for mention in doc.mentions.values():
        if set(mention.tids) & set(tids):
            return mention
    return None


# ---------------------------------------------------------------- dates


def normalise_value(value: str | None) -> str | None:
    """A TIMEX3 value reduced to its known part, or None when it dates nothing."""
    if not value:
        return None
    value = value.split("T", 1)[0] if re.match(r"\d{4}-\d{2}-\d{2}T", value) else value
    if "X" in value:
        known = []
        for part in value.split("-"):
            if "X" in part:
                break
            known.append(part)
        value = "-".join(known)
    return value if value and granularity_of(value) else None


@dataclass
class DateChoice:
    value: str
    source: str  # written | inferred
    text: str | None


def _finest(choices: list[DateChoice]) -> DateChoice:
    return min(choices, key=lambda c: GRAIN_ORDER.index(granularity_of(c.value) or "century"))


def anchoring_timexes(doc: Doc, mention: Mention) -> list[Timex]:
    out = []
    for source, rel, target in doc.tlinks:
        if source == mention.mid and rel in ANCHOR_AS_SOURCE and target in doc.timexes:
            out.append(doc.timexes[target])
        elif target == mention.mid and rel in ANCHOR_AS_TARGET and source in doc.timexes:
            out.append(doc.timexes[source])
    return out


def choose_date(
    doc: Doc, mention: Mention, text: str, tokens: dict[str, Token]
) -> DateChoice | None:
    sentence = tokens[mention.tids[0]].sentence
    in_sentence = [
        t
        for t in doc.timexes.values()
        if t.tids
        and not t.creation_time
        and t.tids[0] in tokens
        and tokens[t.tids[0]].sentence == sentence
    ]
    written = [
        DateChoice(v, "written", _slice(text, tokens, t.tids))
        for t in anchoring_timexes(doc, mention)
        if t in in_sentence and (v := normalise_value(t.value))
    ]
    if written:
        return _finest(written)
    cross = normalise_value(mention.instance_time) or normalise_value(mention.semeval_date)
    if cross:
        same = [t for t in in_sentence if normalise_value(t.value) == cross]
        if same:
            return DateChoice(cross, "written", _slice(text, tokens, same[0].tids))
        return DateChoice(cross, "inferred", None)
    return _linked_date(doc, mention, in_sentence, text, tokens)


def _linked_date(
    doc: Doc, mention: Mention, in_sentence: list[Timex], text: str, tokens: dict[str, Token]
) -> DateChoice | None:
    """Rule 3: an anchoring link to a timex outside the sentence, or to the creation
    time when the sentence itself says that day ("came today")."""
    choices = []
    for timex in anchoring_timexes(doc, mention):
        value = normalise_value(timex.value)
        same = [t for t in in_sentence if normalise_value(t.value) == value]
        if value and same:
            choices.append(DateChoice(value, "written", _slice(text, tokens, same[0].tids)))
        elif value and not timex.creation_time:
            choices.append(DateChoice(value, "inferred", None))
    return _finest(choices) if choices else None


# ---------------------------------------------------------------- events


def _slice(text: str, tokens: dict[str, Token], tids: list[str]) -> str:
    span = _span(tokens, tids)
    return text[span[0] : span[1]]


def _span(tokens: dict[str, Token], tids: list[str]) -> tuple[int, int]:
    return min(tokens[t].start for t in tids), max(tokens[t].end for t in tids)


def _participants(
    doc: Doc, mention: Mention, role: str, text: str, tokens: dict[str, Token]
) -> list[str]:
    out = []
    for r, target in doc.participants.get(mention.mid, []):
        tids = doc.entities.get(target) or (
            doc.mentions[target].tids if target in doc.mentions else []
        )
        if r == role and tids and all(t in tokens for t in tids):
            words = _slice(text, tokens, tids)
            if words not in out:
                out.append(words)
    return out


def build_event(
    doc: Doc,
    mention: Mention,
    text: str,
    tokens: dict[str, Token],
    sentences: dict[int, tuple[int, int]],
) -> ReferenceEvent:
    sentence_no = tokens[mention.tids[0]].sentence
    span = sentences[sentence_no]
    trigger_span = _span(tokens, mention.tids)
    trigger = text[trigger_span[0] : trigger_span[1]]
    actors = _participants(doc, mention, "Arg0", text, tokens)
    objects = _participants(doc, mention, "Arg1", text, tokens)
    places = _participants(doc, mention, "Argm-LOC", text, tokens)
    date = choose_date(doc, mention, text, tokens)
    return ReferenceEvent(
        description=" ".join([*actors[:1], trigger, *objects[:1]]),
        trigger=trigger,
        date_text=date.text if date else None,
        date_value=date.value if date else None,
        granularity=granularity_of(date.value) if date else None,
        date_source=date.source if date else None,  # type: ignore[arg-type]
        actors=actors,
        location=places[0] if places else None,
        sentence=text[span[0] : span[1]],
        span=span,
        trigger_span=trigger_span,
    )


def build_reference(doc: Doc, summaries: dict[str, dict[str, object]]) -> Reference:
    body = [t for t in doc.tokens if t.sentence >= BODY_FROM]
    title_tokens = [Token(t.tid, t.sentence, t.text) for t in doc.tokens if t.sentence == 0]
    text = detokenise(body)
    tokens = {t.tid: t for t in body}
    sentences: dict[int, tuple[int, int]] = {}
    for t in body:
        start, end = sentences.get(t.sentence, (t.start, t.end))
        sentences[t.sentence] = (min(start, t.start), max(end, t.end))
    kept = _body_mentions(doc, tokens)
    events = [build_event(doc, m, text, tokens, sentences) for m in kept]
    extra = summaries.get(doc.doc_id, {})
    return Reference(
        id=f"wikinews-{doc.doc_id}",
        text=text,
        publication_date=doc.dct,  # type: ignore[arg-type]
        title=detokenise(title_tokens),
        source=doc.url,
        licence=LICENCE,
        summary=extra.get("summary"),  # type: ignore[arg-type]
        key_points=extra.get("key_points", []),  # type: ignore[arg-type]
        events=events,
        notes=f"MEANTIME doc {doc.doc_id}; events from MEANTIME mentions and SemEval-2015 "
        "Task 4 timelines; see eval/README.md",
    )


def _body_mentions(doc: Doc, tokens: dict[str, Token]) -> list[Mention]:
    """Body mentions, one per distinct token set, in text order."""
    seen: set[tuple[str, ...]] = set()
    out = []
    ordered = sorted(
        doc.mentions.values(), key=lambda m: (m.origin != "meantime", int(re.sub(r"\D", "", m.mid)))
    )
    for mention in ordered:
        key = tuple(sorted(mention.tids))
        if key in seen or not all(t in tokens for t in mention.tids):
            continue
        seen.add(key)
        out.append(mention)
    out = [m for m in out if not _umbrella(m, out)]
    return sorted(out, key=lambda m: (_span(tokens, m.tids), m.mid))


def _umbrella(mention: Mention, kept: list[Mention]) -> bool:
    """A multi-token mention whose every token belongs to other mentions: MEANTIME's
    coordination mentions ("set ... or release") restate their members."""
    if len(mention.tids) < 2:
        return False
    others = {t for m in kept if m is not mention for t in m.tids}
    return set(mention.tids) <= others


# ---------------------------------------------------------------- main


def build(shared: Path) -> tuple[list[Reference], list[str]]:
    meantime = shared / "meantime_apple"
    semeval = shared / "semeval2015_task4_trial"
    instance_times = load_instance_times(meantime / "meantime_apple.events.jsonl")
    xml_dir = meantime / "intra_cross-doc_annotation" / "corpus_apple"
    docs = {
        d.url: d
        for d in (
            parse_meantime(p, instance_times[p.name.split("_")[0]])
            for p in sorted(xml_dir.glob("*.xml"))
        )
    }
    timelines = load_timelines(semeval / "TimeLines_trial_data_task4_v1.2")
    problems: list[str] = []
    for path in sorted((semeval / "Corpus-trial-data_task4_events_timelines").glob("*.xml")):
        sem = parse_semeval(path)
        if sem.url not in docs:
            problems.append(f"SemEval doc {sem.doc_id} ({sem.url}) is not in MEANTIME; skipped")
            continue
        add_semeval_mentions(docs[sem.url], sem, timelines, problems)
    known = {parse_semeval(p).doc_id for p in (semeval / "Corpus-trial-data_task4").glob("*.xml")}
    problems += [
        f"timeline entry {'-'.join(map(str, k))} names a document not in the trial corpus; skipped"
        for k in sorted(timelines)
        if k[0] not in known
    ]
    summaries = json.loads(SUMMARIES.read_text(encoding="utf-8")) if SUMMARIES.exists() else {}
    refs = [
        build_reference(d, summaries) for d in sorted(docs.values(), key=lambda d: int(d.doc_id))
    ]
    return refs, problems


def write(refs: list[Reference], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = [r.model_dump_json(exclude_none=False) for r in refs]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    refs, problems = build(args.shared)
    write(refs, args.out)
    events = sum(len(r.events) for r in refs)
    dated = sum(len(r.dated_events) for r in refs)
    missing = [r.id for r in refs if not r.summary]
    print(f"wrote {args.out}: {len(refs)} documents, {events} events, {dated} dated")
    for problem in problems:
        print(f"note: {problem}")
    if missing:
        print(f"note: {len(missing)} documents lack a hand-written summary: {', '.join(missing)}")


if __name__ == "__main__":
    main()
