"""The dashboard's inline SVG charts: every bar and point carries its figure, the axis
labels are exact, and text is escaped."""

from __future__ import annotations

import re

from edge.dashboard.charts import bar_chart, line_chart


def labels(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end">([^<]*)<', svg)


def test_a_bar_chart_has_a_bar_per_value_with_its_title() -> None:
    svg = str(bar_chart([("09", 1250), ("10", 0), ("11", 499)], title="Sales by hour"))
    assert svg.startswith('<svg class="chart"') and 'role="img"' in svg
    assert "<title" in svg and "Sales by hour</title>" in svg
    assert re.findall(r'data-value="(-?\d+)"', svg) == ["1250", "0", "499"]
    assert "<title>09: 1250</title>" in svg


def test_axis_labels_are_four_equal_exact_steps() -> None:
    assert labels(str(line_chart([("a", 5), ("b", 1)], title="t"))) == ["0", "2", "4", "6", "8"]
    assert labels(str(bar_chart([("a", 1250)], title="t"))) == [
        "0", "500", "1000", "1500", "2000",
    ]  # fmt: skip


def test_a_negative_value_is_drawn_as_nothing_but_still_read() -> None:
    svg = str(bar_chart([("returns", -300)], title="t", label=lambda v: f"{v / 100:.2f}"))
    assert 'height="0.0"' in svg and "<title>returns: -3.00</title>" in svg


def test_text_is_escaped() -> None:
    svg = str(bar_chart([("<b>", 1)], title="a & <b>"))
    assert "<b>" not in svg and ">&lt;b&gt;</text>" in svg
    assert "a &amp; &lt;b&gt;" in svg
