"""Inline SVG charts for the HTML report: no plotting library, no external resources.

Terms:

* **metric bars**: one row group per metric, one horizontal bar per system,
  all on a 0–1 scale; a baseline report's value is a dark tick on the bar.
* **strip plot**: one row per system with one dot per document at its
  per-document value (0–1) and a vertical line at the aggregate; dots carry a
  ``<title>`` tooltip naming the document.

Every string that reaches the SVG (labels, document ids) is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

PALETTE = ("#2563eb", "#9ca3af", "#f59e0b", "#10b981", "#a855f7", "#ef4444")
LABEL_W = 190  # room for "date at granularity" and similar labels at 13 px
PLOT_W = 760
VALUE_W = 90
BAR_H = 11
BAR_GAP = 3
GROUP_GAP = 12
FONT = "font-family:system-ui,-apple-system,'Segoe UI',sans-serif"


def colours(systems: Sequence[str]) -> dict[str, str]:
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(systems)}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def legend(systems: Sequence[str]) -> str:
    """An HTML legend matching the chart colours."""
    colour = colours(systems)
    items = "".join(
        f'<span class="key"><i style="background:{colour[s]}"></i>{_e(s)}</span>' for s in systems
    )
    return f'<div class="legend">{items}</div>'


def metric_bars(
    rows: Sequence[tuple[str, Mapping[str, float | None]]],
    systems: Sequence[str],
    old: Mapping[str, Mapping[str, float | None]] | None = None,
    old_keys: Sequence[str] | None = None,
) -> str:
    """Grouped horizontal bars: ``rows`` is ``[(label, {system: value in 0..1 or None})]``.

    ``old`` (system -> metric key -> value) with ``old_keys`` (the metric key of
    each row) draws the baseline report's value as a tick.
    """
    colour = colours(systems)
    # a system with no value for a metric (lead-3 lists no events) gets no empty bar slot
    shown = [[s for s in systems if values.get(s) is not None] for _, values in rows]
    tops, y = [], 0
    for present in shown:
        tops.append(y)
        y += max(1, len(present)) * (BAR_H + BAR_GAP) + GROUP_GAP
    height = y + 24
    width = LABEL_W + PLOT_W + VALUE_W
    parts = [
        f'<svg role="img" aria-label="metrics by system" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="{FONT};font-size:12px">'
    ]
    _grid(parts, height)
    for r, (label, values) in enumerate(rows):
        top, present = tops[r], shown[r]
        mid = top + (max(1, len(present)) * (BAR_H + BAR_GAP)) / 2
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{mid + 3:.1f}" text-anchor="end" '
            f'font-weight="600" fill="#111827">{_e(label)}</text>'
        )
        for i, system in enumerate(present):
            y = top + i * (BAR_H + BAR_GAP)
            shown_value = values[system]
            assert shown_value is not None, "only systems with a value are shown"
            value = float(shown_value)
            w = max(0.0, min(1.0, value)) * PLOT_W
            parts.append(
                f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" '
                f'fill="{colour[system]}" rx="2"><title>{_e(system)}: {_e(label)} = '
                f"{value:.3f}</title></rect>"
            )
            parts.append(
                f'<text x="{LABEL_W + w + 4:.1f}" y="{y + BAR_H - 1}" '
                f'font-size="10" fill="#374151">{value:.3f}</text>'
            )
            before = old.get(system, {}).get(old_keys[r]) if old and old_keys else None
            if before is not None:
                x = LABEL_W + max(0.0, min(1.0, before)) * PLOT_W
                parts.append(
                    f'<line x1="{x:.1f}" y1="{y - 1}" x2="{x:.1f}" y2="{y + BAR_H + 1}" '
                    f'stroke="#111827" stroke-width="2"><title>baseline report: '
                    f"{before:.3f}</title></line>"
                )
    parts.append("</svg>")
    return "".join(parts)


def _grid(parts: list[str], height: int) -> None:
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = LABEL_W + tick * PLOT_W
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 18}" stroke="#e5e7eb"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - 4}" text-anchor="middle" '
            f'fill="#6b7280">{tick:g}</text>'
        )


def strip_plot(
    values: Mapping[str, Sequence[tuple[str, float]]],
    means: Mapping[str, float | None],
    systems: Sequence[str],
    palette_of: Sequence[str] | None = None,
) -> str:
    """One row per system, a dot per document at its value, a line at the aggregate.

    ``palette_of`` is the full system list the colours are assigned over (so a
    system keeps its colour when others have no row here).
    """
    colour = colours(palette_of or systems)
    row_h = 34
    height = len(systems) * row_h + 26
    width = LABEL_W + PLOT_W + VALUE_W + 40
    parts = [
        f'<svg role="img" aria-label="per-document distribution" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" style="{FONT};font-size:12px">'
    ]
    _grid(parts, height)
    for r, system in enumerate(systems):
        mid = r * row_h + row_h / 2
        points = values.get(system, [])
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{mid + 4:.1f}" text-anchor="end" '
            f'font-weight="600">{_e(system)}</text>'
        )
        for i, (doc_id, value) in enumerate(points):
            # a fixed jitter pattern keeps equal values apart and the picture reproducible
            jitter = ((i * 7) % 9 - 4) * 2.6
            x = LABEL_W + max(0.0, min(1.0, value)) * PLOT_W
            parts.append(
                f'<circle cx="{x:.1f}" cy="{mid + jitter:.1f}" r="4" '
                f'fill="{colour[system]}" fill-opacity="0.55"><title>{_e(doc_id)}: '
                f"{value:.3f}</title></circle>"
            )
        mean = means.get(system)
        if mean is not None:
            x = LABEL_W + max(0.0, min(1.0, mean)) * PLOT_W
            parts.append(
                f'<line x1="{x:.1f}" y1="{mid - 14:.1f}" x2="{x:.1f}" y2="{mid + 14:.1f}" '
                'stroke="#111827" stroke-width="2"/>'
            )
        summary = f"{mean:.3f} · n={len(points)}" if mean is not None else f"n={len(points)}"
        parts.append(
            f'<text x="{LABEL_W + PLOT_W + 10}" y="{mid + 4:.1f}" fill="#374151">'
            f"{_e(summary)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["colours", "legend", "metric_bars", "strip_plot"]
