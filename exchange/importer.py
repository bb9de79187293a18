"""Importing responses from a CSV or XLSX file: every row checked first, nothing stored while anything is wrong.

Columns are item ids of the instrument, `buurt_code`, and optionally `age_band`, `mode`, `locale`, `submitted_at`
and `external_id`; the other columns of an export (ids, wijk code, scores) are allowed and not read. Values are the
stored codes of the instrument. A row is recognised again by its external id or, without one, by a hash of its
content, so importing the same file twice stores it once. Imported responses have mode `import`: a `mode` column is
checked, but only says how the answers were first collected.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import secrets
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

import transactions
from accounts import audit
from config import LANGUAGES
from exchange.codebook import AGE_BAND
from exchange.csv_cells import csv_row, from_csv_cell
from exchange.retention import retention_days
from exchange.tables import UnreadableFile, read_table
from extensions import db
from models import (
    Answer,
    District,
    Neighbourhood,
    Response,
    ResponseMode,
    ResponseStatus,
    User,
    Wave,
)
from models.types import utcnow
from surveys.forms import has_control_characters
from surveys.instruments import Instrument, Item
from surveys.registry import ensure_version
from surveys.scoring import score_columns

META = ("buurt_code", AGE_BAND, "mode", "locale", "submitted_at", "external_id")
# Columns an export has besides those: derived (scores) or this installation's own; a file exported from Leefwereld
# can be imported as it is, and these are not read.
EXPORT_ONLY = ("response_id", "wave", "instrument", "instrument_version", "wijk_code")
MODES = tuple(mode.value for mode in ResponseMode)
EXTERNAL_ID_LENGTH = 80
AGE_BAND_LENGTH = 20
BATCH = 1000
# Progress of a long import (stage, percent): checking the rows takes most of the time, storing them the rest.
Progress = Callable[[str, int], None]
PROGRESS_EVERY = 2000  # rows
CHECKED_PERCENT = 80
_WHOLE_NUMBER = re.compile(r"^[+-]?\d+(\.0*)?$")
_DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


class ImportRefused(ValueError):
    """The import cannot start (an instrument the wave does not offer); the message is translated."""


@dataclass(frozen=True)
class Problem:
    row: int  # as a spreadsheet numbers it: 1 is the header; 0 is the file as a whole
    column: str | None
    kind: str  # unreadable_file, empty_file, unknown_column, duplicate_column, missing_column, missing_value,
    # out_of_range, unknown_code, unknown_buurt, duplicate_external_id, external_id_taken, bad_date, bad_text
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return self.message
        where = _("row %(row)s", row=self.row)
        if self.column:
            where = _("row %(row)s, column %(column)s", row=self.row, column=self.column)
        return f"{where}: {self.message}"


@dataclass
class ParsedRow:
    row: int
    cells: dict[str, str]  # as written in the file, for the file of rejected rows
    answers: dict[str, Any] = field(default_factory=dict)
    neighbourhood_id: int | None = None
    age_band: str | None = None
    locale: str = "nl"
    submitted_at: datetime | None = None
    external_id: str | None = None
    import_hash: str = ""
    dropped: int = 0  # answers to questions that did not apply (their show-if did not hold)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    already_present: int = 0
    dropped_answers: int = 0
    older_than_retention: int = 0
    problems: list[Problem] = field(default_factory=list)
    rejected: list[ParsedRow] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    header_problems: bool = False
    completed: bool = False  # the valid rows were stored (there may have been none new)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rejected_count(self) -> int:
        return len(self.rejected)


def _text_of(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    return str(cell).strip()


def _whole_number(cell: Any) -> int | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        return int(cell) if cell.is_integer() else None
    text = _text_of(cell)
    return int(float(text)) if _WHOLE_NUMBER.match(text) else None


def _clean_text(value: str) -> str:
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()


def _code_lookup(item: Item) -> dict[str, Any]:
    return {str(code).lower(): code for code in item.codes}


def _codes_text(item: Item) -> str:
    return ", ".join(str(code) for code in item.codes)


def parse_item(item: Item, cell: Any) -> tuple[Any, tuple[str, str] | None]:
    """The stored value of one cell for this item, or a problem (kind, message); an empty cell is no answer."""
    text = _text_of(cell)
    if text == "":
        return None, None
    if item.type in ("short_text", "long_text"):
        # a CSV export writes a text that a spreadsheet would run as a formula with a ' in front: not part of it
        value = _clean_text(from_csv_cell(cell) if isinstance(cell, str) else text)
        if has_control_characters(value):
            return None, ("bad_text", _("the text has characters that cannot be stored"))
        if len(value) > item.text_limit:
            return None, (
                "bad_text",
                _(
                    "the text has %(count)s characters; at most %(max)s are allowed",
                    count=len(value),
                    max=item.max_length,
                ),
            )
        return value, None
    if item.type == "number" or (item.numeric_range() is not None and item.type != "multiple"):
        number = _whole_number(cell)
        if item.type == "number":
            if number is None or not item.bounds[0] <= number <= item.bounds[1]:
                return None, (
                    "out_of_range",
                    _(
                        "%(value)s is not a whole number from %(min)s to %(max)s",
                        value=text,
                        min=item.min,
                        max=item.max,
                    ),
                )
            return number, None
        if number is None or number not in item.codes:
            low, high = item.bounds
            if number is not None and low <= number <= high:
                return None, (
                    "unknown_code",
                    _("%(value)s is not one of the codes %(codes)s", value=text, codes=_codes_text(item)),
                )
            return None, (
                "out_of_range",
                _("%(value)s is outside the range %(min)s to %(max)s", value=text, min=low, max=high),
            )
        return number, None
    lookup = _code_lookup(item)
    if item.type == "multiple":
        chosen = []
        for part in text.split(";"):
            part = part.strip()
            if not part:
                continue
            if part.lower() not in lookup:
                return None, (
                    "unknown_code",
                    _("%(value)s is not one of the codes %(codes)s", value=part, codes=_codes_text(item)),
                )
            chosen.append(lookup[part.lower()])
        return [code for code in item.codes if code in chosen] or None, None  # in the questionnaire's order
    if text.lower() not in lookup:
        return None, (
            "unknown_code",
            _("%(value)s is not one of the codes %(codes)s", value=text, codes=_codes_text(item)),
        )
    return lookup[text.lower()], None


def parse_timestamp(cell: Any, now: datetime) -> tuple[datetime | None, str | None]:
    """A timestamp from ISO 8601 text (with or without offset), DD-MM-YYYY [HH:MM], or a spreadsheet date.

    A time without a zone is taken as UTC, as exports write it; a date alone as midnight UTC.
    """
    if cell is None or _text_of(cell) == "":
        return None, None
    if isinstance(cell, datetime):
        value = cell
    elif isinstance(cell, date):
        value = datetime(cell.year, cell.month, cell.day)
    else:
        text = _text_of(cell)
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            match = _DUTCH_DATE.match(text)
            try:
                if not match:
                    raise ValueError(text)
                day, month, year, hour, minute, second = match.groups()
                value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
            except ValueError:
                return None, _("%(value)s is not a date; write it like 2026-03-01 or 2026-03-01T14:30:00", value=text)
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if value > now + timedelta(days=1):
        return None, _("%(value)s lies in the future", value=_text_of(cell))
    if value.year < 2000:
        return None, _("%(value)s is too long ago for a response", value=_text_of(cell))
    return value, None


def _row_hash(instrument: Instrument, parsed: ParsedRow, buurt_code: str, occurrence: int) -> str:
    # The content as stored (so 3, "3" and 3.0 hash alike). A row with an external id is that response whenever it
    # was sent (an export gives the time of an earlier import); without one, the time and the how-manieth identical
    # row of the file this is tell responses apart: two paper forms with the same answers are two responses.
    content = {
        "instrument": instrument.slug,
        "external_id": parsed.external_id,
        "occurrence": occurrence,
        "buurt_code": buurt_code,
        "age_band": parsed.age_band,
        "locale": parsed.locale,
        "submitted_at": parsed.submitted_at.isoformat() if parsed.submitted_at and not parsed.external_id else None,
        "answers": parsed.answers,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


class _RowChecker:
    def __init__(self, wave: Wave, instrument: Instrument, header: list[str], now: datetime):
        self.instrument = instrument
        self.header = header
        self.now = now
        self.buurten = dict(
            db.session.execute(
                select(Neighbourhood.code, Neighbourhood.id)
                .join(District)
                .where(District.municipality_id == wave.municipality_id)
            ).all()
        )

    def check(self, number: int, cells: list[Any]) -> ParsedRow | None:
        values = {name: cells[index] if index < len(cells) else None for index, name in enumerate(self.header)}
        extra = [cell for cell in cells[len(self.header) :] if _text_of(cell) != ""]
        if not extra and all(_text_of(value) == "" for value in values.values()):
            return None  # an empty line, as spreadsheets leave at the end
        parsed = ParsedRow(row=number, cells={name: _text_of(value) for name, value in values.items()})

        def problem(column: str | None, kind: str, message: str) -> None:
            parsed.problems.append(Problem(number, column, kind, message))

        if extra:
            problem(None, "unknown_column", _("this row has more cells than the header has columns"))

        for name, cell in values.items():
            if name in self.instrument.item_ids:
                value, trouble = parse_item(self.instrument.item(name), cell)
                if trouble:
                    problem(name, *trouble)
                elif value is not None:
                    parsed.answers[name] = value
        code = _text_of(values.get("buurt_code")).upper()
        if not code:
            problem("buurt_code", "missing_value", _("every response needs a buurt code"))
        elif code not in self.buurten:
            problem("buurt_code", "unknown_buurt", _("%(code)s is not a buurt of this municipality", code=code))
        else:
            parsed.neighbourhood_id = self.buurten[code]
        parsed.cells["buurt_code"] = code
        if AGE_BAND in self.instrument.item_ids:
            parsed.age_band = parsed.answers.get(AGE_BAND)
        elif age_band := _text_of(values.get(AGE_BAND)):
            if len(age_band) > AGE_BAND_LENGTH:
                problem(AGE_BAND, "out_of_range", _("an age band has at most %(max)s characters", max=AGE_BAND_LENGTH))
            parsed.age_band = age_band
        mode = _text_of(values.get("mode")).lower()
        if mode and mode not in MODES:
            problem(
                "mode",
                "unknown_code",
                _("%(value)s is not one of the codes %(codes)s", value=mode, codes=", ".join(MODES)),
            )
        locale = _text_of(values.get("locale")).lower()
        if locale and locale not in LANGUAGES:
            problem(
                "locale",
                "unknown_code",
                _("%(value)s is not one of the codes %(codes)s", value=locale, codes=", ".join(LANGUAGES)),
            )
        parsed.locale = locale if locale in LANGUAGES else "nl"
        parsed.submitted_at, date_trouble = parse_timestamp(values.get("submitted_at"), self.now)
        if date_trouble:
            problem("submitted_at", "bad_date", date_trouble)
        external_id = _text_of(values.get("external_id"))
        if len(external_id) > EXTERNAL_ID_LENGTH:
            problem(
                "external_id",
                "out_of_range",
                _("an external id has at most %(max)s characters", max=EXTERNAL_ID_LENGTH),
            )
        parsed.external_id = external_id or None
        # as when a resident sends the questionnaire: answers to questions that did not apply are left out
        for item_id in list(parsed.answers):
            if not self.instrument.item(item_id).is_visible(parsed.answers):
                del parsed.answers[item_id]
                parsed.dropped += 1
        return parsed


def _check_header(instrument: Instrument, header: list[str]) -> list[Problem]:
    problems = []
    known = set(instrument.item_ids) | set(META) | set(EXPORT_ONLY) | set(score_columns(instrument))
    seen = set()
    for name in header:
        if name in seen:
            problems.append(Problem(1, name, "duplicate_column", _("this column appears more than once")))
        elif name not in known:
            problems.append(
                Problem(
                    1,
                    name or "?",
                    "unknown_column",
                    _(
                        "unknown column; use item ids of the questionnaire %(instrument)s and buurt_code, age_band, "
                        "mode, locale, submitted_at, external_id",
                        instrument=instrument.slug,
                    ),
                )
            )
        seen.add(name)
    if "buurt_code" not in header:
        problems.append(Problem(1, "buurt_code", "missing_column", _("the column buurt_code is missing")))
    return problems


def check_file(
    source: Path | BinaryIO | bytes,
    filename: str | None,
    wave: Wave,
    instrument: Instrument,
    now: datetime | None = None,
    encoding: str = "utf-8",
    progress: Progress | None = None,
) -> tuple[ImportReport, list[ParsedRow]]:
    """Read and check every row; the rows that passed, and a report with every problem found. `encoding` is that
    of a CSV file (see tables.ENCODINGS); `progress` hears how far the check is, every few thousand rows."""
    if instrument.slug not in wave.instrument_slugs:
        raise ImportRefused(
            _(
                "The wave %(wave)s does not offer the questionnaire %(instrument)s.",
                wave=wave.name,
                instrument=instrument.slug,
            )
        )
    now = now or utcnow()
    report = ImportReport()
    try:
        table = read_table(source, filename, encoding)
        header = [name.lower() for name in table.header]
    except UnreadableFile as error:
        report.problems.append(
            Problem(0, None, "unreadable_file", _("The file cannot be read: %(reason)s", reason=str(error)))
        )
        return report, []
    report.header = header
    header_problems = _check_header(instrument, header)
    if header_problems:
        report.problems.extend(header_problems)
        report.header_problems = True
        return report, []
    checker = _RowChecker(wave, instrument, header, now)
    parsed_rows: list[ParsedRow] = []
    try:
        for number, cells in table.rows:
            parsed = checker.check(number, cells)
            if parsed is not None:
                parsed_rows.append(parsed)
            if progress is not None and number % PROGRESS_EVERY == 0:
                progress("checking", CHECKED_PERCENT * number // max(number, table.estimated_rows + 1))
    except UnreadableFile as error:
        report.problems.append(
            Problem(0, None, "unreadable_file", _("The file cannot be read: %(reason)s", reason=str(error)))
        )
        return report, []
    report.rows = len(parsed_rows)
    if not parsed_rows:
        report.problems.append(Problem(0, None, "empty_file", _("The file has no rows with answers.")))
        return report, []
    first_row_of: dict[str, int] = {}
    for parsed in parsed_rows:
        if parsed.external_id is None:
            continue
        if parsed.external_id in first_row_of:
            parsed.problems.append(
                Problem(
                    parsed.row,
                    "external_id",
                    "duplicate_external_id",
                    _(
                        "%(id)s is also the external id of row %(row)s",
                        id=parsed.external_id,
                        row=first_row_of[parsed.external_id],
                    ),
                )
            )
        else:
            first_row_of[parsed.external_id] = parsed.row
    occurrences: Counter[str] = Counter()
    for parsed in parsed_rows:
        occurrence = 0
        if parsed.external_id is None:
            key = json.dumps(
                [
                    parsed.cells.get("buurt_code"),
                    parsed.age_band,
                    parsed.locale,
                    str(parsed.submitted_at),
                    parsed.answers,
                ],
                sort_keys=True,
                default=str,
            )
            occurrences[key] += 1
            occurrence = occurrences[key]
        parsed.import_hash = _row_hash(instrument, parsed, parsed.cells.get("buurt_code", ""), occurrence)
    existing = _existing_keys(wave)
    valid = []
    for parsed in parsed_rows:
        if (
            parsed.external_id is not None
            and parsed.external_id in existing["external_id"]
            and existing["external_id"][parsed.external_id] != parsed.import_hash
            and not parsed.problems
        ):
            parsed.problems.append(
                Problem(
                    parsed.row,
                    "external_id",
                    "external_id_taken",
                    _(
                        "a response with external id %(id)s was imported into this wave before, with other answers",
                        id=parsed.external_id,
                    ),
                )
            )
        if parsed.problems:
            report.problems.extend(parsed.problems)
            report.rejected.append(parsed)
        elif parsed.import_hash in existing["import_hash"]:
            report.already_present += 1
        else:
            valid.append(parsed)
            report.dropped_answers += parsed.dropped
    cutoff = now - timedelta(days=retention_days(current_app.config, instrument.slug))
    report.older_than_retention = sum(1 for parsed in valid if parsed.submitted_at and parsed.submitted_at < cutoff)
    return report, valid


def _existing_keys(wave: Wave) -> dict[str, Any]:
    rows = db.session.execute(
        select(Response.external_id, Response.import_hash).where(
            Response.wave_id == wave.id, Response.import_hash.is_not(None)
        )
    ).all()
    return {
        "external_id": {external_id: import_hash for external_id, import_hash in rows if external_id is not None},
        "import_hash": {import_hash for _, import_hash in rows},
    }


def _store(wave: Wave, instrument: Instrument, rows: list[ParsedRow], now: datetime) -> None:
    version_id = ensure_version(instrument).id
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        records = [
            {
                "token": secrets.token_urlsafe(32),
                "wave_id": wave.id,
                "instrument_version_id": version_id,
                "neighbourhood_id": parsed.neighbourhood_id,
                "locale": parsed.locale,
                "mode": ResponseMode.imported,
                "status": ResponseStatus.submitted,
                "age_band": parsed.age_band,
                "page_index": 0,
                "created_at": now,
                "updated_at": now,
                "submitted_at": parsed.submitted_at or now,
                "external_id": parsed.external_id,
                "import_hash": parsed.import_hash,
            }
            for parsed in chunk
        ]
        ids = db.session.scalars(insert(Response).returning(Response.id), records).all()
        answers = [
            {"response_id": response_id, "item_id": item_id, "value": value}
            for response_id, parsed in zip(ids, chunk, strict=True)
            for item_id, value in parsed.answers.items()
        ]
        if answers:
            db.session.execute(insert(Answer), answers)


def import_responses(
    source: Path | BinaryIO | bytes,
    filename: str | None,
    wave: Wave,
    instrument: Instrument,
    skip_invalid: bool = False,
    actor: User | None = None,
    via: str = "web",
    now: datetime | None = None,
    encoding: str = "utf-8",
    progress: Progress | None = None,
) -> ImportReport:
    """Check the file; add its new rows to the session when all are valid (or, with skip_invalid, the valid ones):
    the caller commits them in one transaction, with whatever else ends its work. Problems in the header (unknown or
    missing columns) always stop the import. `progress` is told how far the check is, and when storing begins (it may
    commit its own writes: nothing of the import is pending then)."""
    now = now or utcnow()
    report, valid = check_file(source, filename, wave, instrument, now, encoding, progress)
    if report.header_problems or not report.rows or (report.problems and not skip_invalid):
        return report
    if progress is not None:
        progress("storing", CHECKED_PERCENT + 5)
    try:
        _store(wave, instrument, valid, now)
        db.session.flush()
    except IntegrityError:  # another import of the same rows finished first
        transactions.roll_back()  # the failed flush leaves the session unusable: this unit of work ends here
        report.problems.append(
            Problem(
                0,
                None,
                "concurrent_import",
                _("Another import of these rows ran at the same time. Nothing was stored; try again."),
            )
        )
        return report
    report.imported = len(valid)
    report.completed = True
    audit.record(
        "responses_imported",
        actor,
        "wave",
        wave.id,
        instrument=instrument.slug,
        version=instrument.version,
        rows=report.rows,
        imported=report.imported,
        already_present=report.already_present,
        rejected=len(report.rejected),
        via=via,
    )
    return report


def write_rejected(report: ImportReport, stream: TextIO) -> int:
    """The rejected rows as they were in the file, each with its row number and every reason; returns the count."""
    writer = csv.writer(stream)
    # column names, like the item ids beside them, are identifiers for scripts: never translated
    writer.writerow(csv_row(["row", "problems", *report.header]))
    for parsed in report.rejected:
        reasons = "; ".join(
            f"{problem.column}: {problem.message}" if problem.column else problem.message for problem in parsed.problems
        )
        writer.writerow(csv_row([parsed.row, reasons] + [parsed.cells.get(name, "") for name in report.header]))
    return len(report.rejected)
