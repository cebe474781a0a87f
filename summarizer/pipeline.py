"""The pipeline: one document in, one validated ``Result`` out.

It screens the document (sentences addressed to a model never become output),
hands the rest to the chosen strategy (``summarizer.strategies``: ``decomposed``
by default, ``single`` for strong models) and assembles the ``Result`` with its
provenance. ``summarise`` and ``asummarise`` are the public entry points.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

from ._version import __version__
from .ask import Meter
from .backends import Backend, make_backend
from .guard import screen
from .loading import as_document, date_warnings
from .prompts import Prompts
from .schemas import Document, Provenance, Result
from .segment import sentences
from .settings import Settings
from .strategies import Run, strategy_class


class Pipeline:
    """Runs documents through one strategy (and its backend) with one set of prompts."""

    def __init__(self, settings: Settings | None = None, *, backend: Backend | None = None) -> None:
        self.settings = settings or Settings.from_env()
        kind = strategy_class(self.settings.strategy)
        self.backend = (backend or make_backend(self.settings)) if kind.needs_model else None
        self.prompts = Prompts(self.settings.prompts_dir)
        self.strategy = kind(self.settings, self.prompts, self.backend)

    def run(self, document: Document) -> Result:
        started = time.perf_counter()
        run = Run(document, Meter(self.settings.token_budget))
        if document.date is None:
            run.warnings.append("no publication date: relative dates stay unresolved")
        run.warnings.extend(date_warnings(document))
        # sentences addressed to a model rather than to readers never become output
        sents, suspects = screen(document.text, sentences(document.text))
        run.warnings.extend(suspects)
        summary, events = self.strategy.run(run, sents)
        return Result(
            document_id=document.id,
            title=document.title,
            publication_date=document.date,
            summary=summary,
            events=events,
            provenance=Provenance(
                backend=self.backend.name if self.backend else "none",
                model=self.backend.model if self.backend else "none",
                strategy=self.settings.strategy, prompts=dict(self.prompts.used),
                attempts=run.meter.usage.calls, usage=run.meter.usage,
                latency_s=round(time.perf_counter() - started, 3),
                summarizer_version=__version__,
            ),
            warnings=run.warnings,
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


def summarise(text_or_document: str | Document, *, date: Any = None, title: str | None = None,
              settings: Settings | None = None, backend: Backend | None = None,
              **options: Any) -> Result:
    """Summarise one document and list its dated, grounded events.

    ``text_or_document`` is raw text (its first line may be ``date YYYY-MM-DD Title``)
    or a ``Document``. ``date`` sets or overrides the publication date. Other
    keyword options are ``Settings`` fields (``base_url``, ``model``, ``strategy``,
    ``max_reasks``, ``token_budget``, ...).
    """

    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    document = as_document(text_or_document, date=date, title=title)
    if settings is None:
        settings = Settings.from_env(**options)
    elif options:
        settings = settings.model_copy(update=options)
    return _pipeline(settings, backend).run(document)


async def asummarise(text_or_document: str | Document, **kwargs: Any) -> Result:
    """``summarise`` without blocking the event loop (the model call runs in a worker thread)."""
    return await asyncio.to_thread(summarise, text_or_document, **kwargs)


__all__ = ["Pipeline", "asummarise", "summarise"]
