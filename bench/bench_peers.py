"""The tool against instructor and LangExtract: same server, same model, same documents.

One llama-cpp-python OpenAI-compatible server on 127.0.0.1 serves the embedded
model (Qwen2.5-Coder-0.5B-Instruct, the tool's default) to all three systems,
one document at a time, temperature 0. Each system runs as its own process
(instructor and LangExtract in the peer virtualenv, ``.venv-peers``, since
instructor pins an older ``openai``) through a counting proxy (``_proxy.py``),
so requests and tokens are the server's own figures, counted the same way.

* **summarizer**: ``summarise run DOCS -o OUT --base-url ... --no-cache``, the
  default ``decomposed`` strategy, as a user would run it.
* **instructor**: one call per document for the tool's ``Summary`` and a list
  of the tool's ``Event`` (``peers/run_instructor.py``).
* **LangExtract**: its chunked extraction with one worked example and the
  publication date as context (``peers/run_langextract.py``).

Columns: wall seconds of the whole process; model requests; prompt and
completion tokens (server's usage); ``evaluated``: the prompt tokens the
server actually computed, i.e. less the prefix it kept in its KV cache from
the previous call (llama.cpp's own per-call log line); documents with a schema-valid answer;
events; events whose quote stands verbatim in the source at the position the
system gives (``at span``) and anywhere (``in text``); dated-event recall: gold
dated events listed with the right date, scored by ``summarizer.evaluation``
as in ``summarise eval`` (an event whose quote is not in the text covers
nothing); event F1; ROUGE-1 of the abstract (systems that write one).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from _loopback import REPO
from _proxy import counting_proxy

from summarizer.backends.model_file import embedded_model_path
from summarizer.evaluation.harness import tool_output
from summarizer.evaluation.references import Reference, load_references
from summarizer.evaluation.scoring import Output, aggregate, score_document
from summarizer.schemas import Event, EventDate, Evidence, Result, Span, Summary
from summarizer.settings import Settings

DATASETS = [
    REPO / "eval" / "datasets" / "sample.jsonl",
    REPO / "eval" / "datasets" / "wikinews.jsonl",
]
PEER_PYTHON = REPO / ".venv-peers" / "bin" / "python"
SYSTEMS = ("summarizer", "instructor", "langextract")
ALIAS = "qwen-0.5b"
_VALUE = {
    re.compile(r"\d{4}-\d{2}-\d{2}"): "day",
    re.compile(r"\d{4}-\d{2}"): "month",
    re.compile(r"\d{4}"): "year",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LlamaServer:
    """llama-cpp-python's OpenAI-compatible server on the embedded model."""

    def __init__(self, model: Path, log: Path, threads: int, n_ctx: int) -> None:
        self.log = log
        self.port = _free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(model),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--n_ctx",
                str(n_ctx),
                "--n_threads",
                str(threads),
                "--model_alias",
                ALIAS,
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"llama server exited; see {log}")
            try:
                urllib.request.urlopen(f"{self.root}/v1/models", timeout=2).read()
                return
            except OSError:
                time.sleep(0.5)
        raise SystemExit("llama server did not start in 180 s")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


# ---------------------------------------------------------------- turning outputs into events


def _located(text: str, quote: str, span: tuple[int, int]) -> tuple[Span, bool, bool]:
    """``(span to score with, verbatim at the given span, verbatim anywhere)``.

    A quote not in the text gets an empty span, so it covers no gold event.
    """
    start, end = span
    if quote and 0 <= start <= end <= len(text) and text[start:end] == quote:
        return Span(start=start, end=end), True, True
    found = text.find(quote) if quote else -1
    if found >= 0:
        return Span(start=found, end=found + len(quote)), False, True
    return Span(start=0, end=0), False, False


def _date(value: Any, words: Any) -> EventDate:
    value = str(value).strip() if value else ""
    granularity = next((g for pattern, g in _VALUE.items() if pattern.fullmatch(value)), None)
    return EventDate(
        text=str(words) if words else None,
        value=value if granularity else None,
        granularity=granularity,
        source="written" if granularity else "unresolved",
    )


def instructor_events(text: str, answer: dict[str, Any]) -> tuple[list[Event], int, int]:
    events, at_span, in_text = [], 0, 0
    for raw in answer["events"]:
        event = Event.model_validate(raw)
        quote = event.evidence.quote
        span, exact, anywhere = _located(
            text, quote, (event.evidence.span.start, event.evidence.span.end)
        )
        at_span += exact
        in_text += anywhere
        evidence = Evidence(
            quote=quote,
            span=span,
            match="exact" if anywhere else "fuzzy",
            score=100.0 if anywhere else 0.0,
        )
        events.append(event.model_copy(update={"evidence": evidence}))
    return events, at_span, in_text


def langextract_events(
    text: str, extractions: list[dict[str, Any]]
) -> tuple[list[Event], int, int]:
    events, at_span, in_text = [], 0, 0
    for item in extractions:
        quote = item["text"] or ""
        given = (item["start"], item["end"]) if item["start"] is not None else (-1, -1)
        span, exact, anywhere = _located(text, quote, given)
        at_span += exact
        in_text += anywhere
        attrs = item.get("attributes") or {}
        status = str(attrs.get("status") or "fact").strip().lower()
        description = str(attrs.get("description") or quote).strip() or "(no description)"
        events.append(
            Event(
                description=description[:300] if len(description) >= 3 else f"{description}...",
                date=_date(attrs.get("date"), attrs.get("date_words")),
                status=status if status in {"fact", "claim", "planned", "hypothetical"} else "fact",
                evidence=Evidence(
                    quote=quote or "?",
                    span=span,
                    match="exact" if anywhere else "fuzzy",
                    score=100.0 if anywhere else 0.0,
                ),
            )
        )
    return events, at_span, in_text


# ---------------------------------------------------------------- running one system


def _jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


_EVALUATED = re.compile(rb"prompt eval time =.*?/\s*(\d+) tokens")


def evaluated_prompt_tokens(server_log: Path, start: int) -> int:
    """Prompt tokens the server actually evaluated since byte ``start`` of its log: llama.cpp
    prints one line per call, after reusing the prefix it still holds from the previous call."""
    with server_log.open("rb") as fh:
        fh.seek(start)
        return sum(int(m.group(1)) for m in _EVALUATED.finditer(fh.read()))


def run_system(
    name: str, upstream: str, docs: Path, out: Path, peer_python: Path, log: Path
) -> dict[str, Any]:
    if name == "summarizer":
        command = [
            str(Path(sys.executable).with_name("summarise")),
            "run",
            str(docs),
            "-o",
            str(out),
            "--model",
            ALIAS,
            "--no-cache",
            "--concurrency",
            "1",
            "--base-url",
        ]
    else:
        command = [
            str(peer_python),
            str(REPO / "bench" / "peers" / f"run_{name}.py"),
            "--docs",
            str(docs),
            "--out",
            str(out),
            "--model",
            ALIAS,
            "--base-url",
        ]
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    with counting_proxy(upstream) as (base, counts), log.open("w") as err:
        started = time.perf_counter()
        proc = subprocess.run(
            [*command, f"{base}/v1"], stdout=subprocess.DEVNULL, stderr=err, env=env, check=False
        )
        wall = time.perf_counter() - started
    return {
        "wall_s": wall,
        "exit": proc.returncode,
        "requests": counts.requests,
        "http_errors": counts.errors,
        "prompt_tokens": counts.prompt_tokens,
        "completion_tokens": counts.completion_tokens,
    }


def score_system(name: str, out: Path, refs: dict[str, Reference]) -> dict[str, Any]:
    lines = {line["id"]: line for line in _jsonl(out)}
    scores, valid, events_n, at_span, in_text = [], 0, 0, 0, 0
    for doc_id, ref in refs.items():
        line = lines.get(doc_id)
        output = Output(error="no answer", lists_events=True, writes_summary=name != "langextract")
        if line is None:
            pass
        elif name == "summarizer" and line.get("ok"):
            result = Result.model_validate(line["result"])
            output = tool_output(result, result.provenance.latency_s)
            valid += 1
            found = [
                _located(ref.text, e.evidence.quote, (e.evidence.span.start, e.evidence.span.end))
                for e in result.events
            ]
            events_n += len(found)
            at_span += sum(f[1] for f in found)
            in_text += sum(f[2] for f in found)
        elif name == "instructor" and line.get("answer"):
            summary = Summary.model_validate(line["answer"]["summary"])
            events, a, t = instructor_events(ref.text, line["answer"])
            output = Output(
                summary=summary.abstract,
                key_points=[k.text for k in summary.key_points],
                events=events,
                latency_s=line["seconds"],
                writes_summary=True,
                lists_events=True,
            )
            valid += 1
            events_n, at_span, in_text = events_n + len(events), at_span + a, in_text + t
        elif name == "langextract" and line.get("error") is None:
            events, a, t = langextract_events(ref.text, line["extractions"])
            output = Output(events=events, latency_s=line["seconds"], lists_events=True)
            valid += line.get("parse_errors", 0) == 0
            events_n, at_span, in_text = events_n + len(events), at_span + a, in_text + t
        scores.append(score_document(ref, output))
    agg = aggregate(scores)
    return {
        "documents": len(refs),
        "valid": valid,
        "events": events_n,
        "at_span": at_span,
        "in_text": in_text,
        "dated_event_recall": agg.get("dated_event_recall"),
        "dated_found": int(agg.get("n_dated_found") or 0),
        "dated_total": int(agg.get("n_dated_total") or 0),
        "event_f1": agg.get("event_f1"),
        "rouge1": agg.get("rouge1"),
    }


# ---------------------------------------------------------------- main


def _share(n: int, d: int) -> str:
    return f"{n}/{d} ({n / d:.0%})" if d else "-"


def _num(x: Any, fmt: str = ".3f") -> str:
    return "-" if x is None else format(x, fmt)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=Path, nargs="+", default=DATASETS)
    parser.add_argument("--limit", type=int, default=None, help="first N documents of each dataset")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--peer-python", type=Path, default=PEER_PYTHON)
    parser.add_argument("--out-dir", type=Path, default=None, help="keep outputs and logs here")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--n-ctx", type=int, default=8192)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        raise SystemExit(f"unknown systems: {', '.join(sorted(unknown))}")
    if set(systems) - {"summarizer"} and not args.peer_python.is_file():
        raise SystemExit(f"{args.peer_python} not found: run `make peers` first")
    refs: dict[str, Reference] = {}
    for path in args.datasets:
        for ref in load_references(path)[: args.limit]:
            refs[ref.id] = ref
    work = args.out_dir or Path(tempfile.mkdtemp(prefix="bench-peers-"))
    work.mkdir(parents=True, exist_ok=True)
    docs = work / "documents.jsonl"
    docs.write_text(
        "".join(
            json.dumps(
                {
                    "id": r.id,
                    "text": r.text,
                    "title": r.title,
                    "publication_date": r.publication_date.isoformat()
                    if r.publication_date
                    else None,
                }
            )
            + "\n"
            for r in refs.values()
        ),
        encoding="utf-8",
    )
    model = embedded_model_path(Settings().cache_dir)
    server = LlamaServer(model, work / "server.log", args.threads, args.n_ctx)
    rows: dict[str, dict[str, Any]] = {}
    try:
        for name in systems:
            print(f"running {name} on {len(refs)} documents ...", file=sys.stderr, flush=True)
            mark = server.log.stat().st_size
            run = run_system(
                name,
                server.root,
                docs,
                work / f"{name}.jsonl",
                args.peer_python,
                work / f"{name}.log",
            )
            run["evaluated_prompt_tokens"] = evaluated_prompt_tokens(server.log, mark)
            rows[name] = {**run, **score_system(name, work / f"{name}.jsonl", refs)}
            print(
                f"  {name}: {run['wall_s']:.0f} s, exit {run['exit']}", file=sys.stderr, flush=True
            )
    finally:
        server.close()
    print(
        f"peers: {len(refs)} documents, llama-cpp-python server, {model.name}, "
        f"{args.threads} threads, one document at a time; outputs in {work}"
    )
    header = (
        f"{'system':<12} {'wall s':>7} {'requests':>8} {'prompt tok':>10} {'evaluated':>9} "
        f"{'compl tok':>9} "
        f"{'valid docs':>12} {'events':>6} {'at span':>14} {'in text':>14} "
        f"{'dated recall':>17} {'event F1':>8} {'ROUGE-1':>7}"
    )
    print(header)
    for name, r in rows.items():
        recall = (
            "-"
            if r["dated_event_recall"] is None
            else f"{r['dated_event_recall']:.3f} ({r['dated_found']}/{r['dated_total']})"
        )
        print(
            f"{name:<12} {r['wall_s']:>7.0f} {r['requests']:>8} {r['prompt_tokens']:>10} "
            f"{r['evaluated_prompt_tokens']:>9} {r['completion_tokens']:>9} {_share(r['valid'], r['documents']):>12} "
            f"{r['events']:>6} {_share(r['at_span'], r['events']):>14} "
            f"{_share(r['in_text'], r['events']):>14} {recall:>17} {_num(r['event_f1']):>8} "
            f"{_num(r['rouge1']):>7}"
        )
    if "summarizer" in rows:
        ours = rows["summarizer"]
        for name in (n for n in rows if n != "summarizer"):
            peer = rows[name]
            tokens = (ours["prompt_tokens"] + ours["completion_tokens"]) / max(
                1, peer["prompt_tokens"] + peer["completion_tokens"]
            )
            evaluated = (ours["evaluated_prompt_tokens"] + ours["completion_tokens"]) / max(
                1, peer["evaluated_prompt_tokens"] + peer["completion_tokens"]
            )
            print(
                f"summarizer / {name}: time {ours['wall_s'] / peer['wall_s']:.2f}x, "
                f"tokens {tokens:.2f}x, tokens the model computed {evaluated:.2f}x, "
                f"completion tokens {ours['completion_tokens'] / max(1, peer['completion_tokens']):.2f}x"
            )
    print("target: fewer tokens and less time than either peer, every result valid and grounded")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
