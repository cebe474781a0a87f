"""Faults for the Ray tests, importable by Ray's worker processes (tests/ is on their path).

``DieOnce`` is a backend factory: the worker process exits without a word
(``os._exit``, as a kill or a native crash would leave it) the first time it is
asked about a chosen document, marked through a file so the retry on a
restarted worker goes through. ``DieAlways`` dies every time.
"""

from __future__ import annotations

import os
from pathlib import Path

from support.fakes import FakeBackend

from summarizer.backends import make_backend
from summarizer.backends.base import Backend, ChatRequest, Completion
from summarizer.settings import Settings


def _dying(inner: Backend, needle: str, marker: Path | None) -> FakeBackend:
    """``inner`` behind a backend that ends the process when a request mentions ``needle``:
    every time, or (with ``marker``) the first time only."""

    def reply(request: ChatRequest) -> Completion:
        if any(needle in m["content"] for m in request.messages):
            if marker is None:
                os._exit(3)
            try:
                fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                pass  # died once already: this time it goes through
            else:
                os.close(fd)
                os._exit(3)
        return inner.complete(request)

    return FakeBackend(
        reply,
        name=inner.name,
        model=inner.model,
        tokenizer=inner.count_tokens,
        supports_grammar=getattr(inner, "supports_grammar", False),
    )


class DieOnce:
    def __init__(self, needle: str, marker: Path) -> None:
        self.needle, self.marker = needle, marker

    def __call__(self, settings: Settings) -> FakeBackend:
        return _dying(make_backend(settings), self.needle, self.marker)


class DieAlways:
    def __init__(self, needle: str) -> None:
        self.needle = needle

    def __call__(self, settings: Settings) -> FakeBackend:
        return _dying(make_backend(settings), self.needle, None)
