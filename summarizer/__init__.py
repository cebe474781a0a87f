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
from .runners.timeline import summarise_timeline
from .schemas import (
    Document,
    EntityTimeline,
    Event,
    EventDate,
    Evidence,
    KeyPoint,
    Result,
    Span,
    Summary,
    Timeline,
    TimelineEntry,
    TimelineSource,
)
from .settings import Settings

__all__ = [
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
