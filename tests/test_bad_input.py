"""Bad input through the CLI: one clear line on stderr, a documented exit code, no traceback.

Every case runs ``summarise`` through its console entry (``summarizer.cli:main``) with
separate stdin, stdout and stderr (``support.cli.summarise_cli``, in this process), so
what is checked is what a user sees. Documents that must actually be summarised go to
the scripted loopback server (``--base-url``), never to a real model: what is under
test is the input handling, and the server answers any question validly.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from scripted_server import ScriptedServer, valid_answer
from support.cli import CliRun, assert_refused, error_lines
from support.cli import summarise_cli as cli

from summarizer.loading import MAX_BYTES, date_warnings
from summarizer.schemas import Document

EXIT_OK, EXIT_USAGE, EXIT_INPUT = 0, 2, 3
ARTICLE = "Officials said on Monday that the bridge would reopen. Work began last month."


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        s.responder = valid_answer
        yield s


def remote(server: ScriptedServer) -> list[str]:
    return ["--base-url", server.base_url, "--model", "m", "--no-cache", "--format", "jsonl"]


def results(proc: CliRun) -> list[dict[str, object]]:
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


# --- files that fail before any model call ---


@pytest.mark.parametrize(
    "name,content,fragment",
    [
        ("empty.txt", b"", "has no text"),
        ("blank.txt", b"  \n\t\n\r\n", "has no text"),
        ("title.txt", b"date 2025-11-13 Only a title\n\n", "only a title"),
        ("title.md", b"# Only a title\n", "only a title"),
        ("nul.txt", b"Officials said\x00\x01\x02 things", "binary"),
        ("controls.txt", bytes(range(1, 32)) * 20, "binary"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG image"),
        ("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (
            "latin1.txt",
            "date 2025-11-13 Caf\u00e9\nThe caf\u00e9 opened on Monday.".encode("cp1252"),
            "Windows-1252",
        ),
        ("sjis.txt", "東京で月曜日に会議が開かれた。".encode("shift_jis"), "not valid UTF-8"),
        ("bad-utf16.txt", codecs.BOM_UTF16_LE + b"A\x00\x00\xd8", "UTF-16"),
        ("impossible.txt", b"date 2025-02-30 Title\nBody on Monday.", "'2025-02-30' is not a date"),
        ("month13.txt", b"date 2025-13-01 Title\nBody on Monday.", "'2025-13-01' is not a date"),
        ("slashed.txt", b"date 13/11/2025 Title\nBody on Monday.", "not in YYYY-MM-DD"),
        ("empty.jsonl", b"\n", "has no records"),
        ("empty.json", b"[]", "has no records"),
    ],
)
def test_bad_file_is_refused_with_one_line(
    tmp_path: Path, name: str, content: bytes, fragment: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    proc = cli(str(path))
    assert_refused(proc, EXIT_INPUT, str(path), fragment)


def test_missing_file() -> None:
    proc = cli("/nonexistent/article.txt")
    assert_refused(proc, EXIT_INPUT, "/nonexistent/article.txt", "no such file")


def test_folder_without_documents(tmp_path: Path) -> None:
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")
    assert_refused(cli(str(tmp_path)), EXIT_INPUT, "has no .txt")


def test_empty_stdin() -> None:
    assert_refused(cli("-", stdin=b""), EXIT_INPUT, "<stdin>", "no text")


def test_a_50_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50 * 1024 * 1024)
    started = time.monotonic()
    proc = cli(str(path))
    assert_refused(proc, EXIT_INPUT, "is 50 MB", "limit is 20 MB")
    assert time.monotonic() - started < 10


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_an_endless_source_is_cut_at_the_limit() -> None:
    # a device has no size to check first: reading must stop one byte past the limit
    proc = cli("/dev/zero")
    assert_refused(proc, EXIT_INPUT, "larger than the 20 MB limit")
    assert MAX_BYTES == 20 * 1024 * 1024


# --- options ---


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--date", "2025-99-01"], "'2025-99-01' is not a date"),
        (["--date", "yesterday"], "'yesterday' is not a date"),
        (["--bogus"], "No such option: --bogus"),
        (["--format", "pdf"], "'pdf'"),
    ],
)
def test_bad_option_is_a_usage_error(tmp_path: Path, args: list[str], fragment: str) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    proc = cli(str(path), *args)
    assert proc.returncode == EXIT_USAGE, proc.stderr
    assert "Traceback" not in proc.stderr
    # click's usage lines come first; the error itself is one line
    errors = [line for line in error_lines(proc) if fragment in line]
    assert len(errors) == 1, proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--max-reasks", "99"], "--max-reasks: Input should be less than or equal to 10"),
        (["--strategy", "bogus"], "--strategy: unknown strategy 'bogus'; choose from decomposed"),
    ],
)
def test_an_out_of_range_setting_names_its_option(
    tmp_path: Path, args: list[str], fragment: str
) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    assert_refused(cli(str(path), *args), EXIT_USAGE, fragment)


def test_debug_does_not_turn_an_input_error_into_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    proc = cli(str(path), "--debug")
    assert proc.returncode == EXIT_INPUT, proc.stderr
    assert "has no text" in proc.stderr


# --- input that is odd but usable: it runs ---


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-32"])
def test_unicode_with_a_byte_order_mark_is_read(
    tmp_path: Path, server: ScriptedServer, codec: str
) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(f"date 2025-11-13 Caf\u00e9 news\n{ARTICLE}".encode(codec))
    proc = cli(str(path), *remote(server))
    assert proc.returncode == EXIT_OK, proc.stderr
    [result] = results(proc)
    # the header was found under the BOM: date and title parsed, not left in the text
    assert result["publication_date"] == "2025-11-13"
    assert result["title"] == "Caf\u00e9 news"


def test_malformed_jsonl_line_is_reported_and_the_others_run(
    tmp_path: Path, server: ScriptedServer
) -> None:
    path = tmp_path / "news.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": ARTICLE, "date": "2025-11-13"}),
                '{"id": "b", "text": "cut off',
                json.dumps({"id": "c", "text": ARTICLE, "date": "2025-13-13"}),
                json.dumps({"id": "d", "text": ARTICLE}),
            ]
        ),
        encoding="utf-8",
    )
    proc = cli(str(path), *remote(server))
    assert proc.returncode == EXIT_INPUT
    assert "Traceback" not in proc.stderr
    lines = error_lines(proc)
    assert len(lines) == 2, lines
    assert f"{path}:2: invalid JSON" in lines[0]
    assert f"{path}:3:" in lines[1] and "'2025-13-13' is not a date" in lines[1]
    assert [r["document_id"] for r in results(proc)] == ["a", "d"]


def test_missing_date_header_runs_with_a_warning(tmp_path: Path, server: ScriptedServer) -> None:
    path = tmp_path / "undated.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    proc = cli(str(path), *remote(server))
    assert proc.returncode == EXIT_OK, proc.stderr
    [result] = results(proc)
    assert result["publication_date"] is None
    assert any("no publication date" in w for w in result["warnings"])  # type: ignore[union-attr]


def test_future_date_still_runs(tmp_path: Path, server: ScriptedServer) -> None:
    path = tmp_path / "future.txt"
    future = dt.date.today() + dt.timedelta(days=400)
    path.write_text(f"date {future.isoformat()} From the future\n{ARTICLE}", encoding="utf-8")
    proc = cli(str(path), *remote(server))
    assert proc.returncode == EXIT_OK, proc.stderr
    [result] = results(proc)
    assert result["publication_date"] == future.isoformat()


def test_future_date_warning_rule() -> None:
    today = dt.date(2025, 11, 13)

    def warns(day: dt.date) -> list[str]:
        return date_warnings(Document(id="x", text="t", date=day), today=today)

    assert warns(dt.date(2025, 11, 14)) == []  # tomorrow: a time zone away
    assert "in the future" in warns(dt.date(2025, 11, 16))[0]
    assert warns(dt.date(2020, 1, 1)) == []
    assert date_warnings(Document(id="x", text="t"), today=today) == []


def test_future_date_warning_reaches_the_result(tmp_path: Path, server: ScriptedServer) -> None:
    path = tmp_path / "future.txt"
    future = dt.date.today() + dt.timedelta(days=400)
    path.write_text(f"date {future.isoformat()} From the future\n{ARTICLE}", encoding="utf-8")
    [result] = results(cli(str(path), *remote(server)))
    assert any("in the future" in w for w in result["warnings"])  # type: ignore[union-attr]


def test_unreadable_file_in_a_folder(
    tmp_path: Path, server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chmod 000 stops a normal user; root reads anyway, so as root the refusal is simulated."""
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a-readable.txt").write_text(f"date 2025-11-13 A\n{ARTICLE}", encoding="utf-8")
    locked = folder / "b-locked.txt"
    locked.write_text(f"date 2025-11-13 B\n{ARTICLE}", encoding="utf-8")
    locked.chmod(0)
    if os.geteuid() == 0:  # root ignores the mode bits: make opening that one file fail as it would
        real_open = Path.open

        def guarded(self: Path, *args: object, **kwargs: object) -> object:
            if self.name == locked.name:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Path, "open", guarded)
    try:
        proc = cli(str(folder), *remote(server))
    finally:
        locked.chmod(0o644)
    assert proc.returncode == EXIT_INPUT, proc.stderr
    assert error_lines(proc) == [f"error: {locked}: permission denied"]
    assert [r["document_id"] for r in results(proc)] == ["a-readable"]
