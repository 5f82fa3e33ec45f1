"""A match explanation drawn as a waterfall: one bar per factor, from the prior to the total.

Hand-written SVG rather than a charting library: the chart is a dozen rectangles whose
geometry is a running sum, it is drawn on every case page (Vega-Lite through vl-convert
costs a JavaScript engine start per chart), and it must carry its own accessible text (a
title, a description and one readable label per bar), which is simplest to guarantee
when we write each element ourselves. No inline style: classes only (the CSP forbids
inline styles); colours come from console.css.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

ROW = 26
LABEL_WIDTH = 420
CHART_WIDTH = 300
VALUE_WIDTH = 70


def probability_of(weight: float) -> float:
    """The probability a log2 match weight stands for."""
    odds = math.pow(2.0, max(min(weight, 60.0), -60.0))
    return odds / (1.0 + odds)


def render(lines: list[dict[str, Any]], *, ident: str, title: str, label_total: str) -> str:
    """An SVG waterfall of explanation lines (``text``, ``weight`` in log2 units).

    ``ident`` makes the title and description ids unique on a page of several charts.
    """
    if not lines:
        return ""
    running = 0.0
    bars: list[tuple[str, float, float, str]] = []
    for line in lines:
        start = running
        running += float(line["weight"])
        kind = "up" if float(line["weight"]) >= 0 else "down"
        bars.append((str(line.get("text", line.get("field", ""))), start, running, kind))
    bars.append((f"{label_total} ({probability_of(running):.1%})", 0.0, running, "total"))
    lo = min(0.0, *(min(s, e) for _, s, e, _ in bars))
    hi = max(0.0, *(max(s, e) for _, s, e, _ in bars))
    span = (hi - lo) or 1.0

    def x(value: float) -> float:
        return LABEL_WIDTH + (value - lo) / span * CHART_WIDTH

    height = ROW * len(bars) + 10
    width = LABEL_WIDTH + CHART_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="waterfall" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">'
        + escape("; ".join(f"{text}: {end - start:+.1f}" for text, start, end, _ in bars))
        + "</desc>",
        f'<line class="axis" x1="{x(0):.1f}" y1="0" x2="{x(0):.1f}" y2="{height}"/>',
    ]
    for i, (text, start, end, kind) in enumerate(bars):
        y = i * ROW + 4
        left, right = sorted((x(start), x(end)))
        shown = text if len(text) <= 62 else text[:61] + "…"
        parts.append(f'<text x="4" y="{y + 15}">{escape(shown)}</text>')
        parts.append(
            f'<rect class="{kind}" x="{left:.1f}" y="{y}" '
            f'width="{max(right - left, 1.5):.1f}" height="{ROW - 8}"/>'
        )
        value = end - start if kind != "total" else end
        parts.append(f'<text x="{LABEL_WIDTH + CHART_WIDTH + 6}" y="{y + 15}">{value:+.1f}</text>')
    parts.append("</svg>")
    return "".join(parts)
