"""Fixtures for data exchange: staff of each data role, and files of responses written as analysts write them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

# One complete adult respondent and one who skipped a lot, as stored codes (age_band is an item of adult too).
FULL = {
    "external_id": "P-001",
    "buurt_code": "BU90010001",
    "age_band": "45_64",
    "locale": "nl",
    "submitted_at": "2025-10-03T14:30:00+00:00",
    "gender": "woman",
    "part_work_school": "paid_work",
    "part_volunteer": "yes",
    "who5_1": "5",
    "who5_2": "4",
    "who5_3": "3",
    "who5_4": "2",
    "who5_5": "1",
    "ph_body": "3",
    "ph_mind": "7",
    "ph_meaning": "8",
    "ph_quality": "6",
    "ph_participation": "5",
    "ph_daily": "9",
    "life_satisfaction": "7",
    "brs_1": "4",
    "brs_2": "2",
    "brs_3": "5",
    "brs_4": "1",
    "brs_5": "3",
    "brs_6": "3",
    "mastery_1": "4",
    "mastery_2": "4",
    "mastery_3": "4",
    "mastery_4": "4",
    "mastery_5": "4",
    "mastery_6": "2",
    "mastery_7": "1",
    "djg_1": "yes",
    "djg_2": "no",
    "djg_3": "yes",
    "djg_4": "no",
    "djg_5": "more_or_less",
    "djg_6": "more_or_less",
    "cohesion_1": "2",
    "cohesion_2": "4",
    "cohesion_3": "3",
    "cohesion_4": "5",
    "cohesion_5": "4",
    "part_hours_volunteer": "12",
    "part_informal_care": "no",
    "part_help_neighbours": "monthly",
    "belong_1": "4",
    "belong_2": "4",
    "belong_3": "3",
    "belong_4": "5",
    "open_good": 'De buren; "echt" aardig,\nook \'s avonds',
    "open_better": "=1+1 meer bankjes",
}
SPARSE = {
    "external_id": "P-002",
    "buurt_code": "BU90010402",
    "age_band": "75_plus",
    "who5_1": "3",
    "who5_2": "3",
    "who5_3": "3",
    "who5_4": "3",
    "life_satisfaction": "4",
    "djg_1": "no",
    "djg_2": "no",
    "djg_3": "no",
    "djg_4": "no",
    "djg_5": "no",
    "brs_1": "5",
    "brs_2": "1",
    "brs_3": "5",
    "brs_4": "1",
    "brs_5": "5",
    "brs_6": "1",
    "ph_body": "10",
}


def csv_bytes(rows: list[dict], columns: list[str] | None = None, delimiter: str = ",") -> bytes:
    columns = columns or list(dict.fromkeys(key for row in rows for key in row))
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return text.getvalue().encode("utf-8")


def write_csv(path: Path, rows: list[dict], columns: list[str] | None = None, delimiter: str = ",") -> Path:
    path.write_bytes(csv_bytes(rows, columns, delimiter))
    return path


def write_xlsx(path: Path, rows: list[dict], columns: list[str] | None = None, convert=None) -> Path:
    from openpyxl import Workbook

    columns = columns or list(dict.fromkeys(key for row in rows for key in row))
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # the one sheet a new workbook has (its active sheet)
    sheet.append(columns)
    for row in rows:
        sheet.append([(convert or (lambda column, value: value))(column, row.get(column)) for column in columns])
    workbook.save(path)
    return path


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
