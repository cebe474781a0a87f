"""One story, many articles: the cross-document timeline's two stages.

Terms:

* **first stage**: the per-document pipeline over every article (``summarise`` in this
  process, or a batch: ``run_batch`` here, ``run_ray_batch`` on Ray), giving one ``Result``
  (or one recorded error) per article.
* **second stage**: ``summarizer.timeline.collection.build_timeline``, the merge of those
  results into one ``Timeline`` per entity; pure and fast.
* **run output**: the JSONL a batch writes (``summarise run -o``), one line per article,
  ``{"id", "ok", "result"}`` or ``{"id", "ok": false, "error"}``. Reading one skips the
  first stage: a thousand articles summarised once are merged in seconds.

A document the first stage fails on is left out of the timeline, listed under ``failed``
with its error, and the timeline carries one warning about it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import InputError, SummarizerError
from ..loading import FOLDER_EXTENSIONS, as_document
from ..pipeline import summarise
from ..schemas import Document, Result, Timeline
from ..settings import Settings
from ..timeline.collection import build_timeline
from ..timeline.entities import Entity
from .core import numbered_inputs

Item = Document | Result | str


def is_run_output(path: Path) -> bool:
    """Whether ``path`` is a batch's JSONL output (its first line is a result or error line)."""
    if path.suffix.lower() != ".jsonl" or not path.is_file():
        return False
    with path.open(encoding="utf-8", errors="replace") as fh:
        first = fh.readline().strip()
    try:
        record = json.loads(first) if first else None
    except json.JSONDecodeError:
        return False
    return isinstance(record, dict) and "ok" in record and ("result" in record or "error" in record)


def read_run_output(path: Path) -> Iterator[tuple[str, Result | str]]:
    """Each line of a run output: the document id and its ``Result``, or why it failed."""
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                doc_id = str(record["id"])
                if record.get("ok"):
                    yield doc_id, Result.model_validate(record["result"])
                else:
                    error = record.get("error") or {}
                    yield doc_id, f"{error.get('type', 'Error')}: {error.get('message', '')}"
            except (json.JSONDecodeError, KeyError, TypeError, ValidationError) as exc:
                reason = str(exc).splitlines()[0]
                raise InputError(f"{path}:{number}: not a run output line ({reason})") from None


def first_stage(documents: Iterable[Item], **options: Any) -> Iterator[tuple[str, Result | str]]:
    """Each document's result (a ``Result`` passes through), or the one-line reason it failed.

    ``options`` are ``summarise``'s (``settings``, ``date``, ``no_model``, ...)."""
    for n, item in enumerate(documents, 1):
        if isinstance(item, Result):
            yield item.document_id, item
            continue
        doc_id = item.id if isinstance(item, Document) else f"doc{n}"
        try:
            yield doc_id, summarise(as_document(item, doc_id=doc_id), **options)
        except SummarizerError as exc:
            if not isinstance(exc, InputError):
                raise  # the backend or the configuration: every next document would fail too
            yield doc_id, f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # noqa: BLE001 - one document's failure must not stop the rest
            yield doc_id, f"{type(exc).__name__}: {exc}"


def source_outcomes(
    sources: list[str],
    *,
    settings: Settings,
    date: dt.date | None = None,
    extensions: tuple[str, ...] = FOLDER_EXTENSIONS,
    texts: dict[str, str] | None = None,
    offsets: dict[str, int] | None = None,
) -> Iterator[tuple[str, Result | str]]:
    """First-stage outcomes for command-line inputs, in this process: a run output is read
    as it is, every other input (files, folders, JSONL, ``-``) is summarised. ``texts``, when
    given, collects each summarised article's text (for the HTML page's article views), and
    ``offsets`` where that text starts in the input as given (spans count from there)."""
    outputs = [s for s in sources if s != "-" and is_run_output(Path(s))]
    for path in outputs:
        yield from read_run_output(Path(path))
    rest = [s for s in sources if s not in outputs]
    if not rest:
        return
    for doc_id, _wanted, item in numbered_inputs(rest, extensions):
        if isinstance(item, InputError):
            yield doc_id, f"InputError: {item}"
            continue
        document = item.model_copy(update={"id": doc_id})
        if texts is not None:
            texts[doc_id] = document.text
        if offsets is not None:
            offsets[doc_id] = document.offset
        yield from first_stage([document], settings=settings, date=date)


def timeline_from(
    outcomes: Iterable[tuple[str, Result | str]],
    entities: Iterable[str | Entity] | None = None,
) -> Timeline:
    """The second stage over first-stage outcomes (results and failures)."""
    results: list[Result] = []
    failed: dict[str, str] = {}
    for doc_id, outcome in outcomes:
        if isinstance(outcome, Result):
            results.append(outcome)
        else:
            failed[doc_id] = outcome
    return build_timeline(results, entities, failed=failed)


def summarise_timeline(
    documents: Iterable[Item],
    entities: Iterable[str | Entity] | None = None,
    *,
    settings: Settings | None = None,
    date: Any = None,
    no_model: bool = False,
    **options: Any,
) -> Timeline:
    """One merged, dated, sourced timeline per entity over a story's articles.

    ``documents`` are ``Document``s (each with its publication date), raw texts, or the
    ``Result``s ``summarise`` already gave (not summarised again). ``entities`` are names
    (``"General Motors"``, or ``"General Motors=GM,GM Corp"`` to add aliases) or ``Entity``
    values; none gives one timeline of the whole collection. ``date`` overrides every
    document's publication date. ``settings``, ``no_model`` and the keyword options are
    those of ``summarise``.

    A document that fails is left out (``Timeline.failed``) with one warning. Raises
    ``ConfigError`` for a bad option and ``BackendError`` when the model cannot be reached.
    """
    outcomes = first_stage(documents, settings=settings, date=date, no_model=no_model, **options)
    return timeline_from(outcomes, entities)


__all__ = [
    "is_run_output",
    "read_run_output",
    "source_outcomes",
    "summarise_timeline",
    "timeline_from",
]
