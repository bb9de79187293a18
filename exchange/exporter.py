"""Exporting a wave's submitted responses as CSV, XLSX or SPSS (.sav): one row per response, items, then scores.

Scores come from surveys/scoring.py (score_row) for the instrument version each response was given on. Responses
are read in batches (surveys/submitted.py), never all at once as ORM objects.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from accounts import audit
from exchange.codebook import AGE_BAND, FILE_LANGUAGE, Column, export_columns
from exchange.csv_cells import csv_row
from extensions import db
from models import InstrumentVersion, Response, ResponseStatus, User, Wave
from surveys.instruments import Instrument
from surveys.registry import get_instrument, instrument_of
from surveys.scoring import score_row
from surveys.submitted import submitted_responses

FORMATS = ("csv", "xlsx", "sav")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
}
BATCH = 1000
SPSS_LABEL_LENGTH = 255  # SPSS cuts variable labels off here


class ExportRefused(ValueError):
    """The export cannot be made as asked; the message is translated."""


@dataclass(frozen=True)
class ExportPlan:
    wave: Wave
    versions: dict[int, Instrument]  # instrument_version.id -> the instrument as those responses saw it
    columns: list[Column]
    include_free_text: bool


def plan_export(wave: Wave, instrument_slug: str | None = None, include_free_text: bool = True) -> ExportPlan:
    """Which instrument versions the export covers, and its columns."""
    if instrument_slug is not None and instrument_slug not in wave.instrument_slugs:
        raise ExportRefused(
            _(
                "The wave %(wave)s does not offer the questionnaire %(instrument)s.",
                wave=wave.name,
                instrument=instrument_slug,
            )
        )
    used = (
        select(Response.instrument_version_id)
        .where(Response.wave_id == wave.id, Response.status == ResponseStatus.submitted)
        .distinct()
    )
    query = select(InstrumentVersion).where(InstrumentVersion.id.in_(used))
    if instrument_slug is not None:
        query = query.where(InstrumentVersion.slug == instrument_slug)
    order = {slug: position for position, slug in enumerate(wave.instrument_slugs)}
    stored = sorted(db.session.scalars(query), key=lambda v: (order.get(v.slug, len(order)), v.slug, v.version))
    versions = {version.id: instrument_of(version) for version in stored}
    instruments = list(versions.values())
    if not instruments:  # nothing sent yet: the columns of the questionnaires as they are now
        slugs = [instrument_slug] if instrument_slug else wave.instrument_slugs
        instruments = [instrument for slug in slugs if (instrument := get_instrument(slug)) is not None]
    return ExportPlan(wave, versions, export_columns(instruments, include_free_text), include_free_text)


def iter_rows(plan: ExportPlan, batch_size: int = BATCH) -> Iterator[dict[str, Any]]:
    """One dict per submitted response, keys as the plan's columns, values as stored (lists for multiple choice)."""
    item_columns = {column.name for column in plan.columns if column.role == "item"}
    for response in submitted_responses(plan.wave.id, version_ids=plan.versions, batch_size=batch_size):
        instrument = plan.versions[response.instrument_version_id]
        record = {
            "response_id": response.id,
            "external_id": response.external_id,
            "wave": plan.wave.name,
            "instrument": instrument.slug,
            "instrument_version": instrument.version,
            "buurt_code": response.buurt_code,
            "wijk_code": response.wijk_code,
            "mode": response.mode.value,
            "locale": response.locale,
            AGE_BAND: response.age_band,
            "submitted_at": response.submitted_at,
        }
        for item_id, value in response.answers.items():
            if item_id in item_columns and item_id in instrument.item_ids and item_id != AGE_BAND:
                record[item_id] = value
        record.update(score_row(instrument, response.answers))
        yield record


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(code) for code in value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=0).isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _write_csv(plan: ExportPlan, path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.name for column in plan.columns])
        for record in iter_rows(plan):
            writer.writerow(csv_row(_text(record.get(column.name)) for column in plan.columns))
            count += 1
    return count


def _xlsx_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return ";".join(str(code) for code in value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones; the column says UTC
    return value


def _write_xlsx(plan: ExportPlan, path: Path) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    data = workbook.create_sheet("responses")
    with force_locale(FILE_LANGUAGE):
        docs = workbook.create_sheet(_("columns")[:31])
        doc_header = [_("Column"), _("Label"), _("Kind of value"), _("Values"), _("Notes")]
    data.append([column.name for column in plan.columns])

    def cell(value: Any) -> Any:
        if isinstance(value, str):
            # always text: an answer that starts with "=" must never become a formula
            text = WriteOnlyCell(data, value=None)
            text.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            text.data_type = "s"
            return text
        if isinstance(value, datetime):
            moment = WriteOnlyCell(data, value=value)
            moment.number_format = "yyyy-mm-dd hh:mm:ss"
            return moment
        return value

    count = 0
    for record in iter_rows(plan):
        data.append([cell(_xlsx_value(column, record.get(column.name))) for column in plan.columns])
        count += 1
    docs.append(doc_header)
    for column in plan.columns:
        docs.append([column.name, column.label, column.kind, column.values_text(), column.note])
    workbook.save(path)
    return count


def _spss_number(value: Any) -> float:
    if value is None or isinstance(value, (bool, list, str)):
        return math.nan
    return float(value)


def _write_sav(plan: ExportPlan, path: Path) -> int:
    import pandas as pd
    import pyreadstat

    # pyreadstat writes a whole data frame: the columns are built batch by batch as plain lists, not ORM objects
    values: dict[str, list[Any]] = {column.name: [] for column in plan.columns}
    count = 0
    for record in iter_rows(plan):
        for column in plan.columns:
            value = record.get(column.name)
            if column.kind == "datetime":
                values[column.name].append(value.astimezone(UTC).replace(tzinfo=None) if value else None)
            elif column.numeric:
                values[column.name].append(_spss_number(value))
            else:
                values[column.name].append(_text(value))
        count += 1
    frame = pd.DataFrame(
        {
            column.name: (
                pd.to_datetime(pd.Series(values[column.name], dtype="object"))
                if column.kind == "datetime"
                else pd.Series(values[column.name], dtype="float64" if column.numeric else "object")
            )
            for column in plan.columns
        }
    )
    labels: dict[str, str | None] = {column.name: column.label[:SPSS_LABEL_LENGTH] for column in plan.columns}
    value_labels: dict[str, dict[Any, str]] = {}
    for column in plan.columns:
        if not column.values or column.kind == "codes":
            continue  # several codes in one string cannot carry SPSS value labels; the codebook has them
        if column.numeric:
            value_labels[column.name] = {float(code): label for code, label in column.values}
        else:
            value_labels[column.name] = {str(code): label for code, label in column.values}
    measures = {
        column.name: "scale"
        if column.numeric and column.role == "score"
        else "ordinal"
        if column.numeric and column.values
        else "scale"
        if column.numeric
        else "nominal"
        for column in plan.columns
    }
    pyreadstat.write_sav(
        frame, str(path), column_labels=labels, variable_value_labels=value_labels, variable_measure=measures
    )
    return count


WRITERS = {"csv": _write_csv, "xlsx": _write_xlsx, "sav": _write_sav}


def export_wave(
    wave: Wave,
    fmt: str,
    path: Path,
    instrument_slug: str | None = None,
    include_free_text: bool = True,
    actor: User | None = None,
    via: str = "web",
) -> int:
    """Write the export to `path`; record who exported which wave, in what format and how many rows (never the
    content) in the audit log. Returns the number of rows."""
    if fmt not in WRITERS:
        raise ExportRefused(_("Choose CSV, Excel (.xlsx) or SPSS (.sav)."))
    plan = plan_export(wave, instrument_slug, include_free_text)
    count = WRITERS[fmt](plan, path)
    audit.record(
        "responses_exported",
        actor,
        "wave",
        wave.id,
        wave=wave.name,
        format=fmt,
        rows=count,
        instrument=instrument_slug,
        free_text=include_free_text,
        via=via,
    )
    return count


def export_filename(wave: Wave, fmt: str, instrument_slug: str | None = None) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in wave.name.lower()).strip("-") or f"wave-{wave.id}"
    return f"{safe}{'-' + instrument_slug if instrument_slug else ''}.{fmt}"
