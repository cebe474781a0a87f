"""The conventions every OpenAI client has: OPENAI_BASE_URL and OPENAI_API_KEY (an explicit
option beats them), --api-key, --temperature, --timeout, --seed, --context-tokens (default:
what the server reports), the model the server answered with in the provenance; and the
embedded model named on the Hugging Face Hub (hf:OWNER/REPO/FILE, HF_ENDPOINT, HF_TOKEN)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scripted_server import ScriptedServer, valid_answer
from support.paths import REPO, SAMPLE
from test_hub import FILES, HubHandler, hub  # noqa: F401 - hub is a fixture

from summarizer import Settings, summarise
from summarizer.backends import resolve_model_path
from summarizer.errors import ConfigError
from summarizer.pipeline import Pipeline, run_settings
from summarizer.schemas import Result

ARTICLE = "date 2025-11-13 Budget\nThe council approved the budget on Monday. The mayor said it was a relief.\n"


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        s.responder = valid_answer
        yield s


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from summarizer.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
    )


# --- the endpoint and the key ---


def test_openai_base_url_is_honoured_below_the_explicit_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
    assert Settings.from_env().base_url == "http://127.0.0.1:1/v1"
    monkeypatch.setenv("SUMMARIZER_BASE_URL", "http://127.0.0.1:2/v1")
    assert Settings.from_env().base_url == "http://127.0.0.1:2/v1"
    assert run_settings(base_url="http://127.0.0.1:3/v1").base_url == "http://127.0.0.1:3/v1"


def test_a_run_through_openai_base_url_records_the_served_model(
    server: ScriptedServer, tmp_path: Path
) -> None:
    proc = run_cli(
        str(SAMPLE),
        "--model",
        "gpt-alias",
        "-f",
        "json",
        "--no-cache",
        "--api-key",
        "sk-cli-0123456789",
        env={"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-env-0123456789"},
    )
    assert proc.returncode == 0, proc.stderr
    result = Result.model_validate_json(proc.stdout)
    assert result.provenance.backend == "openai"
    assert result.provenance.model == "scripted"  # what the server says, not the alias asked
    assert {json.loads(json.dumps(r))["model"] for r in server.requests} == {"gpt-alias"}
    keys = {h.get("Authorization") or h.get("authorization") for h in server.headers_seen}
    assert keys == {"Bearer sk-cli-0123456789"}  # --api-key beats OPENAI_API_KEY


def test_temperature_seed_and_timeout_reach_the_server(server: ScriptedServer) -> None:
    settings = run_settings(
        base_url=server.base_url, model="m", temperature=0.7, seed=42, timeout_s=9.5, cache=False
    )
    assert settings.timeout_s == 9.5
    result = summarise(ARTICLE, settings=settings)
    assert result.events
    assert {r["temperature"] for r in server.requests} == {0.7}
    assert {r["seed"] for r in server.requests} == {42}
    with pytest.raises(ConfigError, match="temperature"):
        run_settings(temperature=5.0)


# --- the context: what the server reports, else 4096; an explicit value wins ---


@pytest.mark.parametrize(
    ("page", "body", "expected"),
    [
        ("/v1/models", {"data": [{"id": "m", "max_model_len": 131072}]}, 131072),  # vLLM
        ("/v1/models", {"data": [{"id": "m", "meta": {"n_ctx_train": 32768}}]}, 32768),
        ("/props", {"default_generation_settings": {"n_ctx": 16384}}, 16384),  # llama.cpp
        ("/elsewhere", {}, None),  # says nothing: 4096
    ],
)
def test_the_context_is_what_the_server_reports(
    server: ScriptedServer, page: str, body: dict[str, object], expected: int | None
) -> None:
    server.pages[page] = body
    pipeline = Pipeline(run_settings(base_url=server.base_url, model="m", cache=False))
    assert pipeline.settings.context_tokens == expected
    assert pipeline.settings.context == (expected or 4096)


def test_an_explicit_context_is_not_asked_for(server: ScriptedServer) -> None:
    server.pages["/v1/models"] = {"data": [{"id": "m", "max_model_len": 131072}]}
    pipeline = Pipeline(
        run_settings(base_url=server.base_url, model="m", cache=False, context_tokens=8192)
    )
    assert pipeline.settings.context == 8192 and server.gets == []


def test_a_small_context_option_is_refused() -> None:
    proc = run_cli(str(SAMPLE), "--context-tokens", "10")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


# --- the embedded model from the Hub ---


def test_a_hub_reference_is_fetched_with_the_environment(
    hub: str,  # noqa: F811 - the fixture
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = FILES[("acme/tiny-GGUF", "tiny.gguf")]
    monkeypatch.setenv("HF_ENDPOINT", hub)
    monkeypatch.setenv("HF_TOKEN", "hf_test_token_0123456789")
    pinned = f"hf:acme/tiny-GGUF/tiny.gguf#sha256={hashlib.sha256(data).hexdigest()}"
    settings = run_settings(model_path=pinned, cache_dir=tmp_path)
    assert settings.model_path == pinned  # a reference stays text; a file is a Path
    local = resolve_model_path(settings)
    assert local is not None and local.read_bytes() == data
    assert "Bearer hf_test_token_0123456789" in {auth for _, _, auth in HubHandler.seen}
    assert resolve_model_path(run_settings(model_path=str(local))) == local
    wrong = run_settings(
        model_path="hf:acme/tiny-GGUF/tiny.gguf#sha256=" + "0" * 64, cache_dir=tmp_path
    )
    with pytest.raises(ConfigError, match="does not match"):
        resolve_model_path(wrong)


def test_a_missing_hub_file_is_one_line_from_the_command(hub: str, tmp_path: Path) -> None:  # noqa: F811
    proc = run_cli(
        str(SAMPLE),
        "--model-path",
        "hf:acme/tiny-GGUF/absent.gguf",
        "--cache-dir",
        str(tmp_path),
        env={"HF_ENDPOINT": hub},
    )
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2 and len(lines) == 1 and "HTTP 404" in lines[0], proc.stderr
