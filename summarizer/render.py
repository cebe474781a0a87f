"""Human views of a result: a rich terminal view, Markdown, and an HTML page whose article has
every event's quote marked (the house style of the eval report, ``templates/``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .schemas import Event, Result

QUOTE_CHARS = 110
TEMPLATES = Path(__file__).parent / "templates"


def _when(event: Event) -> str:
    """The event's date as a reader wants it: the value its words name ("2025-W44" for
    "two weeks ago"), not the calendar month the timeline files it under; * if inferred."""
    d = event.date
    shown = d.timex or d.value
    if shown is None:
        return "?"
    return shown if d.source == "written" else f"{shown}*"


def _quote(event: Event) -> str:
    q = " ".join(event.evidence.quote.split())
    return q if len(q) <= QUOTE_CHARS else q[: QUOTE_CHARS - 1] + "…"


def _span(event: Event) -> str:
    span = event.evidence.span
    return f"{span.start}:{span.end}"


def show(console: Console, result: Result, *, verbose: bool = False) -> None:
    """The readable view: summary, then each event once (date, status, description, span).

    ``verbose`` adds each event's evidence quote under it. Warnings are not shown:
    they are the caller's to report (the CLI puts them on stderr).
    Fits an 80-column terminal: only the description column wraps.
    """
    title = result.title or result.document_id
    published = result.publication_date.isoformat() if result.publication_date else "no date"
    console.rule(f"[bold]{escape(title)}[/] ({published})")
    if result.summary:
        s = result.summary
        console.print(f"[bold]{escape(s.headline)}[/]")
        console.print(escape(s.gist), style="italic")
        console.print()
        for point in s.key_points:
            console.print(f" • {escape(point.text)}")
        console.print()
    table = Table(title="Timeline", box=None, pad_edge=False, expand=True)
    table.add_column("date", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("event", ratio=1, overflow="fold")
    table.add_column("span", no_wrap=True, justify="right", style="dim")
    for event in result.timeline():
        described = escape(event.description)
        if verbose:
            described += f"\n[dim]“{escape(_quote(event))}”[/]"
        table.add_row(_when(event), event.status, described, _span(event))
    console.print(table)
    console.print("[dim]* inferred date (no date words in the sentence)[/]")
    p = result.provenance
    console.print(
        f"[dim]{p.backend}:{p.model} · {p.strategy} · {p.attempts} calls · "
        f"{p.usage.prompt_tokens}+{p.usage.completion_tokens} tokens · "
        f"{p.latency_s:.1f} s[/]"
    )


def markdown(result: Result) -> str:
    lines = [f"# {result.title or result.document_id}", ""]
    if result.publication_date:
        lines += [f"Published {result.publication_date.isoformat()}", ""]
    if result.summary:
        s = result.summary
        lines += [f"**{s.headline}**", "", s.gist, "", s.abstract, ""]
        lines += [f"- {p.text}" for p in s.key_points] + [""]
    lines += ["| date | status | event | span |", "|---|---|---|---|"]
    for event in result.timeline():
        lines.append(
            f"| {_when(event)} | {event.status} | {event.description.replace('|', '/')} "
            f"| {_span(event)} |"
        )
    if result.warnings:
        lines += ["", "Warnings:", *[f"- {w.code}: {w.message}" for w in result.warnings]]
    return "\n".join(lines)


@dataclass(frozen=True)
class Page:
    """One result with the text its spans index: ``text`` as the caller gave it, or the body
    that starts ``offset`` characters into it (a header line taken off)."""

    result: Result
    text: str
    offset: int = 0


def _article(page: Page, number: int) -> tuple[list[dict[str, str]], dict[int, str]]:
    """The article cut into plain and marked pieces (one mark per quote; an overlapping quote
    is marked where the earlier one ends), and each event's anchor by its index."""
    marks = []
    for index, event in enumerate(page.result.events):
        span = event.evidence.span
        start, end = span.start - page.offset, span.end - page.offset
        if event.evidence.match != "title" and 0 <= start < end <= len(page.text):
            marks.append((start, end, index))
    pieces: list[dict[str, str]] = []
    anchors: dict[int, str] = {}
    at = 0
    for start, end, index in sorted(marks):
        start = max(start, at)
        if start >= end:
            continue
        if start > at:
            pieces.append({"text": page.text[at:start]})
        anchor = f"d{number}-e{index}"
        anchors[index] = anchor
        label = f"{_when(page.result.events[index])} {page.result.events[index].status}"
        pieces.append({"text": page.text[start:end], "anchor": anchor, "label": label})
        at = end
    pieces.append({"text": page.text[at:]})
    return pieces, anchors


def html(pages: list[Page], *, title: str = "summarizer results") -> str:
    """A self-contained page: per result its summary, its timeline (each row linking to its
    quote) and its article with every quote marked."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    shown = []
    for number, page in enumerate(pages, 1):
        article, anchors = _article(page, number)
        order = {id(e): i for i, e in enumerate(page.result.events)}
        rows = [
            {
                "when": _when(event),
                "status": event.status,
                "description": event.description,
                "span": _span(event),
                "anchor": anchors.get(order[id(event)]),
            }
            for event in page.result.timeline()
        ]
        shown.append(
            {
                "result": page.result,
                "rows": rows,
                "article": article,
                "warnings": page.result.warnings,
            }
        )
    one = len(pages) == 1 and pages[0].result
    heading = (one.title or one.document_id) if one else title
    return env.get_template("result.html.j2").render(title=heading, pages=shown)
