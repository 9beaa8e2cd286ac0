"""Horizontal bar charts as inline SVG: no script, no external file, prints as it shows."""

from __future__ import annotations

from html import escape

WIDTH, LABEL, BAR, GAP = 640, 230, 18, 6


def bar_chart(items: list[tuple[str, float]], percent: bool, lang: str = "en") -> str:
    """items: (label, value); values are shares (0..1) when percent, else amounts, written
    with the report language's separators (core/formatting.py)."""
    from pcd_screen.core import formatting

    top = max((value for _label, value in items), default=0) or 1
    scale = 1 if percent else top
    height = len(items) * (BAR + GAP) + GAP
    span = WIDTH - LABEL - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" font-family="sans-serif" font-size="12">'
    ]
    for index, (label, value) in enumerate(items):
        y = GAP + index * (BAR + GAP)
        width = round(span * min(value / scale, 1.0), 1)
        shown = formatting.percent(value, lang) if percent else formatting.number(value, lang)
        parts.append(
            f'<text x="{LABEL - 6}" y="{y + BAR - 5}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL}" y="{y}" width="{width}" height="{BAR}" fill="#3b6ea5"/>'
            f'<text x="{LABEL + width + 4}" y="{y + BAR - 5}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
