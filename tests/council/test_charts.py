"""The council's SVG charts: accessible names, one marker per value shown, and honest gaps for missing figures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from council.charts import (
    INTERVAL_SHAPES,
    Interval,
    Series,
    TrendPoint,
    interval_chart,
    legend,
    radar,
    status_icon,
    trend_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
AXES = ["Lichaam", "Mentaal", "Zingeving", "Kwaliteit van leven", "Meedoen", "Dagelijks leven"]


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def series_group(svg: ET.Element, index: int) -> ET.Element:
    return next(
        group for group in svg.iter(f"{SVG}g") if f"lw-chart__series--{index}" in group.get("class", "").split()
    )


def markers(element: ET.Element) -> list[ET.Element]:
    return [child for child in element.iter() if "lw-chart__marker" in child.get("class", "").split()]


def assert_named(svg: ET.Element, chart_id: str, title: str, description: str) -> None:
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    title_element, desc_element = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title_element is not None and desc_element is not None
    assert title_element.get("id") == f"{chart_id}-title"
    assert title_element.text == title
    assert desc_element.get("id") == f"{chart_id}-desc"
    assert desc_element.text == description
    assert svg.get("viewBox") and svg.get("width") is None  # scales with its box, e.g. on a tablet


def test_spider_web_is_named_and_draws_one_marker_per_value_of_each_series():
    svg = parse(
        radar(
            AXES,
            [Series("Haverland", [5.8, 5.6, 5.6, 5.6, 5.9, 5.7]), Series("Leefdam", [6.3, 6.0, 6.3, 6.1, 6.1, 6.0])],
            low=0,
            high=10,
            title="Positieve Gezondheid",
            description="Zes dimensies",
            chart_id="web",
        )
    )
    assert_named(svg, "web", "Positieve Gezondheid", "Zes dimensies")
    for index in (0, 1):
        group = series_group(svg, index)
        assert len(markers(group)) == 6
        assert len([shape for shape in group.iter(f"{SVG}polygon") if shape.get("class") == "lw-chart__shape"]) == 1
    # the two series differ by shape, not by colour alone
    assert markers(series_group(svg, 0))[0].tag == f"{SVG}circle"
    assert markers(series_group(svg, 1))[0].tag == f"{SVG}rect"
    assert [text.text for text in svg.iter(f"{SVG}text") if text.get("class") == "lw-chart__label"] == AXES


def test_spider_web_with_a_suppressed_dimension_draws_no_closed_shape_through_it():
    svg = parse(
        radar(
            AXES,
            [Series("Oud-West", [5.0, None, 6.0, 6.5, 7.0, 5.5])],
            low=0,
            high=10,
            title="t",
            description="d",
            chart_id="web",
        )
    )
    group = series_group(svg, 0)
    assert len(markers(group)) == 5
    assert [shape for shape in group.iter(f"{SVG}polygon") if shape.get("class") == "lw-chart__shape"] == []


def test_spider_web_needs_three_axes():
    with pytest.raises(ValueError):
        radar(["a", "b"], [Series("x", [1, 2])], low=0, high=10, title="t", description="d", chart_id="web")


def test_interval_chart_shows_a_dot_and_bar_per_value_and_the_note_where_a_figure_is_suppressed():
    rows = [
        Interval("Welbevinden", 56.1, 49.0, 63.2, 0, 100, reference=61.6),
        Interval("Eenzaamheid", None, None, None, 0, 6, reference=4.4, note="onderdrukt"),
        Interval("Veerkracht", 3.4, 3.1, 3.6, 1, 5),
    ]
    svg = parse(interval_chart(rows, title="Schalen", description="Gemiddelden", chart_id="scales-adult"))
    assert_named(svg, "scales-adult", "Schalen", "Gemiddelden")
    rows_drawn = [group for group in svg.iter(f"{SVG}g") if group.get("class") == "lw-chart__row"]
    assert len(rows_drawn) == 3
    values = [[m for m in markers(row) if m.tag == f"{SVG}circle"] for row in rows_drawn]
    assert [len(found) for found in values] == [1, 0, 1]
    bars = [
        len([line for line in row.iter(f"{SVG}line") if line.get("class") == "lw-chart__interval"])
        for row in rows_drawn
    ]
    assert bars == [1, 0, 1]
    references = [len([m for m in markers(row) if m.tag == f"{SVG}polygon"]) for row in rows_drawn]
    assert references == [1, 1, 0]
    notes = [text.text for text in svg.iter(f"{SVG}text") if text.get("class") == "lw-chart__note"]
    assert notes == ["onderdrukt"]
    # each row is drawn on its own range, written at both ends
    ticks = [text.text for text in rows_drawn[0].iter(f"{SVG}text") if text.get("class") == "lw-chart__tick"]
    assert ticks == ["0", "100"]


def test_interval_chart_places_the_value_between_its_interval_ends():
    svg = parse(interval_chart([Interval("Samenhang", 6.4, 5.9, 6.9, 0, 10)], title="t", description="d", chart_id="c"))
    dot = next(m for m in markers(svg) if m.tag == f"{SVG}circle")
    bar = next(line for line in svg.iter(f"{SVG}line") if line.get("class") == "lw-chart__interval")
    assert float(bar.get("x1")) < float(dot.get("cx")) < float(bar.get("x2"))


def test_trend_chart_breaks_the_line_at_a_missing_wave_and_draws_the_target():
    points = [
        TrendPoint("2024", 5.5, 5.0, 6.0),
        TrendPoint("2025", 5.9, 5.4, 6.4),
        TrendPoint("2026", None, note="onderdrukt"),
        TrendPoint("2027", 6.2, 5.8, 6.6),
    ]
    svg = parse(
        trend_chart(
            points,
            low=0,
            high=10,
            target=6.0,
            target_label="doel 2027",
            title="Samenhang",
            description="Over de metingen",
            chart_id="trend-0",
        )
    )
    assert_named(svg, "trend-0", "Samenhang", "Over de metingen")
    group = series_group(svg, 0)
    assert len(markers(group)) == 3
    lines = list(group.iter(f"{SVG}polyline"))
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2  # 2024-2025 only; 2027 stands alone
    whiskers = [line for line in group.iter(f"{SVG}line") if line.get("class") == "lw-chart__interval"]
    assert len(whiskers) == 3
    assert len([line for line in svg.iter(f"{SVG}line") if line.get("class") == "lw-chart__target-line"]) == 1
    texts = ["".join(text.itertext()) for text in svg.iter(f"{SVG}text")]
    assert "onderdrukt" in texts and "doel 2027" in texts


def test_trend_chart_without_target_or_values_still_renders_its_waves():
    svg = parse(
        trend_chart(
            [TrendPoint("2026", None, note="geen cijfer")],
            low=0,
            high=1,
            title="t",
            description="d",
            chart_id="trend-1",
        )
    )
    assert markers(svg) == []
    assert list(svg.iter(f"{SVG}polyline")) == []
    assert [line for line in svg.iter(f"{SVG}line") if line.get("class") == "lw-chart__target-line"] == []
    assert "geen cijfer" in [" ".join(text.itertext()) for text in svg.iter(f"{SVG}text")]


def test_labels_and_titles_are_escaped():
    svg = parse(
        radar(
            ["<b>", "a & b", "c"],
            [Series('x"y', [1, 2, 3])],
            low=0,
            high=10,
            title="<script>",
            description="&",
            chart_id="web",
        )
    )
    assert svg.find(f"{SVG}title").text == "<script>"
    assert "<b>" in [text.text for text in svg.iter(f"{SVG}text")]


def test_legend_and_status_icons_are_decorative_next_to_their_words():
    html = str(legend(["Haverland", "Leefdam"]))
    assert html.count('aria-hidden="true"') == 2 and "Haverland" in html and "Leefdam" in html
    assert "<circle" in html and "<rect" in html  # the shapes of the spider web's two series
    keyed = str(legend(["Haverland", "Leefdam"], shapes=INTERVAL_SHAPES))
    assert "<circle" in keyed and "<polygon" in keyed and "<rect" not in keyed
    for status in ("on_target", "undecided", "off_target", "suppressed", "no_data"):
        icon = parse(status_icon(status))
        assert icon.get("aria-hidden") == "true"
        assert f"lw-status-icon--{status}" in icon.get("class")


def test_trend_chart_writes_every_wave_name_in_full_over_lines_of_whole_words():
    names = ["Leefwereld demo 2025 voorjaar", "Leefwereld demo 2025 najaar", "Leefwereldmetingzondertussenruimte"]
    svg = parse(
        trend_chart(
            [TrendPoint(name, 6.0, 5.5, 6.5) for name in names],
            low=0,
            high=10,
            title="t",
            description="d",
            chart_id="trend-2",
        )
    )
    labels = [text for text in svg.iter(f"{SVG}text") if text.get("class") == "lw-chart__tick" and list(text)]
    assert [" ".join(span.text for span in label) for label in labels[:2]] == names[:2]  # whole words per line
    assert "".join(span.text for span in labels[2]) == names[2]  # a word too long for any line, broken but whole
    assert all("…" not in "".join(label.itertext()) for label in labels)
    # each line fits the label's share of the plot: a word too long for it gets a smaller font, not an ellipsis
    share = (288 - 52) / len(names) - 4
    for label in labels:
        size = float(label.get("font-size"))
        assert all(len(span.text) * size * 0.6 <= share + 0.5 for span in label)
    assert float(labels[2].get("font-size")) < 13
