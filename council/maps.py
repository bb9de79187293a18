"""The map of a municipality's wijken, coloured and patterned by an indicator's status: an inline accessible SVG.

No map library and no tiles: the boundaries come from the database (geography/boundaries.py), are projected with a
simple equirectangular projection (longitude scaled by the cosine of the latitude, which is exact enough at the scale
of a municipality) and drawn as paths. The page that shows the map also shows a table with the same figures.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from itertools import count
from typing import Any

from flask import g, has_app_context
from flask_babel import gettext as _
from markupsafe import Markup, escape

from council.indicators import Status
from models import District, Municipality

WIDTH = 400.0  # viewBox units; the SVG scales to its box (CSS), text scales with it
MAX_MAP_HEIGHT = 400.0
PADDING = 8.0
LEGEND_ROW = 26.0
SWATCH = 18.0
LABEL_EM = 15.0  # the labels' font size in CSS (.lw-map__label)
LINE = 18.0  # between the lines of a wrapped legend entry
LEGEND_CHARACTERS = 42  # about as many characters of legend text as fit beside a swatch
NUMBER_CLASS = ' class="lw-map__number"'
# Statuses in the order the legend lists them: good to bad, then the ones without a verdict.
ORDER = (
    Status.on_target,
    Status.undecided,
    Status.off_target,
    Status.no_target,
    Status.suppressed,
    Status.protected,
    Status.no_data,
)
_fallback_ids = count(1)


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    geometry: dict | None  # a GeoJSON Polygon or MultiPolygon in WGS84, or None when none was loaded


def map_areas(municipality: Municipality) -> list[MapArea]:
    """The municipality's wijken with their stored boundaries, by code."""
    districts: list[District] = sorted(municipality.districts, key=lambda district: district.code)
    return [MapArea(code=district.code, name=district.name, geometry=district.boundary) for district in districts]


def status_label(status: Status) -> str:
    """The words for a status, as the map's legend shows them (translated)."""
    return {
        Status.on_target: _("Clearly on target"),
        Status.undecided: _("Not distinguishable from target"),
        Status.off_target: _("Clearly short of target"),
        Status.suppressed: _("Suppressed: too few respondents"),
        Status.protected: _("Suppressed: protects a small group elsewhere"),
        Status.no_data: _("No figure"),
        Status.no_target: _("No target set"),
    }[status]


def _polygons(geometry: dict | None) -> list[list[list[tuple[float, float]]]]:
    """The polygons of a geometry as lists of rings of (lon, lat); [] for anything that is not a usable area."""
    if not isinstance(geometry, dict):
        return []
    coordinates = geometry.get("coordinates")
    candidates: list[Any]  # GeoJSON, checked polygon by polygon below
    if geometry.get("type") == "Polygon":
        candidates = [coordinates]
    elif geometry.get("type") == "MultiPolygon" and isinstance(coordinates, list):
        candidates = coordinates
    else:
        return []
    polygons = []
    for polygon in candidates:
        try:
            rings = [[(float(position[0]), float(position[1])) for position in ring] for ring in polygon]
        except (TypeError, ValueError, IndexError):
            continue
        rings = [
            ring for ring in rings if len(ring) >= 3 and all(math.isfinite(x) and math.isfinite(y) for x, y in ring)
        ]
        if rings:
            polygons.append(rings)
    return polygons


def _signed_area_and_centroid(ring: list[tuple[float, float]]) -> tuple[float, tuple[float, float]]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if abs(area) < 1e-12:  # a degenerate ring: the mean of its points
        return 0.0, (sum(x for x, _y in ring) / len(ring), sum(y for _x, y in ring) / len(ring))
    return area, (cx / (6 * area), cy / (6 * area))


def _crossings(rings: list[list[tuple[float, float]]], y: float) -> list[float]:
    """Where the horizontal line at y crosses the polygon's edges, left to right."""
    found = []
    for ring in rings:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y0 > y) != (y1 > y):
                found.append(x0 + (y - y0) * (x1 - x0) / (y1 - y0))
    return sorted(found)


def _label_point(polygons: list[list[list[tuple[float, float]]]]) -> tuple[float, float]:
    """Where an area's label goes: the centroid of its largest polygon (not the sea between islands); when that lies
    outside the polygon (a U-shaped wijk), the middle of the widest stretch inside it on a few horizontal lines."""
    _area, (x, y), rings = max(
        ((*_signed_area_and_centroid(rings[0]), rings) for rings in polygons), key=lambda found: abs(found[0])
    )
    crossings = _crossings(rings, y)
    if any(left <= x <= right for left, right in zip(crossings[0::2], crossings[1::2], strict=False)):
        return x, y
    top, bottom = min(point[1] for point in rings[0]), max(point[1] for point in rings[0])
    best = (0.0, (x, y))
    for step in range(1, 10):
        line = top + (bottom - top) * step / 10
        crossings = _crossings(rings, line)
        for left, right in zip(crossings[0::2], crossings[1::2], strict=False):
            if right - left > best[0]:
                best = (right - left, ((left + right) / 2, line))
    return best[1]


def _number(value: float) -> str:
    text = f"{value:.1f}"
    return "0" if text in ("0.0", "-0.0") else text.removesuffix(".0")


def _path_data(rings: list[list[tuple[float, float]]]) -> str:
    parts = []
    for ring in rings:
        points: list[str] = []
        for x, y in ring:
            point = f"{_number(x)},{_number(y)}"
            if not points or point != points[-1]:  # detailed boundaries collapse to far fewer points on screen
                points.append(point)
        if len(points) >= 3:
            parts.append("M" + "L".join(points) + "Z")
    return "".join(parts)


def _prefix() -> str:
    """Ids unique on the page, so two maps on one page do not share a title or a pattern."""
    if has_app_context():
        g.lw_map_count = g.get("lw_map_count", 0) + 1
        return f"lw-map-{g.lw_map_count}"
    return f"lw-map-x{next(_fallback_ids)}"


def _patterns(prefix: str) -> str:
    """One pattern per status: a colour (set by CSS) plus a texture, so status is never told by colour alone."""
    marks = {
        Status.on_target: "",  # solid: the only plain fill
        Status.undecided: '<circle class="lw-map__mark" cx="4" cy="4" r="1.6"/>',
        Status.off_target: '<path class="lw-map__mark lw-map__mark--line" d="M0,0L8,8M8,0L0,8"/>',
        Status.no_target: '<path class="lw-map__mark lw-map__mark--line" d="M0,4L8,4"/>',
        Status.suppressed: '<path class="lw-map__mark lw-map__mark--line" d="M-2,2L2,-2M0,8L8,0M6,10L10,6"/>',
        Status.protected: '<path class="lw-map__mark lw-map__mark--line" d="M4,0L4,8M0,4L8,4"/>',
        Status.no_data: '<path class="lw-map__mark lw-map__mark--line" d="M-2,6L2,10M0,0L8,8M6,-2L10,2"/>',
    }
    return "".join(
        f'<pattern id="{prefix}-{status.value}" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect class="lw-map__ground lw-map__ground--{status.value}" width="8" height="8"/>{marks[status]}</pattern>'
        for status in ORDER
    )


@dataclass(frozen=True)
class KeyEntry:
    """One line of the key beside a map: the number written in the area, its name, status and value."""

    number: int
    code: str
    name: str
    status: Status
    label: str | None
    model: bool = False  # status and label come from the buurt's model estimate: its direct figure is not shown
    detail: str | None = None  # more words for the key than fit in the map (a model estimate's interval)


def model_words() -> str:
    """How the map marks an area whose status and value are a model estimate, in the legend and in the key."""
    return _("model estimate: based on the survey and neighbourhood figures")


def model_legend() -> str:
    return _("Dashed outline: %(model)s", model=model_words())


@dataclass(frozen=True)
class Map:
    """A map as an inline SVG with a number in each area, and the key that names the numbered areas."""

    svg: Markup
    key: list[KeyEntry]

    def __bool__(self) -> bool:
        return bool(self.svg)

    def __html__(self) -> str:
        return str(self.svg)

    __str__ = __html__


def choropleth(
    areas: list[MapArea],
    statuses: dict[str, Status],
    labels: dict[str, str],
    title: str,
    description: str,
    modelled: frozenset[str] | set[str] = frozenset(),
    details: dict[str, str] | None = None,
) -> Map:
    """An inline SVG map of the areas that have a geometry, each filled by its status (no entry: no figure), with a
    number at its centre and labels[code] under it, a legend of the statuses shown, and the key to the numbers
    (to be shown beside it: names do not fit into small areas, numbers do); empty when no area has a geometry.

    The areas in `modelled` have a status and label from a model estimate (a buurt whose direct figure is not
    shown): they are drawn with a dashed outline of their own, which the legend names in words, and their tooltip
    and key entry say so too, so a model figure never passes for a direct one. `details` are words for the key only
    (not drawn), per area code."""
    drawn = [(area, polygons) for area in areas if (polygons := _polygons(area.geometry))]
    if not drawn:
        return Map(Markup(""), [])
    points = [point for _area, polygons in drawn for rings in polygons for ring in rings for point in ring]
    west, east = min(lon for lon, _lat in points), max(lon for lon, _lat in points)
    south, north = min(lat for _lon, lat in points), max(lat for _lon, lat in points)
    shrink = math.cos(math.radians((south + north) / 2))  # a degree of longitude is shorter away from the equator
    span_x, span_y = max((east - west) * shrink, 1e-9), max(north - south, 1e-9)
    scale = min((WIDTH - 2 * PADDING) / span_x, (MAX_MAP_HEIGHT - 2 * PADDING) / span_y)
    offset_x = (WIDTH - span_x * scale) / 2
    map_height = span_y * scale + 2 * PADDING

    def project(lon: float, lat: float) -> tuple[float, float]:
        return offset_x + (lon - west) * shrink * scale, PADDING + (north - lat) * scale

    prefix = _prefix()
    areas_svg, key = [], []
    for number, (area, polygons) in enumerate(drawn, start=1):
        projected = [[[project(lon, lat) for lon, lat in ring] for ring in rings] for rings in polygons]
        state = statuses.get(area.code, Status.no_data)
        label = labels.get(area.code)
        model = area.code in modelled
        key.append(KeyEntry(number, area.code, area.name, state, label, model, (details or {}).get(area.code)))
        tooltip = f"{number}. {area.name}: {status_label(state)}" + (f" ({label})" if label else "")
        tooltip += f", {model_words()}" if model else ""
        marked = " lw-map__area--model" if model else ""
        x, y = _label_point(projected)
        half = max(len(label or ""), 2) * LABEL_EM * 0.3  # about half the label's width: keep it inside the picture
        x = min(max(x, half + 2), WIDTH - half - 2) if half * 2 < WIDTH else WIDTH / 2
        lines = [str(number)] + ([label] if label else [])
        top = y - (len(lines) - 1) * LABEL_EM * 0.55
        text = "".join(
            f'<tspan x="{_number(x)}" y="{_number(top + index * LABEL_EM * 1.1)}"'
            f"{NUMBER_CLASS if index == 0 else ''}>{escape(line)}</tspan>"
            for index, line in enumerate(lines)
        )
        areas_svg.append(
            f'<g class="lw-map__area-group" data-code="{escape(area.code)}">'
            f'<path class="lw-map__area lw-map__area--{state.value}{marked}" fill="url(#{prefix}-{state.value})" '
            f'd="{"".join(_path_data(rings) for rings in projected)}"><title>{escape(tooltip)}</title></path>'
            f'<text class="lw-map__label" text-anchor="middle" dominant-baseline="middle">{text}</text></g>'
        )

    shown = {statuses.get(area.code, Status.no_data) for area, _polygons in drawn}
    legend = []
    for row, state in enumerate(status for status in ORDER if status in shown):
        top = map_height + PADDING + row * LEGEND_ROW
        legend.append(
            f'<rect class="lw-map__area lw-map__area--{state.value}" fill="url(#{prefix}-{state.value})" '
            f'x="{_number(PADDING)}" y="{_number(top)}" width="{_number(SWATCH)}" height="{_number(SWATCH)}"/>'
            f'<text class="lw-map__legend-text" x="{_number(PADDING + SWATCH + 8)}" y="{_number(top + SWATCH / 2)}" '
            f'dominant-baseline="middle">{escape(status_label(state))}</text>'
        )
    extra = 0.0
    if any(area.code in modelled for area, _polygons in drawn):
        top = map_height + PADDING + len(legend) * LEGEND_ROW
        # the words are long in every language: wrapped to the width of the picture
        lines = textwrap.wrap(model_legend(), LEGEND_CHARACTERS) or [""]
        left = _number(PADDING + SWATCH + 8)
        text = "".join(
            f'<tspan x="{left}" y="{_number(top + SWATCH / 2 + index * LINE)}">{escape(line)}</tspan>'
            for index, line in enumerate(lines)
        )
        legend.append(
            f'<rect class="lw-map__area lw-map__area--model lw-map__swatch--model" x="{_number(PADDING)}" '
            f'y="{_number(top)}" width="{_number(SWATCH)}" height="{_number(SWATCH)}"/>'
            f'<text class="lw-map__legend-text" dominant-baseline="middle">{text}</text>'
        )
        extra = (len(lines) - 1) * LINE
    height = map_height + 2 * PADDING + len(legend) * LEGEND_ROW + extra
    svg = Markup(
        f'<svg class="lw-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_number(WIDTH)} {_number(height)}" '
        f'role="img" aria-labelledby="{prefix}-title {prefix}-desc" focusable="false">'
        f'<title id="{prefix}-title">{escape(title)}</title><desc id="{prefix}-desc">{escape(description)}</desc>'
        f"<defs>{_patterns(prefix)}</defs>"
        f'<g class="lw-map__areas">{"".join(areas_svg)}</g>'
        f'<g class="lw-map__legend">{"".join(legend)}</g></svg>'
    )
    return Map(svg, key)


def buurt_areas(municipality: Municipality) -> list[MapArea]:
    """The municipality's buurten with their stored boundaries, by code; [] when no buurt has a boundary."""
    buurten = sorted(
        (buurt for district in municipality.districts for buurt in district.neighbourhoods),
        key=lambda buurt: buurt.code,
    )
    if not any(buurt.boundary for buurt in buurten):
        return []
    return [MapArea(code=buurt.code, name=buurt.name, geometry=buurt.boundary) for buurt in buurten]
