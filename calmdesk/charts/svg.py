"""Small server-side SVG charts: stacked bars and lines over labelled points, with axes,
ticks, a title, an accessible ``<title>``/``<desc>`` and the same numbers as a table
below (screen readers and anyone who wants the figures). Every text is escaped; the same
input gives the same bytes (ids come from a hash of the content, not a counter), so a
page can be cached and a test can compare output.

The result is a ``SafeString`` of one ``<figure>``: a template puts it in with
``{{ chart }}``. Colours come from classes (``chart-s0`` …) with a fill in the markup
as a fallback, so a chart reads without the stylesheet."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# A calm palette that keeps its order distinguishable for common colour blindness
# (Okabe & Ito 2008, "Color Universal Design").
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999")

WIDTH = 640
HEIGHT = 240
# Room for the tick labels left, the x labels below and the title above, in SVG units.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 12, 28, 44
# Tick labels on the x axis are thinned to about this many, so they never overlap.
MAX_X_LABELS = 8
Y_TICKS = 4


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class _Frame:
    """The plotting area and the y scale shared by both kinds of chart."""

    width: int
    height: int
    top: float
    step: float

    @property
    def left(self) -> int:
        return MARGIN_LEFT

    @property
    def bottom(self) -> int:
        return self.height - MARGIN_BOTTOM

    @property
    def plot_width(self) -> int:
        return self.width - MARGIN_LEFT - MARGIN_RIGHT

    @property
    def plot_height(self) -> int:
        return self.height - MARGIN_TOP - MARGIN_BOTTOM

    def y(self, value: float) -> float:
        return self.bottom - (value / self.top) * self.plot_height if self.top else self.bottom


def nice_ceiling(value: float, ticks: int = Y_TICKS) -> tuple[float, float]:
    """The top of the y axis and the tick step: a step of 1, 2 or 5 times a power of ten,
    so the ticks read as round numbers. Zero or less gives an axis from 0 to 1."""
    if value <= 0 or not math.isfinite(value):
        return 1.0, 1.0 / ticks
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return step * ticks, step


def _num(value: float) -> str:
    """A coordinate or figure, short and stable: no trailing zeros, no '-0'."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    return f"{_num(value)}{unit}"


def _chart_id(kind: str, title: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    digest = hashlib.sha1(repr((kind, title, list(labels), series)).encode()).hexdigest()
    return f"chart-{digest[:10]}"


def _color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _axes(frame: _Frame, labels: Sequence[str], unit: str, centered: bool) -> list[str]:
    parts = [
        '<g class="chart-axes" font-size="11" fill="#555">',
        f'<line x1="{frame.left}" y1="{frame.bottom}" x2="{frame.left + frame.plot_width}" '
        f'y2="{frame.bottom}" stroke="#999"/>',
    ]
    for number in range(round(frame.top / frame.step) + 1):
        tick = number * frame.step
        y = _num(frame.y(tick))
        parts.append(
            f'<line x1="{frame.left}" y1="{y}" x2="{frame.left + frame.plot_width}" y2="{y}" '
            f'stroke="#e5e5e5"/>'
            f'<text x="{frame.left - 6}" y="{y}" text-anchor="end" dominant-baseline="middle">'
            f"{escape(_fmt(tick, unit))}</text>"
        )
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    for index, label in enumerate(labels):
        if index % every:
            continue
        x = _x(frame, index, len(labels), centered)
        parts.append(
            f'<text x="{_num(x)}" y="{frame.bottom + 16}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append("</g>")
    return parts


def _x(frame: _Frame, index: int, count: int, centered: bool) -> float:
    """Where point ``index`` sits: the middle of its slot for bars; for lines, spread from
    edge to edge (one point sits in the middle)."""
    if centered or count < 2:
        return frame.left + (index + 0.5) * frame.plot_width / max(count, 1)
    return frame.left + index * frame.plot_width / (count - 1)


def _legend(series: Sequence[Series], frame: _Frame) -> list[str]:
    parts = ['<g class="chart-legend" font-size="11" fill="#333">']
    x = float(frame.left)
    y = frame.height - 10
    for index, one in enumerate(series):
        parts.append(
            f'<rect class="chart-s{index}" x="{_num(x)}" y="{y - 9}" width="10" height="10" '
            f'fill="{_color(index)}"/>'
            f'<text x="{_num(x + 14)}" y="{y}">{escape(one.name)}</text>'
        )
        x += 24 + 7 * len(one.name)
    parts.append("</g>")
    return parts


def _table(
    chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series], unit: str
) -> str:
    head = "".join(f'<th scope="col">{escape(one.name)}</th>' for one in series)
    rows = []
    for index, label in enumerate(labels):
        cells = "".join(f"<td>{escape(_fmt(_at(one.values, index), unit))}</td>" for one in series)
        rows.append(f'<tr><th scope="row">{escape(label)}</th>{cells}</tr>')
    return (
        f'<details class="chart-table"><summary>{escape(_("Figures as a table"))}</summary>'
        f'<table id="{chart_id}-table"><caption>{escape(title)}</caption>'
        f'<thead><tr><th scope="col"></th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></details>"
    )


def _at(values: Sequence[float | None], index: int) -> float | None:
    return values[index] if index < len(values) else None


def _wrap(
    kind: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    frame: _Frame,
    body: list[str],
    unit: str,
) -> SafeString:
    chart_id = _chart_id(kind, title, labels, series)
    svg = [
        f'<svg class="chart chart-{kind}" viewBox="0 0 {frame.width} {frame.height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<text x="{frame.left}" y="16" font-size="13" font-weight="600" fill="#222">'
        f"{escape(title)}</text>",
        *_axes(frame, labels, unit, centered=kind == "bar"),
        *body,
        *_legend(series, frame),
        "</svg>",
    ]
    table = _table(chart_id, title, labels, series, unit)
    # Every text above went through escape().
    return mark_safe(f'<figure class="chart-figure" id="{chart_id}">{"".join(svg)}{table}</figure>')


def _describe(labels: Sequence[str], series: Sequence[Series], desc: str | None) -> str:
    if desc is not None:
        return desc
    if not labels or not series:
        return _("No data for this period.")
    return _("%(series)s from %(first)s to %(last)s.") % {
        "series": ", ".join(one.name for one in series),
        "first": labels[0],
        "last": labels[-1],
    }


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    desc: str | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SafeString:
    """Stacked bars, one per label; each series a layer, bottom first. ``None`` stacks as 0."""
    totals = [sum(_at(one.values, i) or 0 for one in series) for i in range(len(labels))]
    top, step = nice_ceiling(max(totals, default=0))
    frame = _Frame(width, height, top, step)
    slot = frame.plot_width / max(len(labels), 1)
    bar = max(1.0, slot * 0.7)
    body = ['<g class="chart-bars">']
    for index, label in enumerate(labels):
        base = 0.0
        x = _x(frame, index, len(labels), centered=True) - bar / 2
        for number, one in enumerate(series):
            value = _at(one.values, index) or 0
            if value <= 0:
                continue
            y_top, y_base = frame.y(base + value), frame.y(base)
            body.append(
                f'<rect class="chart-s{number}" x="{_num(x)}" y="{_num(y_top)}" '
                f'width="{_num(bar)}" height="{_num(y_base - y_top)}" fill="{_color(number)}">'
                f"<title>{escape(label)} · {escape(one.name)}: {escape(_fmt(value, unit))}"
                "</title></rect>"
            )
            base += value
    body.append("</g>")
    text = _describe(labels, series, desc)
    return _wrap("bar", title, text, labels, series, frame, body, unit)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    desc: str | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SafeString:
    """One line per series; a ``None`` value breaks the line (no data is not zero)."""
    values = [v for one in series for v in one.values if v is not None]
    top, step = nice_ceiling(max(values, default=0))
    frame = _Frame(width, height, top, step)
    body = ['<g class="chart-lines" fill="none" stroke-width="2">']
    for number, one in enumerate(series):
        runs: list[list[str]] = [[]]
        dots = []
        for index in range(len(labels)):
            value = _at(one.values, index)
            if value is None:
                runs.append([])
                continue
            x = _num(_x(frame, index, len(labels), centered=False))
            y = _num(frame.y(value))
            runs[-1].append(f"{x},{y}")
            dots.append(
                f'<circle cx="{x}" cy="{y}" r="2.5" fill="{_color(number)}">'
                f"<title>{escape(labels[index])} · {escape(one.name)}: "
                f"{escape(_fmt(value, unit))}</title></circle>"
            )
        for run in runs:
            if len(run) > 1:
                body.append(
                    f'<polyline class="chart-s{number}" points="{" ".join(run)}" '
                    f'stroke="{_color(number)}"/>'
                )
        body.extend(dots)
    body.append("</g>")
    text = _describe(labels, series, desc)
    return _wrap("line", title, text, labels, series, frame, body, unit)
