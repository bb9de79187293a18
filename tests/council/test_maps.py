"""The council's map: one path per wijk with a geometry, status by class and pattern, a legend, escaped text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from flask_babel import force_locale

from council.indicators import Status
from council.maps import MapArea, choropleth, map_areas

SVG = "{http://www.w3.org/2000/svg}"


def square(west: float, south: float, size: float = 0.02) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
        ],
    }


AREAS = [
    MapArea("WK000101", "Noord", square(5.00, 52.02)),
    MapArea(
        "WK000102",
        "Zuid",
        {
            "type": "MultiPolygon",
            "coordinates": [square(5.00, 52.00)["coordinates"], square(5.03, 52.00, 0.005)["coordinates"]],
        },
    ),
    MapArea("WK000103", "Oost", square(5.02, 52.01)),
    MapArea("WK000104", "Zonder grens", None),
]


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_every_area_with_a_geometry_is_one_path_with_its_status_class(app):
    statuses = {"WK000101": Status.on_target, "WK000102": Status.off_target, "WK000103": Status.suppressed}
    svg = parse(choropleth(AREAS, statuses, {"WK000101": "6.2", "WK000102": "4.1"}, "Samenhang", "Per wijk"))
    paths = svg.findall(f"./{SVG}g[@class='lw-map__areas']/{SVG}g/{SVG}path")
    assert [path.get("class") for path in paths] == [
        "lw-map__area lw-map__area--on_target",
        "lw-map__area lw-map__area--off_target",
        "lw-map__area lw-map__area--suppressed",
    ]
    # the multipolygon is one path with two rings; each area's fill is its status's pattern, defined in the SVG
    assert paths[1].get("d").count("M") == 2
    pattern_ids = {pattern.get("id") for pattern in svg.iter(f"{SVG}pattern")}
    for path in paths:
        assert path.get("fill")[len("url(#") : -1] in pattern_ids
    labels = [[span.text for span in text] for text in svg.iter(f"{SVG}text") if text.get("class") == "lw-map__label"]
    assert labels == [["1", "6.2"], ["2", "4.1"], ["3"]]  # a number in every area, its value under it
    assert "Zonder grens" not in str(ET.tostring(svg, encoding="unicode"))


def test_the_key_names_each_numbered_area_beside_the_map(app):
    statuses = {"WK000101": Status.on_target, "WK000103": Status.no_target}
    drawn = choropleth(AREAS, statuses, {"WK000101": "6.2"}, "Samenhang", "Per wijk")
    assert [(entry.number, entry.name, entry.status, entry.label) for entry in drawn.key] == [
        (1, "Noord", Status.on_target, "6.2"),
        (2, "Zuid", Status.no_data, None),
        (3, "Oost", Status.no_target, None),
    ]
    # the tooltip says the same, for a mouse
    titles = [title.text for title in parse(drawn).iter(f"{SVG}title")][1:]
    assert titles[0].startswith("1. Noord: ")


def test_every_status_has_a_pattern_and_an_icon_of_its_own(app):
    from council.charts import status_icon

    svg = parse(choropleth(AREAS, {}, {}, "T", "D"))
    patterns = {
        pattern.get("id").rsplit("-", 1)[1]: "".join(
            ET.tostring(child, encoding="unicode") for child in pattern if "lw-map__mark" in child.get("class", "")
        )
        for pattern in svg.iter(f"{SVG}pattern")
    }
    assert set(patterns) == {status.value for status in Status}
    assert len(set(patterns.values())) == len(Status)  # a texture of its own, not only a colour
    icons = {re.sub(r"lw-status-icon--\w+", "", str(status_icon(status.value))) for status in Status}
    # on paper and for people who do not tell colours apart, each status keeps a shape of its own
    assert len(icons) == len(Status)


def test_the_svg_is_an_image_named_by_its_title_and_description(app):
    svg = parse(choropleth(AREAS[:1], {}, {}, "Samenhang per wijk", "Gemiddelde score"))
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert (title.text, desc.text) == ("Samenhang per wijk", "Gemiddelde score")


def test_two_maps_on_one_page_have_ids_of_their_own(app):
    with app.test_request_context():
        first, second = (parse(choropleth(AREAS, {}, {}, "A", "B")) for _ in range(2))
    ids = [element.get("id") for svg in (first, second) for element in svg.iter() if element.get("id")]
    assert len(ids) == len(set(ids))


def test_legend_names_each_status_shown_in_words(app):
    statuses = {"WK000101": Status.on_target, "WK000102": Status.undecided, "WK000103": Status.off_target}
    with app.test_request_context(), force_locale("en"):
        svg = parse(choropleth(AREAS, statuses, {}, "T", "D"))
    legend = [text.text for text in svg.iter(f"{SVG}text") if text.get("class") == "lw-map__legend-text"]
    assert legend == ["Clearly on target", "Not distinguishable from target", "Clearly short of target"]
    with app.test_request_context(), force_locale("en"):
        svg = parse(choropleth(AREAS, {"WK000101": Status.suppressed, "WK000103": Status.no_target}, {}, "T", "D"))
    legend = [text.text for text in svg.iter(f"{SVG}text") if text.get("class") == "lw-map__legend-text"]
    # an area without a status has no figure
    assert legend == ["No target set", "Suppressed: too few respondents", "No figure"]


def test_no_style_attributes_and_no_style_elements(app):
    markup = str(choropleth(AREAS, {"WK000101": Status.off_target}, {"WK000101": "1"}, "T", "D"))
    assert not re.search(r"\sstyle\s*=", markup) and "<style" not in markup and "<script" not in markup


def test_every_text_is_escaped(app):
    hostile = '<script>alert(1)</script>"&'
    areas = [MapArea("WK000101", hostile, square(5.0, 52.0))]
    markup = str(choropleth(areas, {}, {"WK000101": hostile}, hostile, hostile))
    assert "<script>" not in markup
    svg = parse(markup)  # still well-formed
    assert svg.find(f"{SVG}title").text == hostile
    assert any(hostile in "".join(text.itertext()) for text in svg.iter(f"{SVG}text"))


def test_without_any_geometry_the_map_is_empty(app):
    assert str(choropleth([MapArea("WK000101", "Noord", None)], {}, {}, "T", "D")) == ""
    assert (
        str(choropleth([MapArea("WK000101", "Noord", {"type": "Point", "coordinates": [5, 52]})], {}, {}, "T", "D"))
        == ""
    )


def test_the_map_keeps_the_shape_of_the_land(app):
    # 0.02 degrees each way is narrower than high on the map: a degree of longitude is shorter at 52 N
    svg = parse(choropleth([MapArea("WK000101", "Noord", square(5.0, 52.0))], {}, {}, "T", "D"))
    path = svg.find(f"./{SVG}g[@class='lw-map__areas']/{SVG}g/{SVG}path")
    numbers = [float(value) for value in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]
    xs, ys = numbers[0::2], numbers[1::2]
    assert abs((max(xs) - min(xs)) / (max(ys) - min(ys)) - 0.6157) < 0.01  # cos(52.01 degrees)


def test_map_areas_are_the_wijken_with_their_stored_boundaries(demo_wave):
    areas = map_areas(demo_wave.municipality)
    assert [area.code for area in areas] == ["WK900100", "WK900101", "WK900102", "WK900103", "WK900104"]
    assert areas[1].name == "Oud-West"
    assert all(area.geometry["type"] == "Polygon" for area in areas)  # the demo ships invented boundaries


def test_buurten_have_a_map_only_once_their_boundaries_are_loaded(app, demo_wave):
    from council.maps import buurt_areas
    from extensions import db

    municipality = demo_wave.municipality
    buurten = sorted(
        (buurt for district in municipality.districts for buurt in district.neighbourhoods),
        key=lambda buurt: buurt.code,
    )
    assert len(buurt_areas(municipality)) == len(buurten)  # the demo ships buurt boundaries as well
    for buurt in buurten:
        buurt.boundary = None
    db.session.commit()
    assert buurt_areas(municipality) == []
    buurten[0].boundary = square(5.0, 52.0, 0.005)
    buurten[1].boundary = square(5.005, 52.0, 0.005)
    db.session.commit()
    areas = buurt_areas(municipality)
    assert [area.code for area in areas] == [buurt.code for buurt in buurten]
    with app.test_request_context():
        drawn = choropleth(areas, {buurten[0].code: Status.suppressed}, {}, "Buurten", "D")
    # only buurten with a boundary are drawn and numbered; the key names them
    assert [(entry.number, entry.name) for entry in drawn.key] == [(1, buurten[0].name), (2, buurten[1].name)]
    assert len(parse(drawn).findall(f"./{SVG}g[@class='lw-map__areas']/{SVG}g")) == 2


def test_an_area_shown_by_its_model_estimate_has_a_dashed_outline_named_in_the_legend_and_the_key(app):
    statuses = {"WK000101": Status.on_target, "WK000102": Status.off_target, "WK000103": Status.undecided}
    labels = {"WK000101": "6.2", "WK000102": "4.1", "WK000103": "5.9"}
    with app.test_request_context(), force_locale("en"):
        drawn = choropleth(
            AREAS, statuses, labels, "T", "D", modelled={"WK000102"}, details={"WK000102": "4.1 (3.6 to 4.6)"}
        )
    svg = parse(drawn)
    paths = svg.findall(f"./{SVG}g[@class='lw-map__areas']/{SVG}g/{SVG}path")
    assert ["lw-map__area--model" in path.get("class").split() for path in paths] == [False, True, False]
    assert paths[1].find(f"{SVG}title").text.endswith(", model estimate: based on the survey and neighbourhood figures")
    # the legend says in words what the dashed outline means, wrapped to fit beside its swatch
    legend = [
        " ".join(span.text for span in text) if len(text) else text.text
        for text in svg.iter(f"{SVG}text")
        if text.get("class") == "lw-map__legend-text"
    ]
    assert legend[-1] == "Dashed outline: model estimate: based on the survey and neighbourhood figures"
    swatches = [rect for rect in svg.iter(f"{SVG}rect") if "lw-map__area--model" in rect.get("class", "")]
    assert len(swatches) == 1
    # the key beside the map says which area is a model estimate, with the words for its interval
    assert [(entry.model, entry.detail) for entry in drawn.key] == [
        (False, None),
        (True, "4.1 (3.6 to 4.6)"),
        (False, None),
    ]
    # without model estimates neither outline nor legend line
    plain = str(choropleth(AREAS, statuses, labels, "T", "D"))
    assert "lw-map__area--model" not in plain and "Dashed outline" not in plain
