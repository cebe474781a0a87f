"""``summarise timeline``: inputs, run outputs, formats, failures, and the HTML page in Chromium."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support.browser import png_pixels as _png_pixels
from support.browser import screenshot
from support.cli import summarise_cli as cli
from support.cli import summarise_process

from summarizer import Timeline

ARTICLES = {
    "a.txt": "date 2007-10-16 Airbus delivers the first A380\n"
    "Airbus delivered the first A380 superjumbo to Singapore Airlines on October 15, 2007, "
    "in Toulouse. The airline will fly the plane between Singapore and Sydney.",
    "b.txt": "date 2007-10-17 Singapore Airlines gets its A380\n"
    "Singapore Airlines took delivery of its first Airbus A380 superjumbo in Toulouse on "
    "Monday. The delivery came two years late.",
    "c.txt": "date 2007-11-02 Qantas waits\n"
    "In October 2007, Singapore Airlines received the first Airbus A380 superjumbo in "
    "Toulouse. Qantas expects its first A380 next year.",
}
HOSTILE = (
    "date 2024-03-05 <script>alert(1)</script>\n"
    'Airbus said the A380 "flew" & landed at <5 knots on March 4, 2024. '
    "Then <img src=x onerror=alert(2)> appeared."
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    news = tmp_path / "news"
    news.mkdir()
    for name, text in ARTICLES.items():
        (news / name).write_text(text, encoding="utf-8")
    return news


def test_json_timeline_over_a_folder(folder: Path) -> None:
    proc = cli("timeline", str(folder), "--no-model", "-e", "Airbus A380", "-f", "json", cwd=folder)
    assert proc.returncode == 0, proc.stderr
    timeline = Timeline.model_validate_json(proc.stdout)
    assert timeline.documents == 3
    part = timeline.timelines[0]
    assert part.entity == "Airbus A380"
    assert any(len({s.document_id for s in e.sources}) == 3 for e in part.entries)


def test_a_run_output_is_merged_without_summarising_again(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    run = cli("run", str(folder), "--no-model", "-o", str(out), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    # a batch line recording a failed document: left out, one warning, still a timeline
    with out.open("a", encoding="utf-8") as fh:
        failed = {"id": "d", "ok": False, "error": {"type": "BackendError", "message": "down"}}
        fh.write(json.dumps(failed) + "\n")
    proc = cli("timeline", str(out), "-e", "Airbus A380", "-f", "markdown", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# Timeline: Airbus A380")
    assert "**2007-10-15 (day)**" in proc.stdout
    assert '`b` ("Monday" → 2007-10-15)' in proc.stdout
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: d: BackendError: down"]
    assert "1 document(s) failed and were left out: d" in proc.stdout


def test_a_missing_input_is_one_line_and_exit_3(folder: Path) -> None:
    proc = cli("timeline", str(folder / "a.txt"), "nope.txt", "--no-model", cwd=folder)
    assert proc.returncode == 3
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "nope.txt" in lines[0] and "Traceback" not in proc.stderr
    assert "# Timeline: all events" in proc.stdout  # the other article still gives its timeline


def test_a_bad_entity_is_a_usage_error(folder: Path) -> None:
    proc = cli("timeline", str(folder), "--no-model", "-e", "=GM", cwd=folder)
    assert proc.returncode == 2 and "--entity needs a name" in proc.stderr


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.marks: list[str] = []
        self._in_mark = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_mark = tag == "mark"

    def handle_endtag(self, tag: str) -> None:
        self._in_mark = False if tag == "mark" else self._in_mark

    def handle_data(self, data: str) -> None:
        if self._in_mark:
            self.marks.append(data)


@pytest.fixture
def page(folder: Path, tmp_path: Path) -> Path:
    (folder / "evil.txt").write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "timeline.html"
    proc = cli(
        "timeline",
        str(folder),
        "--no-model",
        "-e",
        "Airbus A380",
        "-f",
        "html",
        "-o",
        str(out),
        cwd=folder,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"{out}: 4 articles merged" in proc.stderr
    return out


def test_html_page_escapes_article_text_and_highlights_quotes(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    parsed = _Collect()
    parsed.feed(html)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert any("took delivery" in m for m in parsed.marks)
    assert any("&" in m and "<5 knots" in m for m in parsed.marks)  # escaped, then parsed back
    assert parsed.tags.count("details") >= 4  # a collapsible article view per source
    assert "http" not in html  # self-contained: nothing loaded from elsewhere


def test_html_page_in_headless_chromium(page: Path, tmp_path: Path) -> None:
    shot = screenshot(page, tmp_path / "timeline.png", width=1100, height=1200)
    width, height, channels, raw = _png_pixels(shot)
    assert (width, height) == (1100, 1200)
    stride = 1 + width * channels
    rows = {raw[i : i + stride] for i in range(0, len(raw), stride)}
    # a drawn page has many distinct rows; a blank or error page a handful
    assert len(set(raw)) > 64 and len(rows) > 150


@pytest.mark.slow
def test_engine_ray_gives_the_local_timeline(folder: Path) -> None:
    pytest.importorskip("ray")
    args = ["timeline", str(folder), "--no-model", "-e", "Airbus A380", "-f", "json"]
    local = cli(*args, cwd=folder)
    on_ray = summarise_process(*args, "--engine", "ray", cwd=folder, timeout=300)  # Ray: its own
    assert local.returncode == 0 and on_ray.returncode == 0, on_ray.stderr
    assert Timeline.model_validate_json(on_ray.stdout) == Timeline.model_validate_json(local.stdout)
