"""Response cache: a model answer is asked for once and replayed from SQLite after that.

Terms:

* **cache key**: the sha256 of a canonical JSON of everything that decides an
  answer: the backend name, the model, the endpoint (``base_url``), and the
  full request (messages, schema, ``max_tokens``, ``temperature``). The
  messages are rendered prompts with the document text inside, so the key
  covers the prompt templates (their content, hence their hash), the
  parameters and the text without naming them separately.
* **entry**: the answer text, its token usage and finish reason. Entries hold
  no secrets: the API key is never part of a key or a value.
* **hit**: a request whose key is stored; the stored ``Completion`` comes back
  with ``cached=True`` and the token counts of the original call, so usage
  reports what the answer cost once and the meter counts ``cached_calls``.

The file is ``<cache_dir>/responses.sqlite`` in WAL mode, so several threads
and several processes can read and write it at once; a busy writer makes the
others wait (``busy_timeout``) rather than fail. A cache that cannot be read or
written never fails a run: it degrades to a miss and the model is asked.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .backends.base import Backend, ChatRequest, Completion

CACHE_FILENAME = "responses.sqlite"
BUSY_TIMEOUT_MS = 10_000
KEY_VERSION = 1  # bump when the key's recipe changes, so old entries stop matching

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created REAL NOT NULL
)
"""


def cache_key(backend: str, model: str, base_url: str | None, request: ChatRequest) -> str:
    """The sha256 (hex) naming one answer; see the module docstring for what goes in."""
    payload = {
        "v": KEY_VERSION,
        "backend": backend,
        "model": model,
        "base_url": base_url,
        "messages": request.messages,
        "schema": request.schema,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """A key → completion store in one SQLite file, safe across threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # one connection shared by the threads of this process behind a lock: a lookup takes
        # microseconds next to a model call, and it spares one connection per worker thread
        self._conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000,
                                     check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            self._conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a power cut may lose the last answers, never corrupt the file;
            # a lost answer is simply asked again
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute(_SCHEMA)

    def get(self, key: str) -> Completion | None:
        try:
            with self._lock:
                row = self._conn.execute("SELECT value FROM responses WHERE key = ?",
                                         (key,)).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        try:
            data: dict[str, Any] = json.loads(row[0])
            return Completion(text=data["text"], prompt_tokens=data.get("prompt_tokens", 0),
                              completion_tokens=data.get("completion_tokens", 0),
                              finish_reason=data.get("finish_reason"), cached=True,
                              meta={"cache": "hit"})
        except (ValueError, KeyError, TypeError):
            return None  # an entry from an incompatible version: ask again, overwrite it

    def put(self, key: str, completion: Completion) -> None:
        # meta is left out: it describes the original transport, not the answer
        value = {k: v for k, v in asdict(completion).items() if k not in {"meta", "cached"}}
        try:
            with self._lock:
                self._conn.execute(
                    "INSERT OR REPLACE INTO responses (key, value, created) VALUES (?, ?, ?)",
                    (key, json.dumps(value, ensure_ascii=False), time.time()))
        except sqlite3.Error:
            pass  # a full disk or a locked file costs a future call, not this run

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class CachedBackend:
    """A ``Backend`` that answers repeated requests from a ``ResponseCache``."""

    def __init__(self, inner: Backend, cache: ResponseCache) -> None:
        self.inner = inner
        self.cache = cache
        self.name = inner.name
        self.model = inner.model
        self.hits = 0
        self.misses = 0

    def key(self, request: ChatRequest) -> str:
        return cache_key(self.name, self.model, getattr(self.inner, "base_url", None), request)

    def complete(self, request: ChatRequest) -> Completion:
        key = self.key(request)
        hit = self.cache.get(key)
        if hit is not None:
            self.hits += 1
            return hit
        self.misses += 1
        completion = self.inner.complete(request)  # errors propagate and are never stored
        if completion.text.strip():  # an empty answer may be a hiccup: worth asking again
            self.cache.put(key, completion)
        return completion

    def __getattr__(self, name: str) -> Any:
        # anything else a caller needs from the real backend (count_tokens, mode, base_url)
        if name == "inner":  # not set yet (copy, unpickling): don't recurse
            raise AttributeError(name)
        return getattr(self.inner, name)


def open_cache(cache_dir: Path) -> ResponseCache:
    return ResponseCache(cache_dir / CACHE_FILENAME)


__all__ = ["CACHE_FILENAME", "CachedBackend", "ResponseCache", "cache_key", "open_cache"]
