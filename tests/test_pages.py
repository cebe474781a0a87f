"""News pages as input: HTML files, HTML on stdin or as a string, and http(s) URLs served by a
local server (a page with navigation, adverts, comments and scripts; a page with no article; a
redirect; a 404). The article's text is extracted; spans index it and the result carries it."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer import InputError, summarise
from summarizer.exits import EXIT_INPUT
from summarizer.loading import fetch_page, iter_documents, looks_like_html, url_id

PAGES = Path(__file__).parent / "pages"
NEWS = PAGES / "news-page.html"
NOT_ARTICLE = ("Home", "Subscribe", "Cheap ferry", "About time", "Copyright", "tracking pixel")


class PageHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/news/harbour-bridge.html")
            self.end_headers()
            return
        name = {"/news/harbour-bridge.html": NEWS, "/menu.html": PAGES / "no-article.html"}
        page = name.get(self.path)
        if page is None:
            self.send_error(404, "Not Found")
            return
        body = page.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_article_is_extracted_without_menus_ads_comments_or_scripts() -> None:
    [doc] = list(iter_documents([str(NEWS)]))
    assert not isinstance(doc, InputError)
    assert doc.title == "Harbour bridge reopens after repairs"
    assert str(doc.date) == "2026-03-12"  # from the page's metadata
    assert doc.text.startswith("The harbour bridge in Porthaven reopened")
    assert "Marta Quinn" in doc.text and doc.extracted
    for junk in NOT_ARTICLE:
        assert junk not in doc.text, junk


def test_a_library_call_with_html_carries_the_text_its_spans_index() -> None:
    result = summarise(NEWS.read_text(encoding="utf-8"), no_model=True)
    assert result.text is not None and result.text.startswith("The harbour bridge")
    assert result.title == "Harbour bridge reopens after repairs"
    assert result.events
    for event in result.events:
        span = event.evidence.span
        if event.evidence.match == "title":  # the headline's event quotes the page's title
            assert event.evidence.quote == result.title
            continue
        assert result.text[span.start : span.end] == event.evidence.quote


def test_plain_text_results_carry_no_copy_of_the_text() -> None:
    result = summarise("The council approved the budget on Monday, officials said.", no_model=True)
    assert result.text is None


def test_html_is_told_from_text_by_how_it_opens() -> None:
    assert looks_like_html("<!-- saved -->\n<!DOCTYPE html><html>")
    assert looks_like_html("  <html lang=en><body>")
    assert not looks_like_html("The <b>bold</b> plan was approved.")
    assert url_id("http://127.0.0.1:8000/news/harbour-bridge.html?x=1") == "harbour-bridge"
    assert url_id("https://example.org/") == "example.org"


def test_a_url_is_fetched_and_read_like_the_saved_page(site: str) -> None:
    fetched = fetch_page(f"{site}/news/harbour-bridge.html")
    [saved] = list(iter_documents([str(NEWS)]))
    assert not isinstance(saved, InputError)
    assert fetched.text == saved.text and fetched.date == saved.date
    assert fetched.id == "harbour-bridge"


def test_a_redirect_is_followed_and_said(site: str) -> None:
    doc = fetch_page(f"{site}/moved")
    assert doc.source == f"{site}/moved (redirected to {site}/news/harbour-bridge.html)"
    assert doc.text.startswith("The harbour bridge")


def test_a_missing_page_and_a_page_with_no_article_are_clear_errors(site: str) -> None:
    with pytest.raises(InputError, match=r"/gone\.html: HTTP 404 Not Found"):
        fetch_page(f"{site}/gone.html")
    with pytest.raises(InputError, match=r"menu\.html: no article text found in the page"):
        fetch_page(f"{site}/menu.html")
    with pytest.raises(InputError, match="could not be fetched"):
        fetch_page("http://127.0.0.1:9/closed.html")


def test_the_cli_reads_a_url(site: str) -> None:
    done = cli(f"{site}/news/harbour-bridge.html", "--no-model", "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["document_id"] == "harbour-bridge"
    assert result["publication_date"] == "2026-03-12"
    quotes = [e["evidence"]["quote"] for e in result["events"]]
    assert any("reopened to traffic" in q for q in quotes)
    assert not any(junk in q for q in quotes for junk in NOT_ARTICLE)


def test_the_cli_names_a_page_with_no_article_as_bad_input(site: str) -> None:
    done = cli(str(PAGES / "no-article.html"), "--no-model")
    assert done.returncode == EXIT_INPUT
    assert "no-article.html: no article text found in the page" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    done = cli(f"{site}/gone.html", "--no-model")
    assert (
        done.returncode == EXIT_INPUT
        and "HTTP 404" in done.stderr
        and "Traceback" not in done.stderr
    )


def test_html_on_stdin_is_a_page() -> None:
    done = cli("-", "--no-model", "--format", "json", stdin=NEWS.read_text(encoding="utf-8"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["title"] == "Harbour bridge reopens after repairs"
