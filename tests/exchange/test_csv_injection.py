"""Every CSV the platform writes is safe to open in a spreadsheet: text that would run as a formula starts with a
single quote, numbers stay numbers, and the database keeps the answer as it was typed (OWASP, CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from council.export import ProfileRow, write_csv
from exchange.codebook import codebook_columns, write_codebook_csv
from exchange.importer import import_responses, write_rejected
from extensions import db
from models import Answer, Response
from surveys.registry import get_instrument
from tests.exchange.conftest import FULL, csv_bytes

HOSTILE = ["=1+1 meer bankjes", "+31 6 12345678", "-2+3", "@SUM(A1:A9)", '=HYPERLINK("http://x","klik")']


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def hostile_wave(demo_wave):
    rows = [{**FULL, "external_id": f"H-{index}", "open_better": text} for index, text in enumerate(HOSTILE)]
    report = import_responses(csv_bytes(rows), "in.csv", demo_wave, get_instrument("adult"))
    assert report.completed, [str(problem) for problem in report.problems]
    return demo_wave


def test_the_response_export_quotes_formula_text_and_keeps_numbers_and_the_stored_answer(
    hostile_wave, runner, tmp_path
):
    out = tmp_path / "export.csv"
    result = runner.invoke(
        args=["responses", "export", "--wave", hostile_wave.name, "--format", "csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    written = {row["external_id"]: row["open_better"] for row in rows}
    assert written == {f"H-{index}": "'" + text for index, text in enumerate(HOSTILE)}
    assert all(row["who5_score"] == "60.0" and row["who5_1"] == "5" for row in rows)
    stored = set(db.session.scalars(select(Answer.value).where(Answer.item_id == "open_better")))
    assert stored == set(HOSTILE)


def test_an_exported_csv_imports_again_with_the_answers_as_typed(hostile_wave, runner, tmp_path, demo_wave):
    out = tmp_path / "export.csv"
    runner.invoke(args=["responses", "export", "--wave", hostile_wave.name, "--format", "csv", "--out", str(out)])
    db.session.execute(Answer.__table__.delete())
    db.session.execute(Response.__table__.delete())
    db.session.commit()
    report = import_responses(out.read_bytes(), "export.csv", demo_wave, get_instrument("adult"))
    assert report.completed and report.imported == len(HOSTILE), [str(problem) for problem in report.problems]
    assert set(db.session.scalars(select(Answer.value).where(Answer.item_id == "open_better"))) == set(HOSTILE)


def test_the_file_of_rejected_rows_quotes_formula_text(demo_wave):
    rows = [{**FULL, "external_id": "=cmd|' /C calc'!A0", "open_better": "@SUM(1)", "ph_body": "11"}]
    report = import_responses(csv_bytes(rows), "in.csv", demo_wave, get_instrument("adult"))
    assert not report.completed and report.rejected
    text = io.StringIO(newline="")
    write_rejected(report, text)
    header, row = rows_of(text.getvalue())
    cells = dict(zip(header, row, strict=True))
    assert cells["external_id"] == "'=cmd|' /C calc'!A0" and cells["open_better"] == "'@SUM(1)"
    assert cells["row"] == "2"


def test_the_council_profile_csv_quotes_formula_text_but_keeps_negative_numbers_numeric(app):
    row = ProfileRow(
        "WK900100", '=HYPERLINK("http://x")', "wijk", "adult", "-cohesion", "mean", -0.5, -3.0, 2.0, 40, ()
    )
    text = io.StringIO(newline="")
    write_csv([row], text)
    written = rows_of(text.getvalue())[1]
    assert written[1] == '\'=HYPERLINK("http://x")' and written[4] == "'-cohesion"
    assert written[6:9] == ["-0.5", "-3", "2"]


def test_the_codebook_says_how_formula_text_is_written_and_its_csv_is_quoted_too(app):
    columns = codebook_columns(get_instrument("adult"))
    note = next(column.note for column in columns if column.name == "open_better")
    assert "'" in note and "=" in note
    text = io.StringIO(newline="")
    write_codebook_csv(columns, text)
    cells = [cell for row in rows_of(text.getvalue()) for cell in row]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert not any(cell.startswith("-") and not cell.lstrip("-").replace(".", "").isdigit() for cell in cells)


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-3", "-3"),
        ("-0.5", "-0.5"),
        ("+2", "+2"),
        ("-1e-05", "-1e-05"),
        ("a=1", "a=1"),
        ("", ""),
        (-3, -3),
        (None, None),
    ],
)
def test_one_cell(cell, written):
    from exchange.csv_cells import csv_cell

    assert csv_cell(cell) == written
