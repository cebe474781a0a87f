"""The OpenAI-compatible backend: any server that speaks the chat-completions wire.

Structured output is negotiated, strongest first, and the first mode the server
accepts is kept for the rest of the run:

1. ``json_schema`` with ``strict`` (OpenAI, vLLM, Ollama);
2. ``json_object`` with a ``schema`` (llama-cpp-python's server);
3. JSON asked for in the prompt and extracted from the reply.

Transport faults are retried here with tenacity (429, 408, 409, 5xx,
connection errors, timeouts), with exponential backoff that honours
``Retry-After``; 401/403 fail at once. Validation re-asks are not this
module's business: they live in ``ask``.
"""

from __future__ import annotations

import json
import random
import threading
from typing import Any

import openai
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from ..errors import (AuthenticationFailed, BackendError, BackendTimeout, BackendUnavailable,
                      ConfigError)
from .base import ChatRequest, Completion, extract_json, strict_schema

MODES = ("json_schema", "json_object", "prompt")
RETRY_STATUSES = {408, 409, 429, 500, 502, 503, 504}
MAX_BACKOFF_S = 60.0
BASE_BACKOFF_S = 0.5


def _status(exc: BaseException) -> int | None:
    return getattr(exc, "status_code", None)


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    return _status(exc) in RETRY_STATUSES


def _retry_after(exc: BaseException | None) -> float | None:
    response = getattr(exc, "response", None)
    header = response.headers.get("retry-after") if response is not None else None
    if header is None:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        return None


def _wait(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    told = _retry_after(exc)
    if told is not None:
        return min(told, MAX_BACKOFF_S)
    backoff = BASE_BACKOFF_S * 2 ** (state.attempt_number - 1)
    return min(backoff, MAX_BACKOFF_S) * (0.5 + random.random() / 2)


def _rejects_mode(exc: BaseException) -> bool:
    """A server that does not support a response_format answers 400/422/500 on the first try."""
    return _status(exc) in {400, 422, 500} and not isinstance(exc, openai.AuthenticationError)


class OpenAICompatBackend:
    name = "openai"

    def __init__(self, *, base_url: str, model: str | None, api_key: str | None,
                 timeout_s: float, transport_retries: int) -> None:
        self.model = model or "default"
        self.base_url = base_url
        self._client = openai.OpenAI(
            base_url=base_url,
            # local servers need no key; the client insists on one, so send a placeholder
            api_key=api_key or "not-needed",
            timeout=timeout_s,
            max_retries=0,  # tenacity retries, so attempts are counted in one place
        )
        self._retries = transport_retries
        self._mode_index = 0
        self._mode_settled = False
        self._mode_lock = threading.Lock()

    @property
    def mode(self) -> str:
        return MODES[self._mode_index]

    def complete(self, request: ChatRequest) -> Completion:
        while True:
            mode_index = self._mode_index
            try:
                completion = self._call_with_retries(request, MODES[mode_index])
            except openai.APIStatusError as exc:
                if (request.schema and not self._mode_settled and _rejects_mode(exc)
                        and mode_index < len(MODES) - 1):
                    with self._mode_lock:
                        self._mode_index = max(self._mode_index, mode_index + 1)
                    continue
                raise self._translate(exc) from None
            except openai.OpenAIError as exc:
                raise self._translate(exc) from None
            if request.schema:
                self._mode_settled = True
            return completion

    def _call_with_retries(self, request: ChatRequest, mode: str) -> Completion:
        retrying = Retrying(
            retry=retry_if_exception(_transient),
            stop=stop_after_attempt(self._retries + 1),
            wait=_wait,
            reraise=True,
        )
        attempts = 0
        for attempt in retrying:
            with attempt:
                attempts += 1
                completion = self._call(request, mode)
        return Completion(**{**completion.__dict__, "meta": {"mode": mode, "transport_attempts": attempts}})

    def _call(self, request: ChatRequest, mode: str) -> Completion:
        messages = list(request.messages)
        extra: dict[str, Any] = {}
        if request.schema and mode == "json_schema":
            extra["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "strict": True,
                                "schema": strict_schema(request.schema)},
            }
        elif request.schema and mode == "json_object":
            extra["response_format"] = {"type": "json_object", "schema": request.schema}
        elif request.schema:
            messages[-1] = {**messages[-1], "content": messages[-1]["content"] +
                            "\n\nReply with one JSON object only, following this JSON Schema:\n" +
                            json.dumps(request.schema)}
        response = self._client.chat.completions.create(
            model=self.model,
            messages=messages,  # type: ignore[arg-type]
            max_tokens=request.max_tokens,
            temperature=request.temperature,
            **extra,
        )
        if not response.choices:
            raise BackendError("the server returned no choices", backend=self.name)
        choice = response.choices[0]
        message = choice.message
        text = message.content or ""
        refusal = getattr(message, "refusal", None)
        if refusal and not text:
            text = ""
        if mode == "prompt" and request.schema:
            text = extract_json(text)
        usage = response.usage
        return Completion(
            text=text,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            finish_reason=choice.finish_reason or ("refusal" if refusal else None),
        )

    def _translate(self, exc: BaseException) -> BackendError:
        where = f"{self.base_url}"
        status = _status(exc)
        if isinstance(exc, openai.APITimeoutError):
            return BackendTimeout(f"{where} did not answer in time", backend=self.name)
        if isinstance(exc, openai.APIConnectionError):
            return BackendUnavailable(f"cannot connect to {where}", backend=self.name)
        if status in {401, 403}:
            return AuthenticationFailed(
                f"{where} refused the API key (HTTP {status}); check OPENAI_API_KEY",
                backend=self.name, status=status)
        if status == 404:
            return BackendError(f"{where}: model '{self.model}' not found (HTTP 404)",
                                backend=self.name, status=status)
        if status is not None and status in RETRY_STATUSES:
            return BackendUnavailable(f"{where} kept failing (HTTP {status}) after retries",
                                      backend=self.name, status=status)
        message = getattr(exc, "message", None) or type(exc).__name__
        return BackendError(f"{where}: HTTP {status}: {message}"[:300], backend=self.name,
                            status=status)


def make_openai_backend(base_url: str, model: str | None, api_key: str | None, *,
                        timeout_s: float, transport_retries: int) -> OpenAICompatBackend:
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"--base-url must start with http:// or https://, got '{base_url}'")
    return OpenAICompatBackend(base_url=base_url, model=model, api_key=api_key,
                               timeout_s=timeout_s, transport_retries=transport_retries)
