"""What a real model must get right on the sample article (the embedded one, a llama.cpp server)."""

from __future__ import annotations

from summarizer import Result

# the sample article's own relative dates and what they mean, published 2025-11-13
SAMPLE_DATES = [
    ("November 12", "2025-11-12"),
    ("Monday", "2025-11-10"),
    ("July 23", "2025-07-23"),
    ("August", "2025-08"),
    ("Last month", "2025-10"),
]


def check_sample_result(result: Result, text: str) -> None:
    """What the issue demands of the sample: a summary, 5+ grounded events, the dates right."""
    assert result.summary is not None
    assert 3 <= len(result.summary.key_points) <= 7
    assert len(result.events) >= 5
    for event in result.events:
        if event.evidence.match == "title":  # the headline's event quotes the title, no span
            assert event.evidence.quote == result.title
            continue
        span = event.evidence.span
        assert text[span.start : span.end] == event.evidence.quote
        assert event.evidence.quote in text
    written = {
        (e.date.text or "").lower(): e.date.value
        for e in result.events
        if e.date.source == "written"
    }
    for words, value in SAMPLE_DATES:
        hits = [v for t, v in written.items() if words.lower() in t]
        assert hits, f"no event dated by {words!r}: {sorted(written)}"
        assert value in hits, f"{words!r} resolved to {hits}, expected {value}"
