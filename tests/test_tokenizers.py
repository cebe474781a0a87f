"""tiktoken counts for OpenAI models, from bpe-openai's bundled files, with the network blocked.

Expected counts are published tokenizations, not outputs of the code under test:

- openai/tiktoken, tests/test_encoding.py (``test_simple``): cl100k_base encodes
  "hello world" as [15339, 1917].
- OpenAI Cookbook, "How to count tokens with tiktoken"
  (examples/How_to_count_tokens_with_tiktoken.ipynb), sections 3 and 5:
  cl100k_base "tiktoken is great!" = [83, 1609, 5963, 374, 2294, 0];
  "antidisestablishmentarianism": cl100k_base [519, 85342, 34500, 479, 8997, 2191],
  o200k_base [493, 129901, 376, 160388, 21203, 2367];
  "2 + 2 = 4": cl100k_base [17, 489, 220, 17, 284, 220, 19],
  o200k_base [17, 659, 220, 17, 314, 220, 19];
  "お誕生日おめでとう": cl100k_base 9 tokens, o200k_base 8 tokens
  ([8930, 9697, 243, 128225, 8930, 17693, 4344, 48669]: 生日 is one token).
- The Rust port of tiktoken (``EncodingFactory`` API), ``test_simple``: cl100k_base
  encodes "hello <|endoftext|>" with special tokens as normal text as
  [15339, 83739, 8862, 728, 428, 91, 29] (7), and as a special token as
  [15339, 220, 100257] (3; the same as openai/tiktoken's test with allowed_special).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import socket
import sys
import threading
from pathlib import Path

import pytest

pytest.importorskip("tiktoken")
pytest.importorskip("bpe_openai")

import tiktoken.load
import tiktoken.registry
from support.paths import REPO, SAMPLE

from summarizer.backends import make_backend, tokenizers
from summarizer.backends.openai_compat import OpenAICompatBackend
from summarizer.backends.tokenizers import openai_counter
from summarizer.chunking import estimate_tokens
from summarizer.pipeline import Pipeline
from summarizer.settings import Settings

URLS = {  # as in tiktoken_ext/openai_public.py; the cache file is named by their sha1
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}
SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}
BIRTHDAY = "お誕生日おめでとう"


def cached_file(cache_dir: Path, encoding: str) -> Path:
    return cache_dir / "tiktoken" / hashlib.sha1(URLS[encoding].encode()).hexdigest()


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every connection or name lookup is refused and recorded (a caught error would hide it)."""
    attempts: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(repr(args[:2]))
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts
    assert attempts == [], f"something tried the network: {attempts}"


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing loaded in-process by an earlier test: each test loads from its own cache dir."""
    monkeypatch.setattr(tokenizers, "_counters", {})
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)


@pytest.mark.parametrize("model", ["gpt-4", "gpt-4-0613", "gpt-3.5-turbo"])
def test_cl100k_models_count_as_published(model: str, tmp_path: Path) -> None:
    count = openai_counter(model, tmp_path)
    assert count is not None
    assert count("hello world") == 2
    assert count("tiktoken is great!") == 6
    assert count("antidisestablishmentarianism") == 6
    assert count("2 + 2 = 4") == 7
    assert count(BIRTHDAY) == 9
    assert count("") == 0
    assert cached_file(tmp_path, "cl100k_base").is_file()
    assert not cached_file(tmp_path, "o200k_base").exists()


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "o3-mini"])
def test_o200k_models_pick_o200k(model: str, tmp_path: Path) -> None:
    count = openai_counter(model, tmp_path)
    assert count is not None
    assert count(BIRTHDAY) == 8  # 9 in cl100k_base: this would fail on the wrong encoding
    assert count("antidisestablishmentarianism") == 6
    assert count("2 + 2 = 4") == 7
    assert cached_file(tmp_path, "o200k_base").is_file()
    assert not cached_file(tmp_path, "cl100k_base").exists()


def test_seeded_file_is_what_tiktoken_pins(tmp_path: Path) -> None:
    assert openai_counter("gpt-4", tmp_path) and openai_counter("gpt-4o", tmp_path)
    for encoding, sha in SHA256.items():
        assert hashlib.sha256(cached_file(tmp_path, encoding).read_bytes()).hexdigest() == sha
    assert not list((tmp_path / "tiktoken").glob("*.tmp"))


def test_agrees_with_an_independent_implementation_on_an_article(tmp_path: Path) -> None:
    """bpe-openai's own Rust BPE encoder (not tiktoken) counts the whole sample article."""
    import bpe_openai

    text = SAMPLE.read_text(encoding="utf-8")
    for model, encoding in [("gpt-4", "cl100k_base"), ("gpt-4o", "o200k_base")]:
        count = openai_counter(model, tmp_path)
        assert count is not None
        expected = len(bpe_openai.get_encoding(encoding).encode_ordinary(text))
        assert count(text) == expected
        assert expected != estimate_tokens(text)


@pytest.mark.parametrize(
    "model",
    [
        "qwen2.5-0.5b",
        "m",
        "default",
        "llama-3.1-8b",
        "text-davinci-003",  # p50k_base: bpe-openai does not ship it
        "gpt2",
    ],
)
def test_models_without_a_bundled_openai_encoding_get_none(model: str, tmp_path: Path) -> None:
    assert openai_counter(model, tmp_path) is None
    assert not (tmp_path / "tiktoken").exists()


def test_backend_falls_back_to_the_estimate_for_a_local_model(tmp_path: Path) -> None:
    backend = OpenAICompatBackend(
        base_url="http://127.0.0.1:9/v1",
        model="qwen2.5-0.5b",
        api_key=None,
        timeout_s=1,
        transport_retries=0,
        cache_dir=tmp_path,
    )
    text = SAMPLE.read_text(encoding="utf-8")
    assert backend.count_tokens(text) == estimate_tokens(text)
    assert backend.count_tokens(BIRTHDAY) == estimate_tokens(BIRTHDAY)


def test_backend_counts_with_tiktoken_for_an_openai_model(tmp_path: Path) -> None:
    backend = OpenAICompatBackend(
        base_url="http://127.0.0.1:9/v1",
        model="gpt-4o",
        api_key=None,
        timeout_s=1,
        transport_retries=0,
        cache_dir=tmp_path,
    )
    assert backend.count_tokens(BIRTHDAY) == 8
    assert backend.count_tokens("hello world") == 2
    assert cached_file(tmp_path, "o200k_base").is_file()


def test_pipeline_reaches_the_count_through_the_response_cache(tmp_path: Path) -> None:
    # the real construction path: make_backend wraps the OpenAI backend in CachedBackend;
    # the tiktoken data goes to the tool's cache dir (conftest points it at tmp_path/cache)
    settings = Settings.from_env(
        base_url="http://127.0.0.1:9/v1",
        model="gpt-4",
        context_tokens=4096,  # no server asked
    )
    backend = make_backend(settings)
    assert type(backend).__name__ == "CachedBackend"
    pipeline = Pipeline(settings, backend=backend)
    assert pipeline.strategy.count(BIRTHDAY) == 9
    assert pipeline.strategy.count("hello world") == 2
    assert cached_file(tmp_path / "cache", "cl100k_base").is_file()


def test_special_tokens_in_article_text_are_counted_as_text(tmp_path: Path) -> None:
    count = openai_counter("gpt-4", tmp_path)
    assert count is not None
    assert count("hello <|endoftext|>") == 7  # 3 if it were read as the special token
    count("<|endoftext|> hello <|fim_prefix|> there <|endofprompt|>")  # does not raise
    o200k = openai_counter("gpt-4o", tmp_path)
    assert o200k is not None and o200k("<|endoftext|><|endofprompt|>") > 2


def test_environment_and_tiktoken_are_left_as_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_file = tiktoken.load.read_file
    assert openai_counter("gpt-4", tmp_path) is not None
    assert "TIKTOKEN_CACHE_DIR" not in os.environ
    assert tiktoken.load.read_file is read_file

    monkeypatch.setattr(tokenizers, "_counters", {})
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "the-users-own"))
    assert openai_counter("gpt-4o", tmp_path / "tool") is not None
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(tmp_path / "the-users-own")
    assert not (tmp_path / "the-users-own").exists()
    assert cached_file(tmp_path / "tool", "o200k_base").is_file()


def test_a_tampered_cache_file_is_replaced_from_the_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert openai_counter("gpt-4", tmp_path) is not None
    target = cached_file(tmp_path, "cl100k_base")
    data = bytearray(target.read_bytes())
    data[100] ^= 0x01
    target.write_bytes(bytes(data))

    monkeypatch.setattr(tokenizers, "_counters", {})
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    count = openai_counter("gpt-4", tmp_path)
    assert count is not None and count(BIRTHDAY) == 9
    assert hashlib.sha256(target.read_bytes()).hexdigest() == SHA256["cl100k_base"]


def test_corrupt_bundled_data_gives_none_and_the_estimate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tokenizers._bundled("o200k_base")
    assert real is not None
    data = bytearray(gzip.decompress(real.read_bytes()))
    data[100] ^= 0x01
    bad = tmp_path / "o200k_base.tiktoken.gz"
    bad.write_bytes(gzip.compress(bytes(data)))
    monkeypatch.setattr(tokenizers, "_bundled", lambda source: bad)
    loads: list[str] = []
    real_load = tokenizers._load
    monkeypatch.setattr(tokenizers, "_load", lambda *a: loads.append(a[1]) or real_load(*a))

    assert openai_counter("gpt-4o", tmp_path / "cache1") is None
    assert loads == []  # tiktoken is not even asked: the file failed our check first
    assert not cached_file(tmp_path / "cache1", "o200k_base").exists()
    backend = OpenAICompatBackend(
        base_url="http://127.0.0.1:9/v1",
        model="gpt-4o",
        api_key=None,
        timeout_s=1,
        transport_retries=0,
        cache_dir=tmp_path / "cache2",
    )
    assert backend.count_tokens(BIRTHDAY) == estimate_tokens(BIRTHDAY)


def test_tiktoken_hash_check_failing_never_falls_through_to_a_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offline: list[str]
) -> None:
    """Our own check bypassed: tiktoken rejects the file and wants to fetch it; it may not."""
    calls: list[str] = []

    def seed_corrupt(folder: Path, source: str) -> bool:
        calls.append(source)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / cached_file(tmp_path, source).name).write_bytes(b"not a tiktoken file\n")
        return True

    monkeypatch.setattr(tokenizers, "_seed", seed_corrupt)
    read_file = tiktoken.load.read_file
    assert openai_counter("gpt-4", tmp_path) is None
    assert calls == ["cl100k_base"]
    assert offline == []
    assert tiktoken.load.read_file is read_file
    assert "TIKTOKEN_CACHE_DIR" not in os.environ
    assert "cl100k_base" not in tiktoken.registry.ENCODINGS


def test_without_bpe_openai_or_tiktoken_gives_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as m:
        m.setitem(sys.modules, "bpe_openai", None)  # as if not installed
        assert openai_counter("gpt-4", tmp_path / "a") is None
    with monkeypatch.context() as m:
        m.setitem(sys.modules, "tiktoken", None)
        assert openai_counter("gpt-4", tmp_path / "b") is None
    assert openai_counter("gpt-4", tmp_path / "c") is not None


def test_first_load_from_many_threads_loads_once(tmp_path: Path) -> None:
    results: list[int | None] = []
    lock = threading.Lock()
    start = threading.Barrier(6)
    read_file = tiktoken.load.read_file

    def work() -> None:
        start.wait()
        count = openai_counter("gpt-4o", tmp_path)
        with lock:
            results.append(count(BIRTHDAY) if count else None)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [8] * 6
    assert tiktoken.load.read_file is read_file  # not left patched by interleaved loads
    assert "TIKTOKEN_CACHE_DIR" not in os.environ
    assert sorted(p.name for p in (tmp_path / "tiktoken").iterdir()) == [
        cached_file(tmp_path, "o200k_base").name
    ]


@pytest.mark.parametrize(
    "text",
    [
        "お誕生日おめでとう",  # 9 tokens in cl100k, 8 in o200k (OpenAI Cookbook); the old estimate said 3
        "Путин заявил в понедельник, что переговоры продолжатся.",
        "hello world",
    ],
)
def test_the_fallback_estimate_never_counts_fewer_tokens(text: str, tmp_path: Path) -> None:
    for model in ("gpt-4", "gpt-4o"):
        counter = openai_counter(model, tmp_path)
        assert counter is not None
        assert estimate_tokens(text) >= counter(text), (model, text)


def test_the_fallback_estimate_is_high_but_close_on_english_news(tmp_path: Path) -> None:
    counter = openai_counter("gpt-4o", tmp_path)
    assert counter is not None
    for line in (
        (REPO / "eval" / "datasets" / "wikinews.jsonl").read_text(encoding="utf-8").splitlines()
    ):
        text = json.loads(line)["text"]
        real, guess = counter(text), estimate_tokens(text)
        assert real <= guess <= 1.5 * real, (real, guess)
