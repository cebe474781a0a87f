"""Ask → validate → re-ask: one structured question to a model, answered validly or not at all.

A reply is parsed as JSON, validated by its pydantic model and then by a
semantic ``check`` (quote found in the source, words used, lengths). If either
fails, the errors go back to the model in a re-ask, at most ``max_reasks``
times. A refusal (``message.refusal``) or a ``content_filter`` stop is not
re-asked: the same question gets the same answer, so it raises ``Refused`` at
once. Transport faults never reach this loop: backends retry them. Every call,
failed ones included, is counted in the shared per-document ``Meter``, which
refuses a call the token budget can't afford.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from .backends.base import Backend, ChatRequest, Message, generation_schema
from .errors import BudgetExceeded, InvalidOutput, Refused
from .prompts import REASK, Prompts
from .schemas import Usage

T = TypeVar("T", bound=BaseModel)
Check = Callable[[T], list[str]]


@dataclass
class Meter:
    """Per-document usage across every call, and the optional token budget."""

    budget: int | None = None
    usage: Usage = field(default_factory=Usage)

    def affordable(self, expected: int) -> bool:
        return self.budget is None or self.usage.total_tokens + expected <= self.budget

    def record(self, prompt_tokens: int, completion_tokens: int, cached: bool) -> None:
        self.usage.add(Usage(calls=1, prompt_tokens=prompt_tokens,
                             completion_tokens=completion_tokens, cached_calls=int(cached)))


@dataclass
class Answer(Generic[T]):
    value: T
    attempts: int
    errors: list[str] = field(default_factory=list)  # semantic errors left (lenient asks only)


def validation_messages(exc: ValidationError) -> list[str]:
    """Pydantic errors as short lines a model can act on."""
    lines = []
    for err in exc.errors()[:8]:
        where = ".".join(str(p) for p in err["loc"]) or "answer"
        lines.append(f"{where}: {err['msg']}")
    return lines


def parse(reply: str, model: type[T]) -> T:
    return model.model_validate_json(reply)


def ask(backend: Backend, prompts: Prompts, messages: list[Message], model: type[T], *,
        meter: Meter, check: Check[T] | None = None, max_reasks: int = 2,
        max_tokens: int = 512, temperature: float = 0.0, lenient: bool = False,
        grammar: str | None = None) -> Answer[T]:
    """Ask until the answer validates, or raise ``InvalidOutput`` when re-asks run out.

    With ``lenient``, a last answer that parses but still fails ``check`` is
    returned with its remaining errors, for the caller to repair or drop parts.
    ``grammar`` (GBNF) narrows what the model may write below what ``model`` admits.
    """
    schema = generation_schema(model.model_json_schema())
    conversation = list(messages)
    errors: list[str] = []
    reply = ""
    for attempt in range(1, max_reasks + 2):
        # the prompt is roughly 4 characters a token; refuse before spending what we lack
        expected = sum(len(m["content"]) for m in conversation) // 4 + max_tokens // 4
        if not meter.affordable(expected):
            raise BudgetExceeded(
                f"token budget {meter.budget} would be exceeded (used {meter.usage.total_tokens})",
                usage=meter.usage)
        completion = backend.complete(ChatRequest(conversation, schema, max_tokens, temperature, grammar))
        meter.record(completion.prompt_tokens, completion.completion_tokens, completion.cached)
        reply = completion.text
        errors = _errors(reply, model, check, completion.finish_reason)
        if not errors:
            return Answer(parse(reply, model), attempt)
        if completion.finish_reason in REFUSALS:
            reason = _refusal_reason(completion.finish_reason, completion.meta.get("refusal"))
            raise Refused(reason, attempts=attempt, last_reply=reply, errors=[reason],
                          usage=meter.usage)
        conversation = [*messages, {"role": "assistant", "content": reply[:4000]},
                        {"role": "user", "content": prompts.render(REASK, errors=errors)}]
    if lenient and check is not None:
        try:
            return Answer(parse(reply, model), max_reasks + 1, errors)
        except ValidationError:
            pass
    raise InvalidOutput(
        f"no valid answer after {max_reasks + 1} attempts: {'; '.join(errors)[:300]}",
        attempts=max_reasks + 1, last_reply=reply, errors=errors, usage=meter.usage)


REFUSALS = frozenset({"refusal", "content_filter"})


def _refusal_reason(finish_reason: str | None, text: object) -> str:
    if finish_reason == "content_filter":
        return "the provider's content filter stopped the answer (finish_reason content_filter)"
    return f"the model refused to answer: {str(text or '')[:200]!r}"


def _errors(reply: str, model: type[T], check: Check[T] | None,
            finish_reason: str | None) -> list[str]:
    if not reply.strip():
        return ["the answer was empty" + (f" (finish_reason {finish_reason})" if finish_reason else "")]
    try:
        value = parse(reply, model)
    except ValidationError as exc:
        if exc.errors() and exc.errors()[0]["type"] == "json_invalid":
            cut = " (the answer was cut off; be shorter)" if finish_reason == "length" else ""
            return [f"the answer is not valid JSON{cut}"]
        return validation_messages(exc)
    except json.JSONDecodeError:
        return ["the answer is not valid JSON"]
    return check(value) if check else []
