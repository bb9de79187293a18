"""Load wijk and buurt boundaries from a GeoJSON FeatureCollection as CBS and PDOK publish them ("wijkenbuurten").

The council's map draws these; nothing else reads them. Files come from PDOK's OGC API or WFS (properties
"wijkcode"/"buurtcode", newer files "statcode"; geometry Polygon or MultiPolygon). We store the geometries in WGS84
longitude/latitude and do no reprojection: a file in RD New (EPSG:28992, metres) is refused with a message saying how
to export it in WGS84 instead.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from extensions import db
from models import District, Municipality, Neighbourhood

LEVELS = {"wijk": "WK", "buurt": "BU"}
CODE_PATTERN = re.compile(r"^(WK\d{6}|BU\d{8})$")
# Properties that carry a feature's own code, most specific first: a buurt feature in PDOK also names its wijk, so
# a feature's own level is that of its most specific code. Matched case-insensitively (shapefile exports shout).
CODE_PROPERTIES = ("statcode", "buurtcode", "bu_code", "wijkcode", "wk_code")
# CRS names that mean WGS84 longitude/latitude (RFC 7946 dropped the "crs" member; older exports still write one)
WGS84_NAMES = ("crs84", "epsg::4326", "epsg:4326", "epsg/0/4326", "wgs84", "wgs 84")
RD_NEW_NAMES = ("28992", "rd new", "amersfoort")
PRECISION = 5  # decimals kept: 0.00001 degree is about 1 m here, more than a map of wijken needs
EXPORT_HINT = (
    "Export the file in WGS84 (EPSG:4326, longitude/latitude), for example with "
    "`ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson`, or ask PDOK's OGC API for GeoJSON, "
    "which is in WGS84"
)


@dataclass
class BoundaryReport:
    """What a load did: boundaries stored, areas of the municipality the file has no boundary for, problems."""

    stored: int = 0
    unchanged: int = 0
    skipped: int = 0  # features of other municipalities or of the other level
    missing: list[str] = field(default_factory=list)  # "WK090103 (Name)": areas left without a boundary
    errors: list[str] = field(default_factory=list)  # nothing is stored when there is any


class _Refused(ValueError):
    """The file as a whole cannot be read (not JSON, not a FeatureCollection, not in WGS84)."""


def _read(source: str | Path | IO) -> Any:
    try:
        text = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _Refused(f"the file is not UTF-8 text (byte {error.start}): is it GeoJSON?") from None
    except OSError as error:
        raise _Refused(f"cannot read the file: {error.strerror or error}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _Refused(f"the file is not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}") from None
    except RecursionError:
        # json follows each nested list or object with a call of its own; no real boundary nests deeper than 4
        raise _Refused("the file's lists or objects are nested too deeply to read: is it GeoJSON?") from None


def _check_crs(document: dict) -> None:
    crs = document.get("crs")
    if crs is None:
        return
    name = str((crs.get("properties") or {}).get("name", "") if isinstance(crs, dict) else crs)
    lowered = name.lower()
    if any(marker in lowered for marker in WGS84_NAMES):
        return
    if any(marker in lowered for marker in RD_NEW_NAMES):
        raise _Refused(f"the file is in RD New (EPSG:28992, metres; crs {name!r}), not in WGS84. {EXPORT_HINT}.")
    raise _Refused(f"the file's coordinate system is {name!r}, not WGS84. {EXPORT_HINT}.")


def _positions(geometry: dict):
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for polygon in polygons:
        for ring in polygon:
            yield from ring


def _geometry_problem(geometry: Any) -> str | None:
    """Why a geometry cannot be drawn as an area, or None. Checks shape and numbers; not self-intersection."""
    if not isinstance(geometry, dict):
        return "has no geometry"
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        return f"has a {kind or 'missing'} geometry; an area needs a Polygon or MultiPolygon"
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        return "has a geometry without coordinates"
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return "has a polygon without rings"
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                return "has a ring with fewer than 4 positions"
            for position in ring:
                if (
                    not isinstance(position, list)
                    or len(position) < 2
                    or not all(
                        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
                        for value in position[:2]
                    )
                ):
                    return f"has a position that is not a pair of numbers: {str(position)[:40]}"
            if ring[0][:2] != ring[-1][:2]:
                return "has a ring that is not closed (its last position must repeat its first)"
    return None


def _in_degrees(geometry: dict) -> bool:
    return all(-180 <= position[0] <= 180 and -90 <= position[1] <= 90 for position in _positions(geometry))


def simplify(geometry: dict, precision: int | None = PRECISION) -> dict:
    """The geometry with positions rounded to `precision` decimals (None: as they are), without heights, and without
    the repeated positions rounding leaves, so pages that draw it stay light."""

    def ring_of(ring: list) -> list:
        kept: list[list[float]] = []
        for position in ring:
            point = [float(position[0]), float(position[1])]
            if precision is not None:
                point = [round(point[0], precision), round(point[1], precision)]
            if not kept or point != kept[-1]:
                kept.append(point)
        if kept[0] != kept[-1]:
            kept.append(list(kept[0]))
        return kept

    def polygon_of(polygon: list) -> list:
        rings = [ring_of(ring) for ring in polygon]
        if len(rings[0]) < 4:  # the outer ring rounded to a line or a point: nothing left to draw
            return []
        return [ring for ring in rings if len(ring) >= 4]

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": polygon_of(geometry["coordinates"])}
    polygons = [polygon for polygon in map(polygon_of, geometry["coordinates"]) if polygon]
    return {"type": "MultiPolygon", "coordinates": polygons}


def _own_code(properties: dict) -> str | None:
    lowered = {str(key).lower(): value for key, value in properties.items()}
    for key in CODE_PROPERTIES:
        value = lowered.get(key)
        if value not in (None, ""):
            return str(value).strip().upper()
    return None


def load_boundaries(
    source: str | Path | IO, municipality: Municipality, level: str = "wijk", precision: int | None = PRECISION
) -> BoundaryReport:
    """Store the boundary of each wijk (or buurt) of the municipality found in a GeoJSON FeatureCollection.

    Features of other municipalities and of the other level are skipped, so a national file or one with both wijken
    and buurten can be loaded as it is. Nothing is stored when the file has any problem; areas the file has no
    boundary for keep the one they had and are reported. Running it twice changes nothing.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    prefix = LEVELS[level]
    report = BoundaryReport()
    try:
        document = _read(source)
        if (
            not isinstance(document, dict)
            or document.get("type") != "FeatureCollection"
            or not isinstance(document.get("features"), list)
        ):
            raise _Refused(
                'the file is not a GeoJSON FeatureCollection (a JSON object with "type": '
                '"FeatureCollection" and a list of "features")'
            )
        _check_crs(document)
    except _Refused as error:
        report.errors.append(str(error))
        return report

    areas: dict[str, District | Neighbourhood]
    if level == "wijk":
        areas = {district.code: district for district in municipality.districts}
    else:
        areas = {n.code: n for district in municipality.districts for n in district.neighbourhoods}
    number = municipality.code[2:]
    found: dict[str, dict] = {}
    other_level = 0
    for index, feature in enumerate(document["features"], start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            report.errors.append(f"feature {index}: is not a GeoJSON Feature")
            continue
        given = feature.get("properties")
        properties = given if isinstance(given, dict) else {}
        code = _own_code(properties)
        if code is None:
            report.errors.append(f"feature {index}: has no area code (a property {', '.join(CODE_PROPERTIES)})")
            continue
        if not CODE_PATTERN.match(code):
            report.errors.append(f"feature {index}: {code!r} is not a CBS wijk or buurt code (WK + 6 or BU + 8 digits)")
            continue
        if code[2:6] != number:  # another municipality's area: a national file is fine
            report.skipped += 1
            continue
        if not code.startswith(prefix):
            other_level += 1
            report.skipped += 1
            continue
        where = f"feature {index} ({code})"
        problem = _geometry_problem(feature.get("geometry"))
        if problem is not None:
            report.errors.append(f"{where}: {problem}")
            continue
        if not _in_degrees(feature["geometry"]):
            first = next(_positions(feature["geometry"]))
            report.errors.append(
                f"{where}: coordinates such as {first[0]:g}, {first[1]:g} are not longitude/latitude: the file "
                f"looks like RD New (EPSG:28992, metres). {EXPORT_HINT}."
            )
            break  # the whole file is in metres: one message is enough
        if code in found:
            report.errors.append(f"{where}: {code} appears more than once")
            continue
        if code not in areas:
            report.errors.append(
                f"{where}: {code} is not a {level} of {municipality.code} {municipality.name} (reference year "
                f"{municipality.reference_year}): load boundaries of the same year as the area list"
            )
            continue
        geometry = simplify(feature["geometry"], precision)
        if not geometry["coordinates"]:
            report.errors.append(f"{where}: is too small to draw with {precision} decimals")
            continue
        found[code] = geometry

    if not found and not report.errors:
        hint = (
            f"; it has {other_level} of the other level (try --level {'buurt' if level == 'wijk' else 'wijk'})"
            if other_level
            else ""
        )
        report.errors.append(f"the file has no {level} of {municipality.code} {municipality.name}{hint}")
    if report.errors:
        return report
    for code, area in sorted(areas.items()):
        if code not in found:
            report.missing.append(f"{code} ({area.name})")
            continue
        if area.boundary == found[code]:
            report.unchanged += 1
        else:
            area.boundary = found[code]
            report.stored += 1
    db.session.flush()
    return report
