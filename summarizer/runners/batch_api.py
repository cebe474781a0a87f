"""Batches past one machine: OpenAI Batch API request files out, the provider's answers back in.

Both strategies batch (``--strategy``, default the tool's default, ``decomposed``):

* ``decomposed``: one ``headline`` request for the lede and one ``event``
  request per event clause. Code finds the clauses, so no request depends on
  another's answer and every one of them goes into the first batch.
* ``single``: one ``summary`` and one ``events`` request per document (per
  chunk of a long one). A long document's chunk summaries are then reduced
  level by level, and a reduce request needs the answers below it: such a
  document takes one more batch round (retry file) per reduce level.

Terms:

* **request line**: one line of the Batch API's input file, ``{"custom_id",
  "method": "POST", "url": "/v1/chat/completions", "body"}``; the body is a
  chat completion with ``response_format`` ``json_schema`` (strict). Both
  OpenAI's Batch API and vLLM's ``run_batch`` consume these files.
* **custom id**: ``<doc id>::<task>`` for a document's first request of a task
  (``headline``, ``event``; ``summary``, ``events``) and ``<doc id>::<task>.<n>``
  for its n-th (n = 2, 3 ...: event clauses in text order, or chunks), so
  ``paris::headline``, ``paris::event``, ``paris::event.2``. A re-ask or a
  re-sent request (retry file) is ``<doc id>::<task>::<digest8>``, the first 8
  hex of its messages' digest. Ids are unique within a file, as the Batch API
  demands, and stable: the same document, prompts and code give the same ids.
  They are the document id plus at most ~20 characters (OpenAI documents no
  length limit; keep document ids short). Requests a document asks twice word
  for word (a repeated sentence) are written once: answers are matched by the
  request's messages, not by the id, so one answer serves both.
* **response line**: one line of the provider's output file, ``{"custom_id",
  "response": {"status_code", "body": chat.completion}, "error"}``.
* **documents file**: ``<requests>.documents.jsonl``, written next to the
  requests: the documents themselves, which the import needs to locate quotes
  and resolve dates (a request file has no room for them).
* **replay**: the import runs the pipeline itself, with the strategy the
  requests were exported with (read from their custom ids), on a backend that
  answers each request from the response files instead of a model, so every
  answer meets the pipeline's own checks: pydantic, quotes located in the
  text, words taken from the sentence, dates resolved by code. A request it has
  no answer for (a re-ask the pipeline wants, or a request the provider
  failed) goes to the follow-up **retry file**; run it as another batch, then
  import again with all the response and request files.

The export records the requests the pipeline makes (a backend that writes
them down and answers with nothing, with re-asks off: each ask then ends after
its first request and the pipeline carries on with its code-made fallback), so
the prompts are the pipeline's exactly. This holds as long as no first request
depends on an earlier answer; the import warns (``unknown_first_requests``)
if one ever does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..backends.base import ChatRequest, Completion, strict_schema
from ..chunking import estimate_tokens
from ..errors import ConfigError, InputError, InvalidOutput
from ..pipeline import Pipeline
from ..schemas import Document, Usage
from ..settings import Settings
from .core import Outcome, numbered_inputs

URL = "/v1/chat/completions"
TASKS = {
    "SummaryDraft": "summary",
    "EventList": "events",  # schema title -> task name
    "HeadlineDraft": "headline",
    "EventDraft": "event",
}
STRATEGY_OF_TASK = {
    "summary": "single",
    "events": "single",
    "headline": "decomposed",
    "event": "decomposed",
}
BATCH_STRATEGIES = tuple(dict.fromkeys(STRATEGY_OF_TASK.values()))  # the ones that ask a model
BATCH_BACKEND = "openai-batch"
_DIGEST8 = re.compile(r"[0-9a-f]{8}")


def documents_path(requests: Path) -> Path:
    """The documents file that goes with a requests file."""
    stem = requests.name.removesuffix(".jsonl")
    return requests.with_name(f"{stem}.documents.jsonl")


def messages_digest(messages: list[dict[str, str]]) -> str:
    canonical = json.dumps(messages, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def request_body(request: ChatRequest, model: str) -> dict[str, Any]:
    """The chat completion body the openai backend would send in ``json_schema`` mode."""
    body: dict[str, Any] = {
        "model": model,
        "messages": request.messages,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
    }
    if request.schema:
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {
                "name": "answer",
                "strict": True,
                "schema": strict_schema(request.schema),
            },
        }
    return body


def request_line(custom_id: str, request: ChatRequest, model: str) -> str:
    return json.dumps(
        {
            "custom_id": custom_id,
            "method": "POST",
            "url": URL,
            "body": request_body(request, model),
        },
        ensure_ascii=False,
    )


def _task(request: ChatRequest) -> str:
    title = (request.schema or {}).get("title", "")
    return TASKS.get(title, title.lower() or "answer")


def task_of(custom_id: str) -> str:
    """The task named in a custom id of either form (first request or retry)."""
    parts = custom_id.split("::")
    tail = parts[-2] if len(parts) >= 3 and _DIGEST8.fullmatch(parts[-1]) else parts[-1]
    return tail.split(".", 1)[0]


def _batch_settings(settings: Settings, strategy: str | None = None) -> Settings:
    update: dict[str, Any] = {"cache": False}  # the answers come from files, not from a model
    if strategy is not None:
        update["strategy"] = strategy
    return settings.model_copy(update=update)


class _Writer:
    """Writes a file whole or not at all: a temp file renamed into place when closed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.tmp")
        self.fh = self.tmp.open("w", encoding="utf-8")
        self.lines = 0

    def write(self, line: str) -> None:
        self.fh.write(line + "\n")
        self.lines += 1

    def commit(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self.fh.close()
        self.tmp.unlink(missing_ok=True)


# --- export ---


class _Recorder:
    """A backend that writes requests down and answers nothing (each ask then fails fast)."""

    name = BATCH_BACKEND
    supports_grammar = False  # the batch files go to servers that may ignore a grammar

    def __init__(self, model: str) -> None:
        self.model = model
        self.requests: list[ChatRequest] = []

    def complete(self, request: ChatRequest) -> Completion:
        self.requests.append(request)
        return Completion(text="")

    def count_tokens(self, text: str) -> int:  # the provider's tokenizer is not at hand
        return estimate_tokens(text)


@dataclass
class ExportSummary:
    requests: Path
    documents: Path
    documents_written: int = 0
    request_lines: int = 0
    strategy: str = ""
    input_errors: list[str] = field(default_factory=list)


def export_requests(
    sources: list[str],
    output: Path,
    settings: Settings,
    *,
    model: str | None,
    date: dt.date | None = None,
) -> ExportSummary:
    """Write the Batch API requests for ``sources`` to ``output``, and their documents file."""
    model = model or settings.model
    if not model:
        raise ConfigError("batch export needs the provider's model name: --model")
    if settings.strategy not in BATCH_STRATEGIES:  # rules asks no model: nothing to export
        raise ConfigError(
            f"--strategy {settings.strategy} asks no model, so it has no requests to export; "
            f"use one of {', '.join(BATCH_STRATEGIES)}"
        )
    recorder = _Recorder(model)
    # no re-asks: the recorder's empty answer must end each ask after its first request
    pipeline = Pipeline(
        _batch_settings(settings).model_copy(update={"max_reasks": 0, "token_budget": None}),
        backend=recorder,
    )
    summary = ExportSummary(
        requests=output, documents=documents_path(output), strategy=pipeline.settings.strategy
    )
    requests, documents = _Writer(output), _Writer(summary.documents)
    try:
        for doc_id, _, item in numbered_inputs(sources):
            if isinstance(item, InputError):
                summary.input_errors.append(str(item))
                continue
            document = item.model_copy(update={"id": doc_id, **({"date": date} if date else {})})
            recorder.requests.clear()
            pipeline.run(document)
            seen: dict[str, int] = {}
            asked: set[str] = set()
            for request in recorder.requests:
                digest = messages_digest(request.messages)
                if digest in asked:  # the same question twice (a repeated sentence): one line
                    continue
                asked.add(digest)
                task = _task(request)
                seen[task] = seen.get(task, 0) + 1
                # n-th distinct question of the task: clauses in text order, or chunks
                suffix = "" if seen[task] == 1 else f".{seen[task]}"
                requests.write(request_line(f"{doc_id}::{task}{suffix}", request, model))
            documents.write(document.model_dump_json())
            summary.documents_written += 1
    except BaseException:
        requests.discard()
        documents.discard()
        raise
    requests.commit()
    documents.commit()
    summary.request_lines = requests.lines
    return summary


# --- import ---


def _jsonl(path: Path) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """(line number, byte offset, record) for each JSON line of ``path``."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=str(path)) from None
    with fh:
        offset = 0
        for lineno, raw in enumerate(fh, 1):
            start, offset = offset, offset + len(raw)
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except ValueError:
                raise InputError("is not a JSON line", source=f"{path}:{lineno}") from None
            if not isinstance(record, dict) or "custom_id" not in record:
                raise InputError("has no custom_id", source=f"{path}:{lineno}")
            yield lineno, start, record


def _answer_of(record: dict[str, Any]) -> Completion | None:
    """The completion in a response line, or None when the provider failed that request."""
    response = record.get("response") or {}
    body = response.get("body")
    if record.get("error") or response.get("status_code", 200) != 200 or not isinstance(body, dict):
        return None
    try:
        choice = body["choices"][0]
        text = choice["message"].get("content") or ""
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    usage = body.get("usage") or {}
    return Completion(
        text=text,
        prompt_tokens=usage.get("prompt_tokens", 0),
        completion_tokens=usage.get("completion_tokens", 0),
        finish_reason=choice.get("finish_reason"),
    )


class _Replay:
    """A backend answering from the response files; what it cannot answer it sets aside."""

    name = BATCH_BACKEND
    supports_grammar = False  # the batch files go to servers that may ignore a grammar

    def __init__(self, responses: list[Path], requests: list[Path]) -> None:
        self.model = "unknown"
        self._files = responses
        # offsets, not answers: the index stays small however big the batch
        self._answers: dict[str, tuple[int, int]] = {}
        self.failed_ids: set[str] = set()
        for index, path in enumerate(responses):
            for _, offset, record in _jsonl(path):
                cid = str(record["custom_id"])
                if _answer_of(record) is None:
                    self.failed_ids.add(cid)
                elif cid not in self._answers or index >= self._answers[cid][0]:
                    self._answers[cid] = (index, offset)
        # a request sent twice (the provider failed it once) has two custom ids: try each
        self._by_digest: dict[str, list[str]] = {}
        self.strategies: set[str] = set()  # the strategies the request files were made with
        for path in requests:
            for _, _, record in _jsonl(path):
                body = record.get("body") or {}
                self.model = str(body.get("model") or self.model)
                digest = messages_digest(body.get("messages") or [])
                self._by_digest.setdefault(digest, []).append(str(record["custom_id"]))
                if strategy := STRATEGY_OF_TASK.get(task_of(str(record["custom_id"]))):
                    self.strategies.add(strategy)
        self.pending: list[ChatRequest] = []

    def _read(self, cid: str) -> Completion | None:
        where = self._answers.get(cid)
        if where is None:
            return None
        with self._files[where[0]].open("rb") as fh:
            fh.seek(where[1])
            return _answer_of(json.loads(fh.readline()))

    def count_tokens(self, text: str) -> int:  # as the export counted, so chunks match
        return estimate_tokens(text)

    def known(self, request: ChatRequest) -> bool:
        return messages_digest(request.messages) in self._by_digest

    def complete(self, request: ChatRequest) -> Completion:
        answer = None
        for cid in reversed(self._by_digest.get(messages_digest(request.messages), [])):
            if (answer := self._read(cid)) is not None:
                break
        if answer is None:
            self.pending.append(request)
            # InvalidOutput: the pipeline notes it and carries on with the document's other task
            raise InvalidOutput(
                "no answer yet: written to the retry file",
                attempts=0,
                last_reply="",
                errors=[],
                usage=Usage(),
            )
        return answer


@dataclass
class ImportSummary:
    output: Path
    retry: Path
    ok: int = 0
    pending: int = 0
    failed: int = 0
    retry_lines: int = 0
    strategy: str = ""
    unknown_first_requests: int = 0  # first asks missing from every request file


def retry_custom_id(doc_id: str, request: ChatRequest) -> str:
    return f"{doc_id}::{_task(request)}::{messages_digest(request.messages)[:8]}"


def import_responses(
    responses: list[Path],
    requests: list[Path],
    output: Path,
    settings: Settings,
    *,
    documents: Path | None = None,
    retry: Path | None = None,
    strategy: str | None = None,
) -> ImportSummary:
    """Validate the provider's answers into results JSONL; re-asks go to the retry file.

    ``strategy`` defaults to the one the requests were exported with (their
    custom ids tell), else ``settings.strategy``.
    """
    if not requests:
        raise ConfigError("batch import needs the requests file(s): --requests")
    documents = documents or documents_path(requests[0])
    if not documents.is_file():
        raise ConfigError(
            f"documents file {documents} not found (batch export writes it "
            "next to the requests); pass --documents"
        )
    retry = retry or output.with_name("retry-requests.jsonl")
    if strategy is not None and strategy not in BATCH_STRATEGIES:
        raise ConfigError(
            f"unknown strategy {strategy!r}: use one of {', '.join(BATCH_STRATEGIES)}"
        )
    replay = _Replay(responses, requests)
    if strategy is None and len(replay.strategies) > 1:
        raise ConfigError(
            "the request files hold requests of both strategies (single and "
            "decomposed): import each export on its own, or pass --strategy"
        )
    strategy = strategy or next(iter(replay.strategies), None) or settings.strategy
    pipeline = Pipeline(_batch_settings(settings, strategy), backend=replay)
    summary = ImportSummary(output=output, retry=retry, strategy=strategy)
    written: set[str] = set()  # retry custom ids: each once, as the Batch API demands
    results, retries = _Writer(output), _Writer(retry)
    try:
        with documents.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if line.strip():
                    _import_one(
                        line,
                        f"{documents}:{lineno}",
                        pipeline,
                        replay,
                        results,
                        retries,
                        summary,
                        written,
                    )
    except BaseException:
        results.discard()
        retries.discard()
        raise
    results.commit()
    retries.commit()
    summary.retry_lines = retries.lines
    return summary


def _import_one(
    line: str,
    where: str,
    pipeline: Any,
    replay: _Replay,
    results: _Writer,
    retries: _Writer,
    summary: ImportSummary,
    written: set[str],
) -> None:
    try:
        document = Document.model_validate_json(line)
    except ValueError:
        summary.failed += 1
        results.write(
            Outcome.failed(where, InputError("not a document record", source=where), where).line()
        )
        return
    replay.pending.clear()
    try:
        result = pipeline.run(document)
    except Exception as exc:  # noqa: BLE001 - one document's failure must not stop the import
        summary.failed += 1
        results.write(Outcome.failed(document.id, exc, document.source).line())
        return
    if not replay.pending:
        summary.ok += 1
        results.write(Outcome(document.id, result_json=result.model_dump_json()).line())
        return
    ids: list[str] = []
    for request in replay.pending:
        cid = retry_custom_id(document.id, request)
        if cid in ids:  # asked twice word for word (a repeated sentence): one line answers both
            continue
        if len(request.messages) <= 2 and not replay.known(request):
            summary.unknown_first_requests += 1
        ids.append(cid)
        if cid not in written:  # two documents with the same id can't share a line either
            written.add(cid)
            retries.write(request_line(cid, request, replay.model))
    summary.pending += 1
    pending = InvalidOutput(
        f"{len(ids)} answer(s) missing or to be re-asked; see the retry file",
        attempts=0,
        last_reply="",
        errors=[],
        usage=Usage(),
    )
    record = json.loads(Outcome.failed(document.id, pending, document.source).line())
    record["error"].update(type="RetryPending", retry=ids)
    results.write(json.dumps(record, ensure_ascii=False))


__all__ = [
    "ExportSummary",
    "ImportSummary",
    "documents_path",
    "export_requests",
    "import_responses",
    "request_body",
    "request_line",
    "task_of",
]
