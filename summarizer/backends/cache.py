"""Response cache: a model answer is asked for once and replayed from SQLite after that.

Terms:

* **cache key**: the sha256 of a canonical JSON of everything that decides an
  answer: the backend name, the model, the endpoint (``base_url``), and the
  full request (messages, schema, ``max_tokens``, ``temperature``). The
  messages are rendered prompts with the document text inside, so the key
  covers the prompt templates (their content, hence their hash), the
  parameters and the text without naming them separately.
* **entry**: the answer text, its token usage and finish reason, with when it
  was written (``created``), when it was last written or replayed (``used``)
  and the model's name (for ``summarise cache info`` and ``clear --model``).
  Entries hold no secrets: the API key is never part of a key or a value.
* **hit**: a request whose key is stored; the stored ``Completion`` comes back
  with ``cached=True`` and the token counts of the original call, so usage
  reports what the answer cost once and the meter counts ``cached_calls``.
* **bound**: ``max_bytes`` (``Settings.cache_max_mb``). When the pages in use
  pass it, the least recently used entries are deleted until the cache is back
  under ``LOW_WATER`` of it. The check costs two PRAGMAs and runs when the
  cache opens and every ``CHECK_EVERY`` writes, never on a read. Freed pages
  are reused by later writes, so the file stops growing at about the bound;
  ``clear`` (``summarise cache clear``) gives the space back to the disk.

In a group-writable folder the files are made group-readable and -writable
(``share_with_group``), so a team shares one cache.

The file is ``<cache_dir>/responses.sqlite`` in WAL mode, so several threads
and several processes can read and write it at once; a busy writer makes the
others wait (``busy_timeout``) rather than fail. The threads of one process
share one connection behind a lock, eviction included. A cache that cannot be
read or written never fails a run: it degrades to a miss and the model is
asked; a file that cannot be opened at all (not SQLite, unwritable folder) is
skipped with a ``CacheWarning``. Files written before ``used`` and ``model``
existed are migrated on open (the columns are added, empty); their entries
count as the least recently used and their model as unknown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import sqlite3
import stat
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..settings import DEFAULT_CACHE_MAX_MB
from .base import Backend, ChatRequest, Completion, complete_all

CACHE_FILENAME = "responses.sqlite"
BUSY_TIMEOUT_MS = 10_000
KEY_VERSION = 1  # bump when the key's recipe changes, so old entries stop matching
MB = 1024 * 1024
CHECK_EVERY = 100  # writes between two checks of the bound (and the check when opening)
LOW_WATER = 0.9  # eviction goes down to this share of the bound, so it doesn't run on every check
EVICT_ROUNDS = 20  # deleting rows frees pages only roughly in proportion: measure and go again

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created REAL NOT NULL,
    used REAL,
    model TEXT
)
"""
# columns newer than the first schema (key, value, created): added to older files on open
_ADDED_COLUMNS = {"used": "REAL", "model": "TEXT"}
# NULLs sort first: entries from before ``used`` existed are evicted first, oldest first
_LRU_INDEX = "CREATE INDEX IF NOT EXISTS responses_lru ON responses (used, created)"


class CacheError(ConfigError):
    """The cache file exists but is not a usable response cache (not SQLite, another table)."""


class CacheWarning(UserWarning):
    """A run goes on without the response cache, which could not be opened."""


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
    if request.grammar is not None:  # only when set: keys of earlier answers stay valid
        payload["grammar"] = request.grammar
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class ModelStats:
    model: str | None  # None: entries written before the cache recorded models
    entries: int
    last_used: float | None


@dataclass
class CacheStats:
    path: Path
    entries: int
    disk_bytes: int  # the database and its WAL
    free_bytes: int  # pages freed by deletions, reused by writes, given back by ``clear``
    oldest: float | None  # created, seconds since the epoch
    newest: float | None
    last_used: float | None
    models: list[ModelStats] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "entries": self.entries,
            "disk_bytes": self.disk_bytes,
            "free_bytes": self.free_bytes,
            "oldest": iso(self.oldest),
            "newest": iso(self.newest),
            "last_used": iso(self.last_used),
            "models": [
                {"model": m.model, "entries": m.entries, "last_used": iso(m.last_used)}
                for m in self.models
            ],
        }


@dataclass
class ClearResult:
    removed: int
    bytes_before: int
    bytes_after: int
    vacuumed: bool = True  # False: the file was busy, the space stays for later writes

    @property
    def reclaimed(self) -> int:
        return max(0, self.bytes_before - self.bytes_after)


def iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds")


def disk_bytes(path: Path) -> int:
    """The size of the cache on disk: the database and its write-ahead log (the ``-shm``
    index, 32 KB, lives only while the file is open)."""
    total = 0
    for suffix in ("", "-wal"):
        with suppress(OSError):
            total += (path.parent / (path.name + suffix)).stat().st_size
    return total


def share_with_group(path: Path) -> None:
    """Open the cache file (and SQLite's -wal and -shm beside it) to the folder's group
    when the folder is group-writable (a team's shared cache folder): every member
    reads and writes the WAL, so each needs both. Files of other owners are left as
    they are (only the owner may change a mode)."""
    try:
        if not path.parent.stat().st_mode & stat.S_IWGRP:
            return
    except OSError:
        return
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with suppress(OSError):
            mode = file.stat().st_mode
            wanted = mode | stat.S_IRGRP | stat.S_IWGRP
            if wanted != mode:
                file.chmod(stat.S_IMODE(wanted))


class ResponseCache:
    """A key → completion store in one SQLite file, safe across threads and processes.

    ``create=False`` opens an existing cache only (``summarise cache info/clear``):
    a missing file, a file that is not SQLite or holds no ``responses`` table
    raises ``CacheError`` instead of being created. ``max_bytes=None``: unbounded.
    """

    def __init__(
        self,
        path: Path,
        *,
        max_bytes: int | None = DEFAULT_CACHE_MAX_MB * MB,
        create: bool = True,
        check_every: int = CHECK_EVERY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.check_every = check_every
        self.clock = clock
        self.errors = 0  # sqlite errors a get or put swallowed (each cost a miss or a lost entry)
        self.evicted = 0
        self._writes = 0
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.is_file():
            raise CacheError(f"{path}: no response cache there")
        mode = "rwc" if create else "rw"
        # one connection shared by the threads of this process behind a lock: a lookup takes
        # microseconds next to a model call, and it spares one connection per worker thread
        self._conn = sqlite3.connect(
            f"{path.absolute().as_uri()}?mode={mode}",
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
            isolation_level=None,
        )
        self._lock = threading.Lock()
        try:
            with self._lock:
                self._setup(create)
        except sqlite3.Error as exc:
            self._conn.close()
            raise CacheError(f"{path} is not a usable response cache ({exc})") from None
        except CacheError:
            self._conn.close()
            raise
        if create:
            share_with_group(path)
        if create and max_bytes is not None:
            try:
                self.evict()
            except sqlite3.Error:  # busy or read-only: the bound waits for the next check
                self.errors += 1

    def _setup(self, create: bool) -> None:
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a power cut may lose the last answers, never corrupt the file;
        # a lost answer is simply asked again
        conn.execute("PRAGMA synchronous=NORMAL")
        with self._transaction():  # one process migrates; the others wait, then see the columns
            exists = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'responses'"
            ).fetchone()
            if not exists:
                if not create:
                    raise CacheError(f"{self.path} is an SQLite file but not a response cache")
                conn.execute(_SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(responses)")}
            for name, kind in _ADDED_COLUMNS.items():
                if name not in columns:
                    conn.execute(f"ALTER TABLE responses ADD COLUMN {name} {kind}")
            conn.execute(_LRU_INDEX)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """A write transaction on the shared connection; the caller holds the lock."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # --- the run's side: get and put ---

    def get(self, key: str) -> Completion | None:
        try:
            with self._lock:
                row = self._conn.execute(
                    "SELECT value FROM responses WHERE key = ?", (key,)
                ).fetchone()
                if row is not None:
                    try:  # the entry is used: it goes to the back of the eviction queue
                        self._conn.execute(
                            "UPDATE responses SET used = ? WHERE key = ?", (self.clock(), key)
                        )
                    except sqlite3.Error:
                        self.errors += 1  # busy past the timeout, read-only file: still a hit
        except sqlite3.Error:
            self.errors += 1
            return None
        if row is None:
            return None
        try:
            data: dict[str, Any] = json.loads(row[0])
            return Completion(
                text=data["text"],
                prompt_tokens=data.get("prompt_tokens", 0),
                completion_tokens=data.get("completion_tokens", 0),
                finish_reason=data.get("finish_reason"),
                cached=True,
                meta={"cache": "hit"},
            )
        except (ValueError, KeyError, TypeError):
            return None  # an entry from an incompatible version: ask again, overwrite it

    def put(self, key: str, completion: Completion, *, model: str | None = None) -> None:
        # meta is left out: it describes the original transport, not the answer
        value = {k: v for k, v in asdict(completion).items() if k not in {"meta", "cached"}}
        try:
            with self._lock:
                now = self.clock()
                self._conn.execute(
                    "INSERT OR REPLACE INTO responses (key, value, created, used, model) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (key, json.dumps(value, ensure_ascii=False), now, now, model),
                )
                self._writes += 1
                if self.max_bytes is not None and self._writes >= self.check_every:
                    self._writes = 0
                    self._evict_locked()
        except sqlite3.Error:
            self.errors += 1  # a full disk or a locked file costs a future call, not this run

    # --- the bound ---

    def _bytes_in_use(self) -> int:
        page_size, pages, free = (
            self._conn.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("page_size", "page_count", "freelist_count")
        )
        return int(page_size) * (int(pages) - int(free))

    def evict(self) -> int:
        """Delete least recently used entries if the cache is past its bound; how many went."""
        if self.max_bytes is None:
            return 0
        with self._lock:
            return self._evict_locked()

    def _evict_locked(self) -> int:
        assert self.max_bytes is not None
        if self._bytes_in_use() <= self.max_bytes:  # the cheap check, outside a transaction
            return 0
        target = int(self.max_bytes * LOW_WATER)
        removed = 0
        with self._transaction():
            for _ in range(EVICT_ROUNDS):
                in_use = self._bytes_in_use()
                count = int(self._conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])
                if in_use <= target or count == 0:
                    break
                batch = max(1, math.ceil(count * (in_use - target) / in_use))
                removed += self._conn.execute(
                    "DELETE FROM responses WHERE key IN "
                    "(SELECT key FROM responses ORDER BY used, created LIMIT ?)",
                    (batch,),
                ).rowcount
        self.evicted += removed
        return removed

    # --- the user's side: summarise cache info / clear ---

    def stats(self) -> CacheStats:
        try:
            return self._stats()
        except sqlite3.Error as exc:
            raise CacheError(f"{self.path}: could not read the cache ({exc})") from None

    def _stats(self) -> CacheStats:
        with self._lock:
            entries, oldest, newest, last_used = self._conn.execute(
                "SELECT COUNT(*), MIN(created), MAX(created), MAX(COALESCE(used, created)) "
                "FROM responses"
            ).fetchone()
            models = [
                ModelStats(model, int(n), last)
                for model, n, last in self._conn.execute(
                    "SELECT model, COUNT(*), MAX(COALESCE(used, created)) FROM responses "
                    "GROUP BY model ORDER BY COUNT(*) DESC, model"
                )
            ]
            page_size, free = (
                self._conn.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("page_size", "freelist_count")
            )
        return CacheStats(
            self.path,
            int(entries),
            disk_bytes(self.path),
            int(page_size) * int(free),
            oldest,
            newest,
            last_used,
            models,
        )

    def clear(
        self, *, older_than_days: float | None = None, model: str | None = None
    ) -> ClearResult:
        """Delete every entry, or those written over ``older_than_days`` ago, or of one model
        (both: those of the model written that long ago); then give the space back (VACUUM)."""
        where: list[str] = []
        params: list[float | str] = []
        if older_than_days is not None:
            where.append("created < ?")
            params.append(self.clock() - older_than_days * 86_400)
        if model is not None:
            where.append("model = ?")
            params.append(model)
        sql = "DELETE FROM responses" + (" WHERE " + " AND ".join(where) if where else "")
        before = disk_bytes(self.path)
        with self._lock:
            try:
                removed = self._conn.execute(sql, params).rowcount
            except sqlite3.Error as exc:
                raise CacheError(f"{self.path}: could not delete entries ({exc})") from None
            vacuumed = True
            try:
                if removed or int(self._conn.execute("PRAGMA freelist_count").fetchone()[0]):
                    self._conn.execute("VACUUM")
                # the rewritten pages sit in the WAL until a checkpoint; another process
                # reading the cache may keep part of them there, and then less is reclaimed now
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:  # busy past the timeout: the freed pages are reused by writes
                vacuumed = False
        return ClearResult(removed, before, disk_bytes(self.path), vacuumed)

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class UnusableCache:
    """Stands in for a cache file that could not be opened: every lookup misses."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason

    def get(self, key: str) -> Completion | None:
        return None

    def put(self, key: str, completion: Completion, *, model: str | None = None) -> None:
        pass

    def __len__(self) -> int:
        return 0

    def close(self) -> None:
        pass


class CachedBackend:
    """A ``Backend`` that answers repeated requests from a ``ResponseCache``."""

    def __init__(
        self, inner: Backend, cache: ResponseCache | UnusableCache, *, base_url: str | None = None
    ) -> None:
        self.inner = inner
        self.cache = cache
        self.name = inner.name
        self.model = inner.model
        self.base_url = base_url  # part of the key: the same model name on two servers differs
        self.hits = 0
        self.misses = 0

    @property
    def supports_grammar(self) -> bool:
        return self.inner.supports_grammar

    def key(self, request: ChatRequest) -> str:
        return cache_key(self.name, self.model, self.base_url, request)

    def complete(self, request: ChatRequest) -> Completion:
        return self.complete_many([request])[0]

    def complete_many(self, requests: Sequence[ChatRequest]) -> list[Completion]:
        """Hits from the cache; the misses sent to the wrapped backend together (errors
        propagate and are never stored)."""
        keys = [self.key(r) for r in requests]
        found: list[Completion | None] = [self.cache.get(k) for k in keys]
        misses = [i for i, hit in enumerate(found) if hit is None]
        self.hits += len(requests) - len(misses)
        self.misses += len(misses)
        for i, completion in zip(misses, complete_all(self.inner, [requests[i] for i in misses])):
            if completion.text.strip():  # an empty answer may be a hiccup: worth asking again
                self.cache.put(keys[i], completion, model=self.model)
            found[i] = completion
        return [c for c in found if c is not None]

    @property
    def served_model(self) -> str | None:
        """The model the server said it answered with (None: not known, e.g. every call cached)."""
        return getattr(self.inner, "served_model", None)

    def reported_context(self) -> int | None:
        ask = getattr(self.inner, "reported_context", None)
        return ask() if ask is not None else None

    def count_tokens(self, text: str) -> int:
        """The wrapped backend's own count (counting asks no model: nothing to cache)."""
        return self.inner.count_tokens(text)


def open_cache(
    cache_dir: Path, max_mb: int = DEFAULT_CACHE_MAX_MB
) -> ResponseCache | UnusableCache:
    """The run's cache; a file that can't be opened is skipped with a ``CacheWarning``."""
    path = cache_dir / CACHE_FILENAME
    try:
        return ResponseCache(path, max_bytes=max_mb * MB)
    except (CacheError, OSError, sqlite3.Error) as exc:
        reason = str(exc) if isinstance(exc, CacheError) else f"{path}: {exc}"
        warnings.warn(f"running without the response cache: {reason}", CacheWarning, stacklevel=2)
        return UnusableCache(path, reason)


__all__ = [
    "CACHE_FILENAME",
    "CacheError",
    "CacheStats",
    "CacheWarning",
    "CachedBackend",
    "ClearResult",
    "ResponseCache",
    "UnusableCache",
    "cache_key",
    "open_cache",
]
