"""A counting proxy in front of an OpenAI-compatible server, for the peer benchmark.

Every system under test talks to the same llama.cpp server through this proxy,
so requests and the server's own ``usage`` figures are counted the same way for
all of them, whatever each library reports about itself. Requests pass through
unchanged; answers come back unchanged. Streaming is not supported (no system
in the benchmark asks for it; a streamed request is refused with 400 so it
would show up as an error rather than as uncounted tokens).
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Counts:
    requests: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


def _streams(body: bytes) -> bool:
    try:
        return bool(json.loads(body).get("stream"))
    except (ValueError, AttributeError):
        return False


class _Proxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream.rstrip("/")
        self.counts = Counts()
        self.lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        # a client that gave up (its own timeout) before the answer came: already counted
        # as a request; its broken pipe is not the benchmark's business
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Proxy

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass

    def _forward(self, body: bytes | None) -> None:
        if body and _streams(body):
            self._reply(400, b'{"error": {"message": "the counting proxy does not stream"}}')
            return
        request = urllib.request.Request(
            self.server.upstream + self.path,
            data=body,
            method=self.command,
            headers={"Content-Type": self.headers.get("Content-Type", "application/json")},
        )
        try:
            with urllib.request.urlopen(request, timeout=3600) as upstream:
                status, payload = upstream.status, upstream.read()
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        if self.command == "POST":
            self._count(status, payload)
        self._reply(status, payload)

    def _count(self, status: int, payload: bytes) -> None:
        usage: dict[str, int] = {}
        if status < 400:
            with suppress(ValueError):
                usage = json.loads(payload).get("usage") or {}
        with self.server.lock:
            c = self.server.counts
            c.requests += 1
            c.errors += status >= 400
            c.prompt_tokens += int(usage.get("prompt_tokens") or 0)
            c.completion_tokens += int(usage.get("completion_tokens") or 0)

    def _reply(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._forward(None)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self._forward(self.rfile.read(length))


@contextmanager
def counting_proxy(upstream: str) -> Iterator[tuple[str, Counts]]:
    """``(base_url, counts)`` of a proxy forwarding to ``upstream`` (a ``.../v1`` URL's root)."""
    server = _Proxy(upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.counts
    finally:
        server.shutdown()
        server.server_close()
