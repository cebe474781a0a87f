"""Crash and resume: a 1,000-document batch killed with SIGKILL at random points loses nothing.

The batch runs as a real subprocess (``summarise IN.jsonl -o OUT.jsonl --concurrency 8``)
against the scripted loopback server; it is killed without warning several times
and resumed with ``--resume`` each time. At the end every input id has exactly one
line, none is lost or duplicated, and the file is valid JSONL. A SIGINT stops
cleanly with a message that says how to resume.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from scripted_server import ScriptedServer, valid_answer
from support.paths import REPO

DOCUMENTS = 1000
KILLS = 5
pytestmark = pytest.mark.skipif(
    not (REPO / "summarizer" / "runners" / "local.py").exists(),
    reason="no batch runner in this tree",
)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        s.responder = valid_answer
        yield s


def write_input(path: Path, count: int) -> list[str]:
    ids = [f"doc-{i:04d}" for i in range(count)]
    with path.open("w", encoding="utf-8") as handle:
        for i, doc_id in enumerate(ids):
            handle.write(
                json.dumps(
                    {
                        "id": doc_id,
                        "date": "2025-11-13",
                        "text": f"Officials in town {i} said on Monday that the bridge "
                        "would reopen. Work began last month.",
                    }
                )
                + "\n"
            )
    return ids


def start(
    tmp_path: Path, server: ScriptedServer, source: Path, out: Path, *extra: str
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from summarizer.cli import main; main()",
            str(source),
            "-o",
            str(out),
            "--base-url",
            server.base_url,
            "--model",
            "m",
            "--no-cache",
            "--concurrency",
            "8",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
    )


def lines_of(out: Path) -> list[str]:
    return out.read_text(encoding="utf-8").splitlines() if out.exists() else []


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume_loses_nothing(
    tmp_path: Path, server: ScriptedServer
) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    ids = write_input(source, DOCUMENTS)
    rng = random.Random(7)
    progress = []
    for cycle in range(KILLS):
        proc = start(tmp_path, server, source, out, *(["--resume"] if cycle else []))
        before = len(lines_of(out))
        # kill once the run has written something new, at a random moment after that
        deadline = time.monotonic() + 60
        while len(lines_of(out)) <= before and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        progress.append(len(lines_of(out)))
    proc = start(tmp_path, server, source, out, "--resume")
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr.decode()[-2000:]

    records = [json.loads(line) for line in lines_of(out)]  # every line is whole, valid JSON
    counts = Counter(r["id"] for r in records)
    assert sorted(counts) == ids, "lost or invented documents"
    assert max(counts.values()) == 1, [k for k, n in counts.items() if n > 1][:5]
    assert all(r["ok"] for r in records)
    # the kills really interrupted work in progress: the file grew between kills, short of done
    assert progress[0] > 0 and progress[-1] < DOCUMENTS and progress == sorted(progress)


def test_sigint_stops_cleanly_and_says_how_to_resume(
    tmp_path: Path, server: ScriptedServer
) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 300)
    proc = start(tmp_path, server, source, out)
    deadline = time.monotonic() + 60
    while not lines_of(out) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    text = stderr.decode()
    assert proc.returncode == 130, text
    assert "Traceback" not in text
    assert "--resume" in text and "resume with" in text
    records = [json.loads(line) for line in lines_of(out)]
    assert 0 < len(records) < 300
    assert len({r["id"] for r in records}) == len(records)
