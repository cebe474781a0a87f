"""Shared fixtures: an isolated environment, the real embedded model, real and scripted servers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest
from scripted_server import ScriptedServer

# the shared helpers' asserts explain a failure as a test module's own do
pytest.register_assert_rewrite("support.cli", "support.fakes", "support.sample")


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No key, endpoint or cache leaks in from the machine; every test gets its own cache."""
    for name in ("OPENAI_API_KEY", "SUMMARIZER_BASE_URL", "SUMMARIZER_MODEL", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The real embedded GGUF, assembled once into the user cache (as the tool itself does)."""
    pytest.importorskip("llama_cpp")
    from summarizer.backends.model_file import embedded_model_path

    return embedded_model_path(Path(platformdirs.user_cache_dir("summarizer")))


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def llama_server(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real llama-cpp-python OpenAI-compatible server on 127.0.0.1 serving the embedded model."""
    pytest.importorskip("llama_cpp.server")
    port = _free_port()
    # the server logs a lot: to a file, since an unread pipe would fill and stall it
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    log_file = log.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
            "--model_alias",
            "qwen-0.5b",
        ],
        stdout=log_file,
        stderr=subprocess.STDOUT,
        env={**os.environ},
    )
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"llama server exited: {log.read_text(errors='replace')[-2000:]}"
                )
            try:
                urllib.request.urlopen(f"{base}/models", timeout=2).read()
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("llama server did not start in 120 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log_file.close()
