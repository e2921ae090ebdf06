"""Charts as inline SVG drawn on the server: no script, no library, readable on a tablet and
printable. Each is an `<svg role="img">` with a `<title>` (what it shows) and, per bar or
point, a `<title>` with its label and value, so a screen reader and a hover both read the
figures; the numbers themselves are in the page's tables too.

`bar_chart([("09", 1250), ...], title=..., label=fmt)`: one bar per (label, value) in order,
values in any integer unit (minor units, counts), negatives drawn as zero-height bars with
their value in the tooltip. `line_chart([("09:05", 12), ...], ...)`: a polyline through the
points in order. `label` formats a value for the axis and tooltips.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 14, 30


def _id(title: str, points: Sequence[tuple[str, int]]) -> str:
    digest = hashlib.sha1(repr((title, list(points))).encode(), usedforsecurity=False)
    return "chart-" + digest.hexdigest()[:10]


def _scale(values: Sequence[int]) -> int:
    """A round top for the axis: 1, 2 or 5 times a power of ten, at least the largest."""
    top = max([1, *values])
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= top:
                return step * factor
        step *= 10


def _frame(chart_id: str, title: str, top: int, label: Callable[[int], str], body: str) -> Markup:
    plot_h = HEIGHT - TOP - BOTTOM
    grid = []
    for i in range(5):
        value = top * i // 4
        y = TOP + plot_h - plot_h * i / 4
        grid.append(
            f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke-opacity="{1 if i == 0 else 0.25}"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(label(value))}</text>'
        )
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{"".join(grid)}{body}</svg>'
    )


def bar_chart(
    bars: Sequence[tuple[str, int]], *, title: str, label: Callable[[int], str] = str
) -> Markup:
    """Bars in the order given (see the module's docstring)."""
    chart_id = _id(title, bars)
    top = _scale([value for _, value in bars])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(bars))
    parts = []
    for i, (name, value) in enumerate(bars):
        height = plot_h * max(0, value) / top
        x = LEFT + i * slot + slot * 0.15
        y = TOP + plot_h - height
        parts.append(
            f"<g><title>{escape(name)}: {escape(label(value))}</title>"
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{height:.1f}" data-label="{escape(name)}" data-value="{value}"/></g>'
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - 10}" text-anchor="middle">'
            f"{escape(name)}</text>"
        )
    return _frame(chart_id, title, top, label, "".join(parts))


def line_chart(
    points: Sequence[tuple[str, int]], *, title: str, label: Callable[[int], str] = str
) -> Markup:
    """A line through the points in the order given, at most 12 labels along the bottom."""
    chart_id = _id(title, points)
    top = _scale([value for _, value in points])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(points) - 1)
    every = max(1, len(points) // 12)
    coords, marks = [], []
    for i, (name, value) in enumerate(points):
        x = LEFT + i * step
        y = TOP + plot_h - plot_h * max(0, value) / top
        coords.append(f"{x:.1f},{y:.1f}")
        marks.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="bar" data-label="{escape(name)}" '
            f'data-value="{value}"><title>{escape(name)}: {escape(label(value))}</title></circle>'
        )
        if i % every == 0:
            marks.append(
                f'<text x="{x:.1f}" y="{HEIGHT - 10}" text-anchor="middle">{escape(name)}</text>'
            )
    line = f'<polyline class="line" points="{" ".join(coords)}"/>' if len(coords) > 1 else ""
    return _frame(chart_id, title, top, label, line + "".join(marks))
