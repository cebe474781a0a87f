"""summarizer: news articles into validated summaries and dated, grounded event timelines."""

from ._version import __version__
from .errors import (
    AuthenticationFailed,
    BackendError,
    BackendTimeout,
    BackendUnavailable,
    BudgetExceeded,
    ConfigError,
    GroundingError,
    InputError,
    InvalidOutput,
    SummarizerError,
)
from .pipeline import Pipeline, asummarise, summarise
from .schemas import Document, Event, EventDate, Evidence, KeyPoint, Result, Span, Summary
from .settings import Settings

__all__ = [
    "AuthenticationFailed",
    "BackendError",
    "BackendTimeout",
    "BackendUnavailable",
    "BudgetExceeded",
    "ConfigError",
    "Document",
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
    "__version__",
    "asummarise",
    "summarise",
]
