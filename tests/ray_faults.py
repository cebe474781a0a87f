"""Faults for the Ray tests, importable by Ray's worker processes (tests/ is on their path).

``DieOnce`` is a backend factory: the worker process exits without a word
(``os._exit``, as a kill or a native crash would leave it) the first time it is
asked about a chosen document, marked through a file so the retry on a
restarted worker goes through. ``DieAlways`` dies every time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from summarizer.backends import make_backend
from summarizer.backends.base import ChatRequest, Completion
from summarizer.settings import Settings


class _Dying:
    def __init__(self, inner: Any, needle: str, marker: Path | None) -> None:
        self.inner, self.needle, self.marker = inner, needle, marker
        self.name, self.model = inner.name, inner.model
        self.supports_grammar = inner.supports_grammar

    def complete(self, request: ChatRequest) -> Completion:
        if any(self.needle in m["content"] for m in request.messages):
            if self.marker is None:
                os._exit(3)
            try:
                fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                pass  # died once already: this time it goes through
            else:
                os.close(fd)
                os._exit(3)
        return self.inner.complete(request)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


class DieOnce:
    def __init__(self, needle: str, marker: Path) -> None:
        self.needle, self.marker = needle, marker

    def __call__(self, settings: Settings) -> _Dying:
        return _Dying(make_backend(settings), self.needle, self.marker)


class DieAlways:
    def __init__(self, needle: str) -> None:
        self.needle = needle

    def __call__(self, settings: Settings) -> _Dying:
        return _Dying(make_backend(settings), self.needle, None)
