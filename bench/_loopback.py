"""Shared by the benchmarks: a loopback OpenAI-compatible server and generated news documents.

The **loopback server** runs in its own process (so it doesn't compete with the
client for the GIL), waits a fixed delay per request, and answers any of the
pipeline's questions with valid JSON grounded in the text it was sent: a
summary draft, an event draft ``{description, actors, location}`` or an event
list. Answers pass every check, so each document costs a fixed number of calls
and no re-asks. ``python bench/_loopback.py DELAY_S`` prints its base URL and
serves until stdin closes.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

_FENCED = re.compile(r"<article>\n(.*?)\n</article>", re.DOTALL)
_SENTENCE = re.compile(r"[^.!?]+[.!?]")
_DATE_WORDS = re.compile(r"\b(?:on \w+day|last month|next week|last year)\b")

CITIES = ["Paris", "Rome", "Lagos", "Lima", "Osaka", "Quito", "Tunis", "Hanoi", "Perth", "Bern"]


def answer(request: dict[str, Any]) -> str:
    """Valid JSON for whichever schema the request asks for (json_schema mode)."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    fenced = _FENCED.search(user)
    text = fenced.group(1) if fenced else user
    sentences = [s.strip() for s in _SENTENCE.findall(text) if len(s.split()) >= 3] or [text]
    fmt = request.get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("schema") or fmt.get("schema") or {}
    props = set(schema.get("properties") or {})
    if "key_points" in props:
        points = list(dict.fromkeys(sentences))[:4]
        while len(points) < 3:
            points.append(" ".join(text.split()[len(points) : len(points) + 6]))
        return json.dumps(
            {
                "headline": " ".join(sentences[0].split()[:10]),
                "gist": sentences[0],
                "abstract": " ".join(sentences[:3]),
                "key_points": points,
            }
        )
    if "events" in props:
        events = []
        for s in sentences[:6]:
            words = _DATE_WORDS.search(s)
            events.append(
                {
                    "description": " ".join(s.split()[:8]),
                    "quote": s,
                    "date_words": words.group() if words else None,
                    "date_guess": None,
                    "actors": [],
                    "location": None,
                    "status": "fact",
                }
            )
        return json.dumps({"events": events})
    return json.dumps({"description": " ".join(text.split()[:8]), "actors": [], "location": None})


def document(i: int) -> dict[str, Any]:
    """A short generated news story: five sentences, four with date words."""
    city = CITIES[i % len(CITIES)]
    return {
        "id": f"doc{i}",
        "date": "2025-11-13",
        "title": f"{city} budget vote {i}",
        "text": (
            f"The council of {city} approved a new budget of {i % 90 + 10} million dollars on Monday. "
            f"Officials said the plan would fund {i % 7 + 2} new schools. "
            "Critics argued last month that the vote was rushed. "
            f"The mayor of {city} will present the details next week. "
            f"Residents met in {city} on Tuesday to discuss the proposal."
        ),
    }


def write_documents(folder: Path, n: int, per_file: int = 1000) -> list[str]:
    """``n`` generated documents as JSONL files of ``per_file`` records; the file names."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for start in range(0, n, per_file):
        path = folder / f"news-{start // per_file:04d}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for i in range(start, min(n, start + per_file)):
                fh.write(json.dumps(document(i)) + "\n")
        files.append(str(path))
    return files


@contextmanager
def loopback(delay_s: float) -> Iterator[str]:
    """A loopback server in a subprocess; yields its base URL."""
    proc = subprocess.Popen(
        [sys.executable, __file__, str(delay_s)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


def _serve(delay_s: float) -> None:
    from scripted_server import Reply, ScriptedServer

    with ScriptedServer() as server:
        server.responder = lambda request: Reply(answer(request), delay_s=delay_s)
        # http.server writes headers and body in two sends; with Nagle on, the client's
        # delayed ACK adds ~40 ms to every call, which real servers (uvicorn, vLLM) don't
        server.httpd.RequestHandlerClass.disable_nagle_algorithm = True  # type: ignore[attr-defined]
        # the bench only counts; don't let the request log grow for 100,000 calls
        server.requests = _Discard()  # type: ignore[assignment]
        server.headers_seen = _Discard()  # type: ignore[assignment]
        print(server.base_url, flush=True)
        sys.stdin.read()


class _Discard(list):  # type: ignore[type-arg]
    def append(self, item: object) -> None:
        pass


if __name__ == "__main__":
    _serve(float(sys.argv[1]))
