"""Output figures: the loader reads the CBS Kerncijfers care columns and the plain municipal layout, refuses a file
with a problem whole while naming every row and column, and changes nothing when the same file is loaded again; the
command and the staff page do the same, and council members cannot load."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from council.outputs import load_outputs, measures_of, read_outputs
from demo.cli import DEMO_DIR
from extensions import db
from models import AuditEvent, OutputFigure, OutputMeasure, OutputUnit, Role
from tests.forms import main_form
from tests.staff import log_in, make_staff

PLAIN = """measure,name,unit,area_code,year,value,source
trajecten,Gestarte trajecten,count,WK900100,2025,12,Wijkteam
trajecten,Gestarte trajecten,count,WK900101,2025,7,Wijkteam
uren,Uren ondersteuning,hours,BU90010001,2025,340.5,
"""
KWB = """gwb_code;regio;recs;a_jz_tn;p_jz_tn;a_wmo_t;p_wmo_t
GM9001;Leefdam;Gemeente;1.250;9,8;2800;68
WK900100;Centrum;Wijk;130;11,1;720;74
BU90010001;Centrum-Noord;Buurt;.;.;35;61
GM0599;Rotterdam;Gemeente;9870;10,2;50110;75
WK059901;Stadsdriehoek;Wijk;85;6,1;1210;58
"""


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def loaded(municipality, text: str, year: int | None = None):
    with force_locale("en"):
        return load_outputs(municipality, text, year)


@pytest.fixture
def municipality(demo_wave):
    return demo_wave.municipality


def test_the_plain_layout_loads_and_loading_it_again_changes_nothing(app, municipality):
    before = count(OutputFigure)
    report = loaded(municipality, PLAIN)
    assert (report.created, report.updated, report.unchanged, report.measures, report.errors) == (3, 0, 0, 2, [])
    assert count(OutputFigure) == before + 3
    trajecten = db.session.scalar(select(OutputMeasure).filter_by(code="trajecten"))
    assert (trajecten.name, trajecten.unit, trajecten.source) == ("Gestarte trajecten", OutputUnit.count, "Wijkteam")
    assert {(f.area_code, f.year, f.value) for f in trajecten.figures} == {
        ("WK900100", 2025, 12),
        ("WK900101", 2025, 7),
    }
    again = loaded(municipality, PLAIN)
    assert (again.created, again.updated, again.unchanged, again.measures) == (0, 0, 3, 0)
    assert count(OutputFigure) == before + 3
    changed = loaded(municipality, PLAIN.replace("WK900101,2025,7", "WK900101,2025,9"))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)


def test_the_demo_has_output_figures_for_two_years(app, municipality):
    codes = {measure.code: measure for measure in measures_of(municipality)}
    assert set(codes) == {"jeugd_trajecten", "jeugdzorg_pct", "wmo_per_1000"}
    for measure in codes.values():
        assert {figure.year for figure in measure.figures} == {2025, 2026}
    trajecten = {(f.area_code, f.year): f.value for f in codes["jeugd_trajecten"].figures}
    risen = [
        code
        for code in ("WK900100", "WK900101", "WK900102", "WK900103", "WK900104")
        if trajecten[(code, 2026)] > trajecten[(code, 2025)]
    ]
    assert risen == ["WK900103"]  # Molenwijk: the one wijk where output rose
    report = loaded(municipality, (DEMO_DIR / "leefdam_output.csv").read_text(encoding="utf-8"))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 36)


def test_the_kerncijfers_care_columns_load_with_decimal_commas_and_secret_figures_left_out(app, municipality):
    report = loaded(municipality, KWB.replace("1.250", "1250"), 2024)
    assert report.errors == []
    values = {
        (measure.code, figure.area_code): (figure.year, figure.value)
        for measure in measures_of(municipality)
        for figure in measure.figures
        if figure.year == 2024
    }
    assert values[("jeugdzorg", "GM9001")] == (2024, 1250)
    assert values[("jeugdzorg_pct", "WK900100")] == (2024, 11.1)
    assert values[("wmo_per_1000", "BU90010001")] == (2024, 61)
    assert ("jeugdzorg", "BU90010001") not in values  # "." is a secret figure at CBS: left out, not zero
    assert not [key for key in values if key[1].startswith(("GM0599", "WK0599"))]  # another municipality: passed over
    units = {measure.code: measure.unit for measure in measures_of(municipality)}
    assert units["jeugdzorg_pct"] is OutputUnit.percent and units["wmo_per_1000"] is OutputUnit.per_1000
    assert units["jeugdzorg"] is OutputUnit.count and units["wmo"] is OutputUnit.count


def test_a_kerncijfers_file_needs_its_year_and_a_care_column(app, municipality):
    with force_locale("en"):
        # 1.250 is 1250 with a Dutch thousands separator, or 1.25: refused rather than guessed
        assert read_outputs(KWB, municipality, 2024)[1] == [
            "Row 2, column a_jz_tn: '1.250' is not a number of 0 or more."
        ]
        assert read_outputs(KWB, municipality)[1] == ["Give the year of the Kerncijfers file (from 2000 to 2100)."]
        assert read_outputs("gwb_code;regio;a_inw\nWK900100;Centrum;9781\n", municipality, 2024)[1] == [
            "Header, column a_jz_tn: the file has none of the columns a_jz_tn, p_jz_tn, a_wmo_t, p_wmo_t."
        ]


def test_a_file_with_problems_is_refused_whole_and_every_problem_names_its_row_and_column(app, municipality):
    before, events = count(OutputFigure), count(AuditEvent)
    bad = """measure,unit,area_code,year,value
trajecten,count,WK900100,2025,12
Trajecten!,count,WK900100,2025,12
trajecten,litres,WK900100,2025,12
trajecten,count,WK999999,2025,12
trajecten,count,WK900101,1850,12
trajecten,count,WK900101,2025,-3
trajecten,count,WK900101,2025,twaalf
pct,percent,WK900101,2025,120
trajecten,count,WK900100,2025,13
trajecten,hours,WK900102,2025,1
"""
    report = loaded(municipality, bad)
    assert report.errors == [
        "Row 3, column measure: 'Trajecten!' is no code: use lower-case letters, digits and _.",
        "Row 4, column unit: 'litres' is not one of count, percent, per_1000, hours, euro.",
        "Row 5, column area_code: WK999999 is not an area of this municipality.",
        "Row 6, column year: Give a year from 2000 to 2100.",
        "Row 7, column value: '-3' is not a number of 0 or more.",
        "Row 8, column value: 'twaalf' is not a number of 0 or more.",
        "Row 9, column value: A percentage is at most 100.",
        "Row 10, column value: a second value for trajecten in WK900100 in 2025 (row 2).",
        "Row 11, column unit: trajecten has another unit in an earlier row.",
    ]
    assert (report.created, count(OutputFigure), count(AuditEvent)) == (0, before, events)  # nothing written


def test_a_missing_column_is_named_and_a_known_measure_keeps_its_unit(app, municipality):
    with force_locale("en"):
        assert read_outputs("measure,unit,year,value\n", municipality)[1] == [
            "Header, column area_code: missing. Use the plain layout or a Kerncijfers file with gwb_code."
        ]
    report = loaded(municipality, "measure,unit,area_code,year,value\njeugd_trajecten,hours,WK900100,2027,4\n")
    assert report.errors == ["Row 2, column unit: jeugd_trajecten is stored in count; load it in that unit."]


def test_the_command_loads_a_file_and_refuses_a_bad_one_loudly(app, municipality, tmp_path):
    runner = app.test_cli_runner()
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(PLAIN, encoding="utf-8")
    bad.write_text(PLAIN.replace("WK900101", "WK123456"), encoding="utf-8")
    before = count(OutputFigure)
    result = runner.invoke(args=["outputs", "load", str(bad), "--municipality", "GM9001"])
    assert result.exit_code != 0 and "WK123456" in result.output and "nothing was loaded" in result.output
    assert count(OutputFigure) == before
    result = runner.invoke(args=["outputs", "load", str(good), "--municipality", "GM9001"])
    assert result.exit_code == 0, result.output
    assert "3 added, 0 changed, 0 unchanged; 2 new measure(s)" in result.output
    assert db.session.scalar(select(AuditEvent).filter_by(action="outputs_loaded")) is not None


def upload(client, text: str, year: str = "", name: str = "figures.csv"):
    page = client.get("/staff/outputs/?lang=en")
    assert page.status_code == 200
    form = main_form(page.get_data(as_text=True))
    data: dict[str, str | tuple[io.BytesIO, str]] = {"csrf_token": form.fields["csrf_token"][0], "year": year}
    data["file"] = (io.BytesIO(text.encode("utf-8")), name)
    return client.post("/staff/outputs/", data=data, content_type="multipart/form-data")


def test_an_analyst_loads_figures_on_the_staff_page_and_sees_every_problem(app, analyst_client, municipality):
    before = count(OutputFigure)
    refused = upload(analyst_client, PLAIN.replace("WK900101,2025,7", "WK900101,2025,zeven"))
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Row 3, column value: &#39;zeven&#39; is not a number of 0 or more." in html
    assert 'id="error-summary"' in html and count(OutputFigure) == before
    done = upload(analyst_client, PLAIN)
    assert done.status_code == 302 and count(OutputFigure) == before + 3
    page = analyst_client.get(done.headers["Location"]).get_data(as_text=True)
    assert "3 figures added, 0 changed, 0 unchanged." in page and "Gestarte trajecten" in page
    assert "Jeugdigen groeien veilig op in een gezin" in page  # the demo pairs jeugd_trajecten with it
    kwb = upload(analyst_client, KWB.replace("1.250", "1250"))
    assert kwb.status_code == 422 and "Give the year of the Kerncijfers file" in kwb.get_data(as_text=True)
    assert upload(analyst_client, KWB.replace("1.250", "1250"), year="2024").status_code == 302


def test_council_members_cannot_load_output_figures(app, demo_wave):
    client = app.test_client()
    log_in(client, make_staff(Role.council))
    assert client.get("/staff/outputs/").status_code == 403


def test_a_file_larger_than_the_import_limit_is_refused_with_a_message(app, analyst_client):
    original, app.config["IMPORT_MAX_BYTES"] = app.config["IMPORT_MAX_BYTES"], 1024 * 1024
    try:
        response = upload(analyst_client, PLAIN + "x" * (1024 * 1024 + 70 * 1024))
    finally:
        app.config["IMPORT_MAX_BYTES"] = original
    assert response.status_code == 413
    assert "The file is larger than 1 MB." in response.get_data(as_text=True)
