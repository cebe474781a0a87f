"""One frozen settings object that flows from the caller down to every stage.

The environment is read here and nowhere else: ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``,
``SUMMARIZER_BASE_URL``, ``SUMMARIZER_MODEL``, ``SUMMARIZER_CACHE_DIR``,
``SUMMARIZER_CACHE_MAX_MB``, ``HF_ENDPOINT``, ``HF_TOKEN``.

Precedence, as the openai SDK has it (an explicit value beats the environment): the
endpoint is ``--base-url`` (``base_url=``), else ``SUMMARIZER_BASE_URL``, else
``OPENAI_BASE_URL``, else the embedded model; the key is ``--api-key`` (``api_key=``),
else ``OPENAI_API_KEY``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

DEFAULT_MAX_REASKS = 2
DEFAULT_TIMEOUT_S = 120.0
DEFAULT_TRANSPORT_RETRIES = 4
DEFAULT_CONTEXT_TOKENS = 4096
DEFAULT_TEMPERATURE = 0.0
DEFAULT_CACHE_MAX_MB = 512
HUB_PREFIX = "hf:"  # a model_path that names a file on the Hugging Face Hub (backends.hub)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which a container or ``taskset``
    narrows), not the machine's count."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no affinity on macOS and Windows
        return max(1, os.cpu_count() or 1)


def default_cache_dir() -> Path:
    env = os.environ.get("SUMMARIZER_CACHE_DIR")
    return Path(env) if env else Path(platformdirs.user_cache_dir("summarizer"))


class Settings(BaseModel):
    """How to run: which backend and model, how hard to retry, where the cache lives."""

    model_config = ConfigDict(frozen=True, extra="forbid", protected_namespaces=())

    base_url: str | None = Field(None, description="OpenAI-compatible endpoint; None = embedded")
    model: str | None = Field(None, description="model name for the endpoint")
    api_key: SecretStr | None = None
    model_path: Path | str | None = Field(
        None,
        description="a GGUF file for the embedded backend, or a Hugging Face Hub reference "
        "hf:OWNER/REPO/FILE[@REVISION][#sha256=HEX] (kept as text)",
    )
    hub_endpoint: str | None = Field(None, description="the Hub's address (HF_ENDPOINT)")
    hub_token: SecretStr | None = Field(None, description="a Hub token (HF_TOKEN)")
    strategy: str = Field("decomposed", description="a name in summarizer.strategies.STRATEGIES")
    max_reasks: int = Field(DEFAULT_MAX_REASKS, ge=0, le=10)
    token_budget: int | None = Field(
        None, ge=1, description="tokens per document, re-asks included"
    )
    temperature: float = Field(DEFAULT_TEMPERATURE, ge=0.0, le=2.0)
    seed: int | None = Field(
        None, description="sampling seed sent to the model, where it takes one"
    )
    timeout_s: float = Field(DEFAULT_TIMEOUT_S, gt=0)
    transport_retries: int = Field(DEFAULT_TRANSPORT_RETRIES, ge=0)
    context_tokens: int | None = Field(
        None,
        ge=512,
        description="the model's context in tokens; None: what the server reports, else "
        f"{DEFAULT_CONTEXT_TOKENS}",
    )
    threads: int | None = Field(None, ge=1)
    decoder: Literal["llama-cpp", "batched"] = Field(
        "batched", description="the embedded model's decoding loop; see docs/decoding.md"
    )
    parallel: int = Field(
        4, ge=1, le=64, description="independent calls decoded (embedded) or sent (server) at once"
    )
    prompts_dir: Path | None = None
    cache_dir: Path = Field(default_factory=default_cache_dir)
    cache: bool = Field(
        True, description="replay repeated model calls from cache_dir/responses.sqlite"
    )
    cache_max_mb: int = Field(
        DEFAULT_CACHE_MAX_MB,
        ge=1,
        description="response cache bound; the least recently used answers go past it",
    )
    strict: bool = Field(False, description="raise instead of dropping ungrounded events")

    @field_validator("model_path", mode="before")
    @classmethod
    def _file_or_reference(cls, value: object) -> object:
        """A hub reference stays text; anything else is a file path."""
        if value is None:
            return None
        text = str(value)
        return text.strip() if text.startswith(HUB_PREFIX) else Path(text)

    @property
    def context(self) -> int:
        """The context to plan for when no server said otherwise."""
        return self.context_tokens or DEFAULT_CONTEXT_TOKENS

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from the environment, with explicit options (not None) taking precedence."""
        values: dict[str, object] = {}
        if url := os.environ.get("SUMMARIZER_BASE_URL") or os.environ.get("OPENAI_BASE_URL"):
            values["base_url"] = url
        if endpoint := os.environ.get("HF_ENDPOINT"):
            values["hub_endpoint"] = endpoint
        if token := os.environ.get("HF_TOKEN"):
            values["hub_token"] = SecretStr(token)
        if model := os.environ.get("SUMMARIZER_MODEL"):
            values["model"] = model
        if max_mb := os.environ.get("SUMMARIZER_CACHE_MAX_MB"):
            values["cache_max_mb"] = max_mb
        if key := os.environ.get("OPENAI_API_KEY"):
            values["api_key"] = SecretStr(key)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)
