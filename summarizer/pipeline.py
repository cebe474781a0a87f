"""The pipeline: one document in, one validated ``Result`` out.

It screens the document (sentences addressed to a model never become output),
hands the rest to the chosen strategy (``summarizer.strategies``: ``decomposed``
by default, ``single`` for strong models, ``rules`` without a model) and
assembles the ``Result`` with its provenance. ``summarise`` and ``asummarise``
are the public entry points.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
from typing import Any, TypeVar

from pydantic import ValidationError

from ._version import __version__
from .ask import Meter
from .backends import Backend, make_backend
from .errors import ConfigError, InputError, option_error
from .guard import blank, screen
from .loading import as_document, check_date, check_text, date_warnings, parse_date
from .prompts import Prompts
from .schemas import (
    Document,
    Event,
    EventDate,
    Evidence,
    KeyPoint,
    Notice,
    Provenance,
    Result,
    Span,
)
from .segment import sentences
from .settings import Settings
from .strategies import Run, strategy_class

log = logging.getLogger("summarizer")

# A run's warnings as the stages word them, sorted into (code, field): the first match wins.
WARNING_KINDS: tuple[tuple[re.Pattern[str], str, str | None], ...] = tuple(
    (re.compile(pattern), code, field)
    for pattern, code, field in (
        (r"^no publication date", "no-publication-date", "publication_date"),
        (r"^publication date .* in the future", "future-publication-date", "publication_date"),
        (r"^ignored the sentence at", "ignored-sentence", "text"),
        (r"^stopped asking", "token-budget", None),
        (r"^headline .* dropped", "answer-dropped", "summary.headline"),
        (r"^gist .* dropped", "answer-dropped", "summary.gist"),
        (r"^description .* dropped", "answer-dropped", "events.description"),
        (r"^(?P<field>[\w ]+): shortening .* dropped", "shortening-dropped", None),
        (r"^summary: ", "summary-incomplete", "summary"),
        (r"^key point .*: ", "key-point-unsupported", "summary.key_points"),
        (r"^dropped event .* not in the article", "event-ungrounded", "events"),
        (r"^event .* model read the date", "date-disagreement", "events.date"),
        (r"^event .* date words .* not found", "date-words-not-found", "events.date"),
        (r"^id .* repeats", "duplicate-id", "document_id"),
        (r"^(?P<field>\w+Draft): ", "answer-invalid", None),
    )
)
WARNING_CODES = sorted({code for _, code, _ in WARNING_KINDS} | {"other"})
_SPAN_IN_MESSAGE = re.compile(r"\[(\d+):(\d+)\]")


def notice(message: str, *, offset: int = 0) -> Notice:
    """A warning's message as structured data; ``[start:end]`` in it shifted by ``offset``."""
    if offset:
        message = _SPAN_IN_MESSAGE.sub(
            lambda m: f"[{int(m.group(1)) + offset}:{int(m.group(2)) + offset}]", message
        )
    for pattern, code, field in WARNING_KINDS:
        if found := pattern.match(message):
            named = found.groupdict().get("field")
            return Notice(code=code, field=field or named, message=message)
    return Notice(code="other", message=message)


_Model = TypeVar("_Model", Event, KeyPoint)


def _moved(span: Span, offset: int) -> Span:
    return Span(start=span.start + offset, end=span.end + offset)


def shifted(item: _Model, offset: int) -> _Model:
    """An event or key point with its spans counted from ``offset`` characters earlier."""
    if isinstance(item, KeyPoint):
        return item.model_copy(update={"support": [_moved(s, offset) for s in item.support]})
    evidence: Evidence = item.evidence
    if evidence.match != "title":  # the title stands outside the text: its span stays empty at 0
        evidence = evidence.model_copy(update={"span": _moved(evidence.span, offset)})
    date: EventDate = item.date
    if date.span is not None:
        date = date.model_copy(update={"span": _moved(date.span, offset)})
    return item.model_copy(update={"evidence": evidence, "date": date})


class Pipeline:
    """Runs documents through one strategy (and its backend) with one set of prompts.

    A strategy that needs no model (``rules``) gets no backend: none is built or loaded.
    Raises ``ConfigError`` for an unknown strategy, a missing model file or prompt folder.
    """

    def __init__(self, settings: Settings | None = None, *, backend: Backend | None = None) -> None:
        self.settings = settings or Settings.from_env()
        kind = strategy_class(self.settings.strategy)
        self.backend = (backend or make_backend(self.settings)) if kind.needs_model else None
        if self.settings.context_tokens is None and self.backend is not None:
            # a server that says how long its context is gets documents cut to that length
            ask = getattr(self.backend, "reported_context", None)
            if (reported := ask() if ask is not None else None) is not None:
                self.settings = self.settings.model_copy(update={"context_tokens": reported})
        self.prompts = Prompts(self.settings.prompts_dir)
        self.strategy = kind(self.settings, self.prompts, self.backend)

    def run(self, document: Document) -> Result:
        started = time.perf_counter()
        check_text(document.text, source=document.source)  # "x": an input error, not a crash
        if document.date is not None:
            check_date(document.date, source=document.source)
        run = Run(document, Meter(self.settings.token_budget))
        if document.date is None:
            run.warnings.append("no publication date: relative dates stay unresolved")
        run.warnings.extend(date_warnings(document))
        # sentences addressed to a model rather than to readers never become output
        every = sentences(document.text)
        sents, suspects = screen(document.text, every)
        run.warnings.extend(suspects)
        if suspects:  # the model and the date finder never see them (same offsets, blanked)
            run.document = document.model_copy(update={"text": blank(document.text, sents, every)})
        with self.prompts.recording() as used:  # this document's templates, not the process's
            summary, events = self.strategy.run(run, sents)
        if document.offset:  # spans index the text as the caller gave it, header line included
            events = [shifted(event, document.offset) for event in events]
            if summary is not None:
                points = [shifted(point, document.offset) for point in summary.key_points]
                summary = summary.model_copy(update={"key_points": points})
        for message in run.warnings:
            log.debug("%s: %s", document.id, message)
        return Result(
            document_id=document.id,
            title=document.title,
            publication_date=document.date,
            summary=summary,
            events=events,
            provenance=Provenance(
                backend=self.backend.name if self.backend else "none",
                # the model the server answered with, where it says (an alias resolved)
                model=(getattr(self.backend, "served_model", None) or self.backend.model)
                if self.backend
                else "none",
                strategy=self.settings.strategy,
                prompts=dict(used),
                attempts=run.meter.usage.calls,
                usage=run.meter.usage,
                latency_s=round(time.perf_counter() - started, 3),
                summarizer_version=__version__,
            ),
            warnings=[notice(message, offset=document.offset) for message in run.warnings],
            text=document.text if document.extracted else None,
        )


# --- public API ---

_PIPELINES: dict[str, Pipeline] = {}


def _pipeline(settings: Settings, backend: Backend | None) -> Pipeline:
    if backend is not None:
        return Pipeline(settings, backend=backend)
    key = settings.model_dump_json()
    if key not in _PIPELINES:  # reuse backends: the embedded model loads once per process
        _PIPELINES[key] = Pipeline(settings)
    return _PIPELINES[key]


def _date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return parse_date(value)
    raise InputError(
        f"date must be a datetime.date or a YYYY-MM-DD string, not {type(value).__name__}"
    )


def run_settings(
    settings: Settings | None = None, *, no_model: bool = False, **options: Any
) -> Settings:
    """A run's settings, made and checked here and nowhere else.

    ``settings`` (else the environment) with the ``options`` that are not None on
    top (``Settings`` field names), validated as a whole. ``no_model`` is the rules
    strategy. Raises ``ConfigError``, one line naming the option, for a bad value,
    an unknown option or strategy, and ``no_model`` with another strategy. The
    strategy is checked here, before any model loads.
    """
    options = {name: value for name, value in options.items() if value is not None}
    if no_model:
        if options.get("strategy", "rules") != "rules":
            raise ConfigError(
                f"--no-model runs the rules strategy, not --strategy {options['strategy']}"
            )
        options["strategy"] = "rules"
    try:
        if settings is None:
            chosen = Settings.from_env(**options)
        else:  # validated again as a whole: model_copy(update=...) would take any value
            chosen = Settings.model_validate({**settings.model_dump(), **options})
    except ValidationError as exc:
        raise option_error(exc) from None
    strategy_class(chosen.strategy)
    return chosen


def summarise(
    text_or_document: str | Document,
    *,
    date: Any = None,
    title: str | None = None,
    settings: Settings | None = None,
    backend: Backend | None = None,
    no_model: bool = False,
    **options: Any,
) -> Result:
    """Summarise one document and list its dated, grounded events.

    ``text_or_document`` is raw text (its first line may be ``date YYYY-MM-DD Title``)
    or a ``Document``. ``date`` (a ``datetime.date`` or ``YYYY-MM-DD``) sets or
    overrides the publication date. Other keyword options are ``Settings`` fields
    (``base_url``, ``model``, ``strategy``, ``max_reasks``, ``token_budget``, ...),
    applied over ``settings`` when it is given. ``no_model=True`` is
    ``strategy="rules"``: the whole result from code, no model built or asked.

    The first call with the embedded model loads it (a few seconds; the very first
    run also assembles the 491 MB model file into the cache folder); later calls
    with the same settings reuse it.

    Raises:
        ConfigError: an unknown option or a bad value (``strategy="bogus"``,
            ``max_reasks=-5``), a missing model file or prompt folder.
        InputError: text that is empty or not text, a bad ``date``.
        BackendError: the model could not be reached (or refused the key) after retries.
        GroundingError: ``strict=True`` and an event's quote is not in the text.

    A model answer that never validates is not an error: that part falls back
    (an event described by its own clause) and the result carries a warning.
    """
    document = as_document(text_or_document, date=_date(date), title=title)
    return _pipeline(run_settings(settings, no_model=no_model, **options), backend).run(document)


async def asummarise(text_or_document: str | Document, **kwargs: Any) -> Result:
    """``summarise`` without blocking the event loop (the work runs in a worker thread).

    Takes the same arguments and raises the same errors as ``summarise``."""
    return await asyncio.to_thread(summarise, text_or_document, **kwargs)


__all__ = ["Pipeline", "asummarise", "run_settings", "summarise"]
