"""The embedded model's thread count: the usable cores, less those other work keeps busy."""

from __future__ import annotations

import os

import pytest

from summarizer.backends import embedded
from summarizer.settings import usable_cores


def chosen(monkeypatch: pytest.MonkeyPatch, one_minute_load: float, cores: int = 2) -> int:
    monkeypatch.setattr(os, "getloadavg", lambda: (one_minute_load, 0.0, 0.0))
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setattr(embedded, "usable_cores", lambda: cores)
    return embedded.default_threads.__wrapped__()


def test_a_quiet_machine_gets_every_usable_core(monkeypatch: pytest.MonkeyPatch) -> None:
    assert chosen(monkeypatch, 0.2) == 2
    assert chosen(monkeypatch, 0.0, cores=32) == embedded.MAX_THREADS


def test_busy_cores_are_left_alone_but_one_thread_always_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert chosen(monkeypatch, 1.0) == 1
    assert chosen(monkeypatch, 10.0) == 1
    assert chosen(monkeypatch, 3.0, cores=8) == 5


def test_the_count_is_decided_once_a_process() -> None:
    first = embedded.default_threads()
    assert 1 <= first <= usable_cores() and embedded.default_threads() == first
