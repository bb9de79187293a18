"""Exports: the same item values come back in every format, scale scores as scoring.py computes them, audit-logged."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from sqlalchemy import select

from exchange.exporter import iter_rows, plan_export
from exchange.importer import import_responses
from extensions import db
from models import AuditEvent, Response, Role
from surveys.registry import get_instrument
from surveys.scoring import score_columns
from tests.exchange.conftest import FULL, SPARSE, csv_bytes
from tests.forms import main_form
from tests.staff import log_in, make_staff

PARENT = {
    "external_id": "Q-1",
    "buurt_code": "BU90010300",
    "age_band": "25_44",
    "par_children": "3",
    "par_youngest_band": "4_11",
    "par_help_where": "wijkteam;partner_family",
    "djg_1": "more_or_less",
    "open_better": "Een speeltuin",
}


@pytest.fixture
def imported(demo_wave):
    for slug, rows in (("adult", [FULL, SPARSE]), ("parent", [PARENT])):
        report = import_responses(csv_bytes(rows), "in.csv", demo_wave, get_instrument(slug))
        assert report.ok, [str(p) for p in report.problems]
    db.session.commit()  # as the import command does
    return demo_wave


def _plain(value):
    """A cell as text, whatever the format gave back: None for empty, whole numbers without .0."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_back(fmt: str, path: Path) -> list[dict]:
    if fmt == "csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return [{key: _plain(value) for key, value in row.items()} for row in csv.DictReader(handle)]
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True).worksheets[0]
        lines = list(sheet.iter_rows(values_only=True))
        width = len(lines[0])  # a read-only sheet leaves out empty cells at the end of a row
        return [
            {name: _plain(value) for name, value in zip(lines[0], (*line, *[None] * (width - len(line))), strict=True)}
            for line in lines[1:]
        ]
    import pyreadstat

    frame, _ = pyreadstat.read_sav(str(path))
    return [{key: _plain(value) for key, value in row.items()} for row in frame.to_dict("records")]


def export(runner, wave, fmt, out, *extra):
    result = runner.invoke(
        args=["responses", "export", "--wave", wave.name, "--format", fmt, "--out", str(out), *extra]
    )
    assert result.exit_code == 0, result.output
    return result


def stored_values() -> dict[str | None, dict[str, str]]:
    """What the database holds per external id, written as an export writes codes."""
    result: dict[str | None, dict[str, str]] = {}
    for response in db.session.scalars(select(Response)):
        result[response.external_id] = {
            item_id: ";".join(map(str, value)) if isinstance(value, list) else str(value)
            for item_id, value in response.answer_values().items()
        }
    return result


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav"])
def test_round_trip_gives_back_every_item_value(imported, runner, tmp_path, fmt):
    out = tmp_path / f"export.{fmt}"
    export(runner, imported, fmt, out)
    rows = {row["external_id"]: row for row in read_back(fmt, out)}
    assert set(rows) == {"P-001", "P-002", "Q-1"}
    for external_id, values in stored_values().items():
        row = rows[external_id]
        for item_id, value in values.items():
            written = "'" + value if fmt == "csv" and value.startswith("=") else value  # as a spreadsheet needs it
            assert row[item_id] == written, (fmt, external_id, item_id)
        items = get_instrument(row["instrument"]).item_ids
        assert all(row[name] is None for name in row if name in items and name not in values), external_id
    # and what was stored is what the file said
    assert rows["P-001"]["open_good"] == FULL["open_good"] and rows["P-001"]["open_better"] == (
        "'=1+1 meer bankjes" if fmt == "csv" else "=1+1 meer bankjes"
    )
    assert rows["Q-1"]["par_help_where"] == "partner_family;wijkteam"
    full = rows["P-001"]
    assert (full["buurt_code"], full["wijk_code"], full["mode"], full["wave"], full["instrument"]) == (
        "BU90010001",
        "WK900100",
        "import",
        imported.name,
        "adult",
    )
    assert full["age_band"] == "45_64" and full["instrument_version"] == str(get_instrument("adult").version)
    assert full["submitted_at"].replace("T", " ").startswith("2025-10-03 14:30:00")


# hand-computed from the answers in conftest.py, one scale at a time (see surveys/instruments/adult.yaml)
EXPECTED_FULL = {
    "who5_score": 60.0,
    "who5_band": "adequate",  # (5+4+3+2+1) = 15 of 25 -> 60 of 100; >= 52
    "djg_score": 4.0,
    "djg_emotional": 2.0,
    "djg_social": 2.0,
    "djg_band": "moderate",  # 1+1+0+0+1+1; 2..4
    "brs_score": 4.0,
    "brs_band": "normal",  # (4 + (6-2) + 5 + (6-1) + 3 + (6-3)) / 6
    "mastery_score": 29.0,
    "mastery_band": "sufficient",  # 5*4 + (6-2) + (6-1); >= 20
    "life_satisfaction_score": 7.0,
    "cohesion_score": 7.5,  # ((6-2)+4+3+5+4)/5 = 4 on 1..5 -> 7.5 on 0..10
    "ph_body_score": 3.0,
    "ph_mind_score": 7.0,
    "ph_meaning_score": 8.0,
    "ph_quality_score": 6.0,
    "ph_participation_score": 5.0,
    "ph_daily_score": 9.0,
    "belonging_score": 4.0,  # (4+4+3+5)/4
}
EXPECTED_SPARSE = {
    "who5_score": None,
    "who5_band": None,  # who5_5 missing: every item is needed
    "djg_score": None,
    "djg_emotional": None,
    "djg_social": None,
    "djg_band": None,  # djg_6 missing
    "brs_score": 5.0,
    "brs_band": "high",  # (5+5+5+5+5+5)/6 with three reversed; > 4.3
    "mastery_score": None,
    "mastery_band": None,
    "life_satisfaction_score": 4.0,
    "cohesion_score": None,
    "ph_body_score": 10.0,
    "ph_mind_score": None,
    "ph_meaning_score": None,
    "ph_quality_score": None,
    "ph_participation_score": None,
    "ph_daily_score": None,
    "belonging_score": None,
}


def test_the_hand_computed_expectations_cover_every_score_column_of_adult(app):
    assert set(EXPECTED_FULL) == set(score_columns(get_instrument("adult"))) == set(EXPECTED_SPARSE)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav"])
def test_scale_scores_match_hand_computed_values_with_missing_data(imported, runner, tmp_path, fmt):
    out = tmp_path / f"adult.{fmt}"
    export(runner, imported, fmt, out, "--instrument", "adult")
    rows = {row["external_id"]: row for row in read_back(fmt, out)}
    assert set(rows) == {"P-001", "P-002"}
    for external_id, expected in (("P-001", EXPECTED_FULL), ("P-002", EXPECTED_SPARSE)):
        for column, value in expected.items():
            got = rows[external_id][column]
            if isinstance(value, float):
                assert got is not None and float(got) == pytest.approx(value), (external_id, column)
            else:
                assert got == value, (external_id, column, got)
    header = list(read_back(fmt, out)[0])
    scores = score_columns(get_instrument("adult"))
    assert header[-len(scores) :] == scores  # the scores come last, in scoring.py's order


def test_the_export_reads_responses_in_batches_in_id_order(imported):
    plan = plan_export(imported)
    ids = [row["response_id"] for row in iter_rows(plan, batch_size=2)]
    assert ids == sorted(ids) and len(ids) == 3
    assert ids == [row["response_id"] for row in iter_rows(plan, batch_size=1000)]


def test_xlsx_has_a_second_sheet_describing_every_column_and_never_a_formula(imported, runner, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "export.xlsx"
    export(runner, imported, "xlsx", out)
    workbook = load_workbook(out)
    data, docs = workbook.worksheets
    header = [cell.value for cell in data[1]]
    described = [row[0] for row in docs.iter_rows(min_row=2, values_only=True)]
    assert described == header
    who5 = next(row for row in docs.iter_rows(values_only=True) if row[0] == "who5_1")
    assert "vrolijk" in who5[1] and "5 = De hele tijd" in who5[3]
    formula_column = header.index("open_better") + 1
    cells = [data.cell(row=row, column=formula_column) for row in range(2, data.max_row + 1)]
    assert any(cell.value == "=1+1 meer bankjes" for cell in cells)
    assert all(cell.data_type != "f" for cell in cells)


def test_sav_carries_dutch_variable_and_value_labels(imported, runner, tmp_path):
    import pyreadstat

    out = tmp_path / "export.sav"
    export(runner, imported, "sav", out, "--instrument", "adult")
    _, meta = pyreadstat.read_sav(str(out))
    labels = meta.column_names_to_labels
    assert labels["who5_1"] == get_instrument("adult").item("who5_1").text["nl"]
    assert labels["buurt_code"] and labels["djg_score"]
    values = meta.variable_value_labels
    assert values["who5_1"][5.0] == "De hele tijd"
    assert values["djg_1"]["more_or_less"] == "Min of meer"
    assert values["ph_body"][0.0] and values["ph_body"][10.0]
    assert set(values["who5_band"]) == {"poor", "adequate"}
    assert meta.readstat_variable_types["who5_1"] == "double" and meta.readstat_variable_types["djg_1"] == "string"


def test_an_empty_wave_exports_just_the_header(demo_wave, runner, tmp_path):
    out = tmp_path / "empty.csv"
    result = export(runner, demo_wave, "csv", out, "--instrument", "youth")
    assert "0 response(s)" in result.output
    header = out.read_text(encoding="utf-8").splitlines()
    assert len(header) == 1 and header[0].startswith("response_id,external_id,wave") and "safety_score" in header[0]


def test_the_command_line_export_is_audit_logged_without_content(imported, runner, tmp_path):
    export(runner, imported, "csv", tmp_path / "x.csv", "--no-free-text")
    event = db.session.scalars(select(AuditEvent).filter_by(action="responses_exported")).one()
    assert event.target_type == "wave" and event.target_id == str(imported.id)
    assert event.details["format"] == "csv" and event.details["rows"] == 3 and event.details["free_text"] is False
    assert event.details["via"].startswith("cli")
    assert "Een speeltuin" not in json.dumps(event.details) and "BU9001" not in json.dumps(event.details)
    header = (tmp_path / "x.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert "open_good" not in header and "open_better" not in header and "who5_1" in header


# --- the staff pages ------------------------------------------------------------------------------------------------


def _download(client, wave, fmt="csv", instrument=""):
    page = client.get(f"/staff/data/export?wave={wave.id}")
    assert page.status_code == 200
    form = main_form(page.get_data(as_text=True))
    assert form.fields["wave"] == [str(wave.id)]
    return client.post(
        "/staff/data/export",
        data={
            "csrf_token": form.fields["csrf_token"][0],
            "wave": str(wave.id),
            "instrument": instrument,
            "format": fmt,
        },
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav"])
def test_an_analyst_downloads_an_export_with_free_text_and_it_is_audit_logged(
    imported, analyst, analyst_client, fmt, tmp_path
):
    response = _download(analyst_client, imported, fmt)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    path = tmp_path / f"download.{fmt}"
    path.write_bytes(response.get_data())
    rows = {row["external_id"]: row for row in read_back(fmt, path)}
    assert rows["Q-1"]["open_better"] == "Een speeltuin"
    event = db.session.scalars(select(AuditEvent).filter_by(action="responses_exported")).one()
    assert event.actor_id == analyst.id and event.details["rows"] == 3 and event.details["format"] == fmt
    assert event.details["wave"] == imported.name and event.details["free_text"] is True


def test_an_administrators_export_leaves_out_free_text(imported, admin_client, tmp_path):
    response = _download(admin_client, imported, "csv", "adult")
    assert response.status_code == 200
    header = response.get_data(as_text=True).splitlines()[0].split(",")
    assert "open_good" not in header and "who5_1" in header and "who5_score" in header
    assert len(response.get_data(as_text=True).strip().splitlines()) == 3


@pytest.mark.parametrize("role", [Role.council, Role.interviewer])
def test_every_other_role_is_refused_the_export(imported, app, role):
    client = app.test_client()
    log_in(client, make_staff(role))
    assert client.get("/staff/data/export").status_code == 403
    assert client.post("/staff/data/export", data={"wave": str(imported.id), "format": "csv"}).status_code == 403
    assert not db.session.scalars(select(AuditEvent).filter_by(action="responses_exported")).all()
    anonymous = app.test_client().post("/staff/data/export", data={"wave": str(imported.id), "format": "csv"})
    assert anonymous.status_code == 302 and "/staff/login" in anonymous.headers["Location"]


def test_a_bad_export_request_is_answered_on_the_page(imported, analyst_client):
    page = analyst_client.get("/staff/data/export")
    token = main_form(page.get_data(as_text=True)).fields["csrf_token"][0]
    response = analyst_client.post("/staff/data/export", data={"csrf_token": token, "wave": "999", "format": "pdf"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="lw-error-summary"' in html and 'href="#wave"' in html and 'href="#format-0"' in html
    assert not db.session.scalars(select(AuditEvent).filter_by(action="responses_exported")).all()
