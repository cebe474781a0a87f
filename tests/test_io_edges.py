"""The edges of input and output (issue 29): each probe a tester ran, through the real CLI.

Every case runs ``summarise --no-model`` as a subprocess: no model is needed to
reach these edges, and what is checked is what a user sees (exit code, one stderr
line naming the input, no traceback, every good document still summarised).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from support.paths import REPO

from summarizer.errors import InputError
from summarizer.loading import DATE_RANGE, bom_less_codec, decode, parse_record
from summarizer.pipeline import Pipeline, run_settings
from summarizer.schemas import Document

EXIT_OK, EXIT_USAGE, EXIT_INPUT = 0, 2, 3
GOOD = "The council voted on 3 May 2021 to expand the park. Work began last month."


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-c", "from summarizer.cli import main; main()", "--no-model", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        cwd=REPO,
        env=env,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode(errors="replace")
    )


def stderr_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The error lines, without the run's one-line warning summary (tested on its own)."""
    lines = proc.stderr.splitlines()
    return [line for line in lines if line.strip() and not line.endswith("--verbose shows them")]


def jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# --- input that crashed the run ---


@pytest.mark.parametrize("bad", [123, ["a", "b"], {"x": 1}])
def test_a_wrong_typed_title_fails_its_record_and_the_next_records_run(
    tmp_path: Path, bad: object
) -> None:
    source = tmp_path / "in.jsonl"
    lines = [{"text": GOOD, "title": bad}, {"text": GOOD, "id": "second"}]
    source.write_text("\n".join(json.dumps(r) for r in lines) + "\n")
    proc = cli("-f", "jsonl", str(source))
    assert proc.returncode == EXIT_INPUT, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert stderr_lines(proc) == [
        f"error: {source}:1: 'title' must be a string, not "
        + {int: "a number", list: "a list", dict: "an object"}[type(bad)]
    ]
    assert [json.loads(line)["document_id"] for line in proc.stdout.splitlines()] == ["second"]


def test_a_wrong_typed_record_in_a_batch_is_recorded_and_resume_goes_past_it(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in.jsonl"
    records = [{"text": GOOD, "id": "a"}, {"text": GOOD, "title": 123}, {"text": GOOD, "id": "c"}]
    source.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    out = tmp_path / "out.jsonl"
    proc = cli(str(source), "-o", str(out))
    assert proc.returncode == EXIT_INPUT, proc.stderr
    rows = jsonl(out)
    assert sorted(r["ok"] for r in rows) == [False, True, True]  # lines come as they finish
    [failed] = [r for r in rows if not r["ok"]]
    assert failed["error"]["source"] == f"{source}:2"  # type: ignore[index]
    again = cli(str(source), "-o", str(out), "--resume")
    assert again.returncode == EXIT_OK, again.stderr
    assert len(jsonl(out)) == 3  # nothing redone, nothing stuck


@pytest.mark.parametrize(
    "record, message",
    [
        ({"text": 5}, "'text' must be a string, not a number"),
        ({"text": GOOD, "id": [1]}, "'id' must be a string or a number, not a list"),
        ({"text": GOOD, "date": 20210503}, "'date' must be a YYYY-MM-DD string, not a number"),
    ],
)
def test_each_wrong_typed_field_is_named(record: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_record(record, default_id="r", source="f.jsonl:1")


@pytest.mark.parametrize("text", ["x", "Hi", "?!"])
def test_a_tiny_document_is_a_clear_input_error(tmp_path: Path, text: str) -> None:
    source = tmp_path / "tiny.txt"
    source.write_text(text)
    proc = cli(str(source))
    assert proc.returncode == EXIT_INPUT, proc.stderr
    assert stderr_lines(proc) == [
        f"error: {source}: has too little text to summarise "
        f"({text!r}: {sum(c.isalnum() for c in text)} letters or digits; at least 3 needed)"
    ]


@pytest.mark.parametrize("text", ["abc", "x. y. z.", "A.\nB.\nC.", "I.\n\n" + GOOD, "ab\n\nc"])
def test_short_sentences_give_a_valid_result(text: str) -> None:
    result = Pipeline(run_settings(no_model=True)).run(Document(id="t", text=text))
    assert result.summary is not None
    assert len(result.summary.headline) >= 3 and result.summary.key_points
    for point in result.summary.key_points:  # every point cites text that is there
        assert all(text[s.start : s.end].strip() for s in point.support)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_option_outside_the_range_is_refused(day: str) -> None:
    proc = cli("-", "--date", day, stdin=GOOD.encode())
    assert proc.returncode == EXIT_USAGE, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert "outside the supported range" in proc.stderr


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_header_outside_the_range_is_an_input_error(tmp_path: Path, day: str) -> None:
    source = tmp_path / "far.txt"
    source.write_text(f"date {day} Title\nThe council voted yesterday and meets again tomorrow.\n")
    proc = cli(str(source))
    assert proc.returncode == EXIT_INPUT, proc.stderr
    first, last = (d.isoformat() for d in DATE_RANGE)
    assert stderr_lines(proc) == [
        f"error: {source}: the date {day} is outside the supported range {first} to {last}"
    ]


@pytest.mark.parametrize("edge", DATE_RANGE)
def test_the_ends_of_the_date_range_resolve_relative_dates(edge: object) -> None:
    text = "The council voted yesterday. It meets again next year and decided a decade ago."
    result = Pipeline(run_settings(no_model=True)).run(Document(id="t", text=text, date=edge))
    assert result.events  # resolved against the edge without overflowing


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_wide_text_without_a_byte_order_mark_is_read(tmp_path: Path, codec: str) -> None:
    text = "Zürich: " + GOOD
    source = tmp_path / "wide.txt"
    source.write_bytes(text.encode(codec))
    proc = cli("-f", "json", str(source))
    assert proc.returncode == EXIT_OK, proc.stderr
    assert json.loads(proc.stdout)["summary"]["headline"].startswith("Zürich")


def test_binary_with_zero_bytes_is_not_taken_for_wide_text() -> None:
    binary = bytes(range(256)) * 8
    assert bom_less_codec(binary) is None
    with pytest.raises(InputError, match="binary"):
        decode(binary, source="b.bin")


# --- output that crashed or wrote twice ---

EXIT_WRITE = 7


def inputs(folder: Path, n: int) -> Path:
    source = folder / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"id": f"d{i}", "text": f"{GOOD} Item {i}."}) + "\n" for i in range(n))
    )
    return source


def start_cli(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    return subprocess.Popen(
        [sys.executable, "-c", "from summarizer.cli import main; main()", "--no-model", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=env,
    )


def test_a_second_writer_of_one_output_is_refused_at_once(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.touch()
    with out.open("a") as held:  # another run holding the output
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        proc = cli(str(inputs(tmp_path, 3)), "-o", str(out))
    assert proc.returncode == EXIT_WRITE, proc.stderr
    assert stderr_lines(proc) == [
        f"error: {out} is being written by another run; wait for it to finish "
        "(or pass --wait to start when it does), or choose another output file"
    ]
    assert out.read_text() == ""


@pytest.mark.slow
@pytest.mark.parametrize("resume", [False, True])
def test_concurrent_runs_into_one_output_write_each_document_once(
    tmp_path: Path, resume: bool
) -> None:
    source = inputs(tmp_path, 40)
    out = tmp_path / "out.jsonl"
    extra = ["--resume", "--wait"] if resume else []
    runs = [start_cli(str(source), "-o", str(out), *extra) for _ in range(3)]
    codes = [run.wait(timeout=300) for run in runs]
    for run in runs:
        assert run.stdout is not None and run.stderr is not None
        run.stdout.close()
        assert b"Traceback" not in run.stderr.read()
        run.stderr.close()
    ids = [r["id"] for r in jsonl(out)]
    assert sorted(ids) == sorted(f"d{i}" for i in range(40))  # every document exactly once
    if resume:  # waited their turn: the later runs found everything done
        assert codes == [EXIT_OK] * 3
    else:  # one ran; the others were refused (or found results and asked for --resume)
        assert codes.count(EXIT_OK) == 1
        assert all(c in (EXIT_OK, EXIT_WRITE, EXIT_USAGE) for c in codes)


def test_resume_waits_for_a_writer_then_skips_its_documents(tmp_path: Path) -> None:
    source = inputs(tmp_path, 4)
    out = tmp_path / "out.jsonl"
    assert cli(str(source), "-o", str(out)).returncode == EXIT_OK
    held = out.open("a")
    fcntl.flock(held.fileno(), fcntl.LOCK_EX)
    waiting = start_cli(str(source), "-o", str(out), "--resume", "--wait")
    timer = threading.Timer(2.0, held.close)  # the first run ends: its lock goes
    timer.start()
    assert waiting.wait(timeout=120) == EXIT_OK
    timer.join()
    assert len(jsonl(out)) == 4


@pytest.mark.parametrize(
    "target, reason",
    [
        ("/dev/full", "No space left on device"),
        ("/proc/results.jsonl", "No such file or directory"),
    ],
)
def test_an_output_that_refuses_writes_is_named_with_one_line(target: str, reason: str) -> None:
    if not Path(target).parent.exists() or (target == "/dev/full" and not Path(target).exists()):
        pytest.skip(f"no {target} here")
    proc = cli("-", "-o", target, stdin=GOOD.encode())
    assert proc.returncode == EXIT_WRITE, proc.stderr
    assert stderr_lines(proc) == [f"error: cannot write to {target}: {reason}"]


def test_dev_null_is_an_output_without_fsync() -> None:
    proc = cli("-", "-o", "/dev/null", stdin=GOOD.encode())
    assert proc.returncode == EXIT_OK, proc.stderr
    assert "error" not in proc.stderr


def test_a_full_stdout_ends_with_one_line() -> None:
    with open("/dev/full", "wb") as full:
        env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
        proc = subprocess.run(
            [sys.executable, "-c", "from summarizer.cli import main; main()", "--no-model", "-"],
            input=GOOD.encode(),
            stdout=full,
            stderr=subprocess.PIPE,
            cwd=REPO,
            env=env,
            timeout=120,
        )
    lines = proc.stderr.decode().strip().splitlines()
    assert proc.returncode == EXIT_WRITE
    assert lines == ["error: cannot write to standard output: No space left on device"]


def test_a_closed_stdout_ends_with_one_line(tmp_path: Path) -> None:
    source = inputs(tmp_path, 3)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line (| head -0)
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-c", "from summarizer.cli import main; main()", "--no-model"]
        + ["-f", "jsonl", str(source)],
        stdout=write_end,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    os.close(write_end)
    assert proc.returncode == EXIT_WRITE
    assert proc.stderr.decode().strip().splitlines() == [
        "error: cannot write to standard output: Broken pipe"
    ]


# --- the model file and the cache in a shared folder ---


@pytest.fixture
def tiny_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The model-file logic on three small chunks in place of the six 80 MB wheels."""
    from summarizer.backends import model_file

    chunks = [b"GGUF" + bytes([i]) * 1000 for i in range(3)]
    parts = []
    for i, chunk in enumerate(chunks):
        part = tmp_path / "parts" / f"part{i:02d}.bin"
        part.parent.mkdir(exist_ok=True)
        part.write_bytes(chunk)
        parts.append(part)
    whole = b"".join(chunks)
    monkeypatch.setattr(model_file, "_part_paths", lambda: parts)
    monkeypatch.setattr(model_file, "MODEL_SIZE", len(whole))
    monkeypatch.setattr(model_file, "MODEL_SHA256", hashlib.sha256(whole).hexdigest())
    return whole


def test_a_corrupt_model_of_the_right_size_is_rebuilt(tmp_path: Path, tiny_model: bytes) -> None:
    from summarizer.backends.model_file import embedded_model_path, rebuild_if_corrupt

    cache = tmp_path / "cache"
    target = embedded_model_path(cache)
    assert target.read_bytes() == tiny_model
    assert not rebuild_if_corrupt(cache)  # intact: the load failure lies elsewhere
    target.write_bytes(b"\0" * len(tiny_model))  # same size, wrong bytes
    assert embedded_model_path(cache) == target  # the size check alone passes it
    assert rebuild_if_corrupt(cache)
    assert target.read_bytes() == tiny_model


def test_the_assembled_model_is_readable_by_the_shared_folder(
    tmp_path: Path, tiny_model: bytes
) -> None:
    from summarizer.backends.model_file import embedded_model_path

    old = os.umask(0o002)  # a team's umask
    try:
        target = embedded_model_path(tmp_path / "cache")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) & 0o044 == 0o044  # not mkstemp's 0600


def test_the_embedded_backend_rebuilds_a_corrupt_model_and_loads_again(
    tmp_path: Path, tiny_model: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from summarizer.backends import embedded
    from summarizer.backends.model_file import embedded_model_path
    from summarizer.errors import ConfigError

    def load(path: str, n_ctx: int, threads: int) -> object:
        if Path(path).read_bytes() != tiny_model:  # llama.cpp refusing a corrupt GGUF
            raise ConfigError(f"could not load model {path}: failed to load model")
        return object()

    monkeypatch.setattr(embedded, "_load", load)
    cache = tmp_path / "cache"
    embedded_model_path(cache).write_bytes(b"\1" * len(tiny_model))
    backend = embedded.EmbeddedBackend(cache_dir=cache, decoder="llama-cpp")
    assert backend.path.read_bytes() == tiny_model


def test_cache_files_in_a_group_folder_are_group_readable_and_writable(tmp_path: Path) -> None:
    from summarizer.backends.cache import ResponseCache

    shared = tmp_path / "team-cache"
    shared.mkdir()
    shared.chmod(0o2775)
    old = os.umask(0o022)  # a member whose umask keeps the group out by default
    try:
        cache = ResponseCache(shared / "responses.sqlite")
    finally:
        os.umask(old)
    files = [f for f in shared.iterdir() if f.name.startswith("responses.sqlite")]
    assert files
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) & 0o060 == 0o060, file
    cache.close()


# --- an over-long sentence is input, cut to fit the model ---


def test_an_over_long_sentence_is_cut_into_pieces_that_keep_their_spans() -> None:
    from summarizer.segment import MAX_SENTENCE_CHARS, sentences

    line = ("the flood reached the old mill, and the council met " * 800).strip()  # 41 KB
    text = "Opening sentence here. " + line + "\n\nLast paragraph."
    found = sentences(text)
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in found)
    assert all(text[s.start : s.end] == s.text for s in found)
    assert found[0].text == "Opening sentence here." and found[-1].text == "Last paragraph."
    joined = " ".join(s.text for s in found[1:-1])
    assert joined.split() == line.split()  # nothing lost, nothing doubled
    assert len(found) - 2 >= len(line) // MAX_SENTENCE_CHARS
    assert all(s.text.endswith(",") or s is found[-2] for s in found[1:-1])  # cut at clauses


def test_a_line_without_spaces_is_cut_too() -> None:
    from summarizer.segment import MAX_SENTENCE_CHARS, sentences

    text = "x" * (3 * MAX_SENTENCE_CHARS + 5)
    assert [len(s.text) for s in sentences(text)] == [MAX_SENTENCE_CHARS] * 3 + [5]


@pytest.mark.model
@pytest.mark.slow
def test_a_line_longer_than_the_models_context_is_summarised() -> None:
    """The probe at a smaller scale (a 2,048-token context, a 12 KB line of about 2,400
    tokens without a full stop): once a retryable backend failure, now a result."""
    from summarizer.backends import make_backend
    from summarizer.settings import Settings

    line = "Officials said on Monday that the flood reached the old mill " + (
        "and the water kept rising past the bridge near the station " * 200
    )
    settings = Settings(context_tokens=2048)
    backend = make_backend(settings)
    assert backend.count_tokens(line) > settings.context_tokens
    result = Pipeline(settings, backend=backend).run(
        Document(id="long", text=line, date=dt.date(2025, 11, 13))
    )
    assert result.summary is not None and result.summary.key_points
