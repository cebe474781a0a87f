"""The HTML report: self-contained, hostile text escaped, and it renders in headless Chromium."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support import browser

from summarizer.evaluation.gate import check
from summarizer.evaluation.harness import Dataset, EvalRun, load_dataset, run_eval
from summarizer.evaluation.references import Reference, ReferenceEvent
from summarizer.evaluation.report import build_report, write_reports

REPO = Path(__file__).resolve().parents[1]
BASELINES = ["lead3", "publication_date", "dated_sentences"]
HOSTILE_TEXT = (
    'Attackers wrote <script>alert("pwned")</script> on March 3, 2024. '
    'Then <img src=x onerror=alert(1)> appeared "yesterday" & more.'
)


def hostile() -> Reference:
    sentence = HOSTILE_TEXT.split(". ")[0] + "."
    start = HOSTILE_TEXT.index("wrote")
    return Reference(
        id='evil"><b>id',
        title="<b onmouseover=alert(2)>Title</b>",
        text=HOSTILE_TEXT,
        publication_date=dt.date(2024, 3, 4),
        source="javascript:alert(3)",
        licence="test",
        summary="<svg onload=alert(4)>",
        key_points=["<iframe src=//evil.example>"],
        events=[
            ReferenceEvent(
                description="<script>x</script>",
                trigger="wrote",
                date_text="March 3, 2024",
                date_value="2024-03-03",
                granularity="day",
                date_source="written",
                sentence=sentence,
                span=(0, len(sentence)),
                trigger_span=(start, start + 5),
            )
        ],
    )


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Reports for the sample, three Wikinews articles and a hostile document, with a baseline."""
    datasets = [
        load_dataset(REPO / "eval/datasets/sample.jsonl"),
        load_dataset(REPO / "eval/datasets/wikinews.jsonl", limit=3),
        Dataset("hostile", Path("hostile.jsonl"), [hostile()]),
    ]
    run: EvalRun = run_eval(datasets, systems=BASELINES, progress=False)
    old = build_report(run)
    old["aggregates"]["all"]["dated_sentences"]["dated_event_recall"] += 0.1  # a better past
    out = tmp_path_factory.mktemp("report")
    write_reports(run, out, baseline=old, verdict=check(build_report(run), [], old))
    return out


def test_document_text_is_escaped(report_dir: Path) -> None:
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    for raw in ("<script>", "<img src=x", "<b onmouseover", "<svg onload", "<iframe", 'evil"><b>'):
        assert raw not in page, raw
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in page
    assert "&lt;b onmouseover=alert(2)&gt;Title&lt;/b&gt;" in page
    assert "javascript:" not in re.sub(r">[^<]*<", "><", page)  # only ever as text, never a link


class _Tags(HTMLParser):
    """Every start tag and its attributes, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def test_page_is_self_contained(report_dir: Path) -> None:
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(page)
    names = {tag for tag, _ in parser.tags}
    assert not names & {"script", "img", "iframe", "link", "object", "embed"}, names
    attributes = [(name, value or "") for _, attrs in parser.tags for name, value in attrs]
    assert not [a for a in attributes if a[0] in {"src", "href", "action", "srcset"}]
    assert not [a for a in attributes if a[0].startswith("on")]  # no event handlers
    assert "@import" not in page and not re.search(r"url\(\s*['\"]?(?:https?:)?//", page)
    assert page.count("<svg") >= 2  # metric bars and the per-document distribution


def test_page_shows_highlights_comparison_and_summaries(report_dir: Path) -> None:
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    # the dated-sentence baseline dates the sample's "on November 12" sentence
    mark = re.search(r'<span class="lbl">E\d+ · 2025-11-12</span><mark title="([^"]*)">', page)
    assert mark and "2025-11-12" in mark.group(1)
    assert "Gate failed" in page and "dated_event_recall regressed" in page
    assert "was 0." in page  # the baseline report's values beside the new ones
    assert "Reference summary" in page and "Russia says it is ready to resume peace talks" in page
    data = json.loads((report_dir / "report.json").read_text())
    assert data["gate"]["passed"] is False


def test_screenshot_in_headless_chromium(report_dir: Path, tmp_path: Path) -> None:
    chromium = browser.chromium()
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1280,2000",
            (report_dir / "report.html").as_uri(),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    assert shot.exists() and shot.stat().st_size > 20_000
    width, height, channels, raw = browser.png_pixels(shot)
    assert (width, height) == (1280, 2000)
    stride = 1 + width * channels  # a filter byte, then the row
    rows = {raw[i : i + stride] for i in range(0, len(raw), stride)}
    # one colour compresses to a handful of distinct bytes and rows; a drawn page does not
    assert len(set(raw)) > 64 and len(rows) > 200
