"""Human views of a result: a rich terminal view and Markdown."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .schemas import Event, Result

QUOTE_CHARS = 110


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
