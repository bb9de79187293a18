"""Output figures per area and year: loading them from a CSV (CBS Kerncijfers wijken en buurten, or a plain
municipal layout), reading them beside the outcome indicators, and their change between two years.

Output is what the municipality delivered (young people with youth care, Wmo clients, wijkteam trajectories, hours,
spending); outcome is what residents say it brought. The two are shown side by side, never as cause and effect.

Layouts a file may have (chosen by its header):

- CBS "Kerncijfers wijken en buurten" (the yearly CSV of the KWB, one row per gemeente, wijk and buurt): the area
  code in `gwb_code` (or `gwb_code_10`, `WijkenEnBuurten` of the StatLine download) and any of the care columns
  `a_jz_tn` (jongeren met jeugdzorg in natura, count), `p_jz_tn` (percentage jongeren met jeugdzorg),
  `a_wmo_t` (Wmo-cliënten, count) and `p_wmo_t` (Wmo-cliënten relatief, per 1,000 residents). The year is the
  file's year, given on loading. "." or "x" (a secret or unknown figure) leaves that figure out. Rows of other
  municipalities are passed over, so the file of the whole country loads as CBS publishes it.
- Plain municipal layout: `measure`, `unit`, `area_code`, `year`, `value` and optionally `name` and `source`, one
  row per measure, area and year. A municipality writes its own figures (trajectories started, hours, spending) in
  it, and figures of the Monitor Sociaal Domein, whose tables have no fixed column names, are copied into it.

Loading is all or nothing: every problem is named by row and column, and nothing is written when there is one.
Loading the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from extensions import db
from geography.areas import area_names
from models import Municipality, Outcome, OutputFigure, OutputMeasure, OutputUnit

FIRST_YEAR, LAST_YEAR = 2000, 2100  # as the database's check on output_figure.year
CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
NAME_LENGTH, SOURCE_LENGTH = 200, 200
KWB_SOURCE = "CBS Kerncijfers wijken en buurten"
KWB_AREA_COLUMNS = ("gwb_code", "gwb_code_10", "WijkenEnBuurten")


@dataclass(frozen=True)
class KnownMeasure:
    """A care column CBS publishes per wijk and buurt in the Kerncijfers wijken en buurten."""

    code: str
    name: str  # in Dutch, as CBS names it: the stored name of the measure, which the municipality may change
    unit: OutputUnit


KWB_COLUMNS = {
    "a_jz_tn": KnownMeasure("jeugdzorg", "Jongeren met jeugdzorg in natura", OutputUnit.count),
    "p_jz_tn": KnownMeasure("jeugdzorg_pct", "Percentage jongeren met jeugdzorg", OutputUnit.percent),
    "a_wmo_t": KnownMeasure("wmo", "Wmo-cliënten", OutputUnit.count),
    "p_wmo_t": KnownMeasure("wmo_per_1000", "Wmo-cliënten per 1.000 inwoners", OutputUnit.per_1000),
}
PLAIN_COLUMNS = ("measure", "unit", "area_code", "year", "value")
UNIT_LABELS = {
    OutputUnit.count: _l("number"),
    OutputUnit.percent: _l("percent"),
    OutputUnit.per_1000: _l("per 1,000 residents"),
    OutputUnit.hours: _l("hours"),
    OutputUnit.euro: _l("euros"),
}
UNKNOWN = ("", ".", "x", "-")  # as CBS marks a secret or unknown figure


@dataclass(frozen=True)
class OutputRow:
    """One figure of a file, checked: where it came from, what, where, when and how much."""

    line: int
    measure: str
    name: str | None
    unit: OutputUnit
    source: str | None
    area_code: str
    year: int
    value: float


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    measures: int = 0  # new output measures
    errors: list[str] = field(default_factory=list)


def _problem(line: int | None, column: str, message: str) -> str:
    if line is None:
        return _("Header, column %(column)s: %(problem)s", column=column, problem=message)
    return _("Row %(row)s, column %(column)s: %(problem)s", row=line, column=column, problem=message)


THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


def _number(text: str, decimal_comma: bool) -> float | None:
    """A figure as a file writes it: "12.5", or "12,5" in a file separated by semicolons; None when it is no number.

    In a file separated by semicolons "1.250" may be 1250 (a Dutch thousands separator) or 1.25: it is refused
    rather than guessed."""
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if decimal_comma and THOUSANDS.match(text):
        return None
    if decimal_comma and "," in text:
        if "." in text:
            return None
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _year(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR else None


def read_outputs(text: str, municipality: Municipality, year: int | None = None) -> tuple[list[OutputRow], list[str]]:
    """Every figure of a file, checked; and every problem, each naming its row and column.

    `year` is the year of a Kerncijfers file (which has no year column); a plain file has one per row.
    """
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(name or "").strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    if not header:
        return [], [_("The file is empty.")]
    areas = area_names(municipality)
    decimal_comma = delimiter == ";"
    if any(column in header for column in KWB_AREA_COLUMNS):
        return _read_kwb(reader, header, areas, year, decimal_comma)
    missing = [column for column in PLAIN_COLUMNS if column not in header]
    if missing:
        return [], [
            _problem(None, column, _("missing. Use the plain layout or a Kerncijfers file with gwb_code."))
            for column in missing
        ]
    return _read_plain(reader, areas, decimal_comma)


def _check_area(code: str, line: int, column: str, areas: dict[str, str], errors: list[str]) -> bool:
    if code not in areas:
        errors.append(_problem(line, column, _("%(code)s is not an area of this municipality.", code=code or "''")))
        return False
    return True


def _read_kwb(
    reader: csv.DictReader, header: list[str], areas: dict[str, str], year: int | None, decimal_comma: bool
) -> tuple[list[OutputRow], list[str]]:
    area_column = next(column for column in KWB_AREA_COLUMNS if column in header)
    columns = [column for column in KWB_COLUMNS if column in header]
    errors: list[str] = []
    if not columns:
        errors.append(
            _problem(
                None, "a_jz_tn", _("the file has none of the columns %(columns)s.", columns=", ".join(KWB_COLUMNS))
            )
        )
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        errors.append(
            _("Give the year of the Kerncijfers file (from %(first)s to %(last)s).", first=FIRST_YEAR, last=LAST_YEAR)
        )
    if errors or year is None:  # a missing year is one of the errors above
        return [], errors
    rows: list[OutputRow] = []
    seen: set[str] = set()
    own = next(code for code in areas if code.startswith("GM"))[2:6]
    for line, raw in enumerate(reader, start=2):
        code = (raw.get(area_column) or "").strip()
        if not code and not any((value or "").strip() for value in raw.values()):
            continue  # an empty line
        if re.match(r"^(GM|WK|BU)\d{4}", code) and code[2:6] != own:
            continue  # another municipality's row: the Kerncijfers file of the whole country can be loaded as it is
        if not _check_area(code, line, area_column, areas, errors):
            continue
        if code in seen:
            errors.append(_problem(line, area_column, _("%(code)s appears twice.", code=code)))
            continue
        seen.add(code)
        for column in columns:
            text = (raw.get(column) or "").strip()
            if text in UNKNOWN:
                continue
            value = _number(text, decimal_comma)
            if value is None or value < 0:
                errors.append(_problem(line, column, _("%(value)s is not a number of 0 or more.", value=repr(text))))
                continue
            known = KWB_COLUMNS[column]
            rows.append(OutputRow(line, known.code, known.name, known.unit, KWB_SOURCE, code, year, value))
    return rows, errors


def _read_plain(
    reader: csv.DictReader, areas: dict[str, str], decimal_comma: bool
) -> tuple[list[OutputRow], list[str]]:
    rows: list[OutputRow] = []
    errors: list[str] = []
    seen: dict[tuple[str, str, int], int] = {}  # (measure, area, year): the first row that has it
    units: dict[str, OutputUnit] = {}
    for line, raw in enumerate(reader, start=2):
        cells = {key: (value or "").strip() for key, value in raw.items() if key}
        if not any(cells.values()):
            continue
        before = len(errors)
        measure = cells.get("measure", "")
        if not CODE.match(measure):
            errors.append(
                _problem(
                    line,
                    "measure",
                    _("%(value)s is no code: use lower-case letters, digits and _.", value=repr(measure)),
                )
            )
        unit = OutputUnit.__members__.get(cells.get("unit", ""))
        if unit is None:
            errors.append(
                _problem(
                    line,
                    "unit",
                    _(
                        "%(value)s is not one of %(units)s.",
                        value=repr(cells.get("unit", "")),
                        units=", ".join(OutputUnit.__members__),
                    ),
                )
            )
        elif measure in units and units[measure] is not unit:
            errors.append(_problem(line, "unit", _("%(measure)s has another unit in an earlier row.", measure=measure)))
        elif CODE.match(measure):
            units[measure] = unit
        code = cells.get("area_code", "")
        _check_area(code, line, "area_code", areas, errors)
        year = _year(cells.get("year", ""))
        if year is None:
            errors.append(
                _problem(line, "year", _("Give a year from %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR))
            )
        value = _number(cells.get("value", ""), decimal_comma)
        if value is None or value < 0:
            errors.append(
                _problem(
                    line, "value", _("%(value)s is not a number of 0 or more.", value=repr(cells.get("value", "")))
                )
            )
        elif unit is OutputUnit.percent and value > 100:
            errors.append(_problem(line, "value", _("A percentage is at most 100.")))
        name, source = cells.get("name") or None, cells.get("source") or None
        for column, text, length in (("name", name, NAME_LENGTH), ("source", source, SOURCE_LENGTH)):
            if text and len(text) > length:
                errors.append(_problem(line, column, _("Use at most %(max)s characters.", max=length)))
        if len(errors) > before or unit is None or year is None or value is None:  # each None added an error
            continue
        key = (measure, code, year)
        if key in seen:
            errors.append(
                _problem(
                    line,
                    "value",
                    _(
                        "a second value for %(measure)s in %(area)s in %(year)s (row %(first)s).",
                        measure=measure,
                        area=code,
                        year=year,
                        first=seen[key],
                    ),
                )
            )
            continue
        seen[key] = line
        rows.append(OutputRow(line, measure, name, unit, source, code, year, value))
    if not rows and not errors:
        errors.append(_("The file has no figures."))
    return rows, errors


def load_outputs(municipality: Municipality, text: str, year: int | None = None) -> LoadReport:
    """Load a file's figures into the municipality: nothing when it has a problem (the report lists them all).

    Measures are found by code and figures by measure, area and year: a figure already there gets the file's value,
    a new one is added, and what the file does not mention is kept. A measure a file names for the first time needs
    its name (the plain layout's `name`, else its code is used); a known measure keeps the unit it has.
    """
    rows, errors = read_outputs(text, municipality, year)
    report = LoadReport(errors=errors)
    if errors:
        return report
    measures = {measure.code: measure for measure in measures_of(municipality)}
    for row in rows:
        measure = measures.get(row.measure)
        if measure is not None and measure.unit is not row.unit:
            report.errors.append(
                _problem(
                    row.line,
                    "unit",
                    _(
                        "%(measure)s is stored in %(unit)s; load it in that unit.",
                        measure=row.measure,
                        unit=measure.unit.value,
                    ),
                )
            )
    if report.errors:
        return report
    existing: dict[tuple[int, str, int], OutputFigure] = {}
    if measures:
        for stored in db.session.scalars(
            select(OutputFigure).where(OutputFigure.measure_id.in_([m.id for m in measures.values()]))
        ):
            existing[(stored.measure_id, stored.area_code, stored.year)] = stored
    for row in rows:
        measure = measures.get(row.measure)
        if measure is None:
            measure = OutputMeasure(
                municipality=municipality,
                code=row.measure,
                name=row.name or row.measure,
                unit=row.unit,
                source=row.source,
            )
            db.session.add(measure)
            db.session.flush()
            measures[row.measure] = measure
            report.measures += 1
        else:
            if row.name and row.name != measure.name and row.measure not in {k.code for k in KWB_COLUMNS.values()}:
                measure.name = row.name
            if row.source and row.source != measure.source:
                measure.source = row.source
        figure = existing.get((measure.id, row.area_code, row.year))
        if figure is None:
            figure = OutputFigure(measure=measure, area_code=row.area_code, year=row.year, value=row.value)
            db.session.add(figure)
            existing[(measure.id, row.area_code, row.year)] = figure
            report.created += 1
        elif figure.value != row.value:
            figure.value = row.value
            report.updated += 1
        else:
            report.unchanged += 1
    db.session.flush()
    return report


# --- reading them ---------------------------------------------------------------------------------------------------


def measures_of(municipality: Municipality) -> list[OutputMeasure]:
    return list(
        db.session.scalars(
            select(OutputMeasure).where(OutputMeasure.municipality_id == municipality.id).order_by(OutputMeasure.code)
        )
    )


HIDDEN = math.nan  # a count of people under the suppression threshold: stored, never shown


def min_n() -> int:
    return int(current_app.config.get("SUPPRESSION_MIN_N", 10))


def is_hidden(value: float | None) -> bool:
    return value is not None and math.isnan(value)


def values_of(measure: OutputMeasure, threshold: int | None = None) -> dict[tuple[str, int], float]:
    """(area code, year) -> value; a count of fewer people than the suppression threshold (but more than none) is
    HIDDEN, as the survey's own small groups are: a handful of young people with youth care in a buurt is about
    persons. CBS rounds and hides such counts itself; a municipality's own file may not."""
    threshold = min_n() if threshold is None else threshold
    return {
        (figure.area_code, figure.year): HIDDEN
        if measure.unit is OutputUnit.count and 0 < figure.value < threshold
        else figure.value
        for figure in measure.figures
    }


def years_of(measures: Iterable[OutputMeasure]) -> list[int]:
    return sorted({figure.year for measure in measures for figure in measure.figures})


def year_for(measure: OutputMeasure, wanted: int) -> int | None:
    """The year of a measure's figures to set beside a wave of `wanted`: that year, else the latest before it, else
    None (output after the wave says nothing about what the wave measured)."""
    years = [year for year in {figure.year for figure in measure.figures} if year <= wanted]
    return max(years) if years else None


def outputs_of_outcomes(outcomes: Sequence[Outcome]) -> list[OutputMeasure]:
    return list({measure.id: measure for outcome in outcomes for measure in outcome.outputs}.values())
