"""Small server-rendered SVG bar charts for the supervisor's page.

Hand-written, like the waterfall (see waterfall.py): a handful of rectangles each, an
accessible title and description, classes instead of inline styles (the CSP), and no
JavaScript engine to start per chart (Vega-Lite through vl-convert would need one).
"""

from __future__ import annotations

from html import escape

ROW = 24
LABEL_WIDTH = 220
BAR_WIDTH = 320
VALUE_WIDTH = 120


def bars(items: list[tuple[str, float, str]], *, ident: str, title: str) -> str:
    """Horizontal bars: (label, value, value as text) each; empty string for no data."""
    if not items:
        return ""
    top = max(value for _, value, _ in items) or 1.0
    height = ROW * len(items) + 6
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">'
        + escape("; ".join(f"{label}: {text}" for label, _, text in items))
        + "</desc>",
    ]
    for i, (label, value, text) in enumerate(items):
        y = i * ROW + 3
        length = max(value, 0.0) / top * BAR_WIDTH
        shown = label if len(label) <= 30 else label[:29] + "…"
        parts.append(f'<text x="4" y="{y + 15}">{escape(shown)}</text>')
        parts.append(
            f'<rect class="bar" x="{LABEL_WIDTH}" y="{y}" width="{max(length, 1.0):.1f}" '
            f'height="{ROW - 8}"/>'
        )
        parts.append(f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 15}">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)
