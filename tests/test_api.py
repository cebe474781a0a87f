"""The public Python API: what ``import summarizer`` offers, pinned."""

from __future__ import annotations

import summarizer
from summarizer._version import __version__

PUBLIC = [
    "AuthenticationFailed",
    "BackendError",
    "BackendTimeout",
    "BackendUnavailable",
    "BudgetExceeded",
    "ConfigError",
    "Document",
    "EntityTimeline",
    "Event",
    "EventDate",
    "Evidence",
    "GroundingError",
    "InputError",
    "InvalidOutput",
    "KeyPoint",
    "Pipeline",
    "Result",
    "Settings",
    "Span",
    "Summary",
    "SummarizerError",
    "Timeline",
    "TimelineEntry",
    "TimelineSource",
    "__version__",
    "asummarise",
    "summarise",
    "summarise_timeline",
]


def test_the_public_names_are_pinned() -> None:
    # adding or removing a public name is a decision: change PUBLIC with it
    assert sorted(summarizer.__all__) == sorted(PUBLIC)
    for name in PUBLIC:
        assert getattr(summarizer, name) is not None, name


def test_the_version_lives_outside_the_package_root() -> None:
    assert summarizer.__version__ == __version__


def test_the_version_is_the_one_pyproject_declares() -> None:
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    assert tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"] == __version__
