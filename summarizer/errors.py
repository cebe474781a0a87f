"""Typed exceptions. Every error the library raises on purpose is a ``SummarizerError``.

    SummarizerError
    ├── ConfigError            bad option, missing model file, bad prompt folder
    ├── InputError             a document that can't be read or parsed
    ├── BackendError           the model could not be reached or refused
    │   ├── BackendTimeout
    │   ├── BackendUnavailable network down, 5xx after retries, server gone
    │   └── AuthenticationFailed  401/403: wrong key, never retried
    ├── InvalidOutput          the model's answer failed validation after every re-ask
    │   └── Refused            the model refused or a content filter stopped it (not re-asked)
    ├── WriteError             results could not be written (disk full, a device refused,
    │                          another run holds the output file)
    ├── BudgetExceeded         the per-document token budget ran out
    └── GroundingError         (strict mode) an event's evidence could not be located

Messages never contain API keys: backends build them from status codes and
server-supplied text only, and ``redact`` scrubs anything that slips through:
key-shaped strings, ``OPENAI_API_KEY``, and every key a backend registered
with ``add_secret`` (a key passed in code never touches the environment).
"""

from __future__ import annotations

import os
import re

from .schemas import Usage


class SummarizerError(Exception):
    """Root of every error raised on purpose by summarizer."""


class ConfigError(SummarizerError):
    pass


class InputError(SummarizerError):
    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(f"{source}: {message}" if source else message)
        self.source = source


class WriteError(SummarizerError):
    """The results could not be written: the message names the file and the reason."""


class BackendError(SummarizerError):
    def __init__(self, message: str, *, backend: str = "", status: int | None = None) -> None:
        super().__init__(redact(message))
        self.backend = backend
        self.status = status


class BackendTimeout(BackendError):
    pass


class BackendUnavailable(BackendError):
    pass


class AuthenticationFailed(BackendError):
    pass


class InvalidOutput(SummarizerError):
    """Raised when re-asking ran out; keeps what a caller needs to see why."""

    def __init__(
        self, message: str, *, attempts: int, last_reply: str, errors: list[str], usage: Usage
    ) -> None:
        super().__init__(redact(message))  # it quotes the model, which quotes the document
        self.attempts = attempts
        self.last_reply = last_reply
        self.errors = errors
        self.usage = usage


class Refused(InvalidOutput):
    """The model declined (``message.refusal``) or the provider's content filter cut it off.

    Asking the same question again gets the same answer and costs tokens, so
    ``ask`` raises this at once instead of re-asking.
    """


class BudgetExceeded(SummarizerError):
    def __init__(self, message: str, *, usage: Usage) -> None:
        super().__init__(message)
        self.usage = usage


class GroundingError(SummarizerError):
    pass


_KEY_PATTERN = re.compile(r"\b(sk-[A-Za-z0-9_\-]{8,}|Bearer\s+\S+)")
_SECRETS: set[str] = set()


def add_secret(value: str) -> None:
    """Remember a key so ``redact`` removes it even when it never was in the environment."""
    if len(value) >= 4:  # a shorter "key" would redact ordinary words
        _SECRETS.add(value)


def redact(text: str) -> str:
    """Remove anything that looks like an API key, and the configured keys themselves."""
    secrets = set(_SECRETS)
    key = os.environ.get("OPENAI_API_KEY")
    if key and len(key) >= 4:
        secrets.add(key)
    for secret in sorted(secrets, key=len, reverse=True):  # longest first: no partial leftovers
        text = text.replace(secret, "[redacted]")
    return _KEY_PATTERN.sub("[redacted]", text)


def option_error(exc: Exception) -> ConfigError:
    """A bad option value as one line naming the option (pydantic's last line is a URL)."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return ConfigError(str(exc))
    return ConfigError(
        "; ".join(
            f"--{'-'.join(map(str, e['loc'])).replace('_', '-')}: {e['msg']}" for e in errors()
        )
    )
