"""The ask → validate → re-ask loop and the OpenAI-compatible transport, against a scripted server."""

from __future__ import annotations

import json

import pytest
from scripted_server import Reply, ScriptedServer

from summarizer.ask import Meter, ask
from summarizer.backends.openai_compat import OpenAICompatBackend
from summarizer.errors import AuthenticationFailed, BudgetExceeded, InvalidOutput
from summarizer.prompts import Prompts
from summarizer.schemas import EventDraft

GOOD = json.dumps(
    {"description": "Russia takes Sukhyi Yar", "actors": ["Russia"], "location": None}
)
MESSAGES = [{"role": "user", "content": "Describe the event."}]


def backend(server: ScriptedServer, retries: int = 2) -> OpenAICompatBackend:
    return OpenAICompatBackend(
        base_url=server.base_url, model="m", api_key=None, timeout_s=5, transport_retries=retries
    )


def test_broken_json_is_reasked_and_recovers(scripted: ScriptedServer) -> None:
    scripted.script(Reply('{"description": "Russia takes'), Reply(GOOD))
    meter = Meter()
    answer = ask(backend(scripted), Prompts(), MESSAGES, EventDraft, meter=meter)
    assert answer.value.description == "Russia takes Sukhyi Yar"
    assert answer.attempts == 2
    # both calls are paid for, the failed one included
    assert meter.usage.calls == 2 and meter.usage.prompt_tokens == 20
    reask = scripted.requests[1]["messages"][-1]["content"]
    assert "not valid JSON" in reask


def test_schema_violation_is_reasked_with_the_error(scripted: ScriptedServer) -> None:
    scripted.script(Reply(json.dumps({"actors": ["Russia"]})), Reply(GOOD))
    answer = ask(backend(scripted), Prompts(), MESSAGES, EventDraft, meter=Meter())
    assert answer.attempts == 2
    assert "description: Field required" in scripted.requests[1]["messages"][-1]["content"]


def test_semantic_check_failure_is_reasked(scripted: ScriptedServer) -> None:
    scripted.script(Reply(GOOD.replace("Sukhyi Yar", "Paris")), Reply(GOOD))

    def check(d: EventDraft) -> list[str]:
        return (
            [] if "Sukhyi" in d.description else ["description names a place not in the sentence"]
        )

    answer = ask(backend(scripted), Prompts(), MESSAGES, EventDraft, meter=Meter(), check=check)
    assert answer.attempts == 2 and "Sukhyi" in answer.value.description


def test_gives_up_cleanly_after_the_limit(scripted: ScriptedServer) -> None:
    scripted.default = Reply("not json at all")
    meter = Meter()
    with pytest.raises(InvalidOutput) as info:
        ask(backend(scripted), Prompts(), MESSAGES, EventDraft, meter=meter, max_reasks=2)
    assert info.value.attempts == 3
    assert info.value.last_reply == "not json at all"
    assert len(scripted.requests) == 3 and meter.usage.calls == 3


def test_token_budget_stops_reasking(scripted: ScriptedServer) -> None:
    scripted.default = Reply("{broken")
    meter = Meter(budget=40)
    with pytest.raises(BudgetExceeded):
        ask(backend(scripted), Prompts(), MESSAGES, EventDraft, meter=meter, max_reasks=5)
    assert len(scripted.requests) < 6
    assert meter.usage.total_tokens <= 40


def test_unsupported_json_schema_falls_back_to_json_object(scripted: ScriptedServer) -> None:
    # llama-cpp-python's server answers json_schema with HTTP 500 (measured)
    scripted.script(
        Reply(status=500, body={"error": {"message": "unsupported response_format"}}),
        Reply(GOOD),
        Reply(GOOD),
    )
    b = backend(scripted, retries=0)
    ask(b, Prompts(), MESSAGES, EventDraft, meter=Meter())
    ask(b, Prompts(), MESSAGES, EventDraft, meter=Meter())
    formats = [r["response_format"]["type"] for r in scripted.requests]
    assert formats == ["json_schema", "json_object", "json_object"]
    assert scripted.requests[1]["response_format"]["schema"]["properties"]["description"]


def test_rate_limit_honours_retry_after(scripted: ScriptedServer) -> None:
    scripted.script(
        Reply(status=429, headers={"retry-after": "0.2"}, body={"error": {"message": "slow down"}}),
        Reply(GOOD),
    )
    answer = ask(backend(scripted), Prompts(), MESSAGES, EventDraft, meter=Meter())
    assert answer.attempts == 1  # a transport retry is not a re-ask
    assert len(scripted.requests) == 2


def test_wrong_key_fails_fast_without_leaking_it(scripted: ScriptedServer) -> None:
    key = "sk-secret-key-that-must-not-leak-123"
    scripted.default = Reply(status=401, body={"error": {"message": "invalid key"}})
    b = OpenAICompatBackend(
        base_url=scripted.base_url, model="m", api_key=key, timeout_s=5, transport_retries=3
    )
    with pytest.raises(AuthenticationFailed) as info:
        ask(b, Prompts(), MESSAGES, EventDraft, meter=Meter())
    assert len(scripted.requests) == 1
    assert key not in str(info.value)
    sent = {k.lower(): v for k, v in scripted.headers_seen[0].items()}
    assert sent["authorization"] == f"Bearer {key}"
