"""What a user touches: spans into the text as given, warnings as data and on stderr only,
-o honouring -f (or the extension) and devices, the readable view on 80 columns, logging."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from support.paths import REPO, SAMPLE, SHARED
from test_bad_input import cli

from summarizer import summarise
from summarizer.loading import parse_text
from summarizer.pipeline import WARNING_CODES, WARNING_KINDS, notice
from summarizer.render import show
from summarizer.schemas import Document, Notice, Result

SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")
PER_CORPUS = 4  # articles from each shared corpus: enough variety, a few seconds in all
CORPORA = (
    SHARED / "data" / "news_summ_train" / "bbc_news_summary.jsonl",
    SHARED / "data" / "news_summ_train" / "cnndm_train_val.jsonl",
    SHARED / "data" / "frank" / "frank_docs.jsonl",
)
NO_DATE = "The council met on Monday and approved the budget. The mayor said it was a relief.\n"


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _inputs() -> list[tuple[str, str]]:
    """(name, text as a caller would pass it): the examples, and shared articles behind a
    date header (LF and CRLF) so the header's offset is exercised on every corpus."""
    found = [
        (path.name, path.read_text(encoding="utf-8"))
        for path in sorted(SAMPLE.parent.glob("*.txt"))
    ]
    for corpus in CORPORA:
        if not corpus.exists():
            continue
        with corpus.open(encoding="utf-8") as lines:
            for n, line in zip(range(PER_CORPUS), lines):
                article = json.loads(line)["article"]
                newline = "\r\n" if n % 2 else "\n"
                header = f"date 2024-03-0{n + 1} From {corpus.stem}{newline}{newline}"
                found.append((f"{corpus.stem}-{n}", header + article))
    return found


def assert_spans_index(text: str, result: Result) -> None:
    """Every event's quote and date words, and every key point's support, are at their spans."""
    assert result.events, "no events to check"
    for event in result.events:
        span = event.evidence.span
        if event.evidence.match == "title":  # stands outside the text: an empty span at 0
            assert (span.start, span.end) == (0, 0)
            continue
        assert text[span.start : span.end] == event.evidence.quote
        if event.date.span is not None and event.date.text is not None:
            assert text[event.date.span.start : event.date.span.end] == event.date.text
    assert result.summary is not None
    for point in result.summary.key_points:
        supported = " ".join(text[s.start : s.end] for s in point.support)
        assert point.support and _words(point.text) <= _words(supported), point.text


# --- spans index the text the caller passed ---


@pytest.mark.parametrize(("name", "text"), _inputs(), ids=lambda v: v if len(v) < 40 else "")
def test_spans_index_the_text_as_passed(name: str, text: str) -> None:
    assert_spans_index(text, summarise(text, no_model=True))


def test_the_sample_has_no_wrong_span() -> None:
    result = summarise(SAMPLE_TEXT, no_model=True)
    wrong = [
        e
        for e in result.events
        if e.evidence.match != "title"  # the title event: an empty span, by design
        and SAMPLE_TEXT[e.evidence.span.start : e.evidence.span.end] != e.evidence.quote
    ]
    assert len(result.events) > 10 and wrong == []


def test_a_document_is_indexed_as_given() -> None:
    body = parse_text(SAMPLE_TEXT, doc_id="k").text
    result = summarise(Document(id="k", text=body, date="2025-11-13"), no_model=True)
    assert_spans_index(body, result)


def test_the_loader_records_where_the_body_starts() -> None:
    doc = parse_text("\ufeffdate 2025-01-02 T\r\n\r\nBody here.", doc_id="d")
    assert doc.offset == len("\ufeffdate 2025-01-02 T\r\n\r\n") and doc.text == "Body here."
    assert parse_text("# Title\nBody.", doc_id="d").offset == 0


def test_cli_spans_index_the_file_stdin_and_records(tmp_path: Path) -> None:
    from_file = cli(str(SAMPLE), "--no-model", "-f", "json")
    assert from_file.returncode == 0, from_file.stderr
    assert_spans_index(SAMPLE_TEXT, Result.model_validate_json(from_file.stdout))
    from_stdin = cli("-", "--no-model", "-f", "json", stdin=SAMPLE_TEXT.encode())
    assert_spans_index(SAMPLE_TEXT, Result.model_validate_json(from_stdin.stdout))
    body = parse_text(SAMPLE_TEXT, doc_id="k").text
    records = tmp_path / "news.jsonl"
    records.write_text(json.dumps({"id": "k", "text": body, "date": "2025-11-13"}) + "\n")
    from_record = cli(str(records), "--no-model", "-f", "jsonl")
    assert_spans_index(body, Result.model_validate_json(from_record.stdout))


# --- warnings: data in the result, a line on stderr, never on stdout ---


def test_warnings_are_structured_in_the_result() -> None:
    result = summarise(NO_DATE, no_model=True)
    (first,) = [w for w in result.warnings if w.code == "no-publication-date"]
    assert first.field == "publication_date" and "no publication date" in first.message
    data = json.loads(result.model_dump_json())
    assert set(data["warnings"][0]) == {"code", "field", "message"}


def test_results_written_with_plain_string_warnings_still_read() -> None:
    data = json.loads(summarise(NO_DATE, no_model=True).model_dump_json())
    data["warnings"] = ["an older result's warning"]
    old = Result.model_validate(data)
    assert old.warnings == [Notice(code="other", message="an older result's warning")]


def test_every_kind_of_warning_has_its_code() -> None:
    worded = {
        "no-publication-date": "no publication date: relative dates stay unresolved",
        "shortening-dropped": "description: shortening 'x' dropped: too long",
        "answer-dropped": "description 'x' dropped: states things the article does not say",
        "event-ungrounded": "dropped event 'x': its quote is not in the article",
        "answer-invalid": "EventDraft: no valid answer after 2 re-asks",
        "ignored-sentence": "ignored the sentence at [10:20]: addressed to a model",
    }
    for code, message in worded.items():
        assert notice(message).code == code, message
    assert notice("description: shortening 'x' dropped: y").field == "description"
    gist = notice(
        "gist 'x' dropped: the number 4 is not in the cited sentences; the lede stands in"
    )
    assert (gist.code, gist.field) == ("answer-dropped", "summary.gist")
    assert notice("something new").code == "other"
    assert set(WARNING_CODES) == {c for _, c, _ in WARNING_KINDS} | {"other"}
    assert notice("ignored the sentence at [10:20]: why", offset=5).message.startswith(
        "ignored the sentence at [15:25]"
    )


def test_warnings_stay_off_stdout(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(NO_DATE, encoding="utf-8")
    plain = cli(str(article), "--no-model")
    assert plain.returncode == 0 and "warning" not in plain.stdout
    lines = [line for line in plain.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "1 warnings (1 no-publication-date)" in lines[0]
    assert "--verbose" in lines[0]
    verbose = cli(str(article), "--no-model", "-v")
    assert "no-publication-date (publication_date): no publication date" in verbose.stderr
    assert "warning" not in verbose.stdout
    quiet = cli(str(article), "--no-model", "-q")
    assert quiet.returncode == 0 and quiet.stderr.strip() == ""
    assert cli(str(article), "-v", "-q", "--no-model").returncode == 2


def test_the_library_configures_no_logging_and_logs_fallbacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    probe = (
        "import logging; from summarizer import summarise; "
        f"summarise({NO_DATE!r}, no_model=True); "
        "log = logging.getLogger('summarizer'); "
        "print(len(log.handlers), log.level, len(logging.getLogger().handlers))"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert fresh.stdout.split() == ["0", "0", "0"]  # no handler, no level: the host decides
    logger = logging.getLogger("summarizer")
    logger.addHandler(caplog.handler)  # the CLI, run in-process elsewhere, may stop propagation
    try:
        with caplog.at_level(logging.DEBUG, logger="summarizer"):
            summarise(NO_DATE, no_model=True)
    finally:
        logger.removeHandler(caplog.handler)
    assert any("no publication date" in r.getMessage() for r in caplog.records)


# --- -o honours -f or the extension; devices are written plainly ---


def test_output_honours_the_format_and_the_extension(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    proc = cli(str(SAMPLE), "--no-model", "-o", str(notes), "-f", "markdown")
    assert proc.returncode == 0 and proc.stdout == "", proc.stderr
    assert notes.read_text(encoding="utf-8").startswith("# Kremlin Claims")
    picked = tmp_path / "picked.md"
    cli(str(SAMPLE), "--no-model", "-o", str(picked))
    assert picked.read_text(encoding="utf-8").startswith("# Kremlin Claims")
    whole = tmp_path / "result.json"
    cli(str(SAMPLE), "--no-model", "-o", str(whole))
    assert Result.model_validate_json(whole.read_text(encoding="utf-8")).events
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.md", "picked.md", "result.json"]


def test_output_to_a_device_is_written_plainly() -> None:
    for args in ([], ["-f", "markdown"]):
        proc = cli(str(SAMPLE), "--no-model", "-o", "/dev/null", *args)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr


def test_a_run_that_writes_nothing_keeps_the_old_output(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("old notes\n", encoding="utf-8")
    missing = cli(str(tmp_path / "none.txt"), "--no-model", "-o", str(notes))
    assert missing.returncode == 3 and "no such file" in missing.stderr
    assert notes.read_text(encoding="utf-8") == "old notes\n"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.md"]  # no temporary file left


# --- the readable view ---


def test_the_readable_view_shows_each_event_once_in_80_columns() -> None:
    result = summarise(SAMPLE_TEXT, no_model=True)
    # a model's descriptions differ from their quotes: name each event to find it
    events = [
        e.model_copy(update={"description": f"event-{n}"}) for n, e in enumerate(result.events)
    ]
    result = result.model_copy(update={"events": events})
    views = {}
    for verbose in (False, True):
        buffer = io.StringIO()
        show(Console(file=buffer, width=80, highlight=False), result, verbose=verbose)
        assert max(len(line) for line in buffer.getvalue().splitlines()) <= 80
        views[verbose] = buffer.getvalue().split("Timeline", 1)[1]
    for n, event in enumerate(events):
        span = f"{event.evidence.span.start}:{event.evidence.span.end}"
        opening = " ".join(event.evidence.quote.split()[:4])
        assert (
            views[False].count(span) == 1 and len(re.findall(rf"\bevent-{n}\b", views[False])) == 1
        )
        assert opening not in views[False] and opening in views[True]
    assert "warning" not in views[False]


def test_status_names_agree_with_the_readme_and_the_old_ones_still_read() -> None:
    from summarizer.schemas import Event

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    names = ("fact", "claim", "planned", "hypothetical")
    assert set(names) <= set(Event.model_json_schema()["properties"]["status"]["enum"])
    assert all(f"`{name}`" in readme for name in names)
    event = summarise(SAMPLE_TEXT, no_model=True).events[0]
    for old, new in (("plan", "planned"), ("hypothesis", "hypothetical")):
        data = {**event.model_dump(), "status": old}
        assert Event.model_validate(data).status == new
