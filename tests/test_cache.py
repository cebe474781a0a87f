"""The response cache: repeated requests cost no model call, and the file holds no secrets."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import TEST_KEY
from scripted_server import ScriptedServer, valid_answer
from summarizer import Settings, summarise
from summarizer.backends import make_backend
from summarizer.backends.base import ChatRequest, Completion
from summarizer.cache import CACHE_FILENAME, CachedBackend, ResponseCache, cache_key

TEXT = ("Officials said things today in Paris. Officials spoke on Monday about the plan. "
        "Things happened after talks went on last month.")
REQUEST = ChatRequest([{"role": "user", "content": "Describe it."}], {"type": "object"}, 100, 0.0)


class Counting:
    """A backend that answers ``text`` and counts its calls (or fails when told)."""

    name = "fake"
    model = "fake-1"

    def __init__(self, text: str = '{"a": 1}') -> None:
        self.text = text
        self.calls = 0
        self.fail = False

    def complete(self, request: ChatRequest) -> Completion:
        self.calls += 1
        if self.fail:
            raise RuntimeError("down")
        return Completion(text=self.text, prompt_tokens=7, completion_tokens=3, finish_reason="stop")


def test_a_repeated_run_makes_no_http_request(scripted: ScriptedServer, tmp_path: Path) -> None:
    scripted.responder = valid_answer
    settings = Settings(base_url=scripted.base_url, model="m", cache_dir=tmp_path / "c")
    first = summarise(TEXT, date="2025-11-13", settings=settings)
    asked = len(scripted.requests)
    assert asked > 0 and first.provenance.usage.cached_calls == 0
    # a fresh settings object, a fresh pipeline: only the file is shared
    second = summarise(TEXT, date="2025-11-13",
                       settings=settings.model_copy(update={"timeout_s": 30.0}))
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
    settings = Settings.from_env(base_url=scripted.base_url, model="m", cache_dir=tmp_path,
                                 api_key=TEST_KEY)
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
        cache_key("openai", "m", "http://x/v1", replace(REQUEST, messages=[
            {"role": "user", "content": "Describe it!"}])),
    ]
    assert len({base, *changed}) == len(changed) + 1


def test_hits_are_marked_and_failures_are_not_stored(tmp_path: Path) -> None:
    inner = Counting()
    backend = CachedBackend(inner, ResponseCache(tmp_path / "r.sqlite"))
    inner.fail = True
    with pytest.raises(RuntimeError):
        backend.complete(REQUEST)
    inner.fail = False
    miss = backend.complete(REQUEST)
    hit = backend.complete(REQUEST)
    assert inner.calls == 2 and not miss.cached and hit.cached
    assert (hit.text, hit.prompt_tokens, hit.completion_tokens) == ('{"a": 1}', 7, 3)
    empty = CachedBackend(Counting(text=""), ResponseCache(tmp_path / "e.sqlite"))
    empty.complete(REQUEST)
    empty.complete(REQUEST)  # an empty answer may be a hiccup: not replayed
    assert empty.inner.calls == 2  # type: ignore[attr-defined]


def _fill(path: str, worker: int) -> None:
    backend = CachedBackend(Counting(), ResponseCache(Path(path)))
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
    inner = Counting()
    backend = CachedBackend(inner, cache)
    backend.complete(REQUEST)
    cache._conn.execute("DROP TABLE responses")  # as if another version's file
    assert not backend.complete(REQUEST).cached and inner.calls == 2


@pytest.mark.model
def test_embedded_answers_are_cached(model_path: Path, tmp_path: Path) -> None:
    settings = Settings(model_path=model_path, cache_dir=tmp_path)
    backend = make_backend(settings)
    assert isinstance(backend, CachedBackend)
    request = ChatRequest([{"role": "user", "content": "Say hello as JSON."}],
                          {"type": "object", "properties": {"greeting": {"type": "string"}}}, 16, 0.0)
    first = backend.complete(request)
    again = make_backend(settings).complete(request)  # another backend, the same file
    assert not first.cached and again.cached and again.text == first.text
    assert cache_key("embedded", backend.model, None, request) == backend.key(request)
