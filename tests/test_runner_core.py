"""The runner core: a failure is told by its exception's class, on any engine.

A Ray worker hands its outcome back as a flat row (``Outcome.row``) and the
driver reads it back (``Outcome.from_row``); a local batch keeps the object. Both
must stop on the same failures, including a ``BackendError`` subclass that no list
of names knows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from summarizer.errors import AuthenticationFailed, BackendError, GroundingError
from summarizer.runners.core import BACKEND_FAILURE_LIMIT, BatchSummary, Outcome, Tally


class RateLimited(BackendError):
    """A backend fault the runners have never heard of by name."""


def _as_local(outcome: Outcome) -> Outcome:
    return outcome


def _via_row(outcome: Outcome) -> Outcome:
    return Outcome.from_row(json.loads(json.dumps(outcome.row())))


@pytest.mark.parametrize("carry", [_as_local, _via_row], ids=["local", "ray-row"])
def test_a_new_backend_error_subclass_stops_the_run(
    carry: Callable[[Outcome], Outcome], tmp_path: Path
) -> None:
    tally = Tally(BatchSummary(output=tmp_path / "out.jsonl"))
    for i in range(BACKEND_FAILURE_LIMIT):
        assert not tally.backend_down
        tally.count(carry(Outcome.failed(f"d{i}", RateLimited("429 slow down"), None)))
    assert tally.backend_down
    assert tally.summary.error_types == {"RateLimited": BACKEND_FAILURE_LIMIT}
    assert "429 slow down" in (tally.summary.stopped_reason or "")


@pytest.mark.parametrize("carry", [_as_local, _via_row], ids=["local", "ray-row"])
def test_a_refused_key_stops_at_once_and_document_faults_never_do(
    carry: Callable[[Outcome], Outcome], tmp_path: Path
) -> None:
    tally = Tally(BatchSummary(output=tmp_path / "out.jsonl"))
    for i in range(BACKEND_FAILURE_LIMIT + 2):
        tally.count(carry(Outcome.failed(f"bad{i}", GroundingError("quote not in the text"), None)))
    assert not tally.backend_down and tally.summary.failed == BACKEND_FAILURE_LIMIT + 2
    tally.count(carry(Outcome.failed("k", AuthenticationFailed("401 bad key"), None)))
    assert tally.backend_down


def test_records_have_one_format(tmp_path: Path) -> None:
    ok = Outcome("a", result_json='{"x": 1}')
    assert json.loads(ok.line()) == {"id": "a", "ok": True, "result": {"x": 1}}
    failed = Outcome.failed("b", RateLimited("down"), "in.jsonl:2")
    assert json.loads(failed.line()) == {
        "id": "b",
        "ok": False,
        "error": {
            "type": "RateLimited",
            "message": "down",
            "source": "in.jsonl:2",
            "retryable": True,
        },
    }
    assert _via_row(failed).line() == failed.line()
