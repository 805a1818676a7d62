"""Server-side SVG charts of the key figures. Pure: series in, SVG text out.

The charts need no JavaScript, no fonts or stylesheets from elsewhere and no external assets:
every SVG is one self-contained document with `<title>` and `<desc>` (the description lists
every value, so a screen reader or a text browser gets the data), axis labels and
`role="img"`. A line joins two points only when their years are consecutive, so a gap in a
series (1990, 2000, 2005, 2010–2019) is never bridged by a line that suggests values the source
does not give; every point is drawn as a marker, so a series of one point is visible too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from .numbers import babel_decimal, decimal_text

WIDTH, HEIGHT = 640, 360
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 72, 24, 48, 64
PALETTE = ("#1b6ca8", "#c0392b", "#2e8540", "#8e44ad", "#d35400", "#16a085", "#7f6000", "#555555")
FONT = "font-family=\"sans-serif\""


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[tuple[int, str], ...]  # (year, value text exactly as published)


@dataclass(frozen=True)
class Labels:
    """The texts of a chart, in one language."""

    title: str
    description: str
    x_axis: str
    y_axis: str  # usually the unit
    lang: str = "sv"  # the numbers on the axes are written as this language writes them


def nice_step(span: float, target: int = 5) -> float:
    """A 1-2-5 step that cuts `span` into about `target` intervals."""
    if span <= 0:
        return 1.0
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def value_ticks(low: float, high: float) -> list[float]:
    """Ticks from a round number at or below min(0, low) to one at or above high."""
    low, high = min(0.0, low), max(0.0, high)
    if low == high:
        high = low + 1
    step = nice_step(high - low)
    start = math.floor(low / step) * step
    ticks, t = [], start
    while t < high - 1e-9 * step:
        ticks.append(round(t, 10))
        t += step
    ticks.append(round(t, 10))
    return ticks


def year_ticks(first: int, last: int, max_labels: int = 8) -> list[int]:
    if first == last:
        return [first]
    for step in (1, 2, 5, 10, 20, 50):
        if (last - first) // step + 1 <= max_labels:
            break
    start = math.ceil(first / step) * step
    ticks = list(range(start, last + 1, step))
    return ticks or [first, last]


def format_number(value: float, lang: str = "sv") -> str:
    """An axis label as the chart's language writes numbers (CLDR): '0,5' and '1 000' in
    Swedish, '0.5' and '1,000' in English; a year axis has no grouping."""
    return format_published(f"{value:.10f}".rstrip("0").rstrip("."), lang)


def format_published(value: str, lang: str = "sv") -> str:
    """A value as published ('1.23'), every digit kept, with the language's decimal sign."""
    text = decimal_text(str(value), lang)
    return text if text is not None else babel_decimal(Decimal(value), lang)  # NaN, Infinity; or raises


def runs(points: tuple[tuple[int, str], ...]) -> list[list[tuple[int, str]]]:
    """Split a series into runs of consecutive years."""
    out: list[list[tuple[int, str]]] = []
    for year, value in sorted(points):
        if out and out[-1][-1][0] == year - 1:
            out[-1].append((year, value))
        else:
            out.append([(year, value)])
    return out


def _open(ident: str, labels: Labels, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(labels.title)}</title>',
        f'<desc id="{ident}-desc">{escape(labels.description)}</desc>',
        f'<rect class="background" x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text class="chart-title" x="{width / 2:.1f}" y="24" text-anchor="middle" {FONT} '
        f'font-size="15" font-weight="bold" fill="#111111">{escape(labels.title)}</text>',
    ]


def line_chart(ident: str, series: list[Series], labels: Labels) -> str:
    """A line chart of one or more series over years; `ident` makes the element ids unique."""
    points = [(y, float(Decimal(v))) for s in series for y, v in s.points]
    if not points:
        raise ValueError("a chart needs at least one point")
    first, last = min(y for y, _ in points), max(y for y, _ in points)
    ticks = value_ticks(min(v for _, v in points), max(v for _, v in points))
    left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, HEIGHT - MARGIN_BOTTOM
    pad = 16  # keep the first and last point off the axes

    def x(year: int) -> float:
        if first == last:
            return (left + right) / 2
        return left + pad + (year - first) * (right - left - 2 * pad) / (last - first)

    def y(value: float) -> float:
        return bottom - (value - ticks[0]) * (bottom - top) / (ticks[-1] - ticks[0])

    # the legend: four names a row when they fit (as always), fewer when names are long; rows below
    spacing = max(140, int(max(len(s.name) for s in series) * 6.5) + 24)
    per_row = max(1, min(4, (WIDTH - left) // spacing))
    legend_rows = math.ceil(len(series) / per_row) if len(series) > 1 else 0
    out = _open(ident, labels, WIDTH, HEIGHT + 16 * max(0, legend_rows - 1))
    out.append(f'<g class="axis y-axis" {FONT} font-size="11" fill="#333333">')
    for t in ticks:
        out.append(f'<line x1="{left}" y1="{y(t):.1f}" x2="{right}" y2="{y(t):.1f}" stroke="#dddddd"/>')
        out.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{format_number(t, labels.lang)}</text>')
    out.append(f'<line class="axis-line" x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#333333"/>')
    out.append(f'<text class="axis-label" transform="translate(16 {(top + bottom) / 2:.1f}) rotate(-90)" '
               f'text-anchor="middle" font-size="12">{escape(labels.y_axis)}</text>')
    out.append("</g>")
    out.append(f'<g class="axis x-axis" {FONT} font-size="11" fill="#333333">')
    out.append(f'<line class="axis-line" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#333333"/>')
    for year in year_ticks(first, last):
        out.append(f'<line x1="{x(year):.1f}" y1="{bottom}" x2="{x(year):.1f}" y2="{bottom + 5}" stroke="#333333"/>')
        out.append(f'<text x="{x(year):.1f}" y="{bottom + 18}" text-anchor="middle">{year}</text>')
    out.append(f'<text class="axis-label" x="{(left + right) / 2:.1f}" y="{HEIGHT - 30}" '
               f'text-anchor="middle" font-size="12">{escape(labels.x_axis)}</text>')
    out.append("</g>")
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        out.append(f'<g class="series" data-name={quoteattr(s.name)} stroke="{colour}" fill="{colour}">')
        for run in runs(s.points):
            if len(run) > 1:
                coords = " ".join(f"{x(yr):.1f},{y(float(Decimal(v))):.1f}" for yr, v in run)
                out.append(f'<polyline class="line" points="{coords}" fill="none" stroke-width="2"/>')
        for yr, v in sorted(s.points):
            out.append(f'<circle class="point" cx="{x(yr):.1f}" cy="{y(float(Decimal(v))):.1f}" r="3.5">'
                       f"<title>{escape(s.name)} {yr}: {escape(v)}</title></circle>")
        out.append("</g>")
    if len(series) > 1:
        out.append(f'<g class="legend" {FONT} font-size="11" fill="#333333">')
        for i, s in enumerate(series):
            lx = left + (i % per_row) * spacing
            ly = HEIGHT - 12 + (i // per_row) * 16
            out.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>')
            out.append(f'<text x="{lx + 14}" y="{ly}">{escape(s.name)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def bar_chart(ident: str, bars: list[tuple[str, str]], labels: Labels) -> str:
    """Horizontal bars (name, value text), largest first: municipalities compared for one year."""
    if not bars:
        raise ValueError("a chart needs at least one bar")
    bars = sorted(bars, key=lambda b: (-Decimal(b[1]), b[0]))
    values = [float(Decimal(v)) for _, v in bars]
    ticks = value_ticks(min(values), max(values))
    row = 28
    height = MARGIN_TOP + row * len(bars) + MARGIN_BOTTOM
    left, right = 150, WIDTH - MARGIN_RIGHT - 56
    top, bottom = MARGIN_TOP, MARGIN_TOP + row * len(bars)

    def x(value: float) -> float:
        return left + (value - ticks[0]) * (right - left) / (ticks[-1] - ticks[0])

    out = _open(ident, labels, WIDTH, height)
    out.append(f'<g class="axis x-axis" {FONT} font-size="11" fill="#333333">')
    for t in ticks:
        out.append(f'<line x1="{x(t):.1f}" y1="{top}" x2="{x(t):.1f}" y2="{bottom}" stroke="#dddddd"/>')
        tick = format_number(t, labels.lang)
        out.append(f'<text x="{x(t):.1f}" y="{bottom + 16}" text-anchor="middle">{tick}</text>')
    out.append(f'<line class="axis-line" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#333333"/>')
    out.append(f'<text class="axis-label" x="{(left + right) / 2:.1f}" y="{bottom + 36}" '
               f'text-anchor="middle" font-size="12">{escape(labels.x_axis)}</text>')
    out.append("</g>")
    out.append(f'<g class="axis y-axis" {FONT} font-size="12" fill="#333333">')
    out.append(f'<line class="axis-line" x1="{x(0):.1f}" y1="{top}" x2="{x(0):.1f}" y2="{bottom}" stroke="#333333"/>')
    for i, (name, _) in enumerate(bars):
        ty = top + i * row + row / 2 + 4
        out.append(f'<text x="{left - 8}" y="{ty:.1f}" text-anchor="end">{escape(name)}</text>')
    out.append(f'<text class="axis-label" x="8" y="{top - 8}" font-size="12">{escape(labels.y_axis)}</text>')
    out.append("</g>")
    out.append(f'<g class="series bars" fill="{PALETTE[0]}" {FONT} font-size="11">')
    for i, (name, v) in enumerate(bars):
        value = float(Decimal(v))
        shown = format_published(v, labels.lang)
        x0, x1 = sorted((x(0), x(value)))
        out.append(f'<rect class="bar" x="{x0:.1f}" y="{top + i * row + 5}" width="{max(x1 - x0, 1):.1f}" '
                   f'height="{row - 10}"><title>{escape(name)}: {escape(shown)}</title></rect>')
        out.append(f'<text x="{x1 + 4:.1f}" y="{top + i * row + row / 2 + 4:.1f}" fill="#111111">'
                   f'{escape(shown)}</text>')
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
