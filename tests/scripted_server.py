"""A scripted OpenAI-compatible server on 127.0.0.1, for what a real model can't do on demand.

A GET answers from ``pages`` (``/v1/models``, ``/props``), else 404. Each request to
``/v1/chat/completions`` takes the next scripted ``Reply`` (HTTP
status, headers, body or model content, delay, or a dropped connection) and
records the request body, so tests can assert on what the client sent. When the
script is empty, ``responder`` (a function of the request body) answers, then
``default``. Faults a real provider shows now and then can be scripted too: a
reply that drips its bytes slowly (``drip_s``), a connection reset (``reset``),
a body cut short of its Content-Length (``truncate``), and a refusal.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    content: str | None = None  # the assistant message content (a normal 200 answer)
    status: int = 200
    body: dict[str, Any] | str | None = None  # raw body instead of a completion
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    drop: bool = False  # close the connection without answering
    finish_reason: str = "stop"
    drip_s: float = 0.0  # send the body one byte at a time, this far apart
    reset: bool = False  # abort the connection with a TCP RST, no answer
    truncate: int | None = None  # send only this many body bytes, then close
    refusal: str | None = None  # message.refusal (content stays null)


def completion(
    content: str | None, finish_reason: str = "stop", refusal: str | None = None
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if refusal is not None:
        message["refusal"] = refusal
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "scripted",
        "choices": [{"index": 0, "finish_reason": finish_reason, "message": message}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def _fake(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A bland value that satisfies ``schema`` (the subset pydantic emits)."""
    if "$ref" in schema:
        return _fake(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
            return _fake(options[0], defs)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: _fake(sub, defs) for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        count = max(schema.get("minItems", 0), min(3, schema.get("maxItems", 3)))
        return [_fake(schema.get("items", {"type": "string"}), defs) for _ in range(count)]
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return "Officials said things"


def _request_schema(request: dict[str, Any]) -> dict[str, Any] | None:
    fmt = request.get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("schema") or fmt.get("schema")
    if schema:
        return dict(schema)
    marker = "following this JSON Schema:\n"  # prompt mode appends the schema to the message
    content = request["messages"][-1]["content"]
    if marker in content:
        return dict(json.loads(content.split(marker, 1)[1]))
    return None


def valid_answer(request: dict[str, Any]) -> Reply:
    """A schema-valid answer to whatever structured question the request asks.

    Built from the request's JSON Schema (any structured-output mode), so it keeps
    answering as the pipeline's questions change; the words are deliberately bland.
    """
    schema = _request_schema(request)
    if schema is None:
        return Reply("Officials said things.")
    value = _fake(schema, schema.get("$defs", {}))
    if isinstance(value, dict) and isinstance(value.get("key_points"), list):
        # key points must differ from each other to validate
        value["key_points"] = [
            f"Officials said thing {i}" for i in range(1, len(value["key_points"]) + 1)
        ]
    return Reply(json.dumps(value))


class ScriptedServer:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.headers_seen: list[dict[str, str]] = []
        self.default: Reply | None = None
        self.responder: Callable[[dict[str, Any]], Reply] | None = None
        self.pages: dict[str, Any] = {}  # GET path (/v1/models, /props) -> JSON body; else 404
        self.gets: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:  # noqa: N802
                server.gets.append(self.path)
                found = server.pages.get(self.path)
                data = json.dumps(found if found is not None else {"error": "not found"}).encode()
                self.send_response(200 if found is not None else 404)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length", 0))
                raw = self.rfile.read(length)
                body = json.loads(raw or b"{}")
                with server._lock:  # the server is threaded; keep the script in order
                    server.requests.append(body)
                    server.headers_seen.append(dict(self.headers))
                    reply = server.replies.popleft() if server.replies else None
                if reply is None and server.responder is not None:
                    reply = server.responder(body)
                if reply is None:
                    reply = server.default
                if reply is None:
                    reply = Reply(status=500, body={"error": {"message": "script ran out"}})
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if reply.reset:  # SO_LINGER 0: close() sends RST, the client sees ECONNRESET
                    self.close_connection = True
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.connection.close()
                    return
                if reply.body is not None:
                    payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                elif reply.refusal is not None:
                    payload = json.dumps(
                        completion(reply.content, reply.finish_reason, reply.refusal)
                    )
                else:
                    payload = json.dumps(completion(reply.content or "", reply.finish_reason))
                data = payload.encode()
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                if reply.truncate is not None:
                    self.wfile.write(data[: reply.truncate])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if reply.drip_s:
                    try:
                        for i in range(len(data)):
                            self.wfile.write(data[i : i + 1])
                            self.wfile.flush()
                            time.sleep(reply.drip_s)
                    except OSError:  # the client gave up on us: that is the point
                        self.close_connection = True
                    return
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # a short poll interval: shutdown() waits for it, and every test shuts a server down
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class SilentServer:
    """A port that accepts TCP connections (the kernel completes the handshake) but never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)  # never accept(): connects succeed, reads wait forever

    @property
    def base_url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> SilentServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def closed_port_url() -> str:
    """A loopback URL nobody listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
