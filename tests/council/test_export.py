"""Downloading the aggregated profile: one row per area and figure, suppressed cells "." in CSV and XLSX, the same
from the command line as from the web."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from council.export import HEADER, profile_rows
from extensions import db
from models import ProfileSnapshot, Role, Wave
from tests.staff import log_in, make_staff

FIGURES = slice(6, 10)  # value, lower, upper, n


@pytest.fixture
def council_client(app, demo_wave):
    client = app.test_client()
    log_in(client, make_staff(Role.council))
    return client


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def xlsx_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data), read_only=True)["profile"]
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


def test_csv_has_the_exact_header_and_one_row_per_stored_figure(analysed, council_client):
    response = council_client.get(f"/council/download.csv?wave={analysed.wave_id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "filename=profile-GM9001-leefwereld-demo-2026.csv" in response.headers["Content-Disposition"]
    assert not response.data.startswith(b"\xef\xbb\xbf")  # no byte order mark: open data readers take it as is
    rows = csv_rows(response.data)
    assert (
        tuple(rows[0])
        == HEADER
        == (
            "area_code",
            "area_name",
            "area_level",
            "instrument",
            "measure",
            "statistic",
            "value",
            "lower",
            "upper",
            "n",
            "flags",
        )
    )
    # every stored figure but the run's own theme figures: themes leave only named and released by an analyst
    stored = db.session.scalar(
        select(func.count())
        .select_from(ProfileSnapshot)
        .where(ProfileSnapshot.run_id == analysed.id, ProfileSnapshot.instrument != "open_answers")
    )
    # and the municipality's output figures of the wave's year and before (the demo's invented ones), marked output
    outputs = [row for row in rows if row[3] == "output"]
    assert len(rows) - 1 == stored + len(outputs)
    assert not [row for row in rows if row[3] == "open_answers"]
    assert rows[1][:3] == ["GM9001", "Leefdam", "municipality"]  # the municipality first, then wijken and buurten
    levels = [row[2] for row in rows[1:]]
    assert levels == sorted(levels, key=["municipality", "wijk", "buurt"].index)
    assert {row[1] for row in rows[1:] if row[0] == "WK900101"} == {"Oud-West"}


def test_suppressed_cells_are_a_dot_in_csv_and_xlsx(analysed, council_client):
    csv_data = csv_rows(council_client.get("/council/download.csv").data)[1:]
    xlsx_data = xlsx_rows(council_client.get("/council/download.xlsx").data)[1:]
    suppressed = [index for index, row in enumerate(csv_data) if "suppressed" in row[10].split()]
    assert suppressed, "the demo wave has suppressed cells (small buurten, youth and parents)"
    for index in suppressed:
        assert csv_data[index][FIGURES] == [".", ".", ".", "."]
        assert xlsx_data[index][FIGURES] == [".", ".", ".", "."]
    shown = next(row for row in xlsx_data if row[3] == "adult" and row[4] == "cohesion" and row[5] == "mean")
    assert isinstance(shown[6], float) and isinstance(shown[9], int)  # numbers stay numbers in the spreadsheet
    assert not any("." in row[FIGURES] for index, row in enumerate(csv_data) if index not in suppressed)


def test_a_suppressed_buurt_stays_suppressed_whatever_the_row_holds(analysed, council_client):
    row = db.session.scalars(
        select(ProfileSnapshot)
        .where(
            ProfileSnapshot.run_id == analysed.id,
            ProfileSnapshot.area_level == "buurt",
            ProfileSnapshot.flags.contains("suppressed"),
        )
        .limit(1)
    ).one()
    # even a suppressed row that (wrongly) kept its numbers is written without them
    db.session.execute(
        update(ProfileSnapshot).where(ProfileSnapshot.id == row.id).values(value=0.375, lower=0.2, upper=0.5, n=8)
    )
    db.session.commit()
    for written in (
        csv_rows(council_client.get("/council/download.csv").data),
        xlsx_rows(council_client.get("/council/download.xlsx").data),
    ):
        matching = [
            line
            for line in written
            if line[0] == row.area_code
            and line[3] == row.instrument
            and line[4] == row.measure
            and line[5] == row.statistic
        ]
        assert len(matching) == 1 and matching[0][FIGURES] == [".", ".", ".", "."]
        assert "0.375" not in str(matching[0])


def test_numbers_are_rounded_with_a_decimal_point(analysed):
    for row in profile_rows(analysed):
        for cell in row.cells()[6:9]:
            if isinstance(cell, float) and abs(cell) >= 1e-4:
                assert re.fullmatch(r"-?\d+(\.\d{1,4})?", repr(cell)), cell


def xlsx_parts(data: bytes) -> dict[str, bytes]:
    """The workbook's files but the one that holds when it was written (docProps/core.xml): the same rows in the same
    cells and styles give the same bytes, compared without parsing 150,000 cells twice."""
    with zipfile.ZipFile(io.BytesIO(data)) as workbook:
        return {name: workbook.read(name) for name in workbook.namelist() if name != "docProps/core.xml"}


def test_command_line_writes_the_same_rows_as_the_download(app, analysed, council_client, tmp_path):
    runner = app.test_cli_runner()
    wave = db.session.get(Wave, analysed.wave_id)
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_parts)):
        out = tmp_path / f"profile.{fmt}"
        result = runner.invoke(args=["profiles", "export", "--wave", wave.name, "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        downloaded = council_client.get(f"/council/download.{fmt}?wave={wave.id}").data
        assert read(out.read_bytes()) == read(downloaded)


def test_command_line_refuses_a_wave_without_an_analysis(app, demo_wave, tmp_path):
    out = tmp_path / "profile.csv"
    result = app.test_cli_runner().invoke(
        args=["profiles", "export", "--wave", demo_wave.name, "--format", "csv", "--out", str(out)]
    )
    assert result.exit_code == 1 and "has no released analysis yet" in result.output and not out.exists()
    result = app.test_cli_runner().invoke(
        args=["profiles", "export", "--wave", "no such wave", "--format", "csv", "--out", str(out)]
    )
    assert result.exit_code == 1 and "unknown wave" in result.output


def test_a_wave_without_an_analysis_answers_404_with_a_message(council_client, demo_wave):
    response = council_client.get(f"/council/download.csv?wave={demo_wave.id}", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "has not been analysed yet" in response.get_data(as_text=True)
    response = council_client.get("/council/download.xlsx", headers={"Accept-Language": "en"})
    assert response.status_code == 404 and "No wave has been analysed yet" in response.get_data(as_text=True)


def test_unknown_format_or_wave_answers_404(council_client, analysed):
    assert council_client.get("/council/download.sav").status_code == 404
    assert council_client.get("/council/download.csv?wave=999999").status_code == 404
    assert council_client.get("/council/download.csv?wave=abc").status_code == 404


def test_only_council_analysts_and_admins_download(app, analysed):
    for role, allowed in ((Role.council, True), (Role.analyst, True), (Role.admin, True), (Role.interviewer, False)):
        client = app.test_client()
        log_in(client, make_staff(role))
        assert (client.get("/council/download.csv").status_code == 200) is allowed, role
    anonymous = app.test_client().get("/council/download.csv")
    assert anonymous.status_code == 302 and "/staff/login" in anonymous.headers["Location"]


def test_xlsx_text_never_becomes_a_formula(app):
    from council.export import ProfileRow, write_xlsx

    row = ProfileRow("WK900100", '=HYPERLINK("http://x")', "wijk", "adult", "cohesion", "mean", 6.0, 5.5, 6.5, 40, ())
    target = io.BytesIO()
    write_xlsx([row], target, ["=1+1"])
    workbook = load_workbook(io.BytesIO(target.getvalue()))
    cell = workbook["profile"]["B2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'
    assert workbook["notes"]["A1"].data_type == "s"


def test_theme_figures_follow_the_same_disclosure_rules_as_every_other_figure(app, analysed):
    from runs.themes import name_from_suggestions

    name_from_suggestions(analysed)  # the analyst named the themes and marked the questions ready
    db.session.commit()
    themes = [row for row in profile_rows(analysed) if row.instrument == "open_answers"]
    shown = [row for row in themes if row.value is not None]
    hidden = [row for row in themes if row.value is None]
    assert shown and hidden and all("suppressed" in row.flags and row.n is None for row in hidden)
    # no figure rests on fewer answers than the threshold, and no theme is counted in fewer than that
    assert all(row.n >= app.config["SUPPRESSION_MIN_N"] for row in shown)
    assert all(
        row.value >= app.config["SUPPRESSION_MIN_N"] or row.value == 0 for row in shown if row.statistic == "count"
    )


def test_output_figures_travel_with_the_profile_marked_as_output(analysed, council_client):
    rows = csv_rows(council_client.get(f"/council/download.csv?wave={analysed.wave_id}").data)
    outputs = {(row[0], row[4]): row for row in rows[1:] if row[3] == "output"}
    # the demo's invented trajectories in Molenwijk: 95 in 2025 and 150 in 2026 (the wave's year)
    assert outputs[("WK900103", "jeugd_trajecten@2025")][5:] == ["count", "95", "", "", "", "output"]
    assert outputs[("WK900103", "jeugd_trajecten@2026")][6] == "150"
    assert outputs[("WK900103", "jeugdzorg_pct@2026")][5:7] == ["percent", "13.6"]
    assert outputs[("GM9001", "wmo_per_1000@2025")][1:3] == ["Leefdam", "municipality"]
    assert len(outputs) == 36  # 3 measures x 6 areas x 2 years, none after the wave's year


def test_an_output_count_of_fewer_people_than_the_threshold_is_hidden_like_a_small_group(analysed, council_client):
    from council.outputs import load_outputs

    report = load_outputs(
        analysed.wave.municipality,
        "measure,unit,area_code,year,value\nplaatsingen,count,WK900100,2026,4\nplaatsingen,count,WK900101,2026,0\n"
        "plaatsingen,count,WK900102,2026,12\n",
    )
    assert report.errors == []
    rows = csv_rows(council_client.get(f"/council/download.csv?wave={analysed.wave_id}").data)
    placed = {row[0]: row[6:] for row in rows[1:] if row[4] == "plaatsingen@2026"}
    assert placed["WK900100"] == [".", ".", ".", ".", "output suppressed suppressed_small"]
    assert placed["WK900101"][0] == "0" and placed["WK900102"][0] == "12"  # none at all, or enough, is shown
