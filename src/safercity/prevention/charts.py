"""Small inline SVG charts for the analyst's view: a line a month per crime type, and bars by
borough. Self-contained (no script, no fonts fetched), so they render anywhere and export as
PNG in the browser."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#505a5f")


def line_chart(title: str, labels: Sequence[str], series: Mapping[str, Sequence[int]]) -> str:
    width, height, left, bottom, top = 720, 260, 48, 36, 28
    top_value = max((max(v) for v in series.values() if v), default=0) or 1
    step = (width - left - 12) / max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return left + i * step

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / top_value)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        f'<text x="{left}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{y(0)}" x2="{width - 12}" y2="{y(0)}" stroke="#505a5f"/>',
        f'<text x="{left - 6}" y="{y(top_value) + 4}" text-anchor="end">{top_value}</text>',
        f'<text x="{left - 6}" y="{y(0) + 4}" text-anchor="end">0</text>',
    ]
    for i, label in enumerate(labels):
        if i % 6 == 0 or i == len(labels) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 14}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    for k, (name, values) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}">')
        parts.append(f"<title>{escape(name)}</title></polyline>")
        parts.append(
            f'<text x="{width - 14}" y="{top + 14 * (k + 1)}" text-anchor="end" '
            f'fill="{colour}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(title: str, values: Mapping[str, int], limit: int = 33) -> str:
    shown = list(values.items())[:limit]
    row, left, width = 18, 170, 720
    height = 30 + row * len(shown) + 10
    top_value = max((v for _, v in shown), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        f'<text x="4" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (name, value) in enumerate(shown):
        y = 28 + i * row
        length = (width - left - 60) * value / top_value
        parts.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(name)}</text>')
        parts.append(
            f'<rect x="{left}" y="{y + 2}" width="{length:.1f}" height="{row - 5}" fill="#1d70b8"/>'
        )
        parts.append(f'<text x="{left + length + 4:.1f}" y="{y + 12}">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)
