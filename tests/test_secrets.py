"""The API key never leaves the request header: not in output, errors, tracebacks, caches or files.

The key is a unique marker per test, set as ``OPENAI_API_KEY`` (or passed in code).
Each test first proves the key was really in play (the scripted server saw it in the
``Authorization`` header), then greps every artefact for it: stdout, stderr (with and
without ``--debug``), every file under the cache folder and the output folder,
exception messages and tracebacks, and the ``Result`` JSON. Two key shapes: one
that looks like an OpenAI key (``sk-...``, which a pattern could catch) and one
that does not (only exact-value redaction catches it).
"""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from scripted_server import Reply, ScriptedServer, valid_answer
from support.cli import CliRun, summarise_cli
from support.paths import REPO

from summarizer import summarise
from summarizer.errors import BackendError
from summarizer.settings import Settings

ARTICLE = "date 2025-11-13 Talks\nRussia said on Monday it was ready to resume talks.\n"


@pytest.fixture(params=["sk-proj-", "corp-"])
def key(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    value = f"{request.param}LEAKCHECK{uuid.uuid4().hex}"
    monkeypatch.setenv("OPENAI_API_KEY", value)
    return value


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


def run_cli(tmp_path: Path, server: ScriptedServer, *extra: str) -> CliRun:
    article = tmp_path / "in" / "article.txt"
    article.parent.mkdir(exist_ok=True)
    article.write_text(ARTICLE, encoding="utf-8")
    return summarise_cli(
        str(article), "--base-url", server.base_url, "--model", "m", *extra, cwd=tmp_path
    )


def artefacts(tmp_path: Path, proc: CliRun | None = None) -> dict[str, bytes]:
    """Everything a run leaves behind: its streams and every file under tmp_path (cache, outputs)."""
    found = {}
    if proc is not None:
        found = {"stdout": proc.stdout_bytes, "stderr": proc.stderr_bytes}
    for path in tmp_path.rglob("*"):
        if path.is_file():
            found[str(path)] = path.read_bytes()
    return found


def assert_no_key(key: str, found: dict[str, bytes]) -> None:
    for where, data in found.items():
        assert key.encode() not in data, f"the API key leaked into {where}"
        # a half-redacted key is still a leak
        assert key[-16:].encode() not in data, f"part of the API key leaked into {where}"


def assert_key_was_sent(server: ScriptedServer, key: str) -> None:
    assert server.headers_seen, "no request reached the server"
    auth = {k.lower(): v for k, v in server.headers_seen[0].items()}["authorization"]
    assert auth == f"Bearer {key}"


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_successful_run(
    tmp_path: Path, server: ScriptedServer, key: str, debug: bool, fmt: str
) -> None:
    server.responder = valid_answer
    proc = run_cli(tmp_path, server, "--format", fmt, *(["--debug"] if debug else []))
    assert proc.returncode == 0, proc.stderr
    assert_key_was_sent(server, key)
    found = artefacts(tmp_path, proc)
    assert any("cache" in where for where in found), "the response cache was not written"
    assert_no_key(key, found)


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=401, body={"error": {"message": "Incorrect API key provided"}}),
        # retried, but Retry-After: 0 keeps the test fast
        Reply(status=500, headers={"retry-after": "0"}, body={"error": {"message": "boom"}}),
        # a server that echoes the key back in its error (some proxies do)
        Reply(status=400, body={"error": {"message": "ECHO"}}),
        Reply(status=401, body="ECHO"),
    ],
    ids=["401", "500", "400-echo", "401-echo-raw"],
)
def test_failing_run(
    tmp_path: Path, server: ScriptedServer, key: str, debug: bool, reply: Reply
) -> None:
    if reply.body is not None:
        reply.body = (
            str(reply.body).replace("ECHO", f"bad key {key}")
            if isinstance(reply.body, str)
            else {
                "error": {
                    "message": reply.body["error"]["message"].replace("ECHO", f"bad key {key}")
                }
            }
        )  # type: ignore[index]
    server.default = reply
    proc = run_cli(tmp_path, server, "--format", "json", *(["--debug"] if debug else []))
    assert proc.returncode == 4, proc.stderr
    assert_key_was_sent(server, key)
    if debug:
        assert "Traceback" in proc.stderr  # --debug really showed the traceback we grep
    assert_no_key(key, artefacts(tmp_path, proc))


@pytest.mark.parametrize("reply", [Reply(status=401, body={"error": {"message": "no"}}), None])
def test_batch_output_file(
    tmp_path: Path, server: ScriptedServer, key: str, reply: Reply | None
) -> None:
    if not (REPO / "summarizer" / "runners" / "local.py").exists():
        pytest.skip("no batch runner in this tree")
    server.default = reply
    server.responder = None if reply else valid_answer
    out = tmp_path / "out" / "results.jsonl"
    out.parent.mkdir()
    proc = run_cli(tmp_path, server, "-o", str(out), "--debug")
    assert out.exists(), proc.stderr
    assert_key_was_sent(server, key)
    assert_no_key(key, artefacts(tmp_path, proc))


def test_exceptions_and_results_in_process(tmp_path: Path, server: ScriptedServer) -> None:
    """A key passed in code (never in the environment) is still scrubbed from what the server echoes."""
    key = f"inline-LEAKCHECK{uuid.uuid4().hex}"
    settings = Settings(
        base_url=server.base_url,
        model="m",
        api_key=key,  # type: ignore[arg-type]
        cache_dir=tmp_path / "cache",
        timeout_s=2,
        transport_retries=0,
    )
    assert key not in repr(settings) and key not in settings.model_dump_json()

    server.default = Reply(status=400, body={"error": {"message": f"key {key} is not allowed"}})
    with pytest.raises(BackendError) as info:
        summarise(ARTICLE, settings=settings)
    assert_key_was_sent(server, key)
    text = "".join(traceback.format_exception(info.value))
    assert "HTTP 400" in str(info.value)
    assert key not in text and key not in repr(info.value) and key not in str(info.value.args)

    server.default = None
    server.responder = valid_answer
    result = summarise(ARTICLE, settings=settings.model_copy(update={"cache": False}))
    assert key not in result.model_dump_json()
    assert_no_key(key, artefacts(tmp_path))
