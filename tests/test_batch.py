"""The batch runner: one JSONL line per input, resumable, never losing a document."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from scripted_server import Reply, ScriptedServer, valid_answer
from support.paths import REPO

from summarizer.cli import main
from summarizer.errors import ConfigError
from summarizer.runners.core import IdAssigner, prepare_output
from summarizer.runners.local import run_batch
from summarizer.settings import Settings

# words the scripted server's bland answers use, so its summary passes the pipeline's checks
TEXT = (
    "Officials said things today in Paris. Officials spoke on Monday about the plan. "
    "Things happened after talks went on last month."
)


def write_inputs(
    path: Path, n: int, *, bad_line_at: int | None = None, repeat: dict[int, str] | None = None
) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            if i == bad_line_at:
                fh.write("{not json\n")
            doc_id = (repeat or {}).get(i, f"doc{i}")
            fh.write(
                json.dumps({"id": doc_id, "text": f"{TEXT} Item {i}.", "date": "2025-11-13"}) + "\n"
            )
    return path


def lines(path: Path) -> list[dict[str, Any]]:
    raw = path.read_bytes()
    assert raw.endswith(b"\n")
    return [json.loads(line) for line in raw.decode().splitlines()]


def settings_for(server: ScriptedServer, **kw: Any) -> Settings:
    return Settings(base_url=server.base_url, model="m", transport_retries=0, **kw)


@pytest.fixture
def server(scripted: ScriptedServer) -> ScriptedServer:
    scripted.responder = valid_answer
    return scripted


def test_one_line_per_input_bad_lines_recorded_ids_made_unique(
    server: ScriptedServer, tmp_path: Path
) -> None:
    src = write_inputs(tmp_path / "in.jsonl", 6, bad_line_at=2, repeat={4: "doc1", 5: "doc1"})
    out = tmp_path / "out.jsonl"
    summary = run_batch(
        [str(src)], out, settings_for(server), concurrency=3, resume=False, progress=False
    )
    records = lines(out)
    assert len(records) == 7 and summary.ok == 6 and summary.failed == 1 and summary.renamed == 2
    ids = [r["id"] for r in records]
    assert len(set(ids)) == 7
    assert {"doc0", "doc1", "doc1#2", "doc1#3"} <= set(ids)
    bad = next(r for r in records if not r["ok"])
    assert bad["error"]["type"] == "InputError" and bad["error"]["source"] == f"{src}:3"
    assert bad["id"] == f"{src}:3"
    good = next(r for r in records if r["id"] == "doc1#3")
    assert good["result"]["document_id"] == "doc1#3"
    assert any("renamed" in w for w in good["result"]["warnings"])
    assert summary.tokens > 0 and summary.total == 7


def test_resume_skips_done_ids_cuts_a_torn_line_and_adds_no_duplicates(
    server: ScriptedServer, tmp_path: Path
) -> None:
    src = write_inputs(tmp_path / "in.jsonl", 6)
    out = tmp_path / "out.jsonl"
    run_batch([str(src)], out, settings_for(server), concurrency=2, resume=False, progress=False)
    full = out.read_bytes().splitlines(keepends=True)
    # as if killed while writing the 4th line
    out.write_bytes(b"".join(full[:3]) + full[3][:25])
    before = len(server.requests)
    summary = run_batch(
        [str(src)], out, settings_for(server), concurrency=2, resume=True, progress=False
    )
    records = lines(out)
    assert sorted(r["id"] for r in records) == [f"doc{i}" for i in range(6)]
    assert summary.skipped == 3 and summary.ok == 3
    assert all(r["ok"] for r in records)
    # the 3 redone documents come from the response cache: nothing was asked again
    assert len(server.requests) == before and summary.cached_calls == summary.calls


def test_an_existing_output_needs_resume(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "a", "ok": true, "result": {}}\n')
    with pytest.raises(ConfigError, match="--resume"):
        prepare_output(out, resume=False)
    assert prepare_output(out, resume=True) == {"a"}


def test_a_down_backend_stops_the_batch_and_resume_asks_again(
    scripted: ScriptedServer, tmp_path: Path
) -> None:
    src = write_inputs(tmp_path / "in.jsonl", 8)
    out = tmp_path / "out.jsonl"
    scripted.default = Reply(status=503, body={"error": {"message": "overloaded"}})
    summary = run_batch(
        [str(src)], out, settings_for(scripted), concurrency=1, resume=False, progress=False
    )
    assert summary.stopped_reason and "kept failing" in summary.stopped_reason
    failed = lines(out)
    assert 1 <= len(failed) < 8
    assert all(
        r["error"]["retryable"] and r["error"]["type"] == "BackendUnavailable" for r in failed
    )
    scripted.default = None
    scripted.responder = valid_answer
    summary = run_batch(
        [str(src)], out, settings_for(scripted), concurrency=4, resume=True, progress=False
    )
    records = lines(out)
    assert summary.complete and summary.ok == 8
    assert sorted(r["id"] for r in records) == [f"doc{i}" for i in range(8)]
    assert all(r["ok"] for r in records)


def test_id_assigner_is_deterministic_and_avoids_real_ids() -> None:
    ids = IdAssigner()
    assert [ids.assign(x) for x in ["a", "a#2", "a", "a", "b"]] == ["a", "a#2", "a#3", "a#4", "b"]


def test_cli_batch_writes_jsonl_and_reports_input_errors(
    server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_inputs(tmp_path / "in.jsonl", 3, bad_line_at=1)
    out = tmp_path / "out.jsonl"
    with pytest.raises(SystemExit) as info:
        main(
            [
                str(src),
                "-o",
                str(out),
                "--base-url",
                server.base_url,
                "--model",
                "m",
                "--concurrency",
                "2",
            ]
        )
    assert info.value.code == 3  # a bad input line: the batch went on, the code says so
    assert len(lines(out)) == 4
    assert "3 ok, 1 failed (InputError 1)" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main([str(src), "-o", str(out), "--base-url", server.base_url, "--model", "m", "--resume"])
    assert info.value.code == 0 and len(lines(out)) == 4


def test_ctrl_c_stops_cleanly_and_resume_finishes(scripted: ScriptedServer, tmp_path: Path) -> None:
    scripted.responder = lambda request: Reply(valid_answer(request).content, delay_s=0.15)
    src = write_inputs(tmp_path / "in.jsonl", 12)
    out = tmp_path / "out.jsonl"
    args = [
        str(src),
        "-o",
        str(out),
        "--base-url",
        scripted.base_url,
        "--model",
        "m",
        "--concurrency",
        "2",
        "--no-cache",
    ]
    proc = subprocess.Popen(
        [sys.executable, "-c", "from summarizer.cli import main; main()", *args],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size == 0):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert "stopped after" in stderr and "--resume" in stderr and str(out) in stderr
    first = lines(out)
    assert 1 <= len(first) < 12 and all(r["ok"] for r in first)
    summary = run_batch(
        [str(src)],
        out,
        Settings(base_url=scripted.base_url, model="m"),
        concurrency=4,
        resume=True,
        progress=False,
    )
    records = lines(out)
    assert sorted(r["id"] for r in records) == sorted(f"doc{i}" for i in range(12))
    assert summary.skipped == len(first)
