"""The response cache: repeated requests cost no model call, and the file holds no secrets;
it stays under its bound (least recently used out first), and ``summarise cache`` shows and clears it."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from scripted_server import ScriptedServer, valid_answer
from support.cli import CliRun, assert_refused, summarise_cli, summarise_process
from support.fakes import FakeBackend
from support.paths import TEST_KEY

from summarizer import Settings, summarise
from summarizer.backends import make_backend
from summarizer.backends.base import ChatRequest, Completion
from summarizer.backends.cache import (
    CACHE_FILENAME,
    MB,
    CachedBackend,
    CacheWarning,
    ResponseCache,
    UnusableCache,
    cache_key,
)

TEXT = (
    "Officials said things today in Paris. Officials spoke on Monday about the plan. "
    "Things happened after talks went on last month."
)
REQUEST = ChatRequest([{"role": "user", "content": "Describe it."}], {"type": "object"}, 100, 0.0)


ANSWER = Completion(text='{"a": 1}', prompt_tokens=7, completion_tokens=3, finish_reason="stop")


def answering(text: str = ANSWER.text) -> FakeBackend:
    """A backend that answers ``text`` to every request, with ``ANSWER``'s token counts."""
    reply = replace(ANSWER, text=text)
    return FakeBackend(lambda request: reply)


def test_a_repeated_run_makes_no_http_request(scripted: ScriptedServer, tmp_path: Path) -> None:
    scripted.responder = valid_answer
    settings = Settings(base_url=scripted.base_url, model="m", cache_dir=tmp_path / "c")
    first = summarise(TEXT, date="2025-11-13", settings=settings)
    asked = len(scripted.requests)
    assert asked > 0 and first.provenance.usage.cached_calls == 0
    # a fresh settings object, a fresh pipeline: only the file is shared
    second = summarise(
        TEXT, date="2025-11-13", settings=settings.model_copy(update={"timeout_s": 30.0})
    )
    assert len(scripted.requests) == asked
    usage = second.provenance.usage
    assert usage.cached_calls == usage.calls == first.provenance.usage.calls
    # tokens of the original calls are still reported
    assert usage.total_tokens == first.provenance.usage.total_tokens
    assert second.summary == first.summary and second.events == first.events


def test_no_cache_asks_every_time(scripted: ScriptedServer, tmp_path: Path) -> None:
    scripted.responder = valid_answer
    settings = Settings(base_url=scripted.base_url, model="m", cache_dir=tmp_path, cache=False)
    assert not isinstance(make_backend(settings), CachedBackend)
    summarise(TEXT, settings=settings)
    asked = len(scripted.requests)
    summarise(TEXT, settings=settings.model_copy(update={"timeout_s": 30.0}))
    assert len(scripted.requests) == 2 * asked
    assert not (tmp_path / CACHE_FILENAME).exists()


def test_the_cache_file_never_holds_the_api_key(scripted: ScriptedServer, tmp_path: Path) -> None:
    scripted.responder = valid_answer
    settings = Settings.from_env(
        base_url=scripted.base_url, model="m", cache_dir=tmp_path, api_key=TEST_KEY
    )
    summarise(TEXT, settings=settings)
    headers = {k.lower(): v for k, v in scripted.headers_seen[0].items()}
    assert headers["authorization"] == f"Bearer {TEST_KEY}"  # the key was in use
    files = list(tmp_path.glob(CACHE_FILENAME + "*"))
    assert files and sum(f.stat().st_size for f in files) > 0
    for file in files:  # the database, its WAL and shared-memory files
        data = file.read_bytes()
        assert TEST_KEY.encode() not in data and b"DO-NOT-LEAK" not in data


def test_the_key_covers_everything_that_decides_an_answer() -> None:
    base = cache_key("openai", "m", "http://x/v1", REQUEST)
    assert base == cache_key("openai", "m", "http://x/v1", replace(REQUEST))
    changed = [
        cache_key("embedded", "m", "http://x/v1", REQUEST),
        cache_key("openai", "m2", "http://x/v1", REQUEST),
        cache_key("openai", "m", "http://y/v1", REQUEST),
        cache_key("openai", "m", "http://x/v1", replace(REQUEST, temperature=0.7)),
        cache_key("openai", "m", "http://x/v1", replace(REQUEST, max_tokens=101)),
        cache_key("openai", "m", "http://x/v1", replace(REQUEST, schema={"type": "array"})),
        cache_key(
            "openai",
            "m",
            "http://x/v1",
            replace(REQUEST, messages=[{"role": "user", "content": "Describe it!"}]),
        ),
    ]
    assert len({base, *changed}) == len(changed) + 1


def test_hits_are_marked_and_failures_are_not_stored(tmp_path: Path) -> None:
    inner = FakeBackend.replaying([RuntimeError("down"), ANSWER])
    backend = CachedBackend(inner, ResponseCache(tmp_path / "r.sqlite"))
    with pytest.raises(RuntimeError):
        backend.complete(REQUEST)
    miss = backend.complete(REQUEST)
    hit = backend.complete(REQUEST)
    assert inner.calls == 2 and not miss.cached and hit.cached
    assert (hit.text, hit.prompt_tokens, hit.completion_tokens) == ('{"a": 1}', 7, 3)
    silent = answering(text="")
    empty = CachedBackend(silent, ResponseCache(tmp_path / "e.sqlite"))
    empty.complete(REQUEST)
    empty.complete(REQUEST)  # an empty answer may be a hiccup: not replayed
    assert silent.calls == 2


def _fill(path: str, worker: int) -> None:
    backend = CachedBackend(answering(), ResponseCache(Path(path)))
    for i in range(150):
        backend.complete(ChatRequest([{"role": "user", "content": f"{worker}-{i}"}]))
        backend.complete(ChatRequest([{"role": "user", "content": f"shared-{i}"}]))


def test_processes_share_one_cache_file(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILENAME
    ResponseCache(path).close()  # create it first, as make_backend would
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_fill, args=(str(path), w)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert len(ResponseCache(path)) == 3 * 150 + 150


def test_a_broken_cache_file_degrades_to_asking(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    cache = ResponseCache(path)
    inner = answering()
    backend = CachedBackend(inner, cache)
    backend.complete(REQUEST)
    cache._conn.execute("DROP TABLE responses")  # as if another version's file
    assert not backend.complete(REQUEST).cached and inner.calls == 2


@pytest.mark.model
def test_embedded_answers_are_cached(model_path: Path, tmp_path: Path) -> None:
    settings = Settings(model_path=model_path, cache_dir=tmp_path)
    backend = make_backend(settings)
    assert isinstance(backend, CachedBackend)
    request = ChatRequest(
        [{"role": "user", "content": "Say hello as JSON."}],
        {"type": "object", "properties": {"greeting": {"type": "string"}}},
        16,
        0.0,
    )
    first = backend.complete(request)
    again = make_backend(settings).complete(request)  # another backend, the same file
    assert not first.cached and again.cached and again.text == first.text
    assert cache_key("embedded", backend.model, None, request) == backend.key(request)


# --- the bound, least recently used first ---

OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created REAL NOT NULL
)
"""  # the table as the first version of the cache created it


class Clock:
    """A clock the test moves: one tick per reading, so every write and hit has its own time."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        self.now += 1
        return self.now


def answer(key: str, size: int = 3000) -> Completion:
    return Completion(
        text=(key + ":") * (size // (len(key) + 1)),
        prompt_tokens=1,
        completion_tokens=1,
        finish_reason="stop",
    )


def stored(path: Path) -> dict[str, tuple[float, float | None, str | None]]:
    """key -> (created, used, model), read through a connection of its own."""
    conn = sqlite3.connect(str(path))
    try:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(responses)")}
        used = "used" if "used" in columns else "NULL"
        model = "model" if "model" in columns else "NULL"
        return {
            k: (c, u, m)
            for k, c, u, m in conn.execute(f"SELECT key, created, {used}, {model} FROM responses")
        }
    finally:
        conn.close()


def bytes_in_use(path: Path) -> int:
    conn = sqlite3.connect(str(path))
    try:
        size, pages, free = (
            conn.execute(f"PRAGMA {p}").fetchone()[0]
            for p in ("page_size", "page_count", "freelist_count")
        )
        return size * (pages - free)
    finally:
        conn.close()


def test_eviction_drops_the_least_recently_used_not_the_oldest_written(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILENAME
    cache = ResponseCache(path, max_bytes=None, clock=Clock())
    for i in range(40):
        cache.put(f"k{i:02}", answer(f"k{i:02}"), model="m")
    for i in range(10):  # the ten oldest entries are used again: they are the recent ones now
        assert cache.get(f"k{i:02}") is not None
    full = bytes_in_use(path)
    cache.max_bytes = full * 3 // 4  # a quarter too much: the check must evict
    cache.check_every = 1
    cache.put("new", answer("new"), model="m")  # the write that triggers the check
    keys = set(stored(path))
    evicted = {f"k{i:02}" for i in range(40)} - keys
    assert cache.evicted == len(evicted) > 0
    assert "new" in keys and all(f"k{i:02}" in keys for i in range(10))
    # exactly the least recently used: a prefix of k10, k11, ..., k39 in order of use
    assert evicted == {f"k{i:02}" for i in range(10, 10 + len(evicted))}
    assert bytes_in_use(path) <= cache.max_bytes
    assert cache.errors == 0


def test_the_bound_holds_while_writing(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILENAME
    bound = 256 * 1024
    cache = ResponseCache(path, max_bytes=bound, check_every=10)
    for i in range(400):  # ~1.2 MB of answers through a 256 KB cache
        cache.put(f"k{i}", answer(f"k{i}"))
    kept = set(stored(path))
    assert 0 < len(kept) < 400 and cache.evicted == 400 - len(kept)
    assert {f"k{i}" for i in range(395, 400)} <= kept  # the last ones written stay
    slack = 10 * 4096 * 2  # at most check_every entries of ~3 KB past the last check
    assert bytes_in_use(path) <= bound + slack
    assert path.stat().st_size <= bound + slack + 64 * 1024  # freed pages were reused
    assert cache.get("k399") is not None and cache.get("k0") is None


def test_the_bound_is_checked_when_opening(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILENAME
    unbounded = ResponseCache(path, max_bytes=None)
    for i in range(100):
        unbounded.put(f"k{i}", answer(f"k{i}"))
    unbounded.close()
    assert bytes_in_use(path) > 200 * 1024
    bounded = ResponseCache(path, max_bytes=100 * 1024)  # a lower bound, e.g. a new setting
    assert bounded.evicted > 0 and bytes_in_use(path) <= 100 * 1024
    assert len(bounded) == 100 - bounded.evicted


def test_the_setting_reaches_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_CACHE_MAX_MB", "3")
    settings = Settings.from_env(base_url="http://127.0.0.1:9/v1", model="m", cache_dir=tmp_path)
    assert settings.cache_max_mb == 3
    backend = make_backend(settings)
    assert isinstance(backend, CachedBackend) and backend.cache.max_bytes == 3 * MB  # type: ignore[union-attr]
    assert Settings().cache_max_mb == 512
    monkeypatch.setenv("SUMMARIZER_CACHE_MAX_MB", "0")
    with pytest.raises(ValueError):
        Settings.from_env()


def test_an_old_format_file_is_migrated_and_keeps_working(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILENAME
    conn = sqlite3.connect(str(path))
    conn.execute(OLD_SCHEMA)
    old_value = json.dumps(
        {"text": '{"a": 1}', "prompt_tokens": 7, "completion_tokens": 3, "finish_reason": "stop"}
    )
    key = CachedBackend(answering(), UnusableCache(path, "")).key(REQUEST)
    conn.executemany(
        "INSERT INTO responses (key, value, created) VALUES (?, ?, ?)",
        [(key, old_value, 1000.0), ("old-unused", old_value, 1001.0)],
    )
    conn.commit()
    conn.close()

    inner = answering()
    backend = CachedBackend(inner, ResponseCache(path, clock=Clock()))
    hit = backend.complete(REQUEST)  # an entry the old version wrote is replayed
    assert hit.cached and hit.prompt_tokens == 7 and inner.calls == 0
    backend.complete(replace(REQUEST, max_tokens=5))  # and new entries are written
    rows = stored(path)
    assert rows[key][1] is not None  # the hit was recorded
    assert rows["old-unused"][1:] == (None, None)  # untouched: unknown use, unknown model
    assert rows[backend.key(replace(REQUEST, max_tokens=5))][2] == "fake-1"
    stats = backend.cache.stats()  # type: ignore[union-attr]
    assert stats.entries == 3
    assert {m.model: m.entries for m in stats.models} == {None: 2, "fake-1": 1}
    # the old entry nobody used since goes first, before the one replayed just now
    cache = backend.cache
    assert isinstance(cache, ResponseCache)
    cache.max_bytes, cache.check_every = 1, 1
    assert cache.evict() == 3 and len(cache) == 0


def test_an_old_format_file_opens_read_only_in_info(tmp_path: Path) -> None:
    path = tmp_path / "cache" / CACHE_FILENAME
    path.parent.mkdir()
    conn = sqlite3.connect(str(path))
    conn.execute(OLD_SCHEMA)
    conn.execute("INSERT INTO responses VALUES ('k', '{\"text\": \"x\"}', 1000.0)")
    conn.commit()
    conn.close()
    run = summarise_cli("cache", "info", "--cache-dir", str(path.parent), "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["entries"] == 1 and data["models"] == [
        {"model": None, "entries": 1, "last_used": "1970-01-01T00:16:40+00:00"}
    ]


# --- threads ---


def test_threads_read_and_write_while_eviction_runs(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILENAME
    cache = ResponseCache(path, max_bytes=128 * 1024, check_every=3)
    failures: list[BaseException] = []
    wrong: list[str] = []
    hits = [0]
    stop = threading.Event()

    def work(worker: int) -> None:
        try:
            for i in range(150):
                key = f"w{worker}-{i}"
                cache.put(key, answer(key, 2000))
                for probe in (key, f"w{(worker + 1) % 4}-{i // 2}", f"w{worker}-{i // 3}"):
                    got = cache.get(probe)
                    if got is not None:
                        hits[0] += 1
                        if got.text != answer(probe, 2000).text:
                            wrong.append(probe)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    def evict() -> None:
        try:
            while not stop.is_set():
                cache.max_bytes = 128 * 1024
                cache.evict()
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)

    evictor = threading.Thread(target=evict)
    workers = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    evictor.start()
    for t in workers:
        t.start()
    for t in workers:
        t.join(120)
    stop.set()
    evictor.join(30)
    assert not failures and not wrong and cache.errors == 0
    assert hits[0] > 0 and cache.evicted > 0 and 0 < len(cache) < 600
    cache.evict()
    assert bytes_in_use(path) <= 128 * 1024
    conn = sqlite3.connect(str(path))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


# --- what the pipeline reaches through the cache ---


def test_the_wrapped_backends_tokenizer_is_reached(tmp_path: Path) -> None:
    from summarizer.pipeline import Pipeline

    inner = FakeBackend(lambda request: ANSWER, tokenizer=lambda text: 42)
    backend = CachedBackend(inner, ResponseCache(tmp_path / "r.sqlite"))
    pipeline = Pipeline(Settings(cache_dir=tmp_path), backend=backend)
    assert pipeline.strategy.count("three little words") == 42
    assert inner.counted == ["three little words"]
    assert inner.calls == 0  # counting asks no model


# --- summarise cache info / clear ---


def filled(folder: Path, *, old_days: float = 10.0) -> Path:
    """A cache with 30 fresh entries of model a, 20 of model b and 10 of a written ``old_days`` ago;
    and a model file and a note that are not the cache's."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "models").mkdir(exist_ok=True)
    (folder / "models" / "model.gguf").write_bytes(b"GGUF" + bytes(1000))
    (folder / "notes.txt").write_text("mine")
    path = folder / CACHE_FILENAME
    cache = ResponseCache(path)
    for i in range(30):
        cache.put(f"a{i}", answer(f"a{i}"), model="model-a")
    for i in range(20):
        cache.put(f"b{i}", answer(f"b{i}"), model="model-b")
    cache.close()
    then = time.time() - old_days * 86_400
    old = ResponseCache(path, clock=lambda: then)
    for i in range(10):
        old.put(f"old{i}", answer(f"old{i}"), model="model-a")
    old.close()
    return path


def on_disk(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.glob(CACHE_FILENAME + "*"))


def untouched(folder: Path) -> None:
    assert (folder / "models" / "model.gguf").read_bytes() == b"GGUF" + bytes(1000)
    assert (folder / "notes.txt").read_text() == "mine"


def test_cache_info_reports_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    path = filled(folder)
    run = summarise_cli("cache", "info", "--cache-dir", str(folder), "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["path"] == str(path) and data["exists"] is True
    assert data["entries"] == 60
    assert data["disk_bytes"] == sum(
        f.stat().st_size for f in folder.glob(CACHE_FILENAME + "*") if not f.name.endswith("-shm")
    )
    assert data["disk_bytes"] > 60 * 3000
    assert {m["model"]: m["entries"] for m in data["models"]} == {"model-a": 40, "model-b": 20}
    assert data["oldest"] < data["newest"] and data["max_bytes"] == 512 * MB
    human = summarise_cli("cache", "info", "--cache-dir", str(folder))
    assert human.returncode == 0 and "60 entries" in human.stdout
    assert "model-a" in human.stdout and "40" in human.stdout and str(path) in human.stdout
    untouched(folder)


def test_cache_info_without_a_cache_file_yet(tmp_path: Path) -> None:
    run = summarise_cli("cache", "info", "--cache-dir", str(tmp_path), "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["exists"] is False and json.loads(run.stdout)["entries"] == 0
    assert list(tmp_path.iterdir()) == []  # looking created nothing
    assert summarise_cli("cache", "clear", "--cache-dir", str(tmp_path)).returncode == 0
    assert list(tmp_path.iterdir()) == []


def test_cache_info_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filled(tmp_path / "env")
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("SUMMARIZER_CACHE_MAX_MB", "7")
    data = json.loads(summarise_cli("cache", "info", "--json").stdout)
    assert data["entries"] == 60 and data["max_bytes"] == 7 * MB


def test_cache_clear_one_model(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    path = filled(folder)
    before = on_disk(folder)
    run = summarise_cli("cache", "clear", "--cache-dir", str(folder), "--model", "model-b")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("removed 20 entries, reclaimed ")
    assert on_disk(folder) < before - 20 * 3000  # vacuumed: the pages went back to the disk
    rows = stored(path)
    assert len(rows) == 40 and {m for _, _, m in rows.values()} == {"model-a"}
    untouched(folder)


def test_cache_clear_older_than(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    path = filled(folder)
    run = summarise_cli("cache", "clear", "--cache-dir", str(folder), "--older-than", "5")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("removed 10 entries")
    assert not any(k.startswith("old") for k in stored(path)) and len(stored(path)) == 50
    again = summarise_cli(
        "cache", "clear", "--cache-dir", str(folder), "--older-than", "5", "--model", "model-a"
    )
    assert again.stdout.startswith("removed 0 entries") and len(stored(path)) == 50
    untouched(folder)


def test_cache_clear_everything_gives_the_space_back(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    path = filled(folder)
    size = on_disk(folder)
    run = summarise_cli("cache", "clear", "--cache-dir", str(folder))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("removed 60 entries, reclaimed ")
    assert on_disk(folder) < size // 4 and "0 B" not in run.stdout
    assert stored(path) == {}
    untouched(folder)
    # the emptied cache still works
    backend = CachedBackend(answering(), ResponseCache(path))
    backend.complete(REQUEST)
    assert backend.complete(REQUEST).cached


def refused(run: CliRun, *fragments: str) -> None:
    assert_refused(run, 2, *fragments)  # 2: bad usage or configuration


def test_a_missing_cache_folder_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    refused(
        summarise_cli("cache", "info", "--cache-dir", str(missing)),
        str(missing),
        "no such cache folder",
    )
    refused(summarise_cli("cache", "clear", "--cache-dir", str(missing)), "no such cache folder")
    assert not missing.exists()


def test_a_corrupt_cache_file_is_one_line_and_left_alone(tmp_path: Path) -> None:
    junk = b"this is not sqlite at all\n" * 200
    (tmp_path / CACHE_FILENAME).write_bytes(junk)
    refused(
        summarise_cli("cache", "info", "--cache-dir", str(tmp_path)), "not a usable response cache"
    )
    refused(
        summarise_cli("cache", "clear", "--cache-dir", str(tmp_path)), "not a usable response cache"
    )
    other = tmp_path / "other"
    other.mkdir()
    conn = sqlite3.connect(str(other / CACHE_FILENAME))
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    refused(summarise_cli("cache", "clear", "--cache-dir", str(other)), "not a response cache")
    assert (tmp_path / CACHE_FILENAME).read_bytes() == junk


def test_a_run_with_a_corrupt_cache_file_goes_on_without_it(
    scripted: ScriptedServer, tmp_path: Path
) -> None:
    scripted.responder = valid_answer
    junk = b"this is not sqlite at all\n" * 200
    (tmp_path / CACHE_FILENAME).write_bytes(junk)
    settings = Settings(base_url=scripted.base_url, model="m", cache_dir=tmp_path)
    with pytest.warns(CacheWarning, match="not a usable response cache"):
        first = summarise(TEXT, settings=settings)
    asked = len(scripted.requests)
    with pytest.warns(CacheWarning):
        summarise(TEXT, settings=settings.model_copy(update={"timeout_s": 30.0}))
    assert len(scripted.requests) == 2 * asked and first.provenance.usage.cached_calls == 0
    assert (tmp_path / CACHE_FILENAME).read_bytes() == junk
    article = tmp_path / "a.txt"
    article.write_text(TEXT)
    # a process of its own: in this one the pipeline above, with its cache, would be reused
    proc = summarise_process(
        str(article),
        "--base-url",
        scripted.base_url,
        "--model",
        "m",
        "--cache-dir",
        str(tmp_path),
        "--format",
        "jsonl",
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["summary"]
    # one line, like the tool's own messages: not Python's "file:line: CacheWarning" and source
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("warning: running without the response cache")
