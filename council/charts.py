"""Accessible SVG charts drawn on the server: spider web (radar), dot-and-interval chart and a small trend line.

Every chart is an <svg role="img"> named by its <title> and <desc> (aria-labelledby); the page shows the same numbers
in a table. Colours come from classes in the stylesheet (the Content-Security-Policy allows no inline styles) in the
Okabe-Ito palette, and every series also differs by marker shape and line pattern, so nothing relies on colour. The
drawing itself is left-to-right also on Arabic pages (numbers and axes read the same way); text inside is bidi-safe.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

Formatter = Callable[[float], str]

# marker shapes by series: circle, square, diamond, triangle; the stylesheet gives each series its colour and dash
SHAPES = ("circle", "square", "diamond", "triangle")
# the dot-and-interval chart marks the value with a circle and the reference (the municipality) with a diamond
INTERVAL_SHAPES = ("circle", "diamond")


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open(
    view_box: tuple[float, float, float, float], chart_id: str, title: str, description: str, kind: str
) -> list[str]:
    x, y, width, height = view_box
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lw-chart lw-chart--{kind}" '
        f'viewBox="{_number(x)} {_number(y)} {_number(width)} {_number(height)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" focusable="false" '
        f'preserveAspectRatio="xMidYMid meet">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]


def marker(shape: str, x: float, y: float, size: float, css: str) -> str:
    """A marker of one of SHAPES centred on (x, y)."""
    x, y, half = round(x, 1), round(y, 1), size / 2
    if shape == "square":
        return (
            f'<rect class="{css}" x="{_number(x - half)}" y="{_number(y - half)}" width="{_number(size)}" '
            f'height="{_number(size)}"/>'
        )
    if shape == "diamond":
        points = [(x, y - half * 1.3), (x + half * 1.3, y), (x, y + half * 1.3), (x - half * 1.3, y)]
        return f'<polygon class="{css}" points="{_points(points)}"/>'
    if shape == "triangle":
        points = [(x, y - half * 1.3), (x + half * 1.2, y + half), (x - half * 1.2, y + half)]
        return f'<polygon class="{css}" points="{_points(points)}"/>'
    return f'<circle class="{css}" cx="{_number(x)}" cy="{_number(y)}" r="{_number(half)}"/>'


def _points(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_number(x)},{_number(y)}" for x, y in points)


def _text(x: float, y: float, text: str, css: str, anchor: str = "start", size: float | None = None) -> str:
    font = f' font-size="{_number(size)}"' if size else ""
    # unicode-bidi via the stylesheet: an Arabic label keeps its own order inside the left-to-right drawing
    return (
        f'<text class="{css}" x="{_number(x)}" y="{_number(y)}" text-anchor="{anchor}"'
        f' dominant-baseline="middle"{font}>{escape(text)}</text>'
    )


def _shorten(text: str, limit: int) -> str:
    """Long labels end in an ellipsis inside the drawing; the table next to it has them in full."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Series:
    """One line of a chart: its name in the legend and a value per axis (None where missing or suppressed)."""

    label: str
    values: Sequence[float | None]


def legend(series_labels: Sequence[str], shapes: Sequence[str] | None = None) -> Markup:
    """The key to a chart's series as HTML (marker shape, line pattern and name), placed right under the chart;
    `shapes` when the chart marks its series otherwise than by SHAPES in order."""
    items = []
    for index, label in enumerate(series_labels):
        shape = shapes[index] if shapes else SHAPES[index % len(SHAPES)]
        items.append(
            f'<li><svg class="lw-chart__key lw-chart__series--{index}" viewBox="0 0 36 16" aria-hidden="true" '
            f'focusable="false"><line class="lw-chart__line" x1="2" y1="8" x2="34" y2="8"/>'
            f"{marker(shape, 18, 8, 9, 'lw-chart__marker')}</svg> {escape(label)}</li>"
        )
    return Markup(f'<ul class="lw-chart-legend">{"".join(items)}</ul>')


# --- spider web -------------------------------------------------------------------------------------------------

RADAR_SIZE = 360
RADAR_RADIUS = 120
RADAR_MARGIN = 130  # room beside the web for axis names in every language


def _radar_point(index: int, count: int, fraction: float) -> tuple[float, float]:
    angle = -math.pi / 2 + index * 2 * math.pi / count
    centre = RADAR_SIZE / 2
    return centre + fraction * RADAR_RADIUS * math.cos(angle), centre + fraction * RADAR_RADIUS * math.sin(angle)


def radar(
    axes: Sequence[str],
    series: Sequence[Series],
    *,
    low: float,
    high: float,
    title: str,
    description: str,
    chart_id: str,
    fmt: Formatter = _number,
    rings: int = 5,
) -> Markup:
    """A spider web of several series over the same axes, each on the scale low..high.

    A series with every value present is drawn as a closed shape; one with gaps only as markers at the values it
    has (a shape through a missing value would suggest a value that is not there).
    """
    count = len(axes)
    if count < 3:
        raise ValueError("a spider web needs at least three axes")
    span = (high - low) or 1.0
    parts = _open(
        (-RADAR_MARGIN, -24, RADAR_SIZE + 2 * RADAR_MARGIN, RADAR_SIZE + 48), chart_id, title, description, "radar"
    )
    parts.append('<g class="lw-chart__grid">')
    for ring in range(1, rings + 1):
        fraction = ring / rings
        parts.append(
            f'<polygon class="lw-chart__ring" points="'
            f'{_points([_radar_point(i, count, fraction) for i in range(count)])}"/>'
        )
        x, y = _radar_point(0, count, fraction)
        parts.append(_text(x + 4, y, fmt(low + span * fraction), "lw-chart__tick", "start", 11))
    for index in range(count):
        x, y = _radar_point(index, count, 1.0)
        parts.append(
            f'<line class="lw-chart__axis" x1="{RADAR_SIZE / 2:g}" y1="{RADAR_SIZE / 2:g}" '
            f'x2="{_number(x)}" y2="{_number(y)}"/>'
        )
    parts.append("</g>")
    for index, label in enumerate(axes):
        x, y = _radar_point(index, count, 1.12)
        centre = RADAR_SIZE / 2
        anchor = "middle" if abs(x - centre) < 5 else ("start" if x > centre else "end")
        parts.append(_text(x, y, _shorten(label, 24), "lw-chart__label", anchor, 14))
    for number, one in enumerate(series):
        shape = SHAPES[number % len(SHAPES)]
        parts.append(f'<g class="lw-chart__series lw-chart__series--{number}">')
        present = [(index, value) for index, value in enumerate(one.values) if value is not None]
        fractions = [(index, min(max((value - low) / span, 0.0), 1.0)) for index, value in present]
        if len(present) == count:
            parts.append(
                f'<polygon class="lw-chart__shape" points="'
                f'{_points([_radar_point(i, count, f) for i, f in fractions])}"/>'
            )
        for index, fraction in fractions:
            x, y = _radar_point(index, count, fraction)
            parts.append(marker(shape, x, y, 9, "lw-chart__marker"))
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


# --- dot and interval --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """One row of a dot-and-interval chart, on its own scale low..high (scales differ in range)."""

    label: str
    value: float | None
    lower: float | None
    upper: float | None
    low: float
    high: float
    reference: float | None = None  # e.g. the municipality's value, drawn as a second marker
    note: str = ""  # shown instead of a dot when there is no value ("suppressed", "no data")


INTERVAL_WIDTH = 760
LABEL_WIDTH = 330
ROW_HEIGHT = 34
PLOT_START, PLOT_END = LABEL_WIDTH + 30, INTERVAL_WIDTH - 30


def interval_chart(
    rows: Sequence[Interval], *, title: str, description: str, chart_id: str, fmt: Formatter = _number
) -> Markup:
    """Per row: the value as a dot, its 95% interval as a bar, an optional reference as a diamond, on the row's own
    scale whose ends are written at both sides. Rows without a value carry their note instead."""
    height = ROW_HEIGHT * len(rows) + 10
    parts = _open((0, 0, INTERVAL_WIDTH, height), chart_id, title, description, "interval")

    def x_of(row: Interval, value: float) -> float:
        span = (row.high - row.low) or 1.0
        return PLOT_START + (PLOT_END - PLOT_START) * min(max((value - row.low) / span, 0.0), 1.0)

    for index, row in enumerate(rows):
        y = 5 + ROW_HEIGHT * index + ROW_HEIGHT / 2
        parts.append('<g class="lw-chart__row">')
        parts.append(_text(LABEL_WIDTH, y, _shorten(row.label, 44), "lw-chart__label", "end", 14))
        parts.append(
            f'<line class="lw-chart__axis" x1="{PLOT_START}" y1="{_number(y)}" x2="{PLOT_END}" y2="{_number(y)}"/>'
        )
        parts.append(_text(PLOT_START - 6, y, fmt(row.low), "lw-chart__tick", "end", 11))
        parts.append(_text(PLOT_END + 6, y, fmt(row.high), "lw-chart__tick", "start", 11))
        if row.reference is not None:
            parts.append(
                f'<g class="lw-chart__series--1">'
                f"{marker('diamond', x_of(row, row.reference), y, 9, 'lw-chart__marker')}</g>"
            )
        if row.value is None:
            parts.append(_text((PLOT_START + PLOT_END) / 2, y - 9, row.note, "lw-chart__note", "middle", 12))
        else:
            parts.append('<g class="lw-chart__series--0">')
            if row.lower is not None and row.upper is not None:
                parts.append(
                    f'<line class="lw-chart__interval" x1="{_number(x_of(row, row.lower))}" '
                    f'y1="{_number(y)}" x2="{_number(x_of(row, row.upper))}" y2="{_number(y)}"/>'
                )
            parts.append(marker("circle", x_of(row, row.value), y, 10, "lw-chart__marker"))
            parts.append("</g>")
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


# --- trend -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    label: str  # the wave
    value: float | None
    lower: float | None = None
    upper: float | None = None
    note: str = ""  # for a missing value: why ("suppressed", "no data")


TREND_WIDTH, TREND_HEIGHT = 300, 200
CHAR_WIDTH = 0.6  # of the font size: a generous mean width of a character in the charts' sans-serif font
LABEL_SIZE, SMALLEST_LABEL = 13.0, 9.0


def _label_lines(text: str, width: float) -> tuple[list[str], float]:
    """A label in full, never cut: lines of whole words within `width`, in a smaller font (down to SMALLEST_LABEL)
    where a word is wider than that, and only a word too long even then broken across lines."""
    words = text.split() or [""]
    longest = max(len(word) for word in words)
    size = min(LABEL_SIZE, max(math.floor(width / (longest * CHAR_WIDTH) * 10) / 10, SMALLEST_LABEL))
    per_line = max(int(width / (size * CHAR_WIDTH)), 1)
    lines: list[str] = []
    for word in words:
        pieces = [word[start : start + per_line] for start in range(0, len(word), per_line)] or [""]
        for piece in pieces:
            if lines and piece is pieces[0] and len(lines[-1]) + 1 + len(piece) <= per_line:
                lines[-1] += " " + piece
            else:
                lines.append(piece)
    return lines, size


def _wrapped(x: float, y: float, lines: Sequence[str], size: float, css: str) -> str:
    spans = "".join(
        f'<tspan x="{_number(x)}" dy="{"0" if index == 0 else _number(size * 1.2)}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return (
        f'<text class="{css}" x="{_number(x)}" y="{_number(y)}" text-anchor="middle" dominant-baseline="middle"'
        f' font-size="{_number(size)}">{spans}</text>'
    )


TREND_LEFT, TREND_RIGHT, TREND_TOP, TREND_BOTTOM = 52, 288, 16, 148


def trend_chart(
    points: Sequence[TrendPoint],
    *,
    low: float,
    high: float,
    title: str,
    description: str,
    chart_id: str,
    target: float | None = None,
    target_label: str = "",
    fmt: Formatter = _number,
) -> Markup:
    """Values over waves with their 95% intervals as whiskers, joined where consecutive waves both have a value;
    the target as a dashed line. A wave without a value shows its note at the foot of the chart."""
    span = (high - low) or 1.0
    parts = _open((0, 0, TREND_WIDTH, TREND_HEIGHT), chart_id, title, description, "trend")

    def y_of(value: float) -> float:
        return TREND_BOTTOM - (TREND_BOTTOM - TREND_TOP) * min(max((value - low) / span, 0.0), 1.0)

    count = len(points)
    step = (TREND_RIGHT - TREND_LEFT) / count
    xs = [TREND_LEFT + step * (index + 0.5) for index in range(count)]
    parts.append('<g class="lw-chart__grid">')
    for fraction in (0.0, 0.5, 1.0):
        value = low + span * fraction
        y = y_of(value)
        parts.append(
            f'<line class="lw-chart__ring" x1="{TREND_LEFT}" y1="{_number(y)}" x2="{TREND_RIGHT}" y2="{_number(y)}"/>'
        )
        parts.append(_text(TREND_LEFT - 6, y, fmt(value), "lw-chart__tick", "end", 13))
    parts.append("</g>")
    if target is not None:
        y = y_of(target)
        parts.append(
            f'<g class="lw-chart__target"><line class="lw-chart__target-line" x1="{TREND_LEFT}" '
            f'y1="{_number(y)}" x2="{TREND_RIGHT}" y2="{_number(y)}"/>'
            f"{_text(TREND_RIGHT, y - 9, target_label, 'lw-chart__note', 'end', 13)}</g>"
        )
    parts.append('<g class="lw-chart__series lw-chart__series--0">')
    run: list[tuple[float, float]] = []
    lines = []
    for x, point in zip(xs, points, strict=True):
        if point.value is None:
            if len(run) > 1:
                lines.append(run)
            run = []
            continue
        run.append((x, y_of(point.value)))
    if len(run) > 1:
        lines.append(run)
    for line in lines:
        parts.append(f'<polyline class="lw-chart__line" points="{_points(line)}"/>')
    for x, point in zip(xs, points, strict=True):
        if point.value is None:
            continue
        if point.lower is not None and point.upper is not None:
            parts.append(
                f'<line class="lw-chart__interval" x1="{_number(x)}" y1="{_number(y_of(point.lower))}" '
                f'x2="{_number(x)}" y2="{_number(y_of(point.upper))}"/>'
            )
        parts.append(marker("circle", x, y_of(point.value), 9, "lw-chart__marker"))
    parts.append("</g>")
    labels = [_label_lines(point.label, step - 4) for point in points]
    below, notes = TREND_BOTTOM + 18, 0
    for x, point, (label, size) in zip(xs, points, labels, strict=True):
        parts.append(_wrapped(x, below, label, size, "lw-chart__tick"))
        if point.value is None and point.note:
            note, note_size = _label_lines(point.note, step - 4)
            parts.append(_wrapped(x, below + 20 + 16 * (len(label) - 1), note, note_size, "lw-chart__note"))
            notes = max(notes, len(note))
    extra = 16 * (max(len(lines) for lines, _size in labels) - 1) + 16 * max(notes - 1, 0)
    if extra:  # room for labels over more than one line
        parts[0] = parts[0].replace(
            f'viewBox="0 0 {TREND_WIDTH} {TREND_HEIGHT}"', f'viewBox="0 0 {TREND_WIDTH} {TREND_HEIGHT + extra}"'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


# --- status icons -------------------------------------------------------------------------------------------------

# a shape per status, next to the status in words: a tick in a circle, an equals sign in a diamond, a cross in a
# triangle, a dashed square for suppressed figures (crossed through where it protects a small group elsewhere), a
# dash in a circle where there is no target to judge against; a bare dash where there is no figure
_STATUS_SHAPES = {
    "on_target": '<circle cx="8" cy="8" r="7"/><path class="lw-status-icon__mark" d="M4.5 8.2l2.4 2.4 4.6-5"/>',
    "undecided": '<polygon points="8,1 15,8 8,15 1,8"/><path class="lw-status-icon__mark" d="M5 6.5h6M5 9.5h6"/>',
    "off_target": '<polygon points="8,1.5 15,14.5 1,14.5"/><path class="lw-status-icon__mark" d="M5.6 7.6l4.8 4.8'
    'M10.4 7.6l-4.8 4.8"/>',
    "suppressed": '<rect x="1.5" y="1.5" width="13" height="13"/>',
    "protected": '<rect x="1.5" y="1.5" width="13" height="13"/><path class="lw-status-icon__mark" d="M4.5 11.5l7-7"/>',
    "no_target": '<circle cx="8" cy="8" r="6.5"/><path class="lw-status-icon__mark" d="M5 8h6"/>',
}


def status_icon(status: str) -> Markup:
    """A small shape for an indicator status; decorative, since the status is always written next to it."""
    shape = _STATUS_SHAPES.get(status, '<path class="lw-status-icon__mark" d="M3 8h10"/>')
    return Markup(
        f'<svg class="lw-status-icon lw-status-icon--{escape(status)}" viewBox="0 0 16 16" '
        f'aria-hidden="true" focusable="false">{shape}</svg>'
    )


# --- scatter ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScatterPoint:
    label: str  # a short mark written beside the point (the wijk's number); the table names it in full
    x: float
    y: float


SCATTER_WIDTH, SCATTER_HEIGHT = 520, 400
SCATTER_LEFT, SCATTER_RIGHT, SCATTER_TOP, SCATTER_BOTTOM = 70, 490, 40, 340


def _ticks(low: float, high: float) -> tuple[float, float]:
    """A range around the values with a little room at both ends (or around a single value)."""
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.08
    return low - pad, high + pad


def scatter(
    points: Sequence[ScatterPoint],
    *,
    title: str,
    description: str,
    chart_id: str,
    x_label: str,
    y_label: str,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    fmt_x: Formatter = _number,
    fmt_y: Formatter = _number,
) -> Markup:
    """Each area as a marked point: output across, outcome up; axis names and ticks at both ends and the middle."""
    xs, ys = [p.x for p in points] or [0.0], [p.y for p in points] or [0.0]
    x_low, x_high = x_range or _ticks(min(xs), max(xs))
    y_low, y_high = y_range or _ticks(min(ys), max(ys))
    parts = _open((0, 0, SCATTER_WIDTH, SCATTER_HEIGHT), chart_id, title, description, "scatter")

    def x_of(value: float) -> float:
        return SCATTER_LEFT + (SCATTER_RIGHT - SCATTER_LEFT) * (value - x_low) / ((x_high - x_low) or 1.0)

    def y_of(value: float) -> float:
        return SCATTER_BOTTOM - (SCATTER_BOTTOM - SCATTER_TOP) * (value - y_low) / ((y_high - y_low) or 1.0)

    parts.append('<g class="lw-chart__grid">')
    for fraction in (0.0, 0.5, 1.0):
        x_value, y_value = x_low + (x_high - x_low) * fraction, y_low + (y_high - y_low) * fraction
        x, y = x_of(x_value), y_of(y_value)
        parts.append(
            f'<line class="lw-chart__ring" x1="{SCATTER_LEFT}" y1="{_number(y)}" x2="{SCATTER_RIGHT}" '
            f'y2="{_number(y)}"/>'
        )
        parts.append(_text(SCATTER_LEFT - 6, y, fmt_y(y_value), "lw-chart__tick", "end", 13))
        parts.append(
            f'<line class="lw-chart__ring" x1="{_number(x)}" y1="{SCATTER_TOP}" x2="{_number(x)}" '
            f'y2="{SCATTER_BOTTOM}"/>'
        )
        parts.append(_text(x, SCATTER_BOTTOM + 16, fmt_x(x_value), "lw-chart__tick", "middle", 13))
    parts.append("</g>")
    parts.append(
        _text((SCATTER_LEFT + SCATTER_RIGHT) / 2, SCATTER_BOTTOM + 42, x_label, "lw-chart__note", "middle", 13)
    )
    parts.append(_text(8, 14, y_label, "lw-chart__note", "start", 13))  # the indicator's name above its axis
    parts.append('<g class="lw-chart__series lw-chart__series--0">')
    for point in points:
        x, y = x_of(point.x), y_of(point.y)
        parts.append(marker("circle", x, y, 11, "lw-chart__marker"))
        parts.append(_text(x + 9, y - 9, point.label, "lw-chart__tick", "start", 13))
    parts.append("</g></svg>")
    return Markup("".join(parts))
