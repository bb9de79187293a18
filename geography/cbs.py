"""Load a municipality's gemeente/wijk/buurt list from a CSV in the layout of CBS "Kerncijfers wijken en buurten"."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from extensions import db
from models import District, Municipality, Neighbourhood, PostcodeArea

LEVELS = {"Gemeente": "GM", "Wijk": "WK", "Buurt": "BU"}
CODE_PATTERNS = {"GM": re.compile(r"^GM\d{4}$"), "WK": re.compile(r"^WK\d{6}$"), "BU": re.compile(r"^BU\d{8}$")}
POPULATION_COLUMNS = {  # CBS column -> our column
    "a_inw": "inhabitants",
    "a_00_14": "age_0_14",
    "a_15_24": "age_15_24",
    "a_25_44": "age_25_44",
    "a_45_64": "age_45_64",
    "a_65_oo": "age_65_plus",
}
REQUIRED_COLUMNS = ("gwb_code", "regio", "recs", *POPULATION_COLUMNS)
# Optional margins for weighting beyond age, each group all or nothing: inhabitants by sex, and households by
# composition (one-person, several people without children, with children; together all households).
MARGIN_GROUPS = {
    "sex": {"a_man": "men", "a_vrouw": "women"},
    "households": {
        "a_hh": "households",
        "a_1p_hh": "households_single",
        "a_hh_z_k": "households_without_children",
        "a_hh_m_k": "households_with_children",
    },
}
MARGIN_COLUMNS = {theirs: ours for group in MARGIN_GROUPS.values() for theirs, ours in group.items()}
# CBS rounds some counts of small areas (households to tens): parts may miss their total by this much per column
# before a row is taken for misaligned columns.
_ROUNDING = {"sex": 5, "households": 10}


@dataclass
class AreaRow:
    line: int
    level: str
    code: str
    name: str
    population: dict[str, int | None]

    @property
    def municipality_code(self) -> str:
        return "GM" + self.code[2:6]

    @property
    def district_code(self) -> str:
        return "WK" + self.code[2:8]


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _count(value: str, line: int, column: str, errors: list[str]) -> int | None:
    value = value.strip().replace(" ", "")
    if value in ("", ".", "-", "x"):  # CBS marks unknown or secret figures with "." (or "x")
        return None
    if not value.isdigit():
        errors.append(f"row {line}: {column}: {value!r} is not a whole number of people")
        return None
    return int(value)


def _check_parts(
    group: str, columns: dict[str, str], values: dict[str, int | None], inhabitants: int | None, line: int, errors
) -> None:
    """The parts of a margin add up to its total (inhabitants for sex, a_hh for households), up to CBS's rounding."""
    names = list(columns)
    if group == "sex":
        total_column, total, parts = "a_inw", inhabitants, names
    else:
        total_column, total, parts = names[0], values[columns[names[0]]], names[1:]
    known = [value for name in parts if (value := values[columns[name]]) is not None]
    if total is None or len(known) < len(parts):
        return  # a secret figure: nothing to compare
    if abs(sum(known) - total) > _ROUNDING[group] * (len(parts) + 1):
        errors.append(f"row {line}: {', '.join(parts)}: add up to {sum(known)}, not to {total_column} {total}")


def read_rows(text: str) -> tuple[list[AreaRow], list[str]]:
    """Parse and check every row; return the rows and every problem as 'row N: column: problem'."""
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        return [], [f"header: missing column(s) {', '.join(missing)}"]
    reader.fieldnames = header
    groups = {}
    for group, columns in MARGIN_GROUPS.items():
        present = [name for name in columns if name in header]
        if present and len(present) < len(columns):
            absent = [name for name in columns if name not in header]
            return [], [f"header: {', '.join(present)} without {', '.join(absent)} (all of them or none)"]
        if present:
            groups[group] = columns
    rows, errors, seen = [], [], set()
    for line, raw in enumerate(reader, start=2):
        code = (raw.get("gwb_code") or "").strip()
        recs = (raw.get("recs") or "").strip()
        name = (raw.get("regio") or "").strip()
        if recs not in LEVELS:
            errors.append(f"row {line}: recs: {recs!r} must be Gemeente, Wijk or Buurt")
            continue
        prefix = LEVELS[recs]
        if not CODE_PATTERNS[prefix].match(code):
            errors.append(f"row {line}: gwb_code: {code!r} is not a valid {recs.lower()} code ({prefix} + digits)")
            continue
        if code in seen:
            errors.append(f"row {line}: gwb_code: {code} appears twice")
            continue
        if not name:
            errors.append(f"row {line}: regio: name is empty")
            continue
        seen.add(code)
        population = {
            ours: _count(raw.get(theirs) or "", line, theirs, errors) for theirs, ours in POPULATION_COLUMNS.items()
        }
        for group, columns in MARGIN_GROUPS.items():
            values: dict[str, int | None] = {ours: None for ours in columns.values()}
            if group in groups:
                values = {ours: _count(raw.get(theirs) or "", line, theirs, errors) for theirs, ours in columns.items()}
                _check_parts(group, columns, values, population["inhabitants"], line, errors)
            population.update(values)
        rows.append(AreaRow(line, prefix, code, name, population))
    municipalities = {row.code for row in rows if row.level == "GM"}
    districts = {row.code for row in rows if row.level == "WK"}
    for row in rows:
        if row.level != "GM" and row.municipality_code not in municipalities:
            errors.append(
                f"row {row.line}: gwb_code: {row.code} belongs to {row.municipality_code}, which is not in the file"
            )
        if row.level == "BU" and row.district_code not in districts:
            errors.append(
                f"row {row.line}: gwb_code: {row.code} belongs to {row.district_code}, which is not in the file"
            )
    return rows, errors


def load_areas(path: Path, reference_year: int) -> LoadReport:
    """Load or update the areas; nothing is written when any row has a problem. Running it twice changes nothing."""
    rows, errors = read_rows(path.read_text(encoding="utf-8-sig"))
    report = LoadReport(errors=errors)
    if errors:
        return report
    municipalities: dict[str, Municipality] = {}
    districts: dict[str, District] = {}

    def upsert(instance, values: dict) -> None:
        changed = any(getattr(instance, key) != value for key, value in values.items())
        for key, value in values.items():
            setattr(instance, key, value)
        if instance.id is None:
            report.created += 1
        elif changed:
            report.updated += 1

    for row in sorted(rows, key=lambda r: ("GM", "WK", "BU").index(r.level)):
        if row.level == "GM":
            instance = db.session.scalar(
                select(Municipality).filter_by(code=row.code, reference_year=reference_year)
            ) or Municipality(code=row.code, reference_year=reference_year)
            upsert(instance, {"name": row.name, "inhabitants": row.population["inhabitants"]})
            db.session.add(instance)
            municipalities[row.code] = instance
        elif row.level == "WK":
            municipality = municipalities[row.municipality_code]
            district = next((d for d in municipality.districts if d.code == row.code), None) or District(code=row.code)
            upsert(district, {"name": row.name, "inhabitants": row.population["inhabitants"]})
            if district not in municipality.districts:
                municipality.districts.append(district)
            districts[row.code] = district
        else:
            wijk = districts[row.district_code]
            buurt = next((n for n in wijk.neighbourhoods if n.code == row.code), None) or Neighbourhood(code=row.code)
            upsert(buurt, {"name": row.name, **row.population})  # margins absent from the file become unknown
            if buurt not in wijk.neighbourhoods:
                wijk.neighbourhoods.append(buurt)
    db.session.flush()
    return report


def load_postcodes(path: Path, municipality: Municipality) -> LoadReport:
    """Load a PC6-to-buurt table (columns `postcode` and `buurt_code`, as in CBS's postcode-buurt files)."""
    text = path.read_text(encoding="utf-8-sig")
    delimiter = ";" if text[:4096].count(";") > text[:4096].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    buurten = {n.code: n for d in municipality.districts for n in d.neighbourhoods}
    report, pairs = LoadReport(), set()
    for line, raw in enumerate(reader, start=2):
        postcode = "".join((raw.get("postcode") or "").split()).upper()
        code = (raw.get("buurt_code") or "").strip()
        if not re.match(r"^[1-9]\d{3}[A-Z]{2}$", postcode):
            report.errors.append(f"row {line}: postcode: {postcode!r} is not a six-character Dutch postcode")
        elif code not in buurten:
            report.errors.append(f"row {line}: buurt_code: {code!r} is not a buurt of {municipality.code}")
        else:
            pairs.add((postcode, buurten[code].id))
    if report.errors:
        return report
    existing = set(
        db.session.execute(
            select(PostcodeArea.postcode, PostcodeArea.neighbourhood_id).where(
                PostcodeArea.neighbourhood_id.in_([n.id for n in buurten.values()])
            )
        ).all()
    )
    for postcode, neighbourhood_id in sorted(pairs - existing):
        db.session.add(PostcodeArea(postcode=postcode, neighbourhood_id=neighbourhood_id))
        report.created += 1
    db.session.flush()
    return report
