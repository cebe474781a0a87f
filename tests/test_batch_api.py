"""Batch API files: export the pipeline's own requests, import and validate the answers, re-ask."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from scripted_server import Reply, ScriptedServer, completion, valid_answer
from support.fakes import FakeBackend

from summarizer import Result, Settings, summarise
from summarizer.cli import main
from summarizer.errors import ConfigError
from summarizer.pipeline import Pipeline
from summarizer.runners.batch_api import (
    documents_path,
    export_requests,
    import_responses,
    request_body,
)
from summarizer.schemas import Document

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "kremlin-peace-talks-2025-11-13.txt"
EXAMPLE_ID = EXAMPLE.stem

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
        return json.dumps(
            {
                "headline": " ".join(sentences[0].split()[:8]),
                "gist": sentences[0],
                "abstract": " ".join(sentences[:2]),
                "key_points": points,
            }
        )
    events = []
    for s in sentences:
        words = re.search(r"on \w+day|last month|next week", s)
        events.append(
            {
                "description": " ".join(s.split()[:6]),
                "quote": s,
                "date_words": words.group() if words else None,
                "date_guess": None,
                "actors": [],
                "location": None,
                "status": "planned" if "will" in s else "fact",
            }
        )
    return json.dumps({"events": events})


def inputs(tmp_path: Path) -> Path:
    path = tmp_path / "news.jsonl"
    path.write_text(
        "".join(json.dumps({"id": k, "text": v, "date": DATE}) + "\n" for k, v in TEXTS.items()),
        encoding="utf-8",
    )
    return path


def answer_file(
    requests: Path, out: Path, answer: Callable[[dict[str, Any]], str | None] = grounded
) -> Path:
    """What a provider writes back: one response line per request (None: the request failed)."""
    with out.open("w", encoding="utf-8") as fh:
        for i, line in enumerate(requests.read_text(encoding="utf-8").splitlines()):
            request = json.loads(line)
            content = answer(request["body"] | {"custom_id": request["custom_id"]})
            if content is None:
                response = {
                    "status_code": 500,
                    "request_id": f"r{i}",
                    "body": {"error": {"message": "server error"}},
                }
            else:
                response = {"status_code": 200, "request_id": f"r{i}", "body": completion(content)}
            fh.write(
                json.dumps(
                    {
                        "id": f"batch_req_{i}",
                        "custom_id": request["custom_id"],
                        "response": response,
                        "error": None,
                    }
                )
                + "\n"
            )
    return out


def results(path: Path) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


SINGLE = Settings(strategy="single")


def test_export_writes_the_requests_the_pipeline_sends(
    scripted: ScriptedServer, tmp_path: Path
) -> None:
    requests = tmp_path / "requests.jsonl"
    summary = export_requests([str(inputs(tmp_path))], requests, SINGLE, model="gpt-x")
    lines = [json.loads(x) for x in requests.read_text().splitlines()]
    assert [x["custom_id"] for x in lines] == [
        "paris::summary",
        "paris::events",
        "rome::summary",
        "rome::events",
    ]
    assert summary.documents_written == 2 and documents_path(requests).is_file()
    for line in lines:
        assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
        assert line["body"]["model"] == "gpt-x"
        assert line["body"]["response_format"]["json_schema"]["strict"] is True
    # the same document through the live pipeline sends the very same bodies
    scripted.responder = lambda request: Reply(grounded(request))
    summarise(
        TEXTS["paris"],
        date=DATE,
        settings=Settings(
            base_url=scripted.base_url, model="gpt-x", strategy="single", cache=False
        ),
    )
    assert len(scripted.requests) == 2
    for sent, exported in zip(scripted.requests, lines[:2], strict=True):
        assert sent["messages"] == exported["body"]["messages"]
        assert sent["response_format"] == exported["body"]["response_format"]
        assert sent["max_tokens"] == exported["body"]["max_tokens"]


def test_round_trip_validates_grounds_and_dates(tmp_path: Path) -> None:
    requests = tmp_path / "requests.jsonl"
    export_requests([str(inputs(tmp_path))], requests, SINGLE, model="gpt-x")
    responses = answer_file(requests, tmp_path / "responses.jsonl")
    out = tmp_path / "results.jsonl"
    # Settings() says decomposed: the import goes by the strategy the requests were made with
    summary = import_responses([responses], [requests], out, Settings())
    assert (summary.ok, summary.pending, summary.retry_lines) == (2, 0, 0)
    got = results(out)
    paris = Result.model_validate(got["paris"]["result"])
    assert paris.summary is not None and paris.provenance.backend == "openai-batch"
    assert paris.provenance.model == "gpt-x" and not paris.warnings
    assert paris.provenance.strategy == "single" and summary.strategy == "single"
    text = TEXTS["paris"]
    for event in paris.events:
        assert text[event.evidence.span.start : event.evidence.span.end] == event.evidence.quote
    dates = {e.date.text: e.date.value for e in paris.events if e.date.text}
    assert dates["Monday"] == "2025-11-10" and dates["last month"] == "2025-10"


def test_failures_become_retry_lines_and_a_second_round_completes(tmp_path: Path) -> None:
    requests = tmp_path / "requests.jsonl"
    export_requests([str(inputs(tmp_path))], requests, SINGLE, model="gpt-x")

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
    lines = {
        x["custom_id"].rsplit("::", 1)[0]: x
        for x in map(json.loads, retry.read_text().splitlines())
    }
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
    with pytest.raises(SystemExit) as info:  # the tool's default strategy: decomposed
        main(["batch", "export", str(inputs(tmp_path)), "-o", str(requests), "--model", "gpt-x"])
    assert info.value.code == 0
    ids = [json.loads(x)["custom_id"] for x in requests.read_text().splitlines()]
    assert "paris::headline" in ids and "paris::event.2" in ids and "paris::summary" not in ids
    responses = answer_file(requests, tmp_path / "out.jsonl", any_answer)
    with pytest.raises(SystemExit) as info:
        main(
            [
                "batch",
                "import",
                str(responses),
                "--requests",
                str(requests),
                "-o",
                str(tmp_path / "results.jsonl"),
            ]
        )
    assert info.value.code == 0, capsys.readouterr().err
    got = results(tmp_path / "results.jsonl")
    assert set(got) == {"paris", "rome"}
    assert {r["result"]["provenance"]["strategy"] for r in got.values()} == {"decomposed"}
    with pytest.raises(SystemExit) as info:
        main(
            [
                "batch",
                "export",
                str(inputs(tmp_path)),
                "-o",
                str(requests),
                "--model",
                "gpt-x",
                "--strategy",
                "single",
            ]
        )
    assert info.value.code == 0
    ids = [json.loads(x)["custom_id"] for x in requests.read_text().splitlines()]
    assert ids == ["paris::summary", "paris::events", "rome::summary", "rome::events"]
    with pytest.raises(SystemExit) as info:
        main(["batch", "export", str(inputs(tmp_path)), "-o", str(requests)])
    assert info.value.code == 2 and "--model" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(
            [
                "batch",
                "export",
                str(inputs(tmp_path)),
                "-o",
                str(requests),
                "--model",
                "gpt-x",
                "--strategy",
                "bogus",
            ]
        )
    assert info.value.code == 2 and "--strategy" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(
            ["batch", "export", str(inputs(tmp_path)), "-o", str(requests), "--model", "m"]
            + ["--strategy", "rules"]
        )
    assert info.value.code == 2 and "asks no model" in capsys.readouterr().err


# --- the decomposed strategy: a headline request and one request per event clause ---


def first_user(body: dict[str, Any]) -> str:
    return next(m["content"] for m in body["messages"] if m["role"] == "user")


def asked_about(body: dict[str, Any]) -> str:
    """The sentence (event) or lede (headline) between the article fences of the first question."""
    return re.search(r"<article>\n(.*?)\n</article>", first_user(body), re.DOTALL).group(1)  # type: ignore[union-attr]


def described(body: dict[str, Any]) -> str:
    """A valid decomposed answer: the scripted server's schema-built value, in the sentence's words."""
    value = json.loads(valid_answer(body).content or "")
    words = asked_about(body).split()[:8]
    if "description" in value:
        value.update(
            description=" ".join(words),
            location=None,
            actors=[w for w in words if w[:1].isupper()][:2],
        )
    else:
        value["headline"] = " ".join(words)
    return json.dumps(value)


def any_answer(body: dict[str, Any]) -> str:
    props = body["response_format"]["json_schema"]["schema"]["properties"]
    return grounded(body) if "key_points" in props or "events" in props else described(body)


INVALID = json.dumps({"description": "Aliens landed on the Moon", "actors": [], "location": None})


class Answering(FakeBackend):
    """An in-process backend answering what the provider would: the live pipeline's counterpart."""

    def __init__(self, model: str, answer: Callable[[dict[str, Any]], str]) -> None:
        super().__init__(
            lambda request: answer(request_body(request, model)), name="scripted", model=model
        )


def document_of(requests: Path, doc_id: str) -> Document:
    for line in documents_path(requests).read_text(encoding="utf-8").splitlines():
        if json.loads(line)["id"] == doc_id:
            return Document.model_validate_json(line)
    raise AssertionError(f"{doc_id} is not in the documents file")


def assert_batch_request(line: dict[str, Any]) -> None:
    """One line of a Batch API input file, as OpenAI documents it."""
    assert set(line) == {"custom_id", "method", "url", "body"}
    assert isinstance(line["custom_id"], str) and 0 < len(line["custom_id"]) <= 512
    assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
    body = line["body"]
    assert body["model"] == "gpt-x" and isinstance(body["max_tokens"], int)
    assert [m["role"] for m in body["messages"][:2]] == ["system", "user"]
    assert all(isinstance(m["content"], str) and m["content"] for m in body["messages"])
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert schema["required"] == list(schema["properties"])


def test_decomposed_round_trip_matches_the_live_pipeline(tmp_path: Path) -> None:
    requests = tmp_path / "requests.jsonl"
    summary = export_requests(
        [str(EXAMPLE), str(inputs(tmp_path))], requests, Settings(), model="gpt-x"
    )
    assert summary.strategy == "decomposed" and summary.documents_written == 3
    lines = [json.loads(x) for x in requests.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        assert_batch_request(line)
        assert len(line["body"]["messages"]) == 2  # first questions only: no re-asks recorded
        assert re.fullmatch(r".+::(headline|event)(\.\d+)?", line["custom_id"])
    ids = [x["custom_id"] for x in lines]
    assert len(set(ids)) == len(ids) == summary.request_lines
    assert ids.count(f"{EXAMPLE_ID}::headline") == ids.count("paris::headline") == 1
    exported = [x for x in lines if x["custom_id"].startswith(f"{EXAMPLE_ID}::")]
    assert len(exported) == 23  # 21 event clauses and the title's found by code, the headline

    # every request the live pipeline sends, given valid answers, is in the export, word for word:
    # the export (which answers nothing) asked the very questions a model's answers lead to
    document = document_of(requests, EXAMPLE_ID)
    valid = Answering("gpt-x", described)
    Pipeline(Settings(cache=False), backend=valid).run(document)
    assert [request_body(r, "gpt-x") for r in valid.requests] == [x["body"] for x in exported]

    # the provider answers each; one answer fails the pipeline's check, one request fails outright
    wrong, lost = f"{EXAMPLE_ID}::event.3", f"{EXAMPLE_ID}::event.5"

    def provider(body: dict[str, Any]) -> str | None:
        return {wrong: INVALID, lost: None}.get(body["custom_id"], described(body))

    responses = answer_file(requests, tmp_path / "responses.jsonl", provider)
    out = tmp_path / "results.jsonl"
    first = import_responses([responses], [requests], out, Settings(strategy="single"))
    assert first.strategy == "decomposed"  # read from the requests, whatever the settings say
    assert (first.ok, first.pending, first.failed, first.retry_lines) == (2, 1, 0, 2)
    assert first.unknown_first_requests == 0
    got = results(out)
    assert got[EXAMPLE_ID]["error"]["type"] == "RetryPending"
    for doc_id, text in TEXTS.items():
        result = Result.model_validate(got[doc_id]["result"])
        assert (
            result.provenance.strategy == "decomposed"
            and result.provenance.backend == "openai-batch"
        )
        assert result.provenance.model == "gpt-x" and not result.warnings
        assert result.events and result.summary is not None
        for event in result.events:  # the title's event quotes the title, outside the text
            if event.evidence.match != "title":
                assert (
                    text[event.evidence.span.start : event.evidence.span.end]
                    == event.evidence.quote
                )
    paris = Result.model_validate(got["paris"]["result"])
    dates = {e.date.text: e.date.value for e in paris.events if e.date.text}
    assert dates["Monday"] == "2025-11-10" and dates["last month"] == "2025-10"

    retry = out.with_name("retry-requests.jsonl")
    retry_lines = {x["custom_id"]: x for x in map(json.loads, retry.read_text().splitlines())}
    assert sorted(got[EXAMPLE_ID]["error"]["retry"]) == sorted(retry_lines)
    for cid, line in retry_lines.items():
        assert_batch_request(line)
        assert re.fullmatch(re.escape(EXAMPLE_ID) + r"::event::[0-9a-f]{8}", cid)
    by_length = {len(x["body"]["messages"]): x["body"]["messages"] for x in retry_lines.values()}
    reask, resent = by_length[4], by_length[2]
    sent = {x["custom_id"]: x["body"]["messages"] for x in exported}
    assert reask[:2] == sent[wrong] and reask[2] == {"role": "assistant", "content": INVALID}
    assert "does not have" in reask[3]["content"]  # the check's complaint goes back to the model
    assert resent == sent[lost]

    # the retry batch comes back: importing with every file so far completes the document
    retry_responses = answer_file(retry, tmp_path / "retry-responses.jsonl", described)
    second = import_responses([responses, retry_responses], [requests, retry], out, Settings())
    assert (second.ok, second.pending, second.failed, second.retry_lines) == (3, 0, 0, 0)
    imported = Result.model_validate(results(out)[EXAMPLE_ID]["result"])
    assert imported.provenance.strategy == "decomposed" and not imported.warnings
    assert len(imported.events) == 22
    for event in imported.events[1:]:  # the model's descriptions, grounded at their spans
        assert (
            document.text[event.evidence.span.start : event.evidence.span.end]
            == event.evidence.quote
        )
        assert event.description == " ".join(event.evidence.quote.split()[:8])
    dates = {e.date.text: e.date.value for e in imported.events if e.date.text}
    assert dates["November 12"] == "2025-11-12" and dates["July 23"] == "2025-07-23"
    assert dates["Last month"] == "2025-10"
    assert imported.summary is not None
    assert imported.summary.headline == " ".join(document.text.split()[:8])

    # the same answers, live: the wrong one first, then a valid answer to its re-ask
    def live_answer(body: dict[str, Any]) -> str:
        return INVALID if body["messages"] == sent[wrong] else described(body)

    live = Pipeline(Settings(cache=False), backend=Answering("gpt-x", live_answer)).run(document)
    assert imported.model_dump(exclude={"provenance"}) == live.model_dump(exclude={"provenance"})
    keep = {"model", "strategy", "attempts", "usage"}
    assert imported.provenance.model_dump(include=keep) == live.provenance.model_dump(include=keep)
    assert imported.provenance.attempts == 24  # 23 questions and one re-ask


def test_decomposed_asks_a_repeated_sentence_once(tmp_path: Path) -> None:
    text = (
        "Officials met in Paris on Monday to discuss the plan. The ministry said talks "
        "collapsed last month.\n\nOfficials met in Paris on Monday to discuss the plan."
    )
    source = tmp_path / "news.jsonl"
    source.write_text(json.dumps({"id": "twice", "text": text, "date": DATE}) + "\n")
    requests = tmp_path / "requests.jsonl"
    export_requests([str(source)], requests, Settings(), model="gpt-x")
    lines = [json.loads(x) for x in requests.read_text().splitlines()]
    assert [x["custom_id"] for x in lines] == ["twice::event", "twice::event.2", "twice::headline"]
    repeated = lines[0]["body"]["messages"]

    def provider(body: dict[str, Any]) -> str:
        return INVALID if body["messages"] == repeated else described(body)

    responses = answer_file(requests, tmp_path / "responses.jsonl", provider)
    out = tmp_path / "results.jsonl"
    first = import_responses([responses], [requests], out, Settings())
    retry = out.with_name("retry-requests.jsonl")
    retry_ids = [json.loads(x)["custom_id"] for x in retry.read_text().splitlines()]
    # both clauses want the same re-ask: one line, since a batch's custom ids must be unique
    assert first.retry_lines == len(retry_ids) == 1
    assert results(out)["twice"]["error"]["retry"] == retry_ids
    retry_responses = answer_file(retry, tmp_path / "retry-responses.jsonl", described)
    second = import_responses([responses, retry_responses], [requests, retry], out, Settings())
    assert (second.ok, second.pending) == (1, 0)
    result = Result.model_validate(results(out)["twice"]["result"])
    described_as = [e.description for e in result.events]
    assert (
        len(described_as) == 3
        and described_as[0] == described_as[2] == "Officials met in Paris on Monday to discuss"
    )
    # live, each clause is asked (and re-asked) on its own: the same answers, the same events
    live = Pipeline(Settings(cache=False), backend=Answering("gpt-x", provider))
    assert live.run(document_of(requests, "twice")).events == result.events


def test_import_refuses_request_files_of_both_strategies(tmp_path: Path) -> None:
    single, decomposed = tmp_path / "single.jsonl", tmp_path / "decomposed.jsonl"
    export_requests([str(inputs(tmp_path))], single, SINGLE, model="gpt-x")
    export_requests([str(inputs(tmp_path))], decomposed, Settings(), model="gpt-x")
    responses = answer_file(single, tmp_path / "responses.jsonl", any_answer)
    with pytest.raises(ConfigError, match="both strategies"):
        import_responses([responses], [single, decomposed], tmp_path / "out.jsonl", Settings())
    # told which, it imports (the other export's requests are just unused)
    summary = import_responses(
        [responses], [single, decomposed], tmp_path / "out.jsonl", Settings(), strategy="single"
    )
    assert (summary.ok, summary.strategy) == (2, "single")
    with pytest.raises(ConfigError, match="unknown strategy"):
        import_responses(
            [responses], [single], tmp_path / "out.jsonl", Settings(), strategy="bogus"
        )
