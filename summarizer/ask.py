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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from .backends.base import (
    Backend,
    BatchBackend,
    ChatRequest,
    Completion,
    Message,
    complete_all,
    generation_schema,
)
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
        self.usage.add(
            Usage(
                calls=1,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                cached_calls=int(cached),
            )
        )


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


AskError = InvalidOutput | Refused | BudgetExceeded  # what ``ask`` raises and ``ask_many`` returns


@dataclass
class Question(Generic[T]):
    """One structured question: its messages, the model its answer must validate as, and
    how it is checked and re-asked."""

    messages: list[Message]
    model: type[T]
    check: Check[T] | None = None
    max_reasks: int = 2
    max_tokens: int = 512
    lenient: bool = False
    grammar: str | None = None  # GBNF narrowing what the model may write below ``model``


def ask(
    backend: Backend,
    prompts: Prompts,
    messages: list[Message],
    model: type[T],
    *,
    meter: Meter,
    check: Check[T] | None = None,
    max_reasks: int = 2,
    max_tokens: int = 512,
    temperature: float = 0.0,
    lenient: bool = False,
    grammar: str | None = None,
) -> Answer[T]:
    """Ask until the answer validates, or raise ``InvalidOutput`` when re-asks run out.

    With ``lenient``, a last answer that parses but still fails ``check`` is
    returned with its remaining errors, for the caller to repair or drop parts.
    ``grammar`` (GBNF) narrows what the model may write below what ``model`` admits.
    """
    question = Question(messages, model, check, max_reasks, max_tokens, lenient, grammar)
    outcome = ask_many(backend, prompts, [question], meter=meter, temperature=temperature)[0]
    if isinstance(outcome, Answer):
        return outcome
    raise outcome


def ask_many(
    backend: Backend,
    prompts: Prompts,
    questions: Sequence[Question[T]],
    *,
    meter: Meter,
    temperature: float = 0.0,
) -> list[Answer[T] | AskError]:
    """Each question's answer, or the error ``ask`` would have raised for it, in order.

    The questions are independent: each round sends every question still open together
    (``complete_all``: one batch for a batched decoder, concurrent requests for a
    server), and the re-asks of the answers that failed make the next round. The token
    budget is counted in the questions' order, as if asked one after another. Questions
    of different answer models go together as ``Question[Any]``.
    """
    states = [
        _Open(q, generation_schema(q.model.model_json_schema()), list(q.messages))
        for q in questions
    ]
    outcomes: list[Answer[T] | AskError | None] = [None] * len(questions)
    for attempt in range(1, max((q.max_reasks for q in questions), default=0) + 2):
        asking, planned = [], 0
        for i, state in enumerate(states):
            if outcomes[i] is not None:
                continue
            # the prompt is roughly 4 characters a token; refuse before spending what we lack
            planned += (
                sum(len(m["content"]) for m in state.conversation) // 4
                + state.question.max_tokens // 4
            )
            if not meter.affordable(planned):
                outcomes[i] = BudgetExceeded(
                    f"token budget {meter.budget} would be exceeded (used {meter.usage.total_tokens})",
                    usage=meter.usage,
                )
                continue
            asking.append(i)
        requests = [
            ChatRequest(
                states[i].conversation,
                states[i].schema,
                states[i].question.max_tokens,
                temperature,
                states[i].question.grammar,
            )
            for i in asking
        ]
        for i, completion in zip(asking, _complete_each(backend, requests)):
            if isinstance(completion, InvalidOutput):  # the backend had no answer for this one
                outcomes[i] = completion
                continue
            meter.record(completion.prompt_tokens, completion.completion_tokens, completion.cached)
            outcomes[i] = _judge(states[i], completion, attempt, prompts, meter)
    return [
        outcome if outcome is not None else _exhausted(state, meter)
        for state, outcome in zip(states, outcomes)
    ]


def _complete_each(
    backend: Backend, requests: list[ChatRequest]
) -> list[Completion | InvalidOutput]:
    """The completions; asked one by one, a backend's ``InvalidOutput`` (a batch-file replay
    with no answer yet) ends only its own question, as it did when each was asked alone."""
    if len(requests) > 1 and isinstance(backend, BatchBackend):
        return list(complete_all(backend, requests))
    done: list[Completion | InvalidOutput] = []
    for request in requests:
        try:
            done.append(backend.complete(request))
        except InvalidOutput as exc:
            done.append(exc)
    return done


@dataclass
class _Open(Generic[T]):
    """A question still being asked: its generation schema, the conversation so far."""

    question: Question[T]
    schema: dict[str, Any]
    conversation: list[Message]
    reply: str = ""
    errors: list[str] = field(default_factory=list)


def _judge(
    state: _Open[T], completion: Completion, attempt: int, prompts: Prompts, meter: Meter
) -> Answer[T] | AskError | None:
    """The question's outcome after this reply, or None when it is re-asked."""
    q = state.question
    state.reply = completion.text
    state.errors = _errors(state.reply, q.model, q.check, completion.finish_reason)
    if not state.errors:
        return Answer(parse(state.reply, q.model), attempt)
    if completion.finish_reason in REFUSALS:
        reason = _refusal_reason(completion.finish_reason, completion.meta.get("refusal"))
        return Refused(
            reason, attempts=attempt, last_reply=state.reply, errors=[reason], usage=meter.usage
        )
    if attempt > q.max_reasks:
        return _exhausted(state, meter)
    state.conversation = [
        *q.messages,
        {"role": "assistant", "content": state.reply[:4000]},
        {"role": "user", "content": prompts.render(REASK, errors=state.errors)},
    ]
    return None


def _exhausted(state: _Open[T], meter: Meter) -> Answer[T] | InvalidOutput:
    q = state.question
    if q.lenient and q.check is not None:
        try:
            return Answer(parse(state.reply, q.model), q.max_reasks + 1, state.errors)
        except ValidationError:
            pass
    return InvalidOutput(
        f"no valid answer after {q.max_reasks + 1} attempts: {'; '.join(state.errors)[:300]}",
        attempts=q.max_reasks + 1,
        last_reply=state.reply,
        errors=state.errors,
        usage=meter.usage,
    )


REFUSALS = frozenset({"refusal", "content_filter"})


def _refusal_reason(finish_reason: str | None, text: object) -> str:
    if finish_reason == "content_filter":
        return "the provider's content filter stopped the answer (finish_reason content_filter)"
    return f"the model refused to answer: {str(text or '')[:200]!r}"


def _errors(
    reply: str, model: type[T], check: Check[T] | None, finish_reason: str | None
) -> list[str]:
    if not reply.strip():
        return [
            "the answer was empty" + (f" (finish_reason {finish_reason})" if finish_reason else "")
        ]
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
