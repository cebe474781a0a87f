"""A ``Timeline`` as people read it: a Markdown list and a self-contained HTML page.

Terms:

* **article view**: in the HTML page, a collapsible (``<details>``) view of the article a
  source quotes (up to ``CONTEXT_CHARS`` either side), the quote highlighted (``<mark>``). Only when the article's
  text is at hand (a timeline merged from a run output has the quotes, not the articles).

Every text from an article is escaped; the page loads nothing from elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from ..schemas import EntityTimeline, Timeline, TimelineEntry, TimelineSource


def _when(entry: TimelineEntry) -> str:
    if entry.date is None or entry.date.value is None:
        return "undated"
    return (
        f"{entry.date.value} ({entry.date.granularity})"
        if entry.date.granularity
        else (entry.date.value)
    )


def _title(timeline: EntityTimeline) -> str:
    return timeline.entity or "all events"


def _written(source: TimelineSource) -> str:
    if source.date_text:
        return f'"{source.date_text}" → {source.date_value}'
    if source.date_value:
        return f"{source.date_value} ({source.date_source} date)"
    return "no date"


def markdown(timeline: Timeline) -> str:
    """A dated list per entity, each entry with all its sources."""
    out: list[str] = []
    for part in timeline.timelines:
        out.append(f"# Timeline: {_title(part)}")
        out.append("")
        if part.aliases:
            out += [f"Found as: {', '.join(part.aliases)}", ""]
        out += [f"{len(part.entries)} dated entries, {len(part.undated)} undated.", ""]
        for heading, entries in (("Dated", part.entries), ("Undated", part.undated)):
            if not entries:
                continue
            out += [f"## {heading}", ""]
            for entry in entries:
                out.append(f"- **{_when(entry)}** {entry.description} _({entry.status})_")
                if entry.date_conflict:
                    out.append(
                        f"  - the sources disagree on the date: {', '.join(entry.date_conflict)}"
                    )
                for s in entry.sources:
                    quote = s.quote.replace("\n", " ")
                    out.append(f"  - `{s.document_id}` ({_written(s)}): “{quote}”")
            out.append("")
    if timeline.warnings:
        out += ["## Warnings", "", *[f"- {w}" for w in timeline.warnings], ""]
    return "\n".join(out).rstrip() + "\n"


_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:980px;color:#1d2330;
background:#fafbfc}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:2px solid #d8dee8}
.meta{color:#5b6576}.entry{display:grid;grid-template-columns:9.5rem 1fr;gap:1rem;
padding:.8rem 0;border-left:3px solid #3d6fd9;margin-left:.5rem;padding-left:1rem}
.date{font-weight:700;color:#23408e}.gran{display:block;font-weight:400;color:#5b6576;
font-size:.85rem}.undated .entry{border-left-color:#aab3c2}.desc{font-weight:600}
.status{font-size:.8rem;background:#e6ebf5;border-radius:4px;padding:0 .35rem;margin-left:.4rem}
.conflict{color:#a1361b;font-size:.9rem;margin:.2rem 0}
.source{margin:.35rem 0 .35rem .2rem;padding:.35rem .6rem;background:#fff;
border:1px solid #e1e5ec;border-radius:6px}.doc{font-family:monospace;color:#23408e}
.quote{font-style:italic}details{margin-top:.3rem}summary{cursor:pointer;color:#3d6fd9}
.article{white-space:pre-wrap;font-size:.85rem;max-height:22rem;overflow:auto;
background:#f3f5f9;padding:.6rem;border-radius:4px}mark{background:#ffe27a}
.warn{color:#a1361b}
"""


CONTEXT_CHARS = 600  # article text shown either side of a quote: pages stay small


def _article(text: str, source: TimelineSource, offset: int = 0) -> str:
    start, end = source.span.start - offset, source.span.end - offset
    left, right = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    if left:  # start at a line (else a word) boundary, not mid-word
        cut = text.find("\n", left, start)
        left = cut + 1 if cut >= 0 else max(left, text.find(" ", left, start) + 1)
    if right < len(text):
        cut = text.rfind("\n", end, right)
        right = cut if cut >= 0 else right
    return (
        ("… " if left else "")
        + f"{escape(text[left:start])}<mark>{escape(text[start:end])}</mark>{escape(text[end:right])}"
        + (" …" if right < len(text) else "")
    )


def _source_html(
    source: TimelineSource, texts: Mapping[str, str], offsets: Mapping[str, int]
) -> str:
    parts = [
        '<div class="source">',
        f'<span class="doc">{escape(source.document_id)}</span> ',
        f'<span class="meta">{escape(_written(source))}</span>',
        f'<div class="quote">“{escape(source.quote)}”</div>',
    ]
    text = texts.get(source.document_id)
    offset = offsets.get(source.document_id, 0)  # a header line before the text
    if text is not None and offset <= source.span.start and source.span.end - offset <= len(text):
        parts.append(
            f"<details><summary>the article</summary>"
            f'<div class="article">{_article(text, source, offset)}</div></details>'
        )
    parts.append("</div>")
    return "".join(parts)


def _entry_html(entry: TimelineEntry, texts: Mapping[str, str], offsets: Mapping[str, int]) -> str:
    if entry.date is not None and entry.date.value is not None:
        when = (
            f'{escape(entry.date.value)}<span class="gran">{escape(entry.date.granularity or "")}'
            f"{' · inferred' if entry.date.source not in ('written', 'narrative') else ''}</span>"
        )
    else:
        when = "undated"
    conflict = (
        f'<div class="conflict">the sources disagree on the date: '
        f"{escape(', '.join(entry.date_conflict))}</div>"
        if entry.date_conflict
        else ""
    )
    sources = "".join(_source_html(s, texts, offsets) for s in entry.sources)
    count = len({s.document_id for s in entry.sources})
    return (
        f'<div class="entry"><div class="date">{when}</div><div>'
        f'<span class="desc">{escape(entry.description)}</span>'
        f'<span class="status">{escape(entry.status)}</span>'
        f'<span class="meta"> · {count} article{"s" if count != 1 else ""}</span>'
        f"{conflict}{sources}</div></div>"
    )


def html(
    timeline: Timeline,
    texts: Mapping[str, str] | None = None,
    offsets: Mapping[str, int] | None = None,
) -> str:
    """The timeline page; ``texts`` (document id -> article text) adds the article views;
    ``offsets`` (document id -> where that text starts in the input) places the spans."""
    texts = texts or {}
    offsets = offsets or {}
    body: list[str] = []
    for part in timeline.timelines:
        body.append(f"<h1>Timeline: {escape(_title(part))}</h1>")
        aliases = f" · found as {escape(', '.join(part.aliases))}" if part.aliases else ""
        body.append(
            f'<p class="meta">{timeline.documents} articles · {len(part.entries)} dated entries · '
            f"{len(part.undated)} undated{aliases}</p>"
        )
        body += [_entry_html(e, texts, offsets) for e in part.entries]
        if part.undated:
            body.append('<h2>Undated</h2><div class="undated">')
            body += [_entry_html(e, texts, offsets) for e in part.undated]
            body.append("</div>")
    if timeline.warnings:
        body.append('<h2>Warnings</h2><ul class="warn">')
        body += [f"<li>{escape(w)}</li>" for w in timeline.warnings]
        body.append("</ul>")
    title = escape(", ".join(_title(p) for p in timeline.timelines) or "timeline")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Timeline: {title}</title><style>{_STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


__all__ = ["html", "markdown"]
