"""``summarise`` on the command line, run in this process, and the checks of its refusals.

``summarise_cli(*args)`` calls the console entry (``summarizer.cli:main``, the same
function the installed ``summarise`` runs) inside typer's ``CliRunner`` isolation:
stdin, stdout and stderr are separate in-memory streams, ``COLUMNS`` is wide so no
message wraps, and the exit code is what the process would exit with. It costs no
interpreter start. ``summarise_process(*args)`` starts a real ``summarise`` process, for
the few tests that need one: a signal, ``kill -9``, a fresh process's state (the
library keeps one pipeline per settings in a process, so a second in-process run reuses
the first one's backend and cache, and a warning given when a cache is opened is not
given again), or a real-model run that a timeout must end at once (in this process the
pipeline's worker threads would go on asking).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from summarizer.cli import main

from .paths import REPO


@dataclass(frozen=True)
class CliRun:
    """What a ``summarise`` process would leave: exit code and the two streams' bytes."""

    returncode: int
    stdout_bytes: bytes
    stderr_bytes: bytes

    @property
    def stdout(self) -> str:
        return self.stdout_bytes.decode()

    @property
    def stderr(self) -> str:
        return self.stderr_bytes.decode(errors="replace")


def summarise_cli(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> CliRun:
    """``summarise ARGS`` through the console entry, in this process (see the module docstring).

    An exception the command lets escape is raised here, traceback and all: the test fails
    on it as a user would have seen a traceback.
    """
    showwarning = warnings.showwarning  # the entry installs its one-line warnings: put back
    runner = CliRunner(env={"COLUMNS": "200"})
    with (
        runner.isolation(input=stdin) as (stdout, stderr, _),
        contextlib.chdir(cwd or Path.cwd()),
    ):
        try:
            main(list(args))
            code = 0
        except SystemExit as exit_:
            code = _exit_status(exit_.code)
        finally:
            warnings.showwarning = showwarning
        sys.stdout.flush()
        sys.stderr.flush()
        return CliRun(code, stdout.getvalue(), stderr.getvalue())


def summarise_process(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None, timeout: float = 60
) -> CliRun:
    """``summarise ARGS`` as a process of its own, this checkout's package on its path."""
    proc = subprocess.run(
        [sys.executable, "-c", "from summarizer.cli import main; main()", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        cwd=cwd or REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"},
        check=False,
    )
    return CliRun(proc.returncode, proc.stdout, proc.stderr)


def _exit_status(code: object) -> int:
    """The status ``sys.exit(code)`` ends a process with (a message goes to stderr, as Python's)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def error_lines(run: CliRun) -> list[str]:
    return [line for line in run.stderr.splitlines() if line.strip()]


def assert_refused(run: CliRun, code: int, *fragments: str) -> None:
    """Exit ``code``, exactly one stderr line naming the problem, no traceback, nothing on stdout."""
    lines = error_lines(run)
    assert run.returncode == code, run.stderr
    assert "Traceback" not in run.stderr
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert run.stdout.strip() == ""
