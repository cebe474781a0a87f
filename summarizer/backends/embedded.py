"""The embedded backend: a GGUF model run in-process by llama-cpp-python.

Grammar-constrained JSON keeps the small model's answers parseable. The model
is loaded once per process (per file and settings) and shared; one lock
serialises calls, since a llama.cpp context serves one request at a time. The
fixed instructions come first in every prompt so llama.cpp can reuse their
KV cache from the previous call and each call pays only for its own tokens.
"""

from __future__ import annotations

import json
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import BackendError, ConfigError
from .base import ChatRequest, Completion
from .model_file import MODEL_NAME, embedded_model_path

_LOCK = threading.Lock()


def default_threads() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


@lru_cache(maxsize=2)
def _load(path: str, n_ctx: int, threads: int) -> Any:
    try:
        from llama_cpp import Llama
    except ImportError:
        raise ConfigError(
            "the embedded backend needs llama-cpp-python: pip install 'summarizer[local]'"
        ) from None
    try:
        return Llama(model_path=path, n_ctx=n_ctx, n_threads=threads, verbose=False)
    except (ValueError, RuntimeError) as exc:
        raise ConfigError(f"could not load model {path}: {exc}") from None


@lru_cache(maxsize=32)
def _schema_grammar(schema_json: str) -> Any:
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_json_schema(schema_json, verbose=False)


@lru_cache(maxsize=256)
def _gbnf_grammar(gbnf: str) -> Any:
    from llama_cpp import LlamaGrammar

    try:
        return LlamaGrammar.from_string(gbnf, verbose=False)
    except ValueError as exc:
        raise BackendError(f"the request's grammar does not parse: {exc}", backend="embedded") from None


def grammar_of(request: ChatRequest) -> Any:
    """The llama.cpp grammar a request asks for: its GBNF, else its JSON Schema, else none."""
    if request.grammar is not None:
        return _gbnf_grammar(request.grammar)
    if request.schema:
        return _schema_grammar(json.dumps(request.schema, sort_keys=True))
    return None


class EmbeddedBackend:
    name = "embedded"

    def __init__(self, *, cache_dir: Path, model_path: Path | None = None,
                 context_tokens: int = 4096, threads: int | None = None) -> None:
        if model_path is not None and not model_path.is_file():
            raise ConfigError(f"model file {model_path} does not exist")
        self.path = model_path or embedded_model_path(cache_dir)
        self.model = model_path.stem if model_path else MODEL_NAME
        self.context_tokens = context_tokens
        self._llm = _load(str(self.path), context_tokens, threads or default_threads())

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def complete(self, request: ChatRequest) -> Completion:
        grammar = grammar_of(request)
        with _LOCK:
            try:
                reply = self._llm.create_chat_completion(
                    messages=request.messages,
                    grammar=grammar,
                    temperature=request.temperature,
                    max_tokens=request.max_tokens,
                )
            except ValueError as exc:  # llama.cpp raises ValueError when the prompt is too long
                raise BackendError(str(exc), backend=self.name) from None
        choice = reply["choices"][0]
        usage = reply.get("usage") or {}
        return Completion(
            text=choice["message"].get("content") or "",
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", 0),
            finish_reason=choice.get("finish_reason"),
        )
