"""Importing responses: every row checked first with row and column named, idempotent, optionally skipping bad rows."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from exchange.importer import ImportRefused, check_file, import_responses
from extensions import db
from models import Answer, AuditEvent, Response, ResponseMode, ResponseStatus, Wave, WaveInstrument
from models.types import utcnow
from surveys.registry import get_instrument
from tests.exchange.conftest import FULL, SPARSE, csv_bytes, write_csv, write_xlsx


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def run_import(wave, rows, slug="adult", skip_invalid=False, columns=None, delimiter=","):
    report = import_responses(
        csv_bytes(rows, columns, delimiter), "responses.csv", wave, get_instrument(slug), skip_invalid=skip_invalid
    )
    db.session.commit()  # as the import command does
    return report


def test_a_valid_file_is_stored_as_submitted_imported_responses(demo_wave):
    report = run_import(demo_wave, [FULL, SPARSE])
    assert report.ok and report.imported == 2 and report.rows == 2
    full = db.session.scalar(select(Response).filter_by(external_id="P-001"))
    assert full.mode is ResponseMode.imported and full.status is ResponseStatus.submitted
    assert full.neighbourhood.code == "BU90010001" and full.age_band == "45_64"
    assert full.submitted_at == datetime(2025, 10, 3, 14, 30, tzinfo=UTC)
    assert full.instrument_version.slug == "adult"
    answers = full.answer_values()
    assert answers["who5_1"] == 5 and answers["djg_5"] == "more_or_less" and answers["part_hours_volunteer"] == 12
    assert answers["open_good"] == 'De buren; "echt" aardig,\nook \'s avonds'
    assert answers["age_band"] == "45_64"
    sparse = db.session.scalar(select(Response).filter_by(external_id="P-002"))
    assert "who5_5" not in sparse.answer_values() and sparse.locale == "nl"
    event = db.session.scalars(select(AuditEvent).filter_by(action="responses_imported")).one()
    assert event.details["imported"] == 2 and event.target_id == str(demo_wave.id)


def test_without_submitted_at_the_time_of_import_is_used(demo_wave):
    before = utcnow()
    run_import(demo_wave, [{k: v for k, v in SPARSE.items() if k != "submitted_at"}])
    assert db.session.scalars(select(Response)).one().submitted_at >= before.replace(microsecond=0)


PROBLEMS = [
    # (column, bad value, kind)
    ("who5_1", "7", "out_of_range"),
    ("who5_1", "2.5", "out_of_range"),
    ("ph_body", "11", "out_of_range"),
    ("part_hours_volunteer", "81", "out_of_range"),
    ("part_hours_volunteer", "veel", "out_of_range"),
    ("djg_1", "misschien", "unknown_code"),
    ("gender", "3", "unknown_code"),
    ("part_volunteer", "ja", "unknown_code"),
    ("locale", "de", "unknown_code"),
    ("mode", "post", "unknown_code"),
    ("buurt_code", "BU99999999", "unknown_buurt"),
    ("buurt_code", "", "missing_value"),
    ("submitted_at", "31-02-2025", "bad_date"),
    ("submitted_at", "gisteren", "bad_date"),
    ("submitted_at", (utcnow() + timedelta(days=3)).isoformat(), "bad_date"),
    ("open_good", "x" * 2001, "bad_text"),
    ("open_good", "tab\x07bel", "bad_text"),
]


# ids without the values: one of them is a timestamp, and parallel workers must collect the same tests
@pytest.mark.parametrize(
    ("column", "value", "kind"),
    PROBLEMS,
    ids=[f"{column}-{kind}-{index}" for index, (column, _, kind) in enumerate(PROBLEMS)],
)
def test_each_kind_of_bad_value_is_named_by_row_and_column_and_nothing_is_imported(demo_wave, column, value, kind):
    report = run_import(demo_wave, [FULL, {**SPARSE, column: value}])
    assert not report.ok and report.imported == 0
    assert [(p.row, p.column, p.kind) for p in report.problems] == [(3, column, kind)]
    assert "3" in str(report.problems[0]) and column in str(report.problems[0])
    assert count(Response) == 0 and count(Answer) == 0


def test_every_problem_of_a_file_is_reported_at_once(demo_wave):
    rows = [{**FULL, "who5_1": "9", "djg_2": "soms"}, {**SPARSE, "buurt_code": "BU00000000", "submitted_at": "nooit"}]
    report = run_import(demo_wave, rows)
    assert {(p.row, p.column, p.kind) for p in report.problems} == {
        (2, "who5_1", "out_of_range"),
        (2, "djg_2", "unknown_code"),
        (3, "buurt_code", "unknown_buurt"),
        (3, "submitted_at", "bad_date"),
    }
    assert count(Response) == 0


def test_unknown_duplicate_and_missing_columns_are_reported_on_the_header(demo_wave):
    report = run_import(demo_wave, [{**FULL, "shoe_size": "42"}])
    assert [(p.row, p.column, p.kind) for p in report.problems] == [(1, "shoe_size", "unknown_column")]
    header = "who5_1,who5_1,buurt_code\n1,2,BU90010001\n"
    report = import_responses(header.encode(), "x.csv", demo_wave, get_instrument("adult"))
    assert [(p.row, p.column, p.kind) for p in report.problems] == [(1, "who5_1", "duplicate_column")]
    report = run_import(demo_wave, [{"who5_1": "1"}])
    assert [(p.row, p.column, p.kind) for p in report.problems] == [(1, "buurt_code", "missing_column")]
    # a header problem stops even an import that skips bad rows
    report = run_import(demo_wave, [{**FULL, "shoe_size": "42"}], skip_invalid=True)
    assert report.imported == 0 and count(Response) == 0


def test_duplicate_external_ids_in_one_file_are_refused(demo_wave):
    report = run_import(demo_wave, [FULL, SPARSE, {**SPARSE, "external_id": "P-001"}])
    assert [(p.row, p.column, p.kind) for p in report.problems] == [(4, "external_id", "duplicate_external_id")]
    assert "2" in report.problems[0].message  # names the row it repeats
    assert count(Response) == 0


def test_reimporting_the_same_file_adds_nothing_with_or_without_external_ids(demo_wave):
    assert run_import(demo_wave, [FULL, SPARSE]).imported == 2
    again = run_import(demo_wave, [FULL, SPARSE])
    assert again.ok and again.imported == 0 and again.already_present == 2
    anonymous = [{k: v for k, v in row.items() if k != "external_id"} for row in (FULL, SPARSE, SPARSE)]
    first = run_import(demo_wave, anonymous)
    assert first.imported == 3  # two paper forms with the same answers are two responses
    second = run_import(demo_wave, anonymous)
    assert second.imported == 0 and second.already_present == 3
    assert count(Response) == 5
    # one more identical form in a later file is a new response
    assert run_import(demo_wave, [*anonymous, anonymous[1]]).imported == 1


def test_an_external_id_imported_before_with_other_answers_is_refused(demo_wave):
    run_import(demo_wave, [FULL])
    report = run_import(demo_wave, [{**FULL, "who5_1": "0"}])
    assert [(p.row, p.column, p.kind) for p in report.problems] == [(2, "external_id", "external_id_taken")]
    assert db.session.scalar(select(Response)).answer_values()["who5_1"] == 5


def test_skip_invalid_imports_the_good_rows_and_lists_the_rejected_ones(demo_wave):
    rows = [FULL, {**SPARSE, "who5_1": "8"}, {**SPARSE, "external_id": "P-003"}]
    report = run_import(demo_wave, rows, skip_invalid=True)
    assert report.imported == 2 and [parsed.row for parsed in report.rejected] == [3]
    assert set(db.session.scalars(select(Response.external_id))) == {"P-001", "P-003"}


def test_answers_to_questions_that_did_not_apply_are_left_out(demo_wave):
    report = run_import(demo_wave, [{**FULL, "part_volunteer": "no"}])
    assert report.imported == 1 and report.dropped_answers == 1
    assert "part_hours_volunteer" not in db.session.scalar(select(Response)).answer_values()


def test_codes_are_read_leniently_where_that_is_unambiguous(demo_wave):
    row = {**FULL, "who5_1": "5.0", "djg_1": " YES ", "buurt_code": "bu90010001", "submitted_at": "03-10-2025 14:30"}
    report = run_import(demo_wave, [row], delimiter=";")
    assert report.ok, [str(p) for p in report.problems]
    response = db.session.scalar(select(Response))
    assert response.answer_values()["who5_1"] == 5 and response.answer_values()["djg_1"] == "yes"
    assert response.submitted_at == datetime(2025, 10, 3, 14, 30, tzinfo=UTC)


def test_multiple_choice_codes_are_separated_by_semicolons(demo_wave):
    row = {"buurt_code": "BU90010001", "par_help_where": "wijkteam; partner_family", "par_children": "2"}
    report = run_import(demo_wave, [row], slug="parent", delimiter=";")
    assert report.ok, [str(p) for p in report.problems]
    # stored in the questionnaire's order, as the resident form stores them
    assert db.session.scalar(select(Response)).answer_values()["par_help_where"] == ["partner_family", "wijkteam"]
    bad = run_import(demo_wave, [{**row, "par_help_where": "wijkteam;tarot"}], slug="parent")
    assert [(p.column, p.kind) for p in bad.problems] == [("par_help_where", "unknown_code")]


def test_xlsx_files_are_read_with_typed_cells(demo_wave, tmp_path):
    def typed(column, value):
        if value is None:
            return None
        if column == "submitted_at":
            return datetime(2025, 10, 3, 14, 30)
        return float(value) if value.isdigit() else value

    path = write_xlsx(tmp_path / "forms.xlsx", [FULL, SPARSE], convert=typed)
    report = import_responses(path, path.name, demo_wave, get_instrument("adult"))
    assert report.ok and report.imported == 2, [str(p) for p in report.problems]
    full = db.session.scalar(select(Response).filter_by(external_id="P-001"))
    assert full.answer_values()["who5_1"] == 5 and isinstance(full.answer_values()["who5_1"], int)
    assert full.submitted_at == datetime(2025, 10, 3, 14, 30, tzinfo=UTC)
    assert import_responses(path, path.name, demo_wave, get_instrument("adult")).already_present == 2


def test_unreadable_and_empty_files_are_reported(demo_wave):
    report = import_responses(b"not a zip", "x.xlsx", demo_wave, get_instrument("adult"))
    assert [p.kind for p in report.problems] == ["unreadable_file"]
    report = import_responses(b"buurt_code,who5_1\n", "x.csv", demo_wave, get_instrument("adult"))
    assert [p.kind for p in report.problems] == ["empty_file"]
    report = import_responses(b"a", "x.pdf", demo_wave, get_instrument("adult"))
    assert [p.kind for p in report.problems] == ["unreadable_file"]


def test_an_instrument_the_wave_does_not_offer_is_refused(demo_wave):
    other = Wave(
        name="Alleen jeugd",
        municipality=demo_wave.municipality,
        opens_on=demo_wave.opens_on,
        instruments=[WaveInstrument(instrument_slug="youth")],
    )
    db.session.add(other)
    db.session.commit()
    with pytest.raises(ImportRefused):
        check_file(csv_bytes([FULL]), "x.csv", other, get_instrument("adult"))


def test_an_export_can_be_imported_as_it_is(demo_wave, tmp_path, runner):
    run_import(demo_wave, [FULL, SPARSE])
    out = tmp_path / "export.csv"
    assert (
        runner.invoke(
            args=[
                "responses",
                "export",
                "--wave",
                demo_wave.name,
                "--format",
                "csv",
                "--out",
                str(out),
                "--instrument",
                "adult",
            ]
        ).exit_code
        == 0
    )
    again = import_responses(out, out.name, demo_wave, get_instrument("adult"))
    assert again.ok and again.already_present == 2 and again.imported == 0


# --- the command line -----------------------------------------------------------------------------------------------


def test_import_command_refuses_a_file_with_problems_and_says_where(demo_wave, tmp_path, runner):
    path = write_csv(tmp_path / "in.csv", [FULL, {**SPARSE, "who5_2": "6"}])
    result = runner.invoke(args=["responses", "import", str(path), "--instrument", "adult", "--wave", demo_wave.name])
    assert result.exit_code == 1
    assert "row 3, column who5_2" in result.output and "nothing was imported" in result.output
    assert count(Response) == 0


def test_import_command_with_skip_invalid_writes_the_rejected_rows(demo_wave, tmp_path, runner):
    path = write_csv(tmp_path / "in.csv", [FULL, {**SPARSE, "who5_2": "6", "djg_1": "?"}])
    rejected = tmp_path / "rejected.csv"
    args = [
        "responses",
        "import",
        str(path),
        "--instrument",
        "adult",
        "--wave",
        demo_wave.name,
        "--skip-invalid",
        "--rejected",
        str(rejected),
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "1 response(s) imported" in result.output and "1 row(s) rejected" in result.output
    with rejected.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert len(lines) == 1
    assert lines[0]["row"] == "3" and lines[0]["external_id"] == "P-002" and lines[0]["who5_2"] == "6"
    assert "who5_2" in lines[0]["problems"] and "djg_1" in lines[0]["problems"]
    assert count(Response) == 1
    again = runner.invoke(args=args)
    assert "0 response(s) imported, 1 already present" in again.output
    assert count(Response) == 1


def test_import_command_needs_a_known_wave_and_instrument(demo_wave, tmp_path, runner):
    path = write_csv(tmp_path / "in.csv", [FULL])
    assert runner.invoke(args=["responses", "import", str(path), "--instrument", "adult", "--wave", "X"]).exit_code
    assert runner.invoke(
        args=["responses", "import", str(path), "--instrument", "x", "--wave", demo_wave.name]
    ).exit_code
