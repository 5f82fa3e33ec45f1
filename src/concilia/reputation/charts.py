"""A server-rendered SVG column chart (no JavaScript, classes instead of inline styles)."""

from __future__ import annotations

from datetime import date
from html import escape

HEIGHT = 120
COLUMN = 8


def daily_columns(
    series: list[tuple[date, int]], *, ident: str, title: str, alerts: set[date]
) -> str:
    """One column per day; spike days get the class ``alert``. Empty string for no data."""
    if not series or not any(n for _, n in series):
        return ""
    top = max(n for _, n in series) or 1
    width = COLUMN * len(series) + 40
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'viewBox="0 0 {width} {HEIGHT + 20}" width="{width}" height="{HEIGHT + 20}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">'
        + escape("; ".join(f"{d.isoformat()}: {n}" for d, n in series if n))
        + "</desc>",
        f'<text x="0" y="10">{top}</text>',
    ]
    for i, (day, n) in enumerate(series):
        h = n / top * HEIGHT
        css = "bar alert" if day in alerts else "bar"
        parts.append(
            f'<rect class="{css}" x="{30 + i * COLUMN}" y="{HEIGHT - h + 10:.1f}" '
            f'width="{COLUMN - 2}" height="{max(h, 0.5):.1f}"><title>{day.isoformat()}: {n}'
            "</title></rect>"
        )
    parts.append(
        f'<text x="30" y="{HEIGHT + 20}">{series[0][0].isoformat()}</text>'
        f'<text x="{width - 70}" y="{HEIGHT + 20}">{series[-1][0].isoformat()}</text></svg>'
    )
    return "".join(parts)
