"""The scatter of output against outcome: an accessible SVG named by its title and description, one marked point per
area inside the drawing, the axes named."""

from __future__ import annotations

import re

from council import charts


def test_each_area_is_a_numbered_point_inside_the_drawing_with_named_axes():
    points = [charts.ScatterPoint(str(i), x, y) for i, (x, y) in enumerate([(58, 6.9), (150, 6.0), (112, 6.3)], 1)]
    svg = str(
        charts.scatter(
            points,
            title="Veiligheid tegen trajecten",
            description="Elke wijk is een punt.",
            chart_id="chart-output",
            x_label="Trajecten (aantal)",
            y_label="Jongeren voelen zich veilig",
        )
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="chart-output-title chart-output-desc"' in svg
    assert '<title id="chart-output-title">Veiligheid tegen trajecten</title>' in svg
    assert svg.count('<circle class="lw-chart__marker"') == 3
    assert "Trajecten (aantal)" in svg and "Jongeren voelen zich veilig" in svg
    centres = [(float(x), float(y)) for x, y in re.findall(r'<circle [^>]*cx="([\d.]+)" cy="([\d.]+)"', svg)]
    assert all(charts.SCATTER_LEFT <= x <= charts.SCATTER_RIGHT for x, _y in centres)
    assert all(charts.SCATTER_TOP <= y <= charts.SCATTER_BOTTOM for _x, y in centres)
    # more output lies further right, a higher value further up
    assert centres[0][0] < centres[2][0] < centres[1][0] and centres[0][1] < centres[2][1] < centres[1][1]


def test_a_single_area_or_equal_values_still_draw_inside():
    svg = str(
        charts.scatter(
            [charts.ScatterPoint("1", 5.0, 0.4)], title="t", description="d", chart_id="c", x_label="x", y_label="y"
        )
    )
    x, y = (float(v) for v in re.search(r'cx="([\d.]+)" cy="([\d.]+)"', svg).groups())
    assert charts.SCATTER_LEFT < x < charts.SCATTER_RIGHT and charts.SCATTER_TOP < y < charts.SCATTER_BOTTOM
