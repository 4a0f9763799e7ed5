"""The SVG charts: what they draw, the table beside them, and that no text escapes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from calmdesk.charts.svg import Series, bar_chart, line_chart, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


def _svg(figure: str) -> ET.Element:
    start, end = figure.index("<svg"), figure.index("</svg>") + len("</svg>")
    return ET.fromstring(figure[start:end])


@pytest.mark.parametrize(
    "value,top,step",
    [
        (0, 1.0, 0.25),
        (-3, 1.0, 0.25),
        (1, 1.0, 0.25),
        (7, 8, 2),
        (10, 10, 2.5),
        (95, 100, 25),
        (101, 200, 50),
        (0.3, 0.4, 0.1),
        (1234, 2000, 500),
    ],
)
def test_nice_ceiling_gives_round_ticks(value, top, step):
    assert nice_ceiling(value) == pytest.approx((top, step))


def test_bar_chart_stacks_series_and_lists_the_figures():
    figure = bar_chart(
        "Volume", ["Mon", "Tue"], [Series("New", [3, 1]), Series("Closed", [2, None])]
    )
    svg = _svg(figure)
    bars = svg.findall(f".//{SVG}rect[@class='chart-s0']") + svg.findall(
        f".//{SVG}rect[@class='chart-s1']"
    )
    # Three bars with a value (None draws nothing) and two legend keys.
    assert len(bars) == 5
    assert svg.find(f"{SVG}title").text == "Volume"
    assert "<caption>Volume</caption>" in figure
    assert '<tr><th scope="row">Mon</th><td>3</td><td>2</td></tr>' in figure
    assert '<tr><th scope="row">Tue</th><td>1</td><td>–</td></tr>' in figure
    assert svg.get("role") == "img"


def test_line_chart_breaks_at_missing_points():
    figure = line_chart("Median", ["a", "b", "c", "d"], [Series("First", [1, 2, None, 4])])
    svg = _svg(figure)
    # The run a-b is a line; d stands alone as a dot.
    assert len(svg.findall(f".//{SVG}polyline")) == 1
    assert len(svg.findall(f".//{SVG}circle")) == 3


def test_every_text_is_escaped():
    evil = '<script>alert("x")</script> & "q"'
    for chart in (bar_chart, line_chart):
        figure = chart(evil, [evil], [Series(evil, [1])], unit=evil, desc=evil)
        assert "<script>" not in figure
        assert "&lt;script&gt;" in figure
        _svg(figure)  # still well-formed XML


def test_empty_data_draws_axes_and_says_so():
    for chart in (bar_chart, line_chart):
        figure = chart("Nothing", [], [])
        svg = _svg(figure)
        assert svg.find(f"{SVG}desc").text == "No data for this period."
        assert "<tbody></tbody>" in figure


def test_one_point():
    figure = line_chart("One", ["Mon"], [Series("Replies", [5])])
    svg = _svg(figure)
    assert len(svg.findall(f".//{SVG}circle")) == 1
    assert not svg.findall(f".//{SVG}polyline")
    circle = svg.find(f".//{SVG}circle")
    assert float(circle.get("cx")) > 48  # in the middle of the plot, not on the axis
    bar = bar_chart("One", ["Mon"], [Series("New", [5])])
    assert len(_svg(bar).findall(f".//{SVG}rect")) == 2  # the bar and its legend key


def test_output_is_deterministic_and_ids_differ_by_content():
    one = bar_chart("V", ["a"], [Series("n", [1])])
    assert one == bar_chart("V", ["a"], [Series("n", [1])])
    other = bar_chart("V", ["a"], [Series("n", [2])])
    assert _svg(one).find(f"{SVG}title").get("id") != _svg(other).find(f"{SVG}title").get("id")


def test_many_labels_are_thinned_on_the_axis_but_all_in_the_table():
    labels = [f"d{n}" for n in range(30)]
    figure = bar_chart("Month", labels, [Series("New", list(range(30)))])
    axis_labels = [
        t.text for t in _svg(figure).findall(f".//{SVG}g[@class='chart-axes']/{SVG}text")
    ]
    assert "d29" not in axis_labels and "d0" in axis_labels
    assert all(f'<th scope="row">{label}</th>' in figure for label in labels)
