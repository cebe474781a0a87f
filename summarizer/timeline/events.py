"""Event candidates: which clauses report events, and when, decided by code.

Measured on the embedded 0.5B model: asked for events it lists none, copies
examples, and writes the publication date for every date. So code does what
code does reliably:

* **clauses**: each sentence is cut at clause boundaries ("which", "that",
  "but", ";", "after", a reported clause after "said" or "told" with or
  without "that" ...); a sentence yields one candidate for its main
  clause (quoting the whole sentence) plus one per later clause that carries
  its own date words. A clause that still writes two different dates ("fought
  cancer in 2004 and took leave in 2009") is cut between them: one event per
  date, each with its own quote and span. Three more pieces are events of their
  own when dated: a noun phrase a date premodifies ("charged him in the 1995
  shooting of a doctor"), an aside between the subject and its verb ("Castro,
  who arrived in Miami in 1961, believes ..."), and a planned event cut from
  what is said of it now ("The three are expected | to join in April");
* **dates**: date words are found and resolved by ``summarizer.dates``; each
  candidate's date is chosen, in a second pass over the document (the chain
  reads the date the sentence before was given), among its options (the dates written in its
  clause and sentence, the day the story is about, the date the sentences just
  before set, the publication date, the day before it) by the learned score of
  ``summarizer.timeline.dating``;
* **status**: fact, claim, planned or hypothetical, from the clause's verbs.

The model only writes each candidate's short description (see ``pipeline``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from ..dates import DateMention, Granularity, find_dates
from ..dates.roles import mention_role
from ..dates.tagger import led_by_first_characters
from ..grounding import reporting_pattern
from ..schemas import EventDate, Span, Status
from ..segment import Sentence
from .dating import (
    CLAUSE,
    REPORTED,
    STORY_MAX_DAYS,
    ClauseContext,
    Narration,
    Option,
    Step,
    chained,
    choose,
    decode,
    found_at,
    in_quotation,
    options,
    story_day,
    story_rule,
    word_trie,
    written,
)

MIN_WORDS = 4
CONTEXT_WORDS = 5  # words before a dependent clause that its description keeps
MIN_CLAUSE_CHARS = 12

# every boundary opens with ";", ":", "," or a space: the lookahead skips other places at once
_BOUNDARY = re.compile(
    r"(?=[;:,\s])(?:"
    r"[;:]\s+|,\s+(?=(?:which|where|who|when|while|but|and|after|before|although|though|as|"
    r"because|since|until|whereas)\b)|\s+[-\u2013\u2014]\s+|\s+(?=(?:but|while|after|before|"
    r"although|because|until|whereas)\s)|"
    # a reported clause: "Jobs announced | that Leopard would ship in 2007"
    r"(?<=ed|id|ys|ld)\s+(?=that\s)|"
    # ... and without "that": "the ministry said | Saudi Arabia told oil companies ..."
    r"(?<=\bsaid|\bsays|\btold)\s+(?=(?-i:[A-Z][a-z])|(?:the|a|an|its|his|her|their|it|he|she|they|we|there)\s|"
    r"(?-i:[a-z]+)\s+(?:had|has|have|was|were|is|are|would|will|could)\s)|"
    # a planned event after what is said of it now: "The three are expected | to join in April"
    r"(?:(?<=\bexpected)|(?<=\bscheduled)|(?<=\bslated)|(?<=\bdue)|(?<=\bset)|(?<=\bpoised))"
    r"\s+(?=(?:to|for)\s)|"
    # ... or named by a passive infinitive: "another special event | to be held on October 12"
    r"\s+(?=to\s+be\s+[a-z]+(?:ed|en|wn|ld|ht)\b))",
    re.IGNORECASE,
)
# the words a planned event's clause follows once cut ("expected | to join in April")
_PLANNED_BEFORE = re.compile(r"\b(?:expected|scheduled|slated|due|set|poised)\s*$", re.IGNORECASE)
_TO_BE = re.compile(r"to\s+be\s", re.IGNORECASE)
# the words that tell a clause's tense (word_trie: the plain alternation's matches, sooner)
FUTURE_WORDS = (
    "will", "shall", "'ll", "plan to", "plans to", "planning to", "planned to", "is to", "are to",
    "set to", "expected to", "scheduled", "intend to", "intends to", "aim to", "aims to",
    "going to", "to be held", "would be held", "upcoming", "next",
)  # fmt: skip
_FUTURE = re.compile(word_trie(FUTURE_WORDS, space=" "), re.IGNORECASE)
_HYPOTHETICAL_PLAIN = re.compile(
    r"\b(if|could|might|may|unless|whether|possibly|potential|would)\b", re.IGNORECASE
)
_HYPOTHETICAL = led_by_first_characters(_HYPOTHETICAL_PLAIN)  # read only where, or whether
PAST_WORDS = tuple(
    """was were had did said told took made went came gave saw won lost met held left began
    became brought bought built fell found got grew hit kept knew led paid put ran rose sent
    sold spent spoke stood struck thought threw wrote broke chose drew drove flew forgot
    froze hid rang rode shook showed sought sang sank stole swore tore woke wore""".split()
)
# any other word in -ed, but not as a noun's modifier ("the proposed law")
REGULAR_PAST = (
    r"(?<!the )(?<!a )(?<!an )(?<!its )(?<!their )(?<!his )(?<!her )(?<!\u2019s )(?<!'s )"
    r"[a-z]{2,}ed"
)
_PAST = re.compile(word_trie(PAST_WORDS, more=REGULAR_PAST), re.IGNORECASE)
PRESENT_WORDS = (
    *(
        f"{verb}{mark}t"
        for verb in ("isn", "aren", "doesn", "don", "hasn", "haven")
        for mark in "'\u2019"
    ),
    *"is are has have says denies dismiss dismisses".split(),
    *(
        form
        for verb in """remain continue maintain insist come show seem appear believe want need
        hold face stand describe expect hope fear warn argue claim""".split()
        for form in (verb, verb + "s")
    ),
)
_PRESENT = re.compile(word_trie(PRESENT_WORDS), re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """A clause that reports an event, with its date and status decided by code."""

    sentence: Sentence
    start: int
    end: int
    text: str
    date: EventDate
    status: Status
    mention: DateMention | None

    @property
    def span(self) -> Span:
        return Span(start=self.start, end=self.end)

    @property
    def description(self) -> str:
        """The words that say what happened: the quote, or, for a clause that cannot stand
        alone ("which last took place in the city on July 23"), the clause with the words
        before it that it hangs on ("... a renewal of the talks, which last took place ...")."""
        if self.is_title or self.start <= self.sentence.start or not self.text[:1].islower():
            return self.text
        before = self.sentence.text[: self.start - self.sentence.start].split()
        if len(before) <= CONTEXT_WORDS:
            return " ".join([*before, self.text])
        return " ".join(["\u2026", *before[-CONTEXT_WORDS:], self.text])

    @property
    def is_title(self) -> bool:
        """The document's title, which stands outside the text (its span is empty)."""
        return self.sentence.index == TITLE_INDEX


_QUOTED = re.compile(r"[\"“][^\"“”]{12,}(?:[\"”]|$)")
_WORD = re.compile(r"[^\W\d_]{2,}")  # a word of two letters or more
_IF_OPENING = re.compile(r"\s*if\b", re.IGNORECASE)


@lru_cache(maxsize=1024)  # asked again of the same clause (its state, its status)
def tense(clause: str) -> str:
    """'future', 'past' or 'present' from the clause's verbs (a heuristic, no parser).

    Quoted words are left out when words outside them remain: "Gates responded
    ...: "its effects will be felt..."" reports a past response, whatever tense
    the quotation is in.
    """
    unquoted = _QUOTED.sub(" ", clause)
    if _WORD.search(unquoted):
        clause = unquoted
    if found_at(_FUTURE, clause) >= 0:
        return "future"
    past, present = found_at(_PAST, clause), found_at(_PRESENT, clause)
    # the first finite verb decides: "officials describe ... as difficult" is present
    if past >= 0 and (present < 0 or past < present):
        return "past"
    return "present"


# a report that something was not done or not said: "did not specify", "weren't disclosed"
_NEGATED_PLAIN = re.compile(
    r"\b(?:did|does|do|would|will|could)\s*(?:not|n['\u2019]t)\s+[a-z]+|"
    r"\b(?:declined|refused)\s+to\s+(?:say|specify|comment|disclose|elaborate|identify|give)|"
    r"\b(?:was|were|is|are|has|have|had)\s*(?:not|n['\u2019]t)\s+(?:been\s+)?"
    r"(?:disclosed|specified|released|revealed|announced|identified|made public)\b",
    re.IGNORECASE,
)
_NEGATED = led_by_first_characters(_NEGATED_PLAIN)  # read only where, or whether
# a condition that holds: the first finite verb is a stative one in the present tense
_STATIVE_PLAIN = re.compile(
    r"\b(?:remains?|is|are|lies|lie|belongs?|consists?|contains?|owns?|resembles?|"
    r"counts?|costs?|weighs?|measures?)\b(?!\s+(?:being\s+|now\s+)?[a-z]+(?:ing|ed)\b)",
    re.IGNORECASE,
)
_STATIVE = led_by_first_characters(_STATIVE_PLAIN)  # read only where, or whether


def status_of(clause: str, sentence: str) -> Status:
    """fact, claim, planned, hypothetical, negated or state, from the clause's verbs."""
    if found_at(_FUTURE, clause) >= 0:
        return "planned"
    if _is_negated(clause):
        return "negated"
    if _IF_OPENING.match(clause) or (_HYPOTHETICAL.search(clause) and found_at(_PAST, clause) < 0):
        return "hypothetical"
    if found_at(REPORTED, sentence) >= 0:
        return "claim"
    if _is_state(clause):
        return "state"
    return "fact"


# a relative clause set off by commas: "The city, which once had 60,000 residents, remains ..."
_RELATIVE = re.compile(r",\s*(?:which|who|whose|where)\b.*?,\s", re.IGNORECASE)


# a quotation in any of the news corpora's marks: "...", “...”, ``...''
_QUOTATION = re.compile(r"(?:``|[\"“])[^\"“”]{3,}?(?:''|[\"”]|$)")


@lru_cache(maxsize=1024)
def _main_clause(clause: str) -> str:
    """The clause without quotations and relative clauses, where its own verbs stand."""
    unquoted = _QUOTATION.sub(" ", clause)
    if _WORD.search(unquoted):
        clause = unquoted
    return _RELATIVE.sub(" ", clause)


def _first_verb_at(clause: str) -> int:
    found = [at for at in (found_at(_PAST, clause), found_at(_PRESENT, clause)) if at >= 0]
    return min(found, default=len(clause))


def _is_negated(clause: str) -> bool:
    """Whether the clause's first verb is negated ("He did not specify when ...")."""
    clause = _main_clause(clause)
    negation = _NEGATED.search(clause)
    return negation is not None and negation.start() <= _first_verb_at(clause)


def _is_state(clause: str) -> bool:
    """Whether a clause's main verb, once relative clauses are set aside, is a present state."""
    clause = _main_clause(clause)
    if tense(clause) != "present":
        return False
    stative = _STATIVE.search(clause)
    if stative is None:
        return False
    return stative.start() <= _first_verb_at(clause)


_GRAIN_ORDER = [
    "day",
    "week",
    "month",
    "season",
    "quarter",
    "half",
    "year",
    "decade",
    "century",
    "ref",
]


def _specificity(mention: DateMention) -> int:
    grain = mention.timex.granularity
    value = grain.value if grain is not None else "ref"
    return _GRAIN_ORDER.index(value) if value in _GRAIN_ORDER else len(_GRAIN_ORDER)


def written_date(mention: DateMention) -> EventDate:
    t = mention.timex
    grain = t.granularity.value if t.granularity is not None else None
    return EventDate(
        text=t.text,
        span=Span(start=mention.start, end=mention.end),
        value=t.value if t.resolved else None,
        granularity=grain if t.resolved else None,
        start=t.start,
        end=t.end,
        source="written" if t.resolved else "unresolved",
    )


def publication_date(anchor: dt.date | None) -> EventDate:
    if anchor is None:
        return EventDate(source="unresolved")
    return EventDate(
        value=anchor.isoformat(), granularity="day", start=anchor, end=anchor, source="publication"
    )


def _clauses(sentence: Sentence, nominal: dict[int, int] | None = None) -> list[tuple[int, int]]:
    """Clause spans (absolute offsets) of a sentence, cut at boundary words and punctuation,
    and before each dated noun phrase (`nominal`: its start -> its end, see ``nominal_phrases``)."""
    cuts = [sentence.start]
    for match in _BOUNDARY.finditer(sentence.text):
        cuts.append(sentence.start + match.end())
    cuts += [at for at in nominal or () if sentence.start < at < sentence.end]
    cuts.append(sentence.end)
    cuts.sort()
    spans = [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]
    return spans


# words before a date that make it a noun's premodifier: "the 1995 shooting", "his Aug. 2 move"
_DETERMINER = re.compile(
    r"\b(?:(?:the|a|an|this|that|its|their|his|her|our|your)\s+(?:[\w.-]+['\u2019]s\s+)?|"
    r"[\w.-]+['\u2019]s\s+)$",
    re.IGNORECASE,
)
# the head noun right after a premodifying date: a lower-case word ("shooting", "power-grab")
_NOUN = re.compile(r"\s*(['\u2019]s\s+)?([a-z][a-z-]{2,})\b")
# words that end a dated noun phrase: they open a clause, a coordination, or are no noun
_PHRASE_END = frozenset(
    "and or but nor that which who whom whose when where while because as after before since "
    "until if than ago earlier later to".split()
)
NOMINAL_MAX_WORDS = 10  # a dated noun phrase's words after the date, at most


def nominal_phrases(text: str, sentence: Sentence, mentions: list[DateMention]) -> dict[int, int]:
    """The dated noun phrases of a sentence that stand after a verb: start -> end (offsets).

    A date that premodifies a noun ("was indicted in the October 1998 shooting death of Dr.
    Slepian", "said last month's discovery of a rifle ...") dates the event the noun names, not
    the clause's verb: the phrase is an event of its own, from its determiner (or the date, when
    the date itself is possessive) to the first punctuation, clause word or verb after it. A
    phrase that opens its sentence is the subject of the main event, and no phrase of its own.
    """
    found: dict[int, int] = {}
    for m in mentions:
        if written(m) is None or mention_role(text, m.start, m.end) == "comparison":
            continue
        noun = _NOUN.match(text, m.end, sentence.end)
        if noun is None or noun.group(2).lower() in _PHRASE_END or _is_verb(noun.group(2)):
            continue
        if noun.group(1):  # "last month's discovery"
            start = m.start
        else:
            determiner = _DETERMINER.search(text, max(sentence.start, m.start - 30), m.start)
            if determiner is None:
                continue
            start = determiner.start()
        found[start] = _phrase_end(text, noun.start(2), sentence.end)
    return found


def _is_verb(word: str) -> bool:
    return any(rx.fullmatch(word) is not None for rx in (_PAST, _PRESENT, _FUTURE))


_TOKEN = re.compile(r"\S+")
_PHRASE_STOP = re.compile(r"[,;:()\"\u201c\u201d]|``|''")  # punctuation that ends a phrase


def _phrase_end(text: str, start: int, limit: int) -> int:
    """Where a noun phrase that starts at `start` ends: before the first punctuation mark,
    clause word or verb, after at most NOMINAL_MAX_WORDS words."""
    end = start
    for k, token in enumerate(_TOKEN.finditer(text, start, limit)):
        word = token.group().strip(".,;:!?\"'`()\u201c\u201d\u2018\u2019")
        if k >= NOMINAL_MAX_WORDS or (k and (word.lower() in _PHRASE_END or _is_verb(word))):
            break
        cut = _PHRASE_STOP.search(token.group())
        if cut is not None:
            return token.start() + cut.start() if cut.start() else max(end, start)
        end = token.end()
    return end


def _group(
    sentence: Sentence, mentions: list[DateMention], nominal: dict[int, int] | None = None
) -> list[tuple[int, int, DateMention | None]]:
    """Clauses merged into groups that each hold at most one date (the most specific).

    A clause with no date words continues the group before it; a clause with
    its own date words starts a new group, unless the group so far is only a
    lead-in without a verb ("At the time,").
    """
    groups: list[tuple[int, int, DateMention | None]] = []
    for start, end in _clauses(sentence, nominal):
        inside = [m for m in mentions if start <= m.start < end]
        best = min(inside, key=_specificity) if inside else None
        if not groups:
            groups.append((start, end, best))
            continue
        g_start, _, g_best = groups[-1]
        lead_in = g_best is None and not _has_verb(
            sentence.text[g_start - sentence.start : start - sentence.start]
        )
        if best is None or lead_in:
            groups[-1] = (g_start, end, g_best or best)
        else:
            groups.append((start, end, best))
    return groups


# a present verb in -s before its object: "revises the 2004 budget", "claims that"
_PRESENT_OBJECT = re.compile(r"\b[a-z]{3,}[^s\W]s(?:\s+(?:the|a|an|its|their|his|her|that)\s|\s*$)")


def _has_verb(clause: str) -> bool:
    """Whether a clause has a verb-like word (a full clause, not a lead-in phrase)."""
    return any(found_at(rx, clause) >= 0 for rx in (_PAST, _PRESENT, _FUTURE, _PRESENT_OBJECT))


def _trim_clause(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;:-\u2013\u2014"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:-\u2013\u2014"):
        end -= 1
    return start, end


def is_candidate(sentence: Sentence, mentions: list[DateMention]) -> bool:
    """Whether a sentence may report an event: long enough, and not only a date line.

    A sentence one word shorter than MIN_WORDS ("Profit fell to $4 million.") counts when it
    has a verb: a dateline ("BERLIN, May 4 (Wire) --") or an exclamation has none."""
    words = len(list(islice(_WORD.finditer(sentence.text), MIN_WORDS)))  # stops at MIN_WORDS
    if words < MIN_WORDS - 1 or (words < MIN_WORDS and not _has_verb(sentence.text)):
        return False
    dated = sum(m.end - m.start for m in mentions)
    return dated < 0.6 * len(sentence.text)


def event_mentions(text: str, anchor: dt.date | None) -> list[DateMention]:
    """The date expressions that can date an event: calendar dates, and days written with a
    clock time ("at 14:00 UTC, May 4" dates the day, whatever the hour)."""
    found = []
    for m in find_dates(text, anchor):
        t = m.timex
        if (
            t.kind == "date"
            and t.granularity not in (None, Granularity.REF)
            or t.kind == "time"
            and t.resolved
            and t.start is not None
        ):
            found.append(m)
    return found


@dataclass(frozen=True)
class DatedClause:
    """An event candidate with the clause group it was dated from and the options it had."""

    candidate: Candidate
    group_start: int
    group_end: int
    options: list[Option]
    phrase: bool = False  # a dated noun phrase or aside: dated by its own words, not by choice


def dated_clauses(
    text: str, sentences: list[Sentence], anchor: dt.date | None
) -> list[DatedClause]:
    """Every event candidate in reading order, with its dating options (what training reads).

    Two passes: the options of every event clause first (they read only what the text
    writes), then the sentences' main dates decoded over the whole document
    (``dating.decode``: the chain's features read the date the sentence before was given),
    and each later clause dated given its sentence's previous date."""
    mentions = event_mentions(text, anchor)
    narration = Narration(anchor)
    story = story_day(text, mentions, anchor)
    if story is not None:
        narration.story, narration.story_clock, narration.story_offset = story
        narration.story_lead = len(sentences) < 3 or narration.story_offset < sentences[1].end
    # "today" inside a quotation is the day the words were said, not the publication day
    narration.pub_written = anchor is not None and any(
        m.timex.granularity is Granularity.DAY
        and m.timex.start == anchor
        and not in_quotation(text, m.start)
        for m in mentions
    )
    planned: list[tuple[Sentence, list[_Clause]]] = []
    lead = 0
    for sentence in sentences:
        inside = [m for m in mentions if sentence.start <= m.start < sentence.end]
        if is_candidate(sentence, inside):
            clauses = []
            clock = any(m.timex.kind == "time" for m in inside)
            for g_start, g_end, start, end, main, phrase in _event_clauses(text, sentence, inside):
                if end - start < MIN_CLAUSE_CHARS:
                    continue
                ctx = ClauseContext(
                    text,
                    g_start,
                    g_end,
                    sentence.start,
                    sentence.end,
                    tense(text[g_start:g_end]),
                    main=main,
                    lead=lead < 2,
                    clock=clock,
                    state=_is_state(text[g_start:g_end]),
                )
                opts = options(ctx, inside, narration, sentence.index, sentence.paragraph)
                fixed = _own_date(opts, start, end) if phrase else story_rule(ctx, opts, narration)
                clauses.append(_Clause(ctx, start, end, opts, fixed, phrase))
            planned.append((sentence, clauses))
            lead += 1
        for m in inside:
            narration.note(text, sentence.index, sentence.paragraph, m, sentence.start)
    steps = []
    for _, clauses in planned:
        head = next((c for c in clauses if c.ctx.main), None)
        steps.append(Step(head.options, head.ctx.tense, head.fixed) if head else Step([], ""))
    decoded = decode(steps)
    found: list[DatedClause] = []
    previous: str | None = None
    for (sentence, clauses), step, index in zip(planned, steps, decoded):
        saying: Candidate | None = None
        main_date: str | None = None
        for clause in clauses:
            ctx, start, end = clause.ctx, clause.start, clause.end
            opts = chained(clause.options, previous, ctx.tense)
            if ctx.main and index is not None:
                best: Option | None = opts[index]
            else:
                best = (
                    opts[clause.options.index(clause.fixed)]
                    if clause.fixed is not None
                    else choose(opts)
                )
            date = best.date if best is not None else publication_date(anchor)
            if saying is not None and date.value == saying.date.value:
                continue  # reported at the date it was said: the saying's event covers it
            plan = _follows_plan(text, ctx, sentence)
            if plan and date.value == main_date:
                continue  # "The vote is set | for Tuesday": the sentence's event covers it
            if not ctx.main and not (clause.phrase or plan) and not _has_verb(text[start:end]):
                start = sentence.start  # "..., and Lazaro in 1984.": the verb stands before
            cand = Candidate(
                sentence,
                start,
                end,
                text[start:end],
                date,
                "planned" if plan else status_of(text[ctx.start : ctx.end], sentence.text),
                best.mention if best is not None else None,
            )
            if (
                ctx.main
                and (start, end) == (sentence.start, sentence.end)
                and (ctx.start, ctx.end) != (sentence.start, sentence.end)
            ):
                saying = cand if _is_attribution(text, ctx.start, ctx.end, sentence) else None
            if ctx.main:
                main_date = date.value
            found.append(DatedClause(cand, ctx.start, ctx.end, opts, clause.phrase))
        if index is not None:
            previous = step.options[index].value
    return found


def _own_date(found: list[Option], start: int, end: int) -> Option | None:
    """The date a dated noun phrase or aside writes itself ("the 1995 shooting": 1995)."""
    return next(
        (o for o in found if o.kind == CLAUSE and o.mention and start <= o.mention.start < end),
        None,
    )


def _follows_plan(text: str, ctx: ClauseContext, sentence: Sentence) -> bool:
    """Whether a later clause was cut after "expected", "scheduled" ... ("to join in April"):
    a planned event, quoted as it stands ("for a release on June 24" has no verb of its own)."""
    return (
        not ctx.main
        and ctx.start > sentence.start
        and (
            _PLANNED_BEFORE.search(text, sentence.start, ctx.start) is not None
            or _TO_BE.match(text, ctx.start) is not None
        )
    )


@dataclass(frozen=True)
class _Clause:
    """An event clause of the first pass: where it stands, its options, the hand rule's pick."""

    ctx: ClauseContext
    start: int  # the quote
    end: int
    options: list[Option]
    fixed: Option | None
    phrase: bool = False  # a dated noun phrase or aside ("the 1995 shooting"), quoted as it stands


# a trailing attribution: ", police said.", ",'' the minister told reporters on Friday."
_ATTRIBUTION = re.compile(
    r"(?:,\s*(?:''|\"|\u201d|\u2019\u2019)?|(?:''|\"|\u201d))\s+(?P<att>[^,;\"\u201c\u201d]{0,80}?"
    + reporting_pattern()
    + r"[^,;\"\u201c\u201d]{0,60}?)\s*[.!?]?\s*(?:''|\"|\u201d)?\s*$",
    re.IGNORECASE,
)
ATTRIBUTION_MAX_WORDS = 12


def _attribution(text: str, sentence: Sentence) -> tuple[int, int] | None:
    """The span of a sentence's trailing attribution (", police said"), or None."""
    if found_at(REPORTED, sentence.text) < 0:  # most sentences: no reporting word, none
        return None
    # no match reaches back over a comma or semicolon (none may stand inside one): start
    # the search at the last, the sentence's earlier commas each cost a long try
    last = max(sentence.text.rfind(","), sentence.text.rfind(";"), 0)
    m = _ATTRIBUTION.search(sentence.text, last)
    if m is None or len(m.group("att").split()) > ATTRIBUTION_MAX_WORDS:
        return None
    start = sentence.start + m.start("att")
    return start, sentence.start + m.end("att")


def _is_attribution(text: str, start: int, end: int, sentence: Sentence) -> bool:
    medial = _medial_attribution(text, sentence)
    return (start, end) in (_attribution(text, sentence), medial and medial[:2])


# an attribution between a subject and its verb: "This switch, | he said, | would happen ..."
_MEDIAL_ATTRIBUTION = re.compile(
    r",\s+(?P<att>[^,;\"\u201c\u201d]{0,40}?"
    + reporting_pattern()
    + r"[^,;\"\u201c\u201d]{0,25}?),\s+",
    re.IGNORECASE,
)


def _medial_attribution(text: str, sentence: Sentence) -> tuple[int, int, int] | None:
    """(start, end) of an attribution set off by commas between a sentence's subject and its
    verb ("This switch, he said, would happen next year"), and where what follows it starts;
    None when there is none."""
    if found_at(REPORTED, text[sentence.start : sentence.end]) < 0:  # no reporting word
        return None
    m = _MEDIAL_ATTRIBUTION.search(text, sentence.start, sentence.end)
    if m is None or len(m.group("att").split()) > ATTRIBUTION_MAX_WORDS:
        return None
    if _has_verb(text[sentence.start : m.start()]) or not _has_verb(text[m.end() : sentence.end]):
        return None
    return m.start("att"), m.end("att"), m.end()


def _event_clauses(
    text: str, sentence: Sentence, inside: list[DateMention]
) -> list[tuple[int, int, int, int, bool, bool]]:
    """(clause start, clause end, quote start, quote end, main, phrase) of each event in a
    sentence.

    The main event quotes the whole sentence and is dated by its main clause; each later
    clause with date words of its own is an event quoting that clause, and each dated noun
    phrase after a verb ("charged him in the 1995 shooting of a doctor", ``nominal_phrases``)
    one quoting the phrase (`phrase` true). A sentence that
    reports, with a trailing attribution, something dated otherwise ("X was found last
    month, the FBI said"), or whose attribution writes its own date ("..., their leader said
    Sunday"), holds two events: the saying, which quotes the sentence and is dated by the
    attribution, and what was said, which quotes its clause (dropped when at the same date);
    so does one whose attribution stands between the subject and its verb ("This switch, he
    said, would happen next year"). A dated aside after the subject ("Castro, who arrived in
    1961, believes ...") is an event of its own; the main event is dated by what follows it.
    """
    att = _attribution(text, sentence)
    dated = [
        m
        for m in inside
        if att is not None
        and m.start < att[0]
        and written(m) is not None
        and mention_role(text, m.start, m.end) != "comparison"
    ]
    said_when = att is not None and any(
        att[0] <= m.start < att[1] and written(m) is not None for m in inside
    )
    if att is not None and (dated or said_when):
        content_end = _trim_clause(text, sentence.start, att[0])[1]
        return _saying_and_said(text, sentence, att, sentence.start, content_end, inside)
    medial = None if att is not None else _medial_attribution(text, sentence)
    if medial is not None:
        att_start, att_end, rest_start = medial
        if any(written(m) is not None for m in inside if att_start <= m.start):
            saying = (att_start, att_end)
            return _saying_and_said(text, sentence, saying, rest_start, sentence.end, inside)
    aside = _dated_aside(text, sentence, inside)
    if aside is not None:
        # "Castro, who arrived in Miami in 1961, | believes ...": the main event is dated by
        # what follows the aside, and the aside is an event of its own
        start, end = aside
        later = [m for m in inside if m.start >= end]
        events = _clause_events(text, _part(text, sentence, end, sentence.end), later)
        main = (events[0][0], events[0][1], sentence.start, sentence.end, True, False)
        return [main, (start, end, *_trim_clause(text, start, end), False, True), *events[1:]]
    return _clause_events(text, sentence, inside)


def _part(text: str, sentence: Sentence, start: int, end: int) -> Sentence:
    """The words of a sentence from `start` to `end`, as a sentence of their own."""
    return Sentence(sentence.index, sentence.paragraph, start, end, text[start:end])


def _saying_and_said(
    text: str,
    sentence: Sentence,
    saying: tuple[int, int],
    start: int,
    end: int,
    inside: list[DateMention],
) -> list[tuple[int, int, int, int, bool, bool]]:
    """The saying (the attribution at `saying`, quoting the whole sentence) and the events
    of what was said (the words from `start` to `end`): its first clause group and each
    later one with a date of its own."""
    said = _part(text, sentence, start, end)
    mentions = [m for m in inside if start <= m.start < end]
    nominal = nominal_phrases(text, said, mentions)
    out = [(*saying, sentence.start, sentence.end, True, False)]
    for k, (g_start, g_end, mention) in enumerate(
        _split_dates(text, _group(said, mentions, nominal), mentions)
    ):
        if mention is not None or k == 0:
            out.append(_later_event(text, g_start, g_end, nominal))
    return out


def _clause_events(
    text: str, sentence: Sentence, inside: list[DateMention]
) -> list[tuple[int, int, int, int, bool, bool]]:
    """The main event (quoting the sentence) and the later dated clauses' events."""
    nominal = nominal_phrases(text, sentence, inside)
    out = []
    for k, (g_start, g_end, mention) in enumerate(
        _split_dates(text, _group(sentence, inside, nominal), inside)
    ):
        if k == 0:
            out.append((g_start, g_end, sentence.start, sentence.end, True, False))
        elif mention is not None:
            out.append(_later_event(text, g_start, g_end, nominal))
    return out


# an aside after the subject: ", who ...", ", which ...", ", born ...", ", founded ..."
_ASIDE_OPENING = re.compile(r",\s+(?=(?:who|which|whose|born|[a-z]{3,}ed)\b)")
_ASIDE_CLOSING = re.compile(r",\s+")
_INNER_BREAK = re.compile(r"[;:]|,\s")  # an aside holds no other clause before its date


def _dated_aside(
    text: str, sentence: Sentence, inside: list[DateMention]
) -> tuple[int, int] | None:
    """The span of a dated aside between a sentence's subject and its verb ("Juanita Castro,
    who arrived in Miami in 1961, believes ..."), from its first word to its closing comma;
    None when the sentence has none (the subject has a verb, the aside writes no date, or no
    verb follows it)."""
    opening = _ASIDE_OPENING.search(text, sentence.start, sentence.end)
    if opening is None or _has_verb(text[sentence.start : opening.start()]):
        return None
    dated = [
        m
        for m in inside
        if m.start >= opening.end()
        and written(m) is not None
        and mention_role(text, m.start, m.end) != "comparison"
    ]
    if not dated:
        return None
    closing = _ASIDE_CLOSING.search(text, dated[0].end, sentence.end)
    if closing is None or any(m.start < closing.start() for m in dated[1:]):
        return None  # one date in the aside, and it closes before the verb
    inner = text[opening.end() : dated[0].start]
    if _INNER_BREAK.search(inner) or not _has_verb(text[closing.end() : sentence.end]):
        return None
    return opening.end(), closing.start()


def _later_event(
    text: str, start: int, end: int, nominal: dict[int, int]
) -> tuple[int, int, int, int, bool, bool]:
    """A later clause group's event: quoting the clause, or only its noun phrase when the
    group opens with a dated one (the words after the phrase stay in its group)."""
    if start in nominal:
        return (start, end, *_trim_clause(text, start, min(end, nominal[start])), False, True)
    return (start, end, *_trim_clause(text, start, end), False, False)


def candidates(
    text: str, sentences: list[Sentence], anchor: dt.date | None, title: str | None = None
) -> list[Candidate]:
    """Every event candidate in the document, in reading order, each dated by the learned
    choice among its options (``summarizer.timeline.dating``); the title's event first, when
    the title reports one the lede does not already say."""
    dated = dated_clauses(text, sentences, anchor)
    found = [d.candidate for d in dated]
    headline = title_candidate(title, found, anchor, _story_event(text, dated))
    return found if headline is None else [headline, *found]


def _story_event(text: str, dated: list[DatedClause]) -> Candidate | None:
    """The lede's event a title reports: its main event or, when that is a trailing
    attribution's saying ("... has died yesterday, according to the company"), what was said."""
    if not dated:
        return None
    first = dated[0]
    sentence = first.candidate.sentence
    said = dated[1] if len(dated) > 1 else None
    if (
        said is not None
        and said.candidate.sentence.index == sentence.index
        and _is_attribution(text, first.group_start, first.group_end, sentence)
    ):
        return said.candidate
    return first.candidate


TITLE_INDEX = -1  # the sentence index of a title's event: before the text's first sentence
TITLE_MIN_WORDS = 3
_TITLE_WORD = re.compile(r"[^\W_]{2,}")  # numbers count: "Boeing unveils 787", "Airbus delays A380"


def title_candidate(
    title: str | None,
    found: list[Candidate],
    anchor: dt.date | None,
    lede: Candidate | None = None,
) -> Candidate | None:
    """The event a headline reports ("Boeing unveils long-range 777"), dated as the story's
    event: the day the lede's event (`lede`, else the first candidate) is dated, when that is a
    recent day, else the publication date. None when there is no title or it is too short to
    report anything."""
    if title is None or len(_TITLE_WORD.findall(title)) < TITLE_MIN_WORDS:
        return None
    title = title.strip()
    if lede is None:
        lede = next((c for c in found if c.sentence.index >= 0), None)
    date = publication_date(anchor)
    if lede is not None and _recent_day(lede.date, anchor):
        source = "publication" if lede.date.source == "publication" else "narrative"
        date = lede.date.model_copy(update={"text": None, "span": None, "source": source})
    sentence = Sentence(TITLE_INDEX, TITLE_INDEX, 0, 0, title)
    return Candidate(sentence, 0, 0, title, date, status_of(title, title), None)


def _recent_day(date: EventDate, anchor: dt.date | None) -> bool:
    if anchor is None or date.granularity != "day" or date.start is None:
        return False
    return 0 <= (anchor - date.start).days <= STORY_MAX_DAYS


_COORDINATION = re.compile(
    r",?\s+(?:and|but|while|then|before|after|that)\s+(?:then\s+|later\s+)?|;\s+|,\s+"
)


def _split_dates(
    text: str, groups: list[tuple[int, int, DateMention | None]], mentions: list[DateMention]
) -> list[tuple[int, int, DateMention | None]]:
    """Groups that still hold written dates of different values split between them.

    "He fought cancer in 2004 and took six months off in early 2009" reports two
    events at two dates: each gets its own clause, cut at the last coordination
    ("and", "but", a comma ...) between the two date expressions.
    """
    out: list[tuple[int, int, DateMention | None]] = []
    for g_start, g_end, best in groups:
        inside = [
            m
            for m in mentions
            if g_start <= m.start < g_end
            and written(m) is not None
            and mention_role(text, m.start, m.end) != "comparison"
        ]
        cuts = []
        for a, b in zip(inside, inside[1:]):
            a_date, b_date = written(a), written(b)
            same = a_date is not None and b_date is not None and a_date.value == b_date.value
            if same or mention_role(text, b.start, b.end) == "range_end":
                continue
            between = list(_COORDINATION.finditer(text, a.end, b.start))
            if between:
                cuts.append((between[-1].start(), a, b))
        if not cuts:
            out.append((g_start, g_end, best))
            continue
        piece_start = g_start
        for cut, a, _ in cuts:
            out.append((piece_start, cut, a))
            piece_start = cut
        out.append((piece_start, g_end, cuts[-1][2]))
    return out
