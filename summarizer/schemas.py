"""Schemas: every value the tool accepts or returns, validated by pydantic v2.

Terms used throughout:

* **span**: a half-open ``[start, end)`` pair of character offsets into the
  document text exactly as loaded (Python ``str`` indices, so correct for any
  script and for ``\\r\\n`` line endings).
* **evidence**: a verbatim quote from the document plus its span and how it was
  located (``exact``, ``normalised`` or ``fuzzy``).
* **date as written / normalised**: the words the document uses for a date
  ("on Monday") and the TimeML ``TIMEX3``-style value they resolve to against
  the publication date (``2025-11-10``, ``2025-10``, ``2025-W46``, ``PAST_REF``).
* **inferred date**: a date the text implies for an event whose sentence has no
  date words (the date the narrative last set, or the publication date); it is
  marked as inferred and says how, never passed off as written.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .limits import ACTORS_MAX, KEY_POINTS_MAX, KEY_POINTS_MIN

Granularity = Literal[
    "day", "week", "month", "season", "quarter", "half", "year", "decade", "century", "ref"
]
# fact / claim / planned / hypothetical: how an event is reported; state: a condition that
# holds rather than something that happened ("remains a transport hub"); negated: reported as
# not done or not said ("did not specify when", "terms weren't disclosed"). A model is asked
# only for the first four (ModelStatus); code sets the last two.
Status = Literal["fact", "claim", "planned", "hypothetical", "state", "negated"]
ModelStatus = Literal["fact", "claim", "planned", "hypothetical"]
MatchKind = Literal["exact", "normalised", "fuzzy", "title"]
DateSource = Literal["written", "narrative", "publication", "unresolved"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(_Frozen):
    """Half-open character interval into the document text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} is before start {self.start}")
        return self


class Document(_Frozen):
    """One input document. ``date`` is the publication date, the anchor for relative dates."""

    id: str
    text: str
    title: str | None = None
    date: dt.date | None = None
    source: str | None = None
    extracted: bool = Field(
        False, description="text extracted from a web page: spans index it; the result carries it"
    )


class Evidence(_Frozen):
    """A verbatim quote and where it stands in the source (match ``title``: the quote is the
    document's title, which stands outside the text, and the span is empty at 0)."""

    quote: str
    span: Span
    match: MatchKind
    score: float = Field(ge=0.0, le=100.0, description="alignment score, 100 for exact")


# TIMEX3 date values: a calendar day/month/year, an ISO week (weekend), a season, quarter or
# half of a year, a decade or century, a deictic reference, a clock time on a day
# (T14:00, or a part of the day: TMO, TAF, TEV, TNI); unknown parts written with X.
DATE_VALUE_PATTERN = (
    r"^(?:[\dX]{4}(?:-[\dX]{2}(?:-[\dX]{2}(?:T(?:\d{2}:\d{2}|MO|AF|EV|NI))?)?)?|[\dX]{4}-W[\dX]{2}(?:-(?:WE|\d))?"
    r"|[\dX]{4}-(?:SP|SU|FA|WI|Q[1-4X]|H[12X])|\d{2,3}|(?:PRESENT|PAST|FUTURE)_REF)$"
)


class EventDate(_Frozen):
    """When an event happened: the words as written and their normalised value.

    ``value`` is the calendar value a timeline sorts and scores by (day, month or year; a
    week is the month that holds most of it, a quarter, half or season the month or year
    that holds it); ``timex`` keeps the finer TIMEX3 value the words name when it differs
    (``2024-Q2``, ``2026-H1``, ``2024-W12-WE``, ``2024-SU``, ``199``, ``18``), and
    ``start``/``end`` the exact interval.
    """

    text: str | None = Field(None, description="the date as written, e.g. 'Last month'")
    span: Span | None = Field(None, description="where the date words stand in the source")
    value: str | None = Field(
        None,
        pattern=DATE_VALUE_PATTERN,
        description="TIMEX3 value, e.g. 2025-11-10, 2025-10, 2025, PAST_REF",
    )
    granularity: Granularity | None = None
    timex: str | None = Field(
        None,
        pattern=DATE_VALUE_PATTERN,
        description="the TIMEX3 value of the date words when finer than value, e.g. 2024-Q2",
    )
    start: dt.date | None = Field(None, description="first day of the interval covered")
    end: dt.date | None = Field(None, description="last day of the interval covered")
    source: DateSource = Field(
        description="written: from the date words; narrative: the date the text last set; "
        "publication: the publication date; unresolved: no anchor to resolve against"
    )


class Event(_Frozen):
    """One thing that happened (or was claimed, planned, or supposed), grounded in the source."""

    description: str = Field(min_length=3, max_length=300)
    actors: list[str] = Field(default_factory=list)
    location: str | None = None
    date: EventDate
    status: Status
    evidence: Evidence


class KeyPoint(_Frozen):
    text: str = Field(min_length=3, max_length=400)
    support: list[Span] = Field(default_factory=list, description="spans of supporting sentences")


class Summary(_Frozen):
    """Headline, gist, abstract and 3-7 key points (fewer only for a text of fewer sentences)."""

    headline: str = Field(min_length=3, max_length=200)
    gist: str = Field(min_length=3, max_length=400, description="one sentence")
    abstract: str = Field(min_length=3, max_length=1500)
    key_points: list[KeyPoint] = Field(min_length=1, max_length=KEY_POINTS_MAX)


class Usage(BaseModel):
    """Tokens over every model call, failed attempts and re-asks included."""

    model_config = ConfigDict(extra="forbid")

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_calls: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: Usage) -> None:
        self.calls += other.calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cached_calls += other.cached_calls


class Provenance(BaseModel):
    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    backend: str
    model: str
    strategy: str
    prompts: dict[str, str] = Field(description="template name -> sha256 of its content (12 hex)")
    attempts: int = Field(description="model calls made, re-asks included")
    usage: Usage
    latency_s: float
    summarizer_version: str


class Result(BaseModel):
    """What ``summarise`` returns for one document."""

    model_config = ConfigDict(extra="forbid")

    document_id: str
    title: str | None = None
    publication_date: dt.date | None = None
    summary: Summary | None
    events: list[Event]
    provenance: Provenance
    warnings: list[str] = Field(default_factory=list)
    text: str | None = Field(
        None,
        description="the text every span indexes, when it is not what the caller passed "
        "(the article extracted from a web page)",
    )

    def timeline(self) -> list[Event]:
        """Events sorted by date (undated last), then by position in the source."""

        def key(e: Event) -> tuple[int, dt.date, int]:
            start = e.date.start
            return (start is None, start or dt.date.max, e.evidence.span.start)

        return sorted(self.events, key=key)


# --- What the model is asked to return (kept small: small models need small schemas) ---


class SummaryDraft(BaseModel):
    """The model's answer to the summary task."""

    model_config = ConfigDict(extra="ignore")

    headline: str = Field(min_length=3, max_length=200)
    gist: str = Field(min_length=3, max_length=400)
    abstract: str = Field(min_length=3, max_length=1500)
    key_points: list[str] = Field(min_length=KEY_POINTS_MIN, max_length=KEY_POINTS_MAX)


class HeadlineDraft(BaseModel):
    """The model's headline for the article's opening sentence (decomposed strategy)."""

    model_config = ConfigDict(extra="ignore")

    headline: str = Field(min_length=3)


class CompressionDraft(BaseModel):
    """The model's shortening of one sentence by deleting words (decomposed strategy)."""

    model_config = ConfigDict(extra="ignore")

    text: str


class EventDraft(BaseModel):
    """The model's answer for one candidate event sentence (decomposed strategy)."""

    model_config = ConfigDict(extra="ignore")

    description: str = Field(min_length=3)  # its length is checked in words, with a clear message
    actors: list[str] = Field(default_factory=list, max_length=ACTORS_MAX)
    location: str | None = None


class ExtractedEvent(BaseModel):
    """One event as a strong model lists it in the single-call strategy."""

    model_config = ConfigDict(extra="ignore")

    description: str = Field(min_length=3, max_length=200)
    quote: str = Field(min_length=3, description="verbatim sentence or clause from the article")
    date_words: str | None = Field(None, description="the date words exactly as written, if any")
    date_guess: str | None = Field(None, description="your YYYY-MM-DD / YYYY-MM / YYYY reading")
    actors: list[str] = Field(default_factory=list, max_length=ACTORS_MAX)
    location: str | None = None
    status: ModelStatus = "fact"


class EventList(BaseModel):
    model_config = ConfigDict(extra="ignore")

    events: list[ExtractedEvent] = Field(max_length=60)


# --- The cross-document timeline (``summarise_timeline``) ---


class TimelineSource(_Frozen):
    """One article's report of a timeline entry: where it says so and the date as written there."""

    document_id: str
    quote: str
    span: Span
    date_text: str | None = Field(None, description="the date as this article writes it")
    date_value: str | None = Field(None, description="the date this article's words resolve to")
    date_source: DateSource
    publication_date: dt.date | None = None
    status: Status


class TimelineEntry(_Frozen):
    """One event, once, with every article that reports it.

    ``date`` is the most precise date the sources agree on (None: undated). When the
    sources write dates that cannot all be true, ``date_conflict`` lists them instead of
    one being picked silently."""

    date: EventDate | None
    description: str = Field(min_length=3, max_length=300)
    status: Status
    sources: list[TimelineSource] = Field(min_length=1)
    date_conflict: list[str] = Field(default_factory=list)


class EntityTimeline(_Frozen):
    """The entries about one entity (``entity`` None: the whole collection).

    ``entries`` are dated and ordered by date; ``undated`` keeps, in document order, the
    events no date could be given to (never a made-up one)."""

    entity: str | None
    aliases: list[str] = Field(default_factory=list)
    entries: list[TimelineEntry]
    undated: list[TimelineEntry] = Field(default_factory=list)


class Timeline(BaseModel):
    """What ``summarise_timeline`` returns for a collection of articles."""

    model_config = ConfigDict(extra="forbid")

    documents: int = Field(ge=0, description="documents merged (failed ones excluded)")
    timelines: list[EntityTimeline]
    failed: dict[str, str] = Field(
        default_factory=dict, description="document id -> why it was left out"
    )
    warnings: list[str] = Field(default_factory=list)
