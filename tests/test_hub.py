"""GGUF weights named ``hf:OWNER/REPO/FILE``, fetched through huggingface_hub from a local
server that answers the Hub's download URLs (``/{repo}/resolve/{revision}/{file}``)."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer.backends.hub import HubReference, fetch, is_hub_reference, parse_reference
from summarizer.errors import ConfigError

pytest.importorskip("huggingface_hub")

COMMIT = "0123456789abcdef0123456789abcdef01234567"
FILES = {("acme/tiny-GGUF", "tiny.gguf"): b"GGUF" + bytes(range(256)) * 64}


class HubHandler(http.server.BaseHTTPRequestHandler):
    """HEAD and GET of ``/{owner}/{repo}/resolve/{revision}/{file}`` with the headers the Hub
    sends (X-Repo-Commit, ETag, Content-Length); 404 for anything else. Requests are logged."""

    seen: list[tuple[str, str, str | None]] = []

    def _file(self) -> bytes | None:
        parts = self.path.split("/")
        if len(parts) < 6 or parts[3] != "resolve":
            return None
        return FILES.get((f"{parts[1]}/{parts[2]}", "/".join(parts[5:])))

    def _answer(self, body: bool) -> None:
        type(self).seen.append((self.command, self.path, self.headers.get("authorization")))
        data = self._file()
        if data is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._answer(body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(body=True)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hub() -> Iterator[str]:
    HubHandler.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), HubHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_references_parse_with_revision_and_pin() -> None:
    sha = "ab" * 32
    ref = parse_reference(f"hf:acme/tiny-GGUF/sub/tiny.gguf@v1.0#sha256={sha.upper()}")
    assert ref == HubReference("acme/tiny-GGUF", "sub/tiny.gguf", "v1.0", sha)
    assert parse_reference("hf:acme/tiny-GGUF/tiny.gguf").revision is None
    assert is_hub_reference("hf:a/b/c.gguf") and not is_hub_reference("/models/c.gguf")
    with pytest.raises(ConfigError, match="not of the form"):
        parse_reference("hf:only-a-repo")


def test_a_file_is_downloaded_once_then_read_from_the_cache(hub: str, tmp_path: Path) -> None:
    data = FILES[("acme/tiny-GGUF", "tiny.gguf")]
    ref = HubReference("acme/tiny-GGUF", "tiny.gguf", sha256=hashlib.sha256(data).hexdigest())
    first = fetch(ref, tmp_path, endpoint=hub)
    assert first.read_bytes() == data and tmp_path / "hub" in first.parents
    gets = [p for method, p, _ in HubHandler.seen if method == "GET"]
    assert gets == ["/acme/tiny-GGUF/resolve/main/tiny.gguf"]
    second = fetch(ref, tmp_path, endpoint=hub)
    assert second == first
    assert [m for m, _, _ in HubHandler.seen].count("GET") == 1  # not fetched again


def test_a_pinned_sha256_that_differs_removes_the_copy(hub: str, tmp_path: Path) -> None:
    ref = HubReference("acme/tiny-GGUF", "tiny.gguf", sha256="00" * 32)
    with pytest.raises(ConfigError, match="does not match the pinned") as info:
        fetch(ref, tmp_path, endpoint=hub)
    assert "hf:acme/tiny-GGUF/tiny.gguf" in str(info.value)
    assert not [p for p in (tmp_path / "hub").rglob("*") if p.is_file() and p.stat().st_size > 1000]


def test_a_missing_file_is_one_clear_error(hub: str, tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"hf:acme/tiny-GGUF/nope.gguf: the Hub answered HTTP 404"
    ):
        fetch(HubReference("acme/tiny-GGUF", "nope.gguf"), tmp_path, endpoint=hub)


@pytest.mark.slow  # huggingface_hub retries a refused connection for ~23 s
def test_an_unreachable_hub_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be reached|download failed"):
        fetch(HubReference("acme/tiny-GGUF", "tiny.gguf"), tmp_path, endpoint="http://127.0.0.1:9")


def test_the_token_is_sent_but_never_in_an_error(hub: str, tmp_path: Path) -> None:
    secret = "hf_secret_token_value_123"
    with pytest.raises(ConfigError) as info:
        fetch(HubReference("acme/tiny-GGUF", "nope.gguf"), tmp_path, endpoint=hub, token=secret)
    assert secret not in str(info.value)
    assert any(auth == f"Bearer {secret}" for _, _, auth in HubHandler.seen)
