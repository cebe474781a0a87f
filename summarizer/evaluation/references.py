"""Hand-labelled references: the JSONL format the eval sets use, and loaders.

Terms:

* **reference**: one document with its publication date, an optional reference
  summary and key points, and its reference events (``Reference``).
* **reference event**: one annotated event mention (``ReferenceEvent``): a
  description, the trigger word(s) annotators marked, the supporting sentence
  and its character span in ``text``, and the event's date.
* **span**: half-open ``[start, end)`` character offsets into ``Reference.text``
  (Python ``str`` indices), stored as a two-item JSON list.
* **date_value**: a TIMEX3-style normalised value (``2008-03-06``, ``2008-03``,
  ``2008``, ``2006-W14``, ``2006-Q4``, ``2011-H1``, ``2006-SU``, ``200`` for a
  decade, ``20`` for a century) or ``None`` for an undated event. Every dated
  event carries the ``granularity`` its value has.
* **date_source**: ``written`` when a date expression in the text anchors the
  event, ``inferred`` when annotators anchored it without date words (the
  publication date for what is said or happening now, the date the narrative
  set, or a cross-document anchor); ``None`` when undated.
* **summary-only reference**: a reference with ``summary`` set and no events
  (FRANK), used for ROUGE only.

One JSON object per line; a line that is blank or starts with ``//`` is skipped.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .splits import part_of

RefGranularity = Literal[
    "day", "week", "month", "season", "quarter", "half", "year", "decade", "century"
]
RefDateSource = Literal["written", "inferred"]

# Which value shape each granularity has: the value's form *is* its granularity.
_VALUE_FORMS: dict[RefGranularity, re.Pattern[str]] = {
    "day": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "week": re.compile(r"\d{4}-W\d{2}"),
    "month": re.compile(r"\d{4}-\d{2}"),
    "season": re.compile(r"\d{4}-(SP|SU|FA|WI)"),
    "quarter": re.compile(r"\d{4}-Q[1-4]"),
    "half": re.compile(r"\d{4}-H[12]"),
    "year": re.compile(r"\d{4}"),
    "decade": re.compile(r"\d{3}"),
    "century": re.compile(r"\d{2}"),
}


def granularity_of(value: str) -> RefGranularity | None:
    """The granularity a TIMEX3 date value's shape implies, or ``None`` if it is not one."""
    for name, form in _VALUE_FORMS.items():
        if form.fullmatch(value) and _calendar_ok(name, value):
            return name
    return None


def _calendar_ok(granularity: str, value: str) -> bool:
    # a well-formed value must also be a real calendar date / month / week
    if granularity == "day":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return False
    elif granularity == "month":
        return 1 <= int(value[5:7]) <= 12
    elif granularity == "week":
        return 1 <= int(value[6:8]) <= 53
    return True


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReferenceEvent(_Model):
    """One annotated event mention, grounded in its supporting sentence."""

    description: str = Field(min_length=1)
    trigger: str | None = Field(None, description="the annotated event word(s)")
    date_text: str | None = Field(None, description="the date as written, if any")
    date_value: str | None = Field(None, description="TIMEX3 value, None if undated")
    granularity: RefGranularity | None = None
    date_source: RefDateSource | None = None
    actors: list[str] = Field(default_factory=list)
    location: str | None = None
    sentence: str = Field(min_length=1, description="the supporting sentence, verbatim")
    span: tuple[int, int] = Field(description="[start, end) of the sentence in the text")
    trigger_span: tuple[int, int] | None = Field(None, description="[start, end) of the trigger")

    @model_validator(mode="after")
    def _date_consistent(self) -> ReferenceEvent:
        if self.date_value is None:
            if self.granularity is not None or self.date_source is not None:
                raise ValueError("an undated event has no granularity or date_source")
            return self
        implied = granularity_of(self.date_value)
        if implied is None:
            raise ValueError(f"date_value {self.date_value!r} is not a TIMEX3 date value")
        if self.granularity != implied:
            raise ValueError(
                f"date_value {self.date_value!r} has granularity {implied}, not {self.granularity}"
            )
        if self.date_source is None:
            raise ValueError("a dated event needs date_source (written or inferred)")
        return self

    @property
    def dated(self) -> bool:
        return self.date_value is not None


class Reference(_Model):
    """One hand-labelled document."""

    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    publication_date: dt.date | None = None
    title: str | None = None
    source: str = Field(description="URL of the original, or the corpus it comes from")
    licence: str
    summary: str | None = None
    key_points: list[str] = Field(default_factory=list)
    events: list[ReferenceEvent] = Field(default_factory=list)
    notes: str | None = None

    @model_validator(mode="after")
    def _spans_slice(self) -> Reference:
        for i, event in enumerate(self.events):
            _check_span(self.text, event.span, event.sentence, f"event {i} sentence")
            if event.trigger_span is not None:
                start, end = event.trigger_span
                if not (event.span[0] <= start <= end <= event.span[1]):
                    raise ValueError(
                        f"event {i}: trigger_span {event.trigger_span} "
                        f"is outside its sentence span {event.span}"
                    )
                if event.trigger is not None:
                    _check_span(self.text, event.trigger_span, event.trigger, f"event {i} trigger")
        return self

    @property
    def dated_events(self) -> list[ReferenceEvent]:
        return [e for e in self.events if e.dated]


def _check_span(text: str, span: tuple[int, int], expected: str, what: str) -> None:
    start, end = span
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"{what}: span {span} is outside the text (length {len(text)})")
    if text[start:end] != expected:
        raise ValueError(f"{what}: text[{start}:{end}] is {text[start:end]!r}, not {expected!r}")


class ReferenceFormatError(ValueError):
    """A reference file line that is not valid JSON or not a valid ``Reference``."""


def load_references(path: str | Path) -> list[Reference]:
    """Every reference in a JSONL file; a bad line raises with its line number."""
    path = Path(path)
    references: list[Reference] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            reference = _parse_line(line, f"{path}:{lineno}")
            if reference.id in seen:
                raise ReferenceFormatError(f"{path}:{lineno}: duplicate id {reference.id!r}")
            seen.add(reference.id)
            references.append(reference)
    return references


def _parse_line(line: str, where: str) -> Reference:
    try:
        return Reference.model_validate_json(line)
    except ValidationError as exc:
        raise ReferenceFormatError(f"{where}: invalid reference: {exc}") from None
    except ValueError as exc:  # malformed JSON surfaces as ValueError in some paths
        raise ReferenceFormatError(f"{where}: invalid JSON: {exc}") from None


FRANK_LICENCE = (
    "FRANK annotations MIT; article texts and summaries (c) their publishers "
    "(CNN, Daily Mail, BBC): read in place, never copied"
)


def load_frank(
    path: str | Path,
    limit: int | None = None,
    *,
    part: str | None = None,
    subset: str | None = None,
) -> list[Reference]:
    """Summary-only references read in place from FRANK's ``frank_docs.jsonl``.

    ``path`` is the FRANK folder (or the file itself). The article texts belong
    to their publishers, so they are read where they lie and never written into
    the project. FRANK has no publication date (only a crawl date, an upper
    bound), so ``publication_date`` is ``None``. ``subset`` keeps one source
    corpus (``cnndm`` or ``xsum``); ``part`` one half of the split the sentence
    selection was trained on (``tune`` or ``check``, ``splits.part_of``).
    """
    path = Path(path)
    file = path / "frank_docs.jsonl" if path.is_dir() else path
    references: list[Reference] = []
    with file.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            if limit is not None and len(references) >= limit:
                break
            if not line.strip():
                continue
            record = json.loads(line)
            if subset is not None and record.get("dataset") != subset:
                continue
            if part is not None and part_of(str(record.get("hash"))) != part:
                continue
            references.append(_frank_reference(record, f"{file}:{lineno}"))
    return references


def _frank_reference(record: dict[str, object], where: str) -> Reference:
    try:
        return Reference(
            id=f"frank-{record['hash']}",
            text=str(record["article"]),
            title=None,
            publication_date=None,
            source=str(record.get("url") or f"FRANK ({record.get('dataset', 'unknown')})"),
            licence=FRANK_LICENCE,
            summary=str(record["reference"]),
            notes=_frank_notes(record),
        )
    except (KeyError, ValidationError) as exc:
        raise ReferenceFormatError(f"{where}: not a FRANK document record: {exc}") from None


def _frank_notes(record: dict[str, object]) -> str | None:
    crawled = record.get("wayback_crawl_date")
    dataset = record.get("dataset", "unknown")
    bound = f"; web-archive crawl date {crawled} (an upper bound on publication)" if crawled else ""
    return f"FRANK {dataset} document, summary-only reference{bound}"
