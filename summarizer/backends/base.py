"""The backend protocol: a chat request in, text plus usage out; and its token count.

Backends translate their SDK's errors into ``summarizer.errors`` at this edge,
so nothing above them knows which SDK answered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

Message = dict[str, str]


@dataclass(frozen=True)
class ChatRequest:
    messages: list[Message]
    schema: dict[str, Any] | None = None  # JSON Schema the answer must follow
    max_tokens: int = 512
    temperature: float = 0.0
    # a GBNF grammar the answer must follow, tighter than ``schema`` (the embedded model and
    # llama.cpp's server honour it; other servers get ``schema`` alone)
    grammar: str | None = None


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str | None = None
    cached: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Backend(Protocol):
    name: str  # "embedded", "openai", ...
    model: str

    @property
    def supports_grammar(self) -> bool:
        """Whether the answer is sure to follow ``ChatRequest.grammar`` (a backend that may
        drop it, like a server that ignores the field, says False)."""
        ...

    def complete(self, request: ChatRequest) -> Completion: ...

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes in this model's context (chunks are cut by it); a backend
        without its model's tokenizer returns ``summarizer.chunking.estimate_tokens``."""
        ...


@runtime_checkable
class BatchBackend(Protocol):
    """What a backend that completes several independent requests together has besides
    ``Backend``'s members (a batched decoder, a server with continuous batching). Only this
    method is checked, so a backend lacking a newer ``Backend`` member still batches."""

    def complete_many(self, requests: Sequence[ChatRequest]) -> list[Completion]:
        """Every request's completion, in order; an error raises as ``complete``'s would."""
        ...


def complete_all(backend: Backend, requests: Sequence[ChatRequest]) -> list[Completion]:
    """``requests`` completed together where the backend can, else one after another."""
    if len(requests) > 1 and isinstance(backend, BatchBackend):
        return backend.complete_many(requests)
    return [backend.complete(request) for request in requests]


_LENGTH_KEYWORDS = {"minLength", "maxLength"}


def generation_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema a model generates against: string length limits removed.

    llama.cpp turns ``maxLength`` into one nested grammar rule per character,
    which overflows its parser; lengths are checked by pydantic afterwards.
    """

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items() if k not in _LENGTH_KEYWORDS}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of a pydantic JSON Schema in the form OpenAI's strict mode demands.

    Every object lists all its properties as required and forbids extras;
    defaults and length keywords strict mode rejects are dropped.
    """

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {
                k: walk(v)
                for k, v in node.items()
                if k not in {"default", "title", "minLength", "maxLength", "minItems", "maxItems"}
            }
            if out.get("type") == "object" and "properties" in out:
                out["required"] = list(out["properties"])
                out["additionalProperties"] = False
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


_FENCED = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def extract_json(text: str) -> str:
    """The JSON value inside a reply that may wrap it in prose or a code fence."""
    fenced = _FENCED.search(text)
    if fenced:
        text = fenced.group(1)
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start < 0:
        return text.strip()
    try:
        _, end = json.JSONDecoder().raw_decode(text[start:])
        return text[start : start + end]
    except json.JSONDecodeError:
        return text[start:].strip()
