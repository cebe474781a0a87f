"""Strategies: the ways from a screened document to its summary and events.

Each lives in its own module; the shared parts are ``base`` (the run's state,
asking: independent questions settled together as pending values, and checking),
``reduce`` (the climb from chunk summaries to one) and ``extractive`` (what code
builds from the article's own sentences). A new strategy is a module with a ``Strategy``
subclass and one entry in ``STRATEGIES``.
"""

from __future__ import annotations

from ..errors import ConfigError
from .base import Run, Strategy
from .decomposed import Decomposed
from .rules import Rules
from .single import Single

STRATEGIES: dict[str, type[Strategy]] = {
    "decomposed": Decomposed,
    "single": Single,
    "rules": Rules,  # --no-model
}


def strategy_class(name: str) -> type[Strategy]:
    """The strategy registered under ``name``; ``ConfigError`` naming the choices otherwise."""
    try:
        return STRATEGIES[name]
    except KeyError:
        raise ConfigError(
            f"--strategy: unknown strategy {name!r}; choose from {', '.join(STRATEGIES)}"
        ) from None


__all__ = ["STRATEGIES", "Run", "Strategy", "strategy_class"]
