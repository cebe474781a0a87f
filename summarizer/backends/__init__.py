"""Model backends behind one protocol (``Backend``: ``complete`` and ``count_tokens``),
and the response cache that wraps them."""

from __future__ import annotations

from pathlib import Path

from ..settings import Settings
from . import hub
from .base import Backend, ChatRequest, Completion
from .cache import CachedBackend, open_cache
from .embedded import EmbeddedBackend


def make_backend(settings: Settings) -> Backend:
    """The backend the settings ask for, behind the response cache unless ``settings.cache`` is off."""
    backend = _make_backend(settings)
    if not settings.cache:
        return backend
    return CachedBackend(
        backend, open_cache(settings.cache_dir, settings.cache_max_mb), base_url=settings.base_url
    )


def _make_backend(settings: Settings) -> Backend:
    """An OpenAI-compatible endpoint, else the embedded model."""
    if settings.base_url:
        # on use only: the openai SDK takes seconds to import, and only --base-url needs it
        from .openai_compat import make_openai_backend

        key = settings.api_key.get_secret_value() if settings.api_key else None
        return make_openai_backend(
            settings.base_url,
            settings.model,
            key,
            timeout_s=settings.timeout_s,
            transport_retries=settings.transport_retries,
            cache_dir=settings.cache_dir,
            parallel=settings.parallel,
            seed=settings.seed,
        )
    return EmbeddedBackend(
        cache_dir=settings.cache_dir,
        model_path=resolve_model_path(settings),
        context_tokens=settings.context,
        threads=settings.threads,
        decoder=settings.decoder,
        parallel=settings.parallel,
    )


def resolve_model_path(settings: Settings) -> Path | None:
    """The embedded model's GGUF: ``model_path``, a Hub reference fetched (and checked) into
    the cache, or None for the built-in model."""
    spec = settings.model_path
    if spec is None or isinstance(spec, Path):
        return spec
    token = settings.hub_token.get_secret_value() if settings.hub_token else None
    return hub.fetch(
        hub.parse_reference(spec), settings.cache_dir, endpoint=settings.hub_endpoint, token=token
    )


__all__ = ["Backend", "ChatRequest", "Completion", "make_backend", "resolve_model_path"]
