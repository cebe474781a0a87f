"""`summarise run --format html`: one page with each result's summary, its timeline (rows link
to their quotes) and its article with every quote marked at its span; checked in Chromium."""

from __future__ import annotations

import html
import re
from pathlib import Path

from support.browser import screenshot
from support.cli import summarise_cli
from support.paths import SAMPLE

from summarizer import summarise
from summarizer.render import Page
from summarizer.render import html as result_page

MARK = re.compile(r'<mark id="(d\d+-e\d+)"[^>]*>(.*?)</mark>', re.S)


def test_every_marked_quote_is_the_event_quote_at_its_span() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    result = summarise(text, no_model=True)  # spans index the text with its header line
    page = result_page([Page(result, text)])
    marks = dict(MARK.findall(page))
    quotes = {e.evidence.quote for e in result.events if e.evidence.match != "title"}
    assert len(marks) >= 15
    for anchor, marked in marks.items():
        index = int(anchor.split("-e")[1])
        event = result.events[index]
        span = event.evidence.span
        assert html.unescape(marked) == text[span.start : span.end] == event.evidence.quote
        assert f'href="#{anchor}"' in page  # its timeline row links to it
    assert {html.unescape(m) for m in marks.values()} <= quotes


def test_the_cli_writes_one_page_for_the_run(tmp_path: Path) -> None:
    out = tmp_path / "sample.html"
    done = summarise_cli(str(SAMPLE), "--no-model", "-o", str(out))  # the extension picks html
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and page.count("<section") == 1
    assert "Kremlin Claims Willingness for Peace Talks" in page
    two = summarise_cli(str(SAMPLE), str(SAMPLE), "--no-model", "-f", "html")
    assert two.returncode == 0 and two.stdout.count("<section") == 2
    assert two.stdout.count("<html") == 1


def test_the_page_in_headless_chromium(tmp_path: Path) -> None:
    out = tmp_path / "sample.html"
    assert summarise_cli(str(SAMPLE), "--no-model", "-o", str(out)).returncode == 0
    shot = screenshot(out, tmp_path / "page.png", width=1200, height=1600)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # a page drawn with text, a table and the marked article compresses far worse than a
    # blank one (a blank 1200x1600 PNG is a few kilobytes)
    assert len(data) > 100_000
