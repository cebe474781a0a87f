"""Model-free batches in worker processes: the same records as one process, Ctrl-C still clean."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from support.paths import REPO

from summarizer.cli import main
from summarizer.runners.local import run_batch, start_method
from summarizer.settings import Settings, usable_cores

WIKINEWS = REPO / "eval" / "datasets" / "wikinews.jsonl"


def records(path: Path) -> dict[str, Any]:
    """Each record by id, its provenance (timings, host) left out."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["ok"]:
            record["result"].pop("provenance")
        out[record["id"]] = record
    return out


def copies(path: Path, times: int) -> Path:
    """The Wikinews articles ``times`` over, each copy with its own id, plus one bad line."""
    articles = WIKINEWS.read_text(encoding="utf-8").splitlines()
    with path.open("w", encoding="utf-8") as fh:
        for n in range(times):
            for line in articles:
                article = json.loads(line)
                article["id"] = f"{article['id']}-{n}"
                fh.write(json.dumps(article) + "\n")
        fh.write("{not json\n")
    return path


def test_two_workers_write_the_records_one_process_writes(tmp_path: Path) -> None:
    src = copies(tmp_path / "in.jsonl", 1)
    settings = Settings(strategy="rules")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    run_batch([str(src)], one, settings, concurrency=1, resume=False, progress=False)
    summary = run_batch(
        [str(src)], two, settings, concurrency=1, workers=2, resume=False, progress=False
    )
    assert summary.ok == 30 and summary.failed == 1
    assert records(two) == records(one)
    # a resume over a finished output asks nothing again
    again = run_batch(
        [str(src)], two, settings, concurrency=1, workers=2, resume=True, progress=False
    )
    assert again.skipped == 31 and again.ok == 0


def test_workers_fork_only_while_no_other_thread_runs(tmp_path: Path) -> None:
    """A fresh CLI process (no other thread) forks its workers; a process with a thread
    beside the runner (a fork could inherit a lock it holds) has a fork server start them.
    Both write the records one process writes."""
    src = copies(tmp_path / "in.jsonl", 1)
    settings = Settings(strategy="rules")
    one, forked, served = (tmp_path / f"{name}.jsonl" for name in ("one", "forked", "served"))
    run_batch([str(src)], one, settings, concurrency=1, resume=False, progress=False)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    probe = "from summarizer.runners.local import start_method; print(start_method())"
    fresh = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert fresh.stdout.strip() == ("fork" if sys.platform == "linux" else "forkserver")
    cli = [sys.executable, "-m", "summarizer", "run", str(src), "--no-model", "--no-cache"]
    done = subprocess.run([*cli, "-o", str(forked), "--workers", "2"], env=env, cwd=REPO)
    assert done.returncode == 3  # bad input: the broken line; every article is written
    release = threading.Event()
    beside = threading.Thread(target=release.wait, daemon=True)
    beside.start()
    try:
        assert start_method() == "forkserver"
        run_batch(
            [str(src)], served, settings, concurrency=1, workers=2, resume=False, progress=False
        )
    finally:
        release.set()
        beside.join()
    assert records(forked) == records(one) == records(served)
    assert len(records(one)) == 31


def test_workers_are_for_model_free_runs_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main([str(WIKINEWS), "-o", str(tmp_path / "o.jsonl"), "--workers", "2"])
    assert info.value.code != 0
    assert "--workers runs model-free documents" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main([str(WIKINEWS), "--no-model", "--workers", "2"])
    assert info.value.code != 0
    assert "need -o/--output" in capsys.readouterr().err


def test_usable_cores_follow_the_affinity() -> None:
    assert usable_cores() == len(os.sched_getaffinity(0))


@pytest.mark.slow
def test_ctrl_c_with_workers_stops_cleanly_and_resume_finishes(tmp_path: Path) -> None:
    src = copies(tmp_path / "in.jsonl", 10)  # 300 articles: far more than a second's work
    out = tmp_path / "out.jsonl"
    args = [str(src), "-o", str(out), "--no-model", "--workers", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-c", "from summarizer.cli import main; main()", *args],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size == 0):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "stopped after" in stderr and "Traceback" not in stderr
    first = out.read_text(encoding="utf-8").splitlines()
    assert 1 <= len(first) < 301
    summary = run_batch(
        [str(src)],
        out,
        Settings(strategy="rules"),
        concurrency=1,
        workers=2,
        resume=True,
        progress=False,
    )
    assert summary.skipped == len(first)
    assert len(records(out)) == 301
