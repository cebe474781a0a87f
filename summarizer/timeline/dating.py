"""Event dating: for each event clause, pick its date among candidate dates with a learned score.

Terms
-----
option
    One date an event clause may have: a date expression written in the clause
    (``clause``) or elsewhere in its sentence (``sentence``), the recent day the
    story is about (``story``), the date the narration last set in the sentences
    just before (``recent``), the publication date (``publication``) or the day
    before it (``day_before``: news is often published the day after the event).
feature
    A generic property of an option in its clause, as a name: the option's kind
    crossed with the clause's tense, the relation word before a date expression
    ("since", "until", "by", "in" ...), whether the date lies before or after
    publication and how far, its granularity, whether the clause reports speech
    or the sentence has a clock time, ... Never a word of an article's topic.
decoding
    The chain over sentences: an option's features include whether it gives the date the
    sentence before's main event was given, so the main dates are chosen as a sequence
    (``decode``: ``greedy`` left to right, shipped; ``viterbi``, measured and not shipped).
reference time
    What a clause without date words inherits: the story day, the date the narration last
    set (an opening "In 2004, ..." included) or the publication date; chosen by the same
    learned score, from discourse features (tense, past perfect, state, reporting verbs,
    the lead, the chain, where the carried date was written).
weights
    One number per feature, learned by logistic regression on the TBAQ
    (TimeBank + AQUAINT) ``tune`` documents (``scripts/train_event_dates.py``)
    and shipped as ``event_dates.json`` beside this module. An option's score is
    the sum of its features' weights; the clause takes the best-scoring option.

Inference is a dot product in plain Python, not scikit-learn: the features are
a few dozen sparse binary names and the model a few hundred numbers, so the
installed tool needs no numpy/scipy (nor their import time) to date events;
scikit-learn is needed only to train (the ``train`` extra).

An event's date value is a calendar value (day ``YYYY-MM-DD``, month
``YYYY-MM``, year ``YYYY``): a written week becomes the month that holds most of
its days, a quarter, half or season the year that holds it (a decade or century
gives no event date: measured, dating events by them lost 2 TBAQ units in each part);
``timex`` keeps the finer value the words name (``2024-Q2``) and ``start``/``end``
the exact interval.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import operator
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from pathlib import Path

from ..dates import DateMention, Granularity
from ..dates.patterns import trie
from ..dates.roles import mention_role
from ..dates.tagger import led_by_first_characters
from ..grounding import REPORTING_VERBS
from ..schemas import DateSource, EventDate, Span

WEIGHTS_FILE = Path(__file__).with_name("event_dates.json")
RECENT_SENTENCES = 3  # the narration's last date carries over at most this many sentences back
STORY_MAX_DAYS = 7  # a written day this close before publication can be the day the story is about

KINDS = ("clause", "sentence", "story", "recent", "publication", "day_before")
CLAUSE, SENTENCE, STORY, RECENT, PUBLICATION, DAY_BEFORE = KINDS

# Feature names: the option's kind, then properties, "name" or "name=value", joined by "|"
# ("clause|when=before_1-3|t=past"). They are built only by ``feature`` from these property
# names, which refuses any other: a misspelt name fails at once instead of scoring 0.
GRAIN = "g"
RELATION = "rel"
WHEN = "when"
TENSE = "t"
COUNT = "n"
ROLE = "role"
FIRST = "first"
MODIFIED = "mod"
CLOCK = "clock"
POSSESSIVE = "possessive"
PREMODIFIER = "premodifier"
VERB_BEFORE = "verb_before"
DIRECTION = "dir"
CLAUSE_DATE = "clause_date"
SENTENCE_DATE = "sentence_date"
REPORTING_CLAUSE = "reporting"
PERFECT = "perfect"
PROGRESSIVE = "progressive"
LEAD = "lead"
SENTENCE_CLOCK = "sentence_clock"
SUBCLAUSE = "subclause"
DAYS = "days"
WRITTEN = "written"
SET = "set"
PUB_WRITTEN = "pub_written"
DISTANCE = "d"
SAME_PARAGRAPH = "same_paragraph"
STORY_SET = "story"
AGREE = "agree"
PREVIOUS = "prev"  # the option gives the date the previous sentence's event was given
PAST_PERFECT = "past_perfect"  # "had closed": the narration steps back before its reference time
STATE = "state"  # the clause states a present condition, it does not narrate
PROPERTIES = frozenset(
    {
        GRAIN, RELATION, WHEN, TENSE, COUNT, ROLE, FIRST, MODIFIED, CLOCK, POSSESSIVE,
        PREMODIFIER, VERB_BEFORE, DIRECTION, CLAUSE_DATE, SENTENCE_DATE, REPORTING_CLAUSE,
        PERFECT, PROGRESSIVE, LEAD, SENTENCE_CLOCK, SUBCLAUSE, DAYS, WRITTEN, SET, PUB_WRITTEN,
        DISTANCE, SAME_PARAGRAPH, STORY_SET, AGREE, PREVIOUS, PAST_PERFECT, STATE,
    }
)  # fmt: skip


@lru_cache(maxsize=4096)  # a few hundred distinct names, built tens of times an article
def feature(kind: str, *properties: str | tuple[str, object]) -> str:
    """A feature's name: ``feature(CLAUSE, (WHEN, "pub"), (TENSE, "past"))`` is
    ``"clause|when=pub|t=past"``. Raises ValueError on an unknown kind or property."""
    if kind not in KINDS:
        raise ValueError(f"unknown option kind {kind!r}")
    parts = [kind]
    for prop in properties:
        name, value = (prop, None) if isinstance(prop, str) else prop
        if name not in PROPERTIES:
            raise ValueError(f"unknown feature property {name!r}")
        parts.append(name if value is None else f"{name}={value}")
    return "|".join(parts)


def parse_feature(name: str) -> tuple[str, list[str]]:
    """(kind, property names) of a feature name; ValueError if ``feature`` could not make it."""
    kind, *props = name.split("|")
    names = [p.split("=", 1)[0] for p in props]
    feature(kind, *names)
    return kind, names


def yes(flag: bool) -> str:
    return "y" if flag else "n"


_REL_WORDS = (
    "since",
    "until",
    "till",
    "through",
    "by",
    "from",
    "to",
    "after",
    "before",
    "in",
    "on",
    "at",
    "during",
    "as of",
    "between",
    "for",
    "over",
    "within",
    "of",
    "and",
    "than",
    "ending",
    "starting",
    "beginning",
    "effective",
    "last",
    "early",
    "late",
)
_REL_BEFORE = re.compile(
    r"(?:^|[^\w])("
    + "|".join(sorted(_REL_WORDS, key=len, reverse=True))
    + r")\s*,?\s*(?:the\s+|early\s+|late\s+|mid-?\s*)?$",
    re.IGNORECASE,
)
_DETERMINER_BEFORE = re.compile(
    r"\b(?:the|a|an|this|that|its|their|his|her|our|last|next)\s*$", re.IGNORECASE
)
_NOUN_AFTER = re.compile(r"^\s*(?:[-\u2013]\s*)?[a-z][a-z-]{2,}\b(?!\s+(?:ago|earlier|later))")
_POSSESSIVE_AFTER = re.compile(r"^\s*['\u2019]s\b")
_PERFECT_PLAIN = re.compile(
    r"\b(?:has|have|'ve)\s+(?:\w+ly\s+)?(?:been|[a-z]+(?:ed|en|wn|ne|ht|id))\b", re.IGNORECASE
)
_PERFECT = led_by_first_characters(_PERFECT_PLAIN)  # read only whether
_PAST_PERFECT_PLAIN = re.compile(
    r"\b(?:had|'d)\s+(?:\w+ly\s+)?(?:been|[a-z]+(?:ed|en|wn|ne|ht|id|ft|ld|ck|ng|ok))\b",
    re.IGNORECASE,
)
_PAST_PERFECT = led_by_first_characters(_PAST_PERFECT_PLAIN)  # read only whether


def at_word_starts(pattern: str) -> str:
    """`pattern`, whose every match opens with a word character or an apostrophe, tried
    only where one stands: the same matches, but ``re`` passes every other place (a
    space, the end of a word) on one character test instead of trying each branch."""
    return r"(?=[\w'])" + pattern


def word_trie(words: Iterable[str], *, space: str = r"\s+", more: str = "") -> str:
    """``\\b(?:word|...|more)\\b`` over words (each space written as ``space``) and one more
    alternative, the words shaped as a trie and tried only at word starts: the matches of
    the plain alternation (tests/test_timeline_shortcuts.py), found sooner (at a position
    ``re`` follows one branch a letter instead of trying every word in turn)."""
    body = trie(words, space=space) + (f"|{more}" if more else "")
    return at_word_starts(rf"\b(?:{body})\b")


# grounding.REPORTING ("said", "told", "according to" ...), found sooner (word_trie)
REPORTED = re.compile(word_trie(REPORTING_VERBS), re.IGNORECASE)
_PROGRESSIVE_PLAIN = re.compile(r"\b(?:is|are|am)\s+(?:\w+ly\s+)?[a-z]{3,}ing\b", re.IGNORECASE)
_PROGRESSIVE = led_by_first_characters(_PROGRESSIVE_PLAIN)  # read only whether
_VERB_HINT = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|said|says|[a-z]{3,}ed)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Option:
    """One candidate date of an event clause, with the features that score it."""

    kind: str
    date: EventDate
    mention: DateMention | None
    features: dict[str, float] = field(default_factory=dict)

    @property
    def value(self) -> str | None:
        return self.date.value


@dataclass(frozen=True)
class ClauseContext:
    """What the features read about the clause an event stands in."""

    text: str  # the whole document
    start: int  # the clause (absolute offsets)
    end: int
    sentence_start: int
    sentence_end: int
    tense: str  # past / present / future
    main: bool  # the sentence's first clause group (its own event)
    lead: bool  # in the article's first two sentences
    clock: bool  # the sentence writes a clock time
    state: bool = False  # its first verb is a present stative one ("remains", "is the only")


def in_quotation(text: str, offset: int) -> bool:
    """Whether an offset stands inside a quotation opened earlier in its paragraph
    ("..., he said. "Today we start ..."), in any of the news corpora's marks."""
    before = text[text.rfind("\n", 0, offset) + 1 : offset]
    opened = before.count("\u201c") + before.count("``")
    closed = before.count("\u201d") + before.count("''")
    return opened > closed or before.count('"') % 2 == 1


# --- values ------------------------------------------------------------------------------


def calendar_value(
    value: str, gran: Granularity | None, start: dt.date | None, end: dt.date | None
) -> tuple[str, str] | None:
    """(value, granularity) of the calendar day, month or year that holds a dated interval."""
    if gran in (Granularity.DAY, Granularity.MONTH, Granularity.YEAR):
        return value[:10] if gran is Granularity.DAY else value, gran.value
    if start is None or end is None:
        return None
    if gran is Granularity.WEEK:  # the month that holds most of its days
        middle = start + (end - start) // 2
        return f"{middle.year:04d}-{middle.month:02d}", "month"
    if gran in (Granularity.SEASON, Granularity.QUARTER, Granularity.HALF):
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.year:04d}-{start.month:02d}", "month"
        if start.year == end.year:
            return f"{start.year:04d}", "year"
    return None


@lru_cache(maxsize=1024)  # asked of each mention by every option, role and group
def written(mention: DateMention) -> EventDate | None:
    """The event date a written expression gives, in calendar form; None if it gives none."""
    t = mention.timex
    if not t.resolved or t.start is None:
        return None
    cal = calendar_value(t.value, t.granularity, t.start, t.end)
    if cal is None:
        return None
    value, gran = cal
    return EventDate(
        text=t.text,
        span=Span(start=mention.start, end=mention.end),
        value=value,
        granularity=gran,
        timex=t.value if t.value != value else None,
        start=t.start,
        end=t.end,
        source="written",
    )


@lru_cache(maxsize=256)  # the same two days for every clause of an article
def day(value: dt.date, source: DateSource) -> EventDate:
    return EventDate(
        value=value.isoformat(), granularity="day", start=value, end=value, source=source
    )


@lru_cache(maxsize=256)  # the same story or recent date is carried to clause after clause
def carried(date: EventDate) -> EventDate:
    """A written date carried over to a clause that does not write it."""
    return date.model_copy(update={"text": None, "span": None, "source": "narrative"})


# --- features ------------------------------------------------------------------------------


def _when(start: dt.date | None, end: dt.date | None, anchor: dt.date | None) -> str:
    """Where an interval lies relative to publication, in coarse buckets."""
    if anchor is None or start is None or end is None:
        return "unknown"
    if start <= anchor <= end:
        return "holds_pub" if start < end else "pub"
    if start > anchor:
        days = (start - anchor).days
        return "after_1-7" if days <= 7 else "after_8-90" if days <= 90 else "after_far"
    days = (anchor - end).days
    if days <= 3:
        return "before_1-3"
    if days <= 7:
        return "before_4-7"
    if days <= 31:
        return "before_8-31"
    if days <= 365:
        return "before_32-365"
    return "before_far"


def _relation(text: str, mention: DateMention) -> str:
    """The relation word right before a date expression ('since', 'until', 'in', ...)."""
    before = text[max(0, mention.start - 30) : mention.start]
    m = _REL_BEFORE.search(before)
    return m.group(1).lower() if m else "none"


def _mention_features(
    ctx: ClauseContext,
    mention: DateMention,
    kind: str,
    clause_mentions: int,
    first: bool,
    anchor: dt.date | None,
) -> dict[str, float]:
    t = mention.timex
    text = ctx.text
    rel = _relation(text, mention)
    role = mention_role(text, mention.start, mention.end)
    before = text[max(0, mention.start - 20) : mention.start]
    after = text[mention.end : mention.end + 20]
    when = _when(t.start, t.end, anchor)
    gran = t.granularity.value if t.granularity is not None else "none"
    tense = (TENSE, ctx.tense)
    names = [
        feature(kind, (GRAIN, gran)),
        feature(kind, (RELATION, rel)),
        feature(kind, (WHEN, when)),
        feature(kind, (WHEN, when), tense),
        feature(kind, (RELATION, rel), tense),
        feature(kind, (GRAIN, gran), tense),
        feature(kind, (COUNT, min(clause_mentions, 3))),
    ]
    if role:
        names.append(feature(kind, (ROLE, role)))
    if first:
        names.append(feature(kind, FIRST))
    if t.mod:
        names.append(feature(kind, MODIFIED))
    if t.kind == "time":
        names.append(feature(kind, CLOCK))
    if _POSSESSIVE_AFTER.match(after):
        names.append(feature(kind, POSSESSIVE))
    elif _DETERMINER_BEFORE.search(before) and _NOUN_AFTER.match(after) and gran == "year":
        names.append(feature(kind, PREMODIFIER))  # "the 1992 protests", "that 1978 resolution"
    # a verb between the clause start and the expression: the date follows its event
    lead = text[ctx.start : mention.start]
    names.append(feature(kind, (VERB_BEFORE, yes(bool(_VERB_HINT.search(lead))))))
    if kind == SENTENCE:
        names.append(feature(kind, (DIRECTION, "before" if mention.start < ctx.start else "after")))
    return dict.fromkeys(names, 1.0)


@lru_cache(maxsize=4096)  # tense, status, state, _has_verb and wording search a clause again
def found_at(pattern: re.Pattern[str], text: str) -> int:
    """Where the first match of `pattern` in `text` starts; -1 if there is none."""
    found = pattern.search(text)
    return -1 if found is None else found.start()


@lru_cache(maxsize=64)  # one clause's options ask again for each candidate date
def _clause_wording(clause: str) -> tuple[bool, bool, bool, bool]:
    """Whether the clause reports speech, is perfect, past perfect, progressive."""
    return (
        found_at(REPORTED, clause) >= 0,  # most clauses are whole sentences, asked already
        bool(_PERFECT.search(clause)),
        bool(_PAST_PERFECT.search(clause)),
        bool(_PROGRESSIVE.search(clause)),
    )


def _clause_flags(ctx: ClauseContext) -> tuple[bool, ...]:
    """The clause's _CLAUSE_FLAGS, the same for every option of the clause."""
    wording = _clause_wording(ctx.text[ctx.start : ctx.end])
    return (*wording, ctx.lead, ctx.clock, not ctx.main, ctx.state)


def _clause_features(
    ctx: ClauseContext,
    kind: str,
    has_clause_date: bool,
    has_sentence_date: bool,
    flags: tuple[bool, ...],
) -> dict[str, float]:
    names = _clause_feature_names(kind, ctx.tense, has_clause_date, has_sentence_date, flags)
    return dict.fromkeys(names, 1.0)


_CLAUSE_FLAGS = (
    REPORTING_CLAUSE,
    PERFECT,
    PAST_PERFECT,
    PROGRESSIVE,
    LEAD,
    SENTENCE_CLOCK,
    SUBCLAUSE,
    STATE,
)


@lru_cache(maxsize=4096)  # a few hundred combinations, asked for every option of every clause
def _clause_feature_names(
    kind: str,
    tense: str,
    has_clause_date: bool,
    has_sentence_date: bool,
    flags: tuple[bool, ...],
) -> tuple[str, ...]:
    """The names of a clause's features for an option of `kind` (`flags`: _CLAUSE_FLAGS)."""
    names = [
        feature(kind),
        feature(kind, (TENSE, tense)),
        feature(kind, (CLAUSE_DATE, yes(has_clause_date))),
        feature(kind, (SENTENCE_DATE, yes(has_sentence_date))),
        feature(kind, (CLAUSE_DATE, yes(has_clause_date)), (TENSE, tense)),
    ]
    names += [feature(kind, name) for name, on in zip(_CLAUSE_FLAGS, flags, strict=True) if on]
    return tuple(names)


# --- options ---------------------------------------------------------------------------------


@dataclass
class Narration:
    """The dates an article has set, as the options of its clauses need them."""

    anchor: dt.date | None
    story: EventDate | None = None  # the recent day the story is about
    story_clock: bool = False  # set by a day written with a clock time
    story_offset: int = -1  # where it is written
    story_lead: bool = False  # written in the article's first two sentences
    pub_written: bool = False  # the article writes the publication day itself ("today", "Friday")
    recent: list[tuple[int, int, EventDate, bool]] = field(
        default_factory=list
    )  # (sentence, paragraph, date, fronted: the sentence opens with it)

    def note(
        self, text: str, sentence_index: int, paragraph: int, mention: DateMention, opens: int
    ) -> None:
        """A written date the narration may carry to later clauses (not a comparison point).

        ``opens`` is where its sentence starts: a date in the sentence's opening phrase ("In
        2004, ...", "When the plant opened in March, ...") sets the narrative time, a year
        included; elsewhere only a day or month does."""
        if mention_role(text, mention.start, mention.end) in ("comparison", "since", "range_end"):
            return
        date = written(mention)
        fronted = bool(_OPENING.match(text, opens, mention.start))
        if date is None or date.granularity not in ("day", "month", "year"):
            return
        if date.granularity == "year" and not fronted:
            return
        if self.anchor is not None and date.start is not None and date.start > self.anchor:
            return  # a future date does not set when past narration happened
        self.recent.append((sentence_index, paragraph, date, fronted))

    def last(self, sentence_index: int, paragraph: int) -> tuple[int, bool, EventDate, bool] | None:
        for index, para, date, fronted in reversed(self.recent):
            if index >= sentence_index:
                continue
            if sentence_index - index <= RECENT_SENTENCES or para == paragraph:
                return sentence_index - index, para == paragraph, date, fronted
            return None
        return None


# a sentence's opening phrase, up to a date in it: "In 2004, ", "When the plant opened in March"
_OPENING = re.compile(
    r"\s*(?:(?:back\s+)?in|on|during|when|after|before|by|at|until|following|between|"
    r"throughout|from|earlier|later|as\s+of)\b[^,;:.]*$",
    re.IGNORECASE,
)


def story_day(
    text: str, mentions: list[DateMention], anchor: dt.date | None
) -> tuple[EventDate, bool, int] | None:
    """The recent day the article reports: a written day 1-STORY_MAX_DAYS days before publication.

    A day written with a clock time ("at 14:00 UTC, May 4") wins over one without;
    otherwise the first such day in the text.
    """
    if anchor is None:
        return None
    found: list[tuple[int, DateMention]] = []
    for m in mentions:
        t = m.timex
        if (
            t.granularity is Granularity.DAY
            and t.resolved
            and t.start is not None
            and 0 < (anchor - t.start).days <= STORY_MAX_DAYS
            and mention_role(text, m.start, m.end) is None
        ):
            found.append((0 if t.kind == "time" else 1, m))
    if not found:
        return None
    rank, best = min(found, key=lambda x: (x[0], x[1].start))
    date = written(best)
    return (date, rank == 0, best.start) if date is not None else None


def options(
    ctx: ClauseContext,
    sentence_mentions: list[DateMention],
    narration: Narration,
    sentence_index: int,
    paragraph: int,
) -> list[Option]:
    """Every candidate date of one event clause, each with its features."""
    anchor = narration.anchor
    inside = [m for m in sentence_mentions if ctx.start <= m.start < ctx.end]
    has_clause = any(written(m) is not None for m in inside)
    has_sentence = any(written(m) is not None for m in sentence_mentions)
    flags = _clause_flags(ctx)
    found: list[Option] = []
    for m in sentence_mentions:
        date = written(m)
        if date is None or mention_role(ctx.text, m.start, m.end) == "comparison":
            continue  # a comparison point ("the first loss since 1998") is not when it happened
        kind = CLAUSE if ctx.start <= m.start < ctx.end else SENTENCE  # m in inside, by offset
        f = _clause_features(ctx, kind, has_clause, has_sentence, flags)
        f.update(
            _mention_features(ctx, m, kind, len(inside), bool(inside) and m is inside[0], anchor)
        )
        found.append(Option(kind, date, m, f))
    if narration.story is not None:
        f = _clause_features(ctx, STORY, has_clause, has_sentence, flags)
        days = (anchor - narration.story.start).days if anchor and narration.story.start else 0
        where = "before" if narration.story_offset < ctx.sentence_start else "after"
        names = _story_names(
            min(days, 4),
            narration.story_clock,
            where,
            narration.story_lead,
            ctx.tense,
            narration.pub_written,
        )
        f.update(dict.fromkeys(names, 1.0))
        found.append(Option(STORY, carried(narration.story), None, f))
    last = narration.last(sentence_index, paragraph)
    if last is not None:
        distance, same_paragraph, date, fronted = last
        f = _clause_features(ctx, RECENT, has_clause, has_sentence, flags)
        names = _recent_names(
            fronted,
            ctx.tense,
            min(distance, 3),
            same_paragraph,
            date.granularity,
            _when(date.start, date.end, anchor),
        )
        f.update(dict.fromkeys(names, 1.0))
        found.append(Option(RECENT, carried(date), None, f))
    if anchor is not None:
        story = "none" if narration.story is None else "lead" if narration.story_lead else "later"
        for kind, date in (
            (PUBLICATION, day(anchor, "publication")),
            (DAY_BEFORE, day(anchor - dt.timedelta(days=1), "narrative")),
        ):
            f = _clause_features(ctx, kind, has_clause, has_sentence, flags)
            names = _publication_names(kind, narration.pub_written, story, ctx.tense)
            f.update(dict.fromkeys(names, 1.0))
            found.append(Option(kind, date, None, f))
    _agreement(found)
    return found


# The names of the carried options' own features, built once per combination (a few
# hundred, asked for every clause).


@lru_cache(maxsize=1024)
def _story_names(
    days: int, clock: bool, where: str, lead: bool, tense: str, pub_written: bool
) -> tuple[str, ...]:
    set_by = (SET, "lead" if lead else "later")
    return (
        feature(STORY, (DAYS, days)),
        feature(STORY, (CLOCK, yes(clock))),
        feature(STORY, (WRITTEN, where)),
        feature(STORY, set_by),
        feature(STORY, set_by, (TENSE, tense)),
        feature(STORY, set_by, (PUB_WRITTEN, yes(pub_written))),
    )


@lru_cache(maxsize=1024)
def _recent_names(
    fronted: bool, tense: str, distance: int, same_paragraph: bool, grain: str | None, when: str
) -> tuple[str, ...]:
    opening = (SET, "fronted" if fronted else "inline")
    return (
        feature(RECENT, opening),
        feature(RECENT, opening, (TENSE, tense)),
        feature(RECENT, (DISTANCE, distance)),
        feature(RECENT, (SAME_PARAGRAPH, yes(same_paragraph))),
        feature(RECENT, (GRAIN, grain)),
        feature(RECENT, (WHEN, when), (TENSE, tense)),
    )


@lru_cache(maxsize=256)
def _publication_names(kind: str, pub_written: bool, story: str, tense: str) -> tuple[str, ...]:
    return (
        feature(kind, (PUB_WRITTEN, yes(pub_written))),
        feature(kind, (STORY_SET, story)),
        feature(kind, (STORY_SET, story), (TENSE, tense)),
    )


def chained(found: list[Option], previous: str | None, tense: str) -> list[Option]:
    """The options with the chain's features: whether each gives the date ``previous`` the
    sentence before's main event was given (none before the first dated sentence)."""
    if previous is None:
        return found
    out = []
    for option in found:
        names = _chain_names(option.kind, option.value == previous, tense)
        out.append(
            Option(
                option.kind,
                option.date,
                option.mention,
                {**option.features, **dict.fromkeys(names, 1.0)},
            )
        )
    return out


@lru_cache(maxsize=256)  # a few dozen combinations, asked for every option of every sentence
def _chain_names(kind: str, same: bool, tense: str) -> tuple[str, str]:
    """The chain's feature names for an option of `kind` (`same`: it gives the previous date)."""
    return (
        feature(kind, (PREVIOUS, yes(same))),
        feature(kind, (PREVIOUS, yes(same)), (TENSE, tense)),
    )


def _agreement(found: list[Option]) -> None:
    """How many other options give the same value: dates the text sets twice are likelier."""
    values = Counter(option.value for option in found)
    for option in found:
        same = values[option.value] - 1  # the others that give its value
        option.features[feature(option.kind, (AGREE, min(same, 2)))] = 1.0


# --- the learned choice --------------------------------------------------------------------


@lru_cache(maxsize=1)
def weights() -> dict[str, float]:
    """The shipped feature weights (see scripts/train_event_dates.py)."""
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    return {str(k): float(v) for k, v in data["weights"].items()}


def score(option: Option, table: dict[str, float] | None = None) -> float:
    table = weights() if table is None else table
    features = option.features  # summed in the same order as a loop would, by map in C
    return sum(map(operator.mul, map(table.get, features, repeat(0.0)), features.values()))


def story_rule(ctx: ClauseContext, found: list[Option], narration: Narration) -> Option | None:
    """Hand rule (kept because it raises both trial and TBAQ check, docs/timeline-dating.md):
    past-tense narration in a sentence that writes no date, in an article whose first two
    sentences set the recent day it is about and that never writes the publication day,
    belongs to that day. TBAQ's links cannot teach it: a past event with no date words is
    linked to no calendar date there unless it happened on the publication day."""
    if ctx.tense != "past" or not narration.story_lead or narration.pub_written:
        return None
    if any(o.kind in (CLAUSE, SENTENCE) for o in found):
        return None
    story = next((o for o in found if o.kind == STORY), None)
    recent = next((o for o in found if o.kind == RECENT), None)
    if recent is not None and recent.date.granularity == "day":
        return recent  # the sentences just before set another day: the narration is of that day
    return story


def choose(found: list[Option], table: dict[str, float] | None = None) -> Option | None:
    """The best-scoring option (the first listed on ties), or None when there is none."""
    best: tuple[float, Option] | None = None
    for option in found:
        s = score(option, table)
        if best is None or s > best[0]:
            best = (s, option)
    return best[1] if best else None


# --- decoding over the document ---------------------------------------------------------------

DECODERS = ("greedy", "viterbi")
DECODING = "greedy"  # how the sentences' main dates are chosen (see ``decode``)


@dataclass(frozen=True)
class Step:
    """One sentence's main event clause as the decoder sees it: its options (without the
    chain's features), its tense, and the option the hand rule fixes, if it fixes one."""

    options: list[Option]
    tense: str
    fixed: Option | None = None


def _log_probabilities(step: Step, previous: str | None, table: dict[str, float]) -> list[float]:
    """log P(option | the previous sentence's date): the scores normalised over the options."""
    if step.fixed is not None:
        return [0.0 if o is step.fixed else -math.inf for o in step.options]
    scores = [score(o, table) for o in chained(step.options, previous, step.tense)]
    top = max(scores)
    total = top + math.log(sum(math.exp(s - top) for s in scores))
    return [s - total for s in scores]


def decode(
    steps: list[Step], table: dict[str, float] | None = None, how: str | None = None
) -> list[int | None]:
    """The option chosen for each sentence's main clause (an index into its options; None for
    a step without options, which carries the date before it on).

    ``greedy`` reads left to right, each choice made with the one before it; ``viterbi`` takes
    the sequence of choices with the highest product of the chain's probabilities, so a later
    sentence can revise an early doubtful one."""
    table = weights() if table is None else table
    how = DECODING if how is None else how
    if how not in DECODERS:
        raise ValueError(f"unknown decoding {how!r}")
    chosen: list[int | None] = []
    if how == "greedy":
        previous: str | None = None
        for step in steps:
            if not step.options:
                chosen.append(None)
                continue
            probs = _log_probabilities(step, previous, table)
            best = max(range(len(probs)), key=lambda i: (probs[i], -i))
            chosen.append(best)
            previous = step.options[best].value
        return chosen
    # states: the date the last main clause was given -> (log probability, choices so far)
    states: dict[str | None, tuple[float, list[int | None]]] = {None: (0.0, [])}
    for step in steps:
        if not step.options:
            states = {v: (p, [*path, None]) for v, (p, path) in states.items()}
            continue
        new: dict[str | None, tuple[float, list[int | None]]] = {}
        for value, (p, path) in states.items():
            for i, lp in enumerate(_log_probabilities(step, value, table)):
                if lp == -math.inf:
                    continue
                target = step.options[i].value
                if target not in new or p + lp > new[target][0]:
                    new[target] = (p + lp, [*path, i])
        states = new
    return max(states.values(), key=lambda s: s[0])[1] if steps else []
