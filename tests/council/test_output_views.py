"""Output beside outcome on the council's pages: the wijk profile and the report set an outcome's indicators beside
its output measures; the page across wijken draws each wijk as a point with the correlation and its interval, says
that it is an association between areas, and answers per wijk "more output, but are residents better off?"."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sqlalchemy import select

from extensions import db
from models import Indicator, OutputMeasure, Wave
from tests.council.test_views import council_client, page, plant
from tests.snapshots import analysed as analysed_wave

WIJKEN = ("WK900100", "WK900101", "WK900102", "WK900103", "WK900104")  # Centrum .. De Polder
MOLENWIJK = "WK900103"
# youth's feeling of safety (mean, 95% interval +-0.3) per wijk: 2025 and 2026; Oud-West suppressed in 2025
SAFETY_2025 = {"WK900100": 5.5, "WK900101": None, "WK900102": 6.8, "WK900103": 6.1, "WK900104": 6.5}
SAFETY_2026 = {"WK900100": 6.3, "WK900101": 6.6, "WK900102": 6.9, "WK900103": 6.0, "WK900104": 5.9}
TRAJECTORIES_2026 = {"WK900100": 112, "WK900101": 80, "WK900102": 58, "WK900103": 150, "WK900104": 131}  # the demo


@pytest.fixture
def two_waves(app, analysed, demo_wave):
    """Both demo waves analysed, with planted youth safety figures in every wijk."""
    earlier_wave = db.session.scalar(select(Wave).filter_by(name="Leefwereld demo 2025"))
    earlier = analysed_wave(app, earlier_wave, 300, seed=4)
    for run, figures in ((earlier, SAFETY_2025), (analysed, SAFETY_2026)):
        for code, value in figures.items():
            if value is None:
                plant(run, code, "youth", "safety", "mean", None, flags="suppressed suppressed_small")
            else:
                plant(run, code, "youth", "safety", "mean", value, value - 0.3, value + 0.3, 80)
    return analysed


def safety() -> Indicator:
    return db.session.execute(select(Indicator).filter_by(instrument="youth", measure="safety")).scalar_one()


def rows_of(html: str, caption_start: str) -> list[str]:
    table = html[html.index(caption_start) :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in re.split(r"<tr[^>]*>", body)[1:]]


def test_across_wijken_the_correlation_with_its_interval_and_the_plain_words(app, two_waves):
    client = council_client(app)
    measure = db.session.scalar(select(OutputMeasure).filter_by(code="jeugd_trajecten"))
    html = page(client, f"/council/output?wave={two_waves.wave_id}&indicator={safety().id}&measure={measure.id}")
    x = [TRAJECTORIES_2026[code] for code in WIJKEN]
    y = [SAFETY_2026[code] for code in WIJKEN]
    r = np.corrcoef(x, y)[0, 1]
    z, spread = np.arctanh(r), 1.959963984540054 / np.sqrt(5 - 3)
    expected = "Correlation over 5 wijken: {} (95% interval {} to {}).".format(
        *(f"{value:.2f}" for value in (r, np.tanh(z - spread), np.tanh(z + spread)))
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert expected in text
    assert "This is an association between areas, not the effect of the service." in text
    svg = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" class="lw-chart lw-chart--scatter"') :]
    svg = svg[: svg.index("</svg>")]
    assert 'role="img"' in svg and svg.count("<circle") == 5
    assert "Molenwijk: output 150, 6.0 (95% interval 5.7 to 6.3)" in svg  # the description names every point
    rows = rows_of(html, "Jongeren voelen zich veilig and Gestarte jeugdtrajecten wijkteam per wijk")
    assert rows[3] == "4 Molenwijk 150 6.0 (5.7–6.3)"


def test_the_change_between_two_waves_shows_the_wijk_where_output_rose_and_youth_are_not_better_off(app, two_waves):
    client = council_client(app)
    html = page(client, f"/council/output?wave={two_waves.wave_id}&indicator={safety().id}")
    rows = rows_of(html, "Change of Gestarte jeugdtrajecten wijkteam and Jongeren voelen zich veilig per wijk")
    by_wijk = dict(zip(["Centrum", "Oud-West", "Haverland", "Molenwijk", "De Polder"], rows, strict=True))
    assert by_wijk["Molenwijk"].startswith("Molenwijk More output, residents not clearly better off 95 150 rose")
    assert by_wijk["Molenwijk"].endswith("Not clearly changed")
    assert by_wijk["Centrum"].endswith("Yes, clearly better off") and " fell " in by_wijk["Centrum"]
    assert by_wijk["De Polder"].endswith("No, clearly worse off")
    assert by_wijk["Oud-West"].endswith("Not known: a figure is missing or suppressed")
    assert html.count("More output, residents not clearly better off") == 1
    assert "Change from Leefwereld demo 2025 to Leefwereld demo 2026" in html


def test_the_wijk_profile_and_the_report_set_output_beside_the_indicators(app, two_waves):
    client = council_client(app)
    html = page(client, f"/council/wijk/{MOLENWIJK}?wave={two_waves.wave_id}")
    rows = rows_of(html, "Jeugdigen groeien veilig op in een gezin in Molenwijk: indicators and output per year")
    assert rows[0].startswith("Jongeren voelen zich veilig higher is better outcome: residents 6.1 (5.8–6.4) 6.0")
    assert "Gestarte jeugdtrajecten wijkteam number · Wijkteam Leefdam (verzonnen) output 95 150 no target" in rows
    assert "Percentage jongeren met jeugdzorg" in rows[-1] and "11.2% 13.6%" in rows[-1]
    assert "it does not show that the one caused the other" in html
    report = page(client, f"/council/report/GM9001?wave={two_waves.wave_id}")
    assert "Jeugdigen groeien veilig op in een gezin in Leefdam: indicators and output per year" in report
    overview = page(client, f"/council/?wave={two_waves.wave_id}")
    assert "/council/output?wave=" in overview


def test_with_one_wave_there_is_no_change_and_suppressed_wijken_are_left_out(app, analysed):
    plant(analysed, "WK900101", "youth", "safety", "mean", None, flags="suppressed suppressed_small")
    html = page(council_client(app), f"/council/output?wave={analysed.wave_id}")
    assert "There is no earlier wave with figures to compare with." in html
    match = re.search(r"Correlation over (\d) wijken", html)
    shown = [code for code in WIJKEN if code != "WK900101"]
    assert match is None or int(match.group(1)) <= len(shown)
    assert "suppressed: too few residents" in html
