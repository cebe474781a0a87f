"""The OpenAI-compatible backend: any server that speaks the chat-completions wire.

Structured output is negotiated, strongest first, and the first mode the server
accepts is kept for the rest of the run:

1. ``json_schema`` with ``strict`` (OpenAI, vLLM, Ollama);
2. ``json_object`` with a ``schema`` (llama-cpp-python's server);
3. JSON asked for in the prompt and extracted from the reply.

Transport faults are retried here with tenacity (429, 408, 409, 5xx,
connection errors and resets, timeouts, a reply that is not a chat
completion), with exponential backoff that honours ``Retry-After`` (seconds or
an HTTP date) and ``retry-after-ms``. What retrying cannot fix fails at once:
401/403 (wrong key), 404 (unknown model), 429 ``insufficient_quota``, and a
``Retry-After`` longer than ``MAX_BACKOFF_S``. Every attempt is bounded by
``timeout_s`` end to end, so a server that drips its reply byte by byte times
out like one that never answers. Validation re-asks are not this module's
business: they live in ``ask``.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import openai
from tenacity import RetryCallState, Retrying, stop_after_attempt

try:  # openai >= 3 speaks through httpx2; older releases through httpx (same API)
    import httpx2 as httpx
except ImportError:  # pragma: no cover - depends on the installed openai
    import httpx  # type: ignore[no-redef]

from ..chunking import TokenCounter, estimate_tokens
from ..errors import (
    AuthenticationFailed,
    BackendError,
    BackendTimeout,
    BackendUnavailable,
    ConfigError,
    add_secret,
)
from ..settings import default_cache_dir
from .base import ChatRequest, Completion, extract_json, strict_schema
from .tokenizers import openai_counter

MODES = ("json_schema", "json_object", "prompt")
RETRY_STATUSES = {408, 409, 429, 500, 502, 503, 504}
MAX_BACKOFF_S = 60.0  # a longer Retry-After is a "come back later": fail instead of hanging
BASE_BACKOFF_S = 0.5
BACKOFF_SCALE = 1.0  # multiplies our own backoff (not a server's Retry-After); tests shrink it
NEGOTIATION_TRIES = 2  # a mode-rejecting status is tried twice before the next mode
PROBE_TIMEOUT_S = 5.0  # asking the server its context: a server that does not say, fast
log = logging.getLogger("summarizer")


class MalformedReply(Exception):
    """HTTP 200 whose body is not a chat completion (an HTML page, cut-off JSON, another shape)."""


def _status(exc: BaseException) -> int | None:
    return getattr(exc, "status_code", None)


def _error_code(exc: BaseException) -> str | None:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        code = inner.get("code") if isinstance(inner, dict) else None
        return str(code) if code else None
    return None


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, MalformedReply)):
        return True
    if _error_code(exc) == "insufficient_quota":  # OpenAI's 429 for an empty account
        return False
    told = _retry_after(exc)
    if told is not None and told > MAX_BACKOFF_S:
        return False
    return _status(exc) in RETRY_STATUSES


def _retry_after(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait: ``retry-after-ms``, ``Retry-After`` seconds or date."""
    response = getattr(exc, "response", None)
    if response is None:
        return None
    headers = response.headers
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    header = headers.get("retry-after")
    if header is None:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _wait(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    told = _retry_after(exc)
    if told is not None:
        return min(told, MAX_BACKOFF_S)
    backoff = BASE_BACKOFF_S * 2 ** (state.attempt_number - 1)
    # full jitter in [0.5, 1): concurrent clients that failed together don't retry together
    return min(backoff, MAX_BACKOFF_S) * (0.5 + random.random() / 2) * BACKOFF_SCALE


def _rejects_mode(exc: BaseException) -> bool:
    """A server that does not support a response_format answers 400/422/500 on the first try."""
    return _status(exc) in {400, 422, 500} and not isinstance(exc, openai.AuthenticationError)


class _DeadlineStream(httpx.SyncByteStream):
    """A response body that must arrive before a deadline, however slowly it trickles."""

    def __init__(self, inner: Any, deadline: float, request: Any) -> None:
        self._inner = inner
        self._deadline = deadline
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            if time.monotonic() > self._deadline:
                # httpx's timeouts are per read: a drip of one byte a second never trips them
                raise httpx.ReadTimeout(
                    "the reply did not finish arriving in time", request=self._request
                )
            yield chunk

    def close(self) -> None:
        self._inner.close()


class _DeadlineTransport(httpx.BaseTransport):
    """Bounds each HTTP exchange, headers and body together, by ``total_s``."""

    def __init__(self, total_s: float) -> None:
        self._inner = httpx.HTTPTransport()
        self._total_s = total_s

    def handle_request(self, request: Any) -> Any:
        deadline = time.monotonic() + self._total_s
        response = self._inner.handle_request(request)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_DeadlineStream(response.stream, deadline, request),
            extensions=response.extensions,
            request=request,
        )

    def close(self) -> None:
        self._inner.close()


class OpenAICompatBackend:
    name = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        model: str | None,
        api_key: str | None,
        timeout_s: float,
        transport_retries: int,
        cache_dir: Path | None = None,
        parallel: int = 4,
        seed: int | None = None,
    ) -> None:
        self.model = model or "default"
        self.served_model: str | None = None  # what the server says answered (its "model")
        self.seed = seed
        self.parallel = max(1, parallel)  # requests in flight at once from complete_many
        self.base_url = base_url
        self._cache_dir = cache_dir
        self._counter: TokenCounter | None = None
        self._counter_chosen = False
        if api_key:
            add_secret(api_key)  # whatever a server echoes back, our messages won't repeat it
        self._client = openai.OpenAI(
            base_url=base_url,
            # local servers need no key; the client insists on one, so send a placeholder
            api_key=api_key or "not-needed",
            timeout=timeout_s,
            max_retries=0,  # tenacity retries, so attempts are counted in one place
            http_client=openai.DefaultHttpxClient(
                transport=_DeadlineTransport(timeout_s), timeout=timeout_s
            ),
        )
        self._retries = transport_retries
        self._mode_index = 0
        self._mode_settled = False
        self._mode_lock = threading.Lock()

    def reported_context(self) -> int | None:
        """The context the server says its model has, or None when it does not say.

        vLLM lists ``max_model_len`` in ``/v1/models``, llama.cpp's server ``meta.n_ctx_train``
        there and ``n_ctx`` in ``/props``, LM Studio ``context_length``."""
        root = self.base_url.rstrip("/").removesuffix("/v1")
        found = _context_in_models(self._probe("/models"), self.model)
        if found is None:
            props = self._probe(f"{root}/props")
            if isinstance(props, dict):
                generation = props.get("default_generation_settings")
                n_ctx = generation.get("n_ctx") if isinstance(generation, dict) else None
                found = _positive(n_ctx or props.get("n_ctx"))
        if found is not None:
            log.info("%s reports a context of %d tokens", self.base_url, found)
        return found

    def _probe(self, path: str) -> object:
        """The JSON body at ``path`` (relative to base_url, or absolute), None on any failure."""
        try:
            return self._client.get(path, cast_to=dict, options={"timeout": PROBE_TIMEOUT_S})
        except (openai.OpenAIError, ValueError, TypeError):
            return None

    @property
    def mode(self) -> str:
        return MODES[self._mode_index]

    @property
    def supports_grammar(self) -> bool:
        # the grammar is sent (llama.cpp's server honours it), but another server may ignore
        # the field without saying so, and the prompt mode never sends it
        return False

    def count_tokens(self, text: str) -> int:
        """tiktoken's count for an OpenAI model (from bundled files, offline); else the estimate."""
        if not self._counter_chosen:  # chosen on first use: loading an encoding takes ~1 s
            self._counter = openai_counter(self.model, self._cache_dir or default_cache_dir())
            self._counter_chosen = True
        return self._counter(text) if self._counter else estimate_tokens(text)

    def complete(self, request: ChatRequest) -> Completion:
        while True:
            mode_index = self._mode_index
            negotiating = (
                bool(request.schema) and not self._mode_settled and mode_index < len(MODES) - 1
            )
            try:
                completion = self._call_with_retries(request, MODES[mode_index], negotiating)
            except openai.APIStatusError as exc:
                if negotiating and _rejects_mode(exc):
                    with self._mode_lock:
                        self._mode_index = max(self._mode_index, mode_index + 1)
                    continue
                raise self._translate(exc) from None
            except (openai.OpenAIError, MalformedReply) as exc:
                raise self._translate(exc) from None
            if request.schema:
                self._mode_settled = True
            return completion

    def complete_many(self, requests: Sequence[ChatRequest]) -> list[Completion]:
        """The requests sent ``parallel`` at a time (servers with continuous batching decode
        them together); in order, and the first error raises."""
        if len(requests) <= 1 or self.parallel == 1:
            return [self.complete(r) for r in requests]
        if not self._mode_settled and any(r.schema for r in requests):
            # the first answer settles the response format; the rest need not negotiate
            return [self.complete(requests[0]), *self.complete_many(requests[1:])]
        with ThreadPoolExecutor(max_workers=min(self.parallel, len(requests))) as pool:
            return list(pool.map(self.complete, requests))

    def _call_with_retries(self, request: ChatRequest, mode: str, negotiating: bool) -> Completion:
        def should_retry(state: RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome and state.outcome.failed else None
            if exc is None or not _transient(exc):
                return False
            # while negotiating, a 500 may mean "mode not supported" (llama.cpp): try it
            # twice, not transport_retries times, before moving on to the next mode
            return not (
                negotiating and _rejects_mode(exc) and state.attempt_number >= NEGOTIATION_TRIES
            )

        def note(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.info(
                "%s: attempt %d failed (%s); retrying",
                self.base_url,
                state.attempt_number,
                (_status(exc) if exc is not None else None) or type(exc).__name__,
            )

        retrying = Retrying(
            retry=should_retry,
            stop=stop_after_attempt(self._retries + 1),
            wait=_wait,
            reraise=True,
            before_sleep=note,
        )
        attempts = 0
        try:
            for attempt in retrying:
                with attempt:
                    attempts += 1
                    completion = self._call(request, mode)
        except BaseException as exc:
            # the attempt count rides on the exception to the message ``_translate`` writes
            exc.summarizer_attempts = attempts  # type: ignore[attr-defined]
            raise
        meta = {**completion.meta, "mode": mode, "transport_attempts": attempts}
        return Completion(**{**completion.__dict__, "meta": meta})

    def _call(self, request: ChatRequest, mode: str) -> Completion:
        messages = list(request.messages)
        extra: dict[str, Any] = {}
        if request.schema and mode == "json_schema":
            extra["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": "answer",
                    "strict": True,
                    "schema": strict_schema(request.schema),
                },
            }
        elif request.schema and mode == "json_object":
            extra["response_format"] = {"type": "json_object", "schema": request.schema}
        elif request.schema:
            messages[-1] = {
                **messages[-1],
                "content": messages[-1]["content"]
                + "\n\nReply with one JSON object only, following this JSON Schema:\n"
                + json.dumps(request.schema),
            }
        if request.grammar is not None and mode != "prompt":
            # llama.cpp's server takes GBNF, and refuses it beside a response_format
            extra = {"extra_body": {"grammar": request.grammar}}
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                # role/content pairs, which the SDK types as one TypedDict per role
                messages=messages,  # type: ignore[arg-type]
                max_tokens=request.max_tokens,
                temperature=request.temperature,
                seed=self.seed if self.seed is not None else openai.omit,
                **extra,
            )
        except ValueError as exc:  # the SDK's json.loads of a 200 body (JSONDecodeError)
            raise MalformedReply(f"its reply is not JSON ({exc.__class__.__name__})") from None
        served = getattr(response, "model", None)
        if isinstance(served, str) and served:
            self.served_model = served
        return _completion(response, mode, request)

    def _translate(self, exc: BaseException) -> BackendError:
        where = f"{self.base_url}"
        status = _status(exc)
        attempts = getattr(exc, "summarizer_attempts", 1)
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        if isinstance(exc, openai.APITimeoutError):
            return BackendTimeout(f"{where} did not answer in time ({tries})", backend=self.name)
        if isinstance(exc, openai.APIConnectionError):
            return BackendUnavailable(f"cannot connect to {where} ({tries})", backend=self.name)
        if isinstance(exc, MalformedReply):
            return BackendUnavailable(
                f"{where} did not return a chat completion: {exc} ({tries})", backend=self.name
            )
        if status in {401, 403}:
            return AuthenticationFailed(
                f"{where} refused the API key (HTTP {status}); check OPENAI_API_KEY",
                backend=self.name,
                status=status,
            )
        if status == 404:
            return BackendError(
                f"{where}: model '{self.model}' not found (HTTP 404); check --model",
                backend=self.name,
                status=status,
            )
        if _error_code(exc) == "insufficient_quota":
            return BackendUnavailable(
                f"{where}: the account has no quota left (HTTP 429)",
                backend=self.name,
                status=status,
            )
        told = _retry_after(exc)
        if status == 429 and told is not None and told > MAX_BACKOFF_S:
            return BackendUnavailable(
                f"{where} is rate limiting and asks to wait {told:.0f} s; try again later",
                backend=self.name,
                status=status,
            )
        if status == 429:
            return BackendUnavailable(
                f"{where} kept rate limiting (HTTP 429) after {tries}",
                backend=self.name,
                status=status,
            )
        if status is not None and status in RETRY_STATUSES:
            return BackendUnavailable(
                f"{where} kept failing (HTTP {status}) after {tries}",
                backend=self.name,
                status=status,
            )
        message = getattr(exc, "message", None) or type(exc).__name__
        return BackendError(
            f"{where}: HTTP {status}: {message}"[:300], backend=self.name, status=status
        )


def _completion(response: Any, mode: str, request: ChatRequest) -> Completion:
    """A ``Completion`` from the SDK's object; a body of the wrong shape is ``MalformedReply``.

    The SDK builds its objects without validating them, so a proxy's ``{"ok": true}``
    arrives here as an object whose fields are missing or of the wrong type.
    """
    try:
        choices = getattr(response, "choices", None)
        if not choices or not isinstance(choices, list):
            raise MalformedReply("no choices in its reply")
        choice = choices[0]
        message = choice.message
        text = message.content or ""
        if not isinstance(text, str):
            raise MalformedReply("the message content is not text")
        refusal = getattr(message, "refusal", None)
        finish_reason = choice.finish_reason
        usage = getattr(response, "usage", None)
        prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
    except (AttributeError, TypeError, ValueError, IndexError):
        raise MalformedReply("its reply has the wrong shape") from None
    meta: dict[str, Any] = {}
    if refusal and not text.strip():
        # a refusal is an answer, not a fault: ``ask`` records it instead of re-asking
        finish_reason = "refusal"
        meta["refusal"] = str(refusal)[:300]
    if mode == "prompt" and request.schema:
        text = extract_json(text)
    return Completion(
        text=text,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        finish_reason=finish_reason,
        meta=meta,
    )


def _positive(value: object) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


def _context_in_models(listed: object, model: str) -> int | None:
    """The context of ``model`` (else of the only model) in a ``/v1/models`` listing."""
    entries = listed.get("data") if isinstance(listed, dict) else None
    if not isinstance(entries, list):
        return None
    models = [e for e in entries if isinstance(e, dict)]
    chosen = [e for e in models if e.get("id") == model] or (models if len(models) == 1 else [])
    for entry in chosen:
        meta = entry.get("meta")
        meta = meta if isinstance(meta, dict) else {}
        for value in (
            entry.get("max_model_len"),
            entry.get("context_length"),
            meta.get("n_ctx"),
            meta.get("n_ctx_train"),
        ):
            if (found := _positive(value)) is not None:
                return found
    return None


def make_openai_backend(
    base_url: str,
    model: str | None,
    api_key: str | None,
    *,
    timeout_s: float,
    transport_retries: int,
    cache_dir: Path | None = None,
    parallel: int = 4,
    seed: int | None = None,
) -> OpenAICompatBackend:
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"--base-url must start with http:// or https://, got '{base_url}'")
    return OpenAICompatBackend(
        base_url=base_url,
        model=model,
        api_key=api_key,
        timeout_s=timeout_s,
        transport_retries=transport_retries,
        cache_dir=cache_dir,
        parallel=parallel,
        seed=seed,
    )
