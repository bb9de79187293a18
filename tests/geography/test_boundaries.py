"""Loading wijk and buurt boundaries from GeoJSON: the demo file tiles Leefdam, and every bad file is named clearly."""

from __future__ import annotations

import io
import json
from itertools import pairwise
from pathlib import Path

import pytest

from extensions import db
from geography.boundaries import load_boundaries, simplify

DEMO_GEOJSON = Path(__file__).parents[2] / "demo" / "leefdam_boundaries.geojson"


@pytest.fixture
def municipality(demo_wave):
    """Leefdam without boundaries (the demo loads them)."""
    municipality = demo_wave.municipality
    for district in municipality.districts:
        district.boundary = None
        for neighbourhood in district.neighbourhoods:
            neighbourhood.boundary = None
    db.session.commit()
    return municipality


def square(west: float, south: float, size: float = 0.01) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
        ],
    }


def collection(*features: dict, **extra) -> io.BytesIO:
    return io.BytesIO(json.dumps({"type": "FeatureCollection", "features": list(features), **extra}).encode())


def feature(properties: dict, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def ring_area(ring: list) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring)) / 2


def test_demo_file_gives_every_wijk_and_buurt_a_boundary(municipality):
    wijken = load_boundaries(DEMO_GEOJSON, municipality, "wijk")
    buurten = load_boundaries(DEMO_GEOJSON, municipality, "buurt")
    assert wijken.errors == [] and buurten.errors == []
    assert (wijken.stored, buurten.stored) == (5, 16)
    assert wijken.missing == [] and buurten.missing == []
    assert wijken.skipped == 16 and buurten.skipped == 5  # the other level's features in the same file
    for district in municipality.districts:
        assert district.boundary["type"] == "Polygon"
        lon, lat = district.boundary["coordinates"][0][0]
        assert 4.9 < lon < 5.3 and 51.9 < lat < 52.2
        # the buurten tile their wijk: together they cover exactly its area
        buurt_area = sum(ring_area(n.boundary["coordinates"][0]) for n in district.neighbourhoods)
        assert abs(buurt_area - ring_area(district.boundary["coordinates"][0])) < 1e-9


def test_loading_twice_changes_nothing(municipality):
    load_boundaries(DEMO_GEOJSON, municipality, "wijk")
    again = load_boundaries(DEMO_GEOJSON, municipality, "wijk")
    assert (again.stored, again.unchanged, again.errors) == (0, 5, [])


def test_areas_without_a_boundary_are_reported_and_the_rest_is_stored(municipality):
    report = load_boundaries(collection(feature({"wijkcode": "WK900100"}, square(5.0, 52.0))), municipality)
    assert report.errors == [] and report.stored == 1
    assert "WK900101 (Oud-West)" in report.missing and len(report.missing) == 4


def test_unknown_code_of_the_municipality_is_reported_and_nothing_stored(municipality):
    report = load_boundaries(
        collection(
            feature({"wijkcode": "WK900100"}, square(5.0, 52.0)), feature({"statcode": "WK900199"}, square(5.1, 52.0))
        ),
        municipality,
    )
    assert len(report.errors) == 1 and "WK900199" in report.errors[0] and "not a wijk of GM9001" in report.errors[0]
    assert all(district.boundary is None for district in municipality.districts)


def test_other_municipalities_in_a_national_file_are_skipped(municipality):
    report = load_boundaries(
        collection(
            feature({"WIJKCODE": "WK036301"}, square(4.9, 52.3)), feature({"wijkcode": "WK900102"}, square(5.0, 52.0))
        ),
        municipality,
    )
    assert (report.errors, report.stored, report.skipped) == ([], 1, 1)


def test_file_in_rd_new_is_refused_with_how_to_export_it(municipality):
    named = load_boundaries(
        collection(
            feature({"wijkcode": "WK900100"}, square(5.0, 52.0)),
            crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
        ),
        municipality,
    )
    metres = load_boundaries(collection(feature({"wijkcode": "WK900100"}, square(121000, 487000, 500))), municipality)
    for report in (named, metres):
        assert len(report.errors) == 1
        assert "RD New" in report.errors[0] and "WGS84" in report.errors[0]
    assert municipality.districts[0].boundary is None


def test_invalid_geometries_are_named(municipality):
    open_ring = {"type": "Polygon", "coordinates": [[[5.0, 52.0], [5.1, 52.0], [5.1, 52.1], [5.0, 52.1]]]}
    point = {"type": "Point", "coordinates": [5.0, 52.0]}
    words = {"type": "Polygon", "coordinates": [[["a", "b"], [5.1, 52.0], [5.1, 52.1], ["a", "b"]]]}
    report = load_boundaries(
        collection(
            feature({"wijkcode": "WK900100"}, open_ring),
            feature({"wijkcode": "WK900101"}, point),
            feature({"wijkcode": "WK900102"}, words),
            feature({"wijkcode": "WK900103"}, None),
            feature({"name": "no code"}, square(5.0, 52.0)),
        ),
        municipality,
    )
    assert len(report.errors) == 5
    assert "WK900100" in report.errors[0] and "not closed" in report.errors[0]
    assert "WK900101" in report.errors[1] and "Point" in report.errors[1]
    assert "WK900102" in report.errors[2] and "not a pair of numbers" in report.errors[2]
    assert "WK900103" in report.errors[3] and "no geometry" in report.errors[3]
    assert "feature 5" in report.errors[4] and "no area code" in report.errors[4]


def test_a_buurt_file_loaded_as_wijken_says_which_level_to_use(municipality):
    report = load_boundaries(
        collection(feature({"buurtcode": "BU90010000", "wijkcode": "WK900100"}, square(5.0, 52.0))),
        municipality,
        "wijk",
    )
    assert len(report.errors) == 1 and "--level buurt" in report.errors[0]


def test_simplify_rounds_drops_repeats_and_heights():
    geometry = {
        "type": "MultiPolygon",
        "coordinates": [
            [
                [
                    [5.000001, 52.0, 3.0],
                    [5.000002, 52.0, 3.0],
                    [5.1, 52.0, 3.0],
                    [5.1, 52.1, 3.0],
                    [5.0, 52.1, 3.0],
                    [5.000001, 52.0, 3.0],
                ]
            ]
        ],
    }
    assert simplify(geometry, 5) == {
        "type": "MultiPolygon",
        "coordinates": [[[[5.0, 52.0], [5.1, 52.0], [5.1, 52.1], [5.0, 52.1], [5.0, 52.0]]]],
    }


def test_command_line_loads_the_demo_file_and_reports_bad_json_without_a_traceback(app, municipality, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["geography", "boundaries", str(DEMO_GEOJSON), "--level", "buurt"])
    assert result.exit_code == 0, result.output
    assert "16 stored" in result.output
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    result = runner.invoke(args=["geography", "boundaries", str(broken)])
    assert result.exit_code == 1
    assert "not valid JSON: line 1" in result.output and "no boundary was loaded" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_a_deeply_nested_file_is_refused_with_a_message_not_a_traceback(app, municipality, tmp_path):
    nested = tmp_path / "nested.geojson"
    nested.write_bytes(b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000)  # deeper than Python recurses
    result = app.test_cli_runner().invoke(args=["geography", "boundaries", str(nested)])
    assert result.exit_code == 1, result.output
    assert "nested too deeply" in result.output and "no boundary was loaded" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
