"""Batch API files: export the pipeline's own requests, import and validate the answers, re-ask."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from scripted_server import Reply, ScriptedServer, completion
from summarizer import Result, Settings, summarise
from summarizer.batch_api import documents_path, export_requests, import_responses
from summarizer.cli import main

TEXTS = {
    "paris": "Officials met in Paris on Monday to discuss the plan. The ministry said talks "
             "collapsed last month. Leaders will meet again next week.",
    "rome": "The council approved the budget in Rome on Tuesday. Critics said the vote was rushed.",
}
DATE = "2025-11-13"


def grounded(request: dict[str, Any]) -> str:
    """A valid answer built from the article in the request: quotes verbatim, date words as written."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    article = re.search(r"<article>\n(.*?)\n</article>", user, re.DOTALL).group(1)  # type: ignore[union-attr]
    sentences = [s.strip() for s in re.findall(r"[^.]+\.", article)]
    props = request["response_format"]["json_schema"]["schema"]["properties"]
    if "key_points" in props:
        points = (sentences + [" ".join(article.split()[:5])])[:3]  # 3 distinct, all from the text
        return json.dumps({"headline": " ".join(sentences[0].split()[:8]), "gist": sentences[0],
                           "abstract": " ".join(sentences[:2]), "key_points": points})
    events = []
    for s in sentences:
        words = re.search(r"on \w+day|last month|next week", s)
        events.append({"description": " ".join(s.split()[:6]), "quote": s,
                       "date_words": words.group() if words else None, "date_guess": None,
                       "actors": [], "location": None,
                       "status": "planned" if "will" in s else "fact"})
    return json.dumps({"events": events})


def inputs(tmp_path: Path) -> Path:
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps({"id": k, "text": v, "date": DATE}) + "\n"
                            for k, v in TEXTS.items()), encoding="utf-8")
    return path


def answer_file(requests: Path, out: Path,
                answer: Callable[[dict[str, Any]], str | None] = grounded) -> Path:
    """What a provider writes back: one response line per request (None: the request failed)."""
    with out.open("w", encoding="utf-8") as fh:
        for i, line in enumerate(requests.read_text(encoding="utf-8").splitlines()):
            request = json.loads(line)
            content = answer(request["body"] | {"custom_id": request["custom_id"]})
            if content is None:
                response = {"status_code": 500, "request_id": f"r{i}",
                            "body": {"error": {"message": "server error"}}}
            else:
                response = {"status_code": 200, "request_id": f"r{i}", "body": completion(content)}
            fh.write(json.dumps({"id": f"batch_req_{i}", "custom_id": request["custom_id"],
                                 "response": response, "error": None}) + "\n")
    return out


def results(path: Path) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def test_export_writes_the_requests_the_pipeline_sends(scripted: ScriptedServer, tmp_path: Path) -> None:
    requests = tmp_path / "requests.jsonl"
    summary = export_requests([str(inputs(tmp_path))], requests, Settings(), model="gpt-x")
    lines = [json.loads(x) for x in requests.read_text().splitlines()]
    assert [x["custom_id"] for x in lines] == ["paris::summary", "paris::events",
                                               "rome::summary", "rome::events"]
    assert summary.documents_written == 2 and documents_path(requests).is_file()
    for line in lines:
        assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
        assert line["body"]["model"] == "gpt-x"
        assert line["body"]["response_format"]["json_schema"]["strict"] is True
    # the same document through the live pipeline sends the very same bodies
    scripted.responder = lambda request: Reply(grounded(request))
    summarise(TEXTS["paris"], date=DATE, settings=Settings(
        base_url=scripted.base_url, model="gpt-x", strategy="single", cache=False))
    assert len(scripted.requests) == 2
    for sent, exported in zip(scripted.requests, lines[:2], strict=True):
        assert sent["messages"] == exported["body"]["messages"]
        assert sent["response_format"] == exported["body"]["response_format"]
        assert sent["max_tokens"] == exported["body"]["max_tokens"]


def test_round_trip_validates_grounds_and_dates(tmp_path: Path) -> None:
    requests = tmp_path / "requests.jsonl"
    export_requests([str(inputs(tmp_path))], requests, Settings(), model="gpt-x")
    responses = answer_file(requests, tmp_path / "responses.jsonl")
    out = tmp_path / "results.jsonl"
    summary = import_responses([responses], [requests], out, Settings())
    assert (summary.ok, summary.pending, summary.retry_lines) == (2, 0, 0)
    got = results(out)
    paris = Result.model_validate(got["paris"]["result"])
    assert paris.summary is not None and paris.provenance.backend == "openai-batch"
    assert paris.provenance.model == "gpt-x" and not paris.warnings
    text = TEXTS["paris"]
    for event in paris.events:
        assert text[event.evidence.span.start:event.evidence.span.end] == event.evidence.quote
    dates = {e.date.text: e.date.value for e in paris.events if e.date.text}
    assert dates["Monday"] == "2025-11-10" and dates["last month"] == "2025-10"


def test_failures_become_retry_lines_and_a_second_round_completes(tmp_path: Path) -> None:
    requests = tmp_path / "requests.jsonl"
    export_requests([str(inputs(tmp_path))], requests, Settings(), model="gpt-x")

    def flawed(request: dict[str, Any]) -> str | None:
        if request["custom_id"] == "paris::summary":
            return json.dumps({"headline": "Only a headline"})  # fails pydantic
        if request["custom_id"] == "rome::events":
            return None  # the provider failed this one
        return grounded(request)

    responses = answer_file(requests, tmp_path / "responses.jsonl", flawed)
    out = tmp_path / "results.jsonl"
    summary = import_responses([responses], [requests], out, Settings())
    assert (summary.ok, summary.pending, summary.retry_lines) == (0, 2, 2)
    got = results(out)
    assert got["paris"]["error"]["type"] == "RetryPending"
    retry = out.with_name("retry-requests.jsonl")
    lines = {x["custom_id"].rsplit("::", 1)[0]: x for x in map(json.loads, retry.read_text().splitlines())}
    reask = lines["paris::summary"]["body"]["messages"]
    assert reask[-2]["role"] == "assistant" and "key_points" in reask[-1]["content"]
    assert len(lines["rome::events"]["body"]["messages"]) == 2  # re-sent as it was
    retry_responses = answer_file(retry, tmp_path / "retry-responses.jsonl")
    summary = import_responses([responses, retry_responses], [requests, retry], out, Settings())
    assert (summary.ok, summary.pending, summary.retry_lines) == (2, 0, 0)
    paris = Result.model_validate(results(out)["paris"]["result"])
    assert paris.summary is not None and paris.provenance.attempts == 3


def test_cli_export_and_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    requests = tmp_path / "requests.jsonl"
    with pytest.raises(SystemExit) as info:
        main(["batch", "export", str(inputs(tmp_path)), "-o", str(requests), "--model", "gpt-x"])
    assert info.value.code == 0
    responses = answer_file(requests, tmp_path / "out.jsonl")
    with pytest.raises(SystemExit) as info:
        main(["batch", "import", str(responses), "--requests", str(requests),
              "-o", str(tmp_path / "results.jsonl")])
    assert info.value.code == 0, capsys.readouterr().err
    assert set(results(tmp_path / "results.jsonl")) == {"paris", "rome"}
    with pytest.raises(SystemExit) as info:
        main(["batch", "export", str(inputs(tmp_path)), "-o", str(requests)])
    assert info.value.code == 2 and "--model" in capsys.readouterr().err
