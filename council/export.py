"""The aggregated profile of a run as open data: one row per area and figure, CSV or XLSX, suppressed cells as ".".

Only the run's stored ProfileSnapshot rows are read (the figures the council views show), never a response. The
number of rows depends on areas and measures, not on how many residents answered.

CSV is written as open data expects it (RFC 4180: comma-separated, "." as decimal separator, UTF-8 *without* a byte
order mark): publishing pipelines (pandas, R, CSVW validators) read it as it is, while a BOM would end up in the first
column's name for any reader that does not expect one. A BOM would not make the file right for Dutch Excel either,
which expects ";" and decimal commas: Excel users take the XLSX, whose numbers are numbers in any locale.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import select

from analysis.frames import area_level
from analysis.records import LEVELS, SUPPRESSED, SUPPRESSED_SMALL
from council.outputs import min_n
from council.themes import shown_themes
from exchange.csv_cells import csv_row
from extensions import db
from geography.areas import area_names
from models import AnalysisRun, OutputFigure, OutputMeasure, OutputUnit, ProfileSnapshot, Wave

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADER = (
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
OPEN_ANSWERS = "open_answers"  # the instrument of theme figures (analysis.run)
OUTPUT = "output"  # the instrument and flag of output figures (council.outputs): what the municipality delivered
HIDDEN = "."  # as CBS marks a secret or unreliable figure
DECIMALS = 4  # a share to 0.01 percentage point, a mean to 0.0001 scale point: finer than any interval
SMALL = 10**-DECIMALS

Cell = str | int | float


def _rounded(value: float | None) -> int | float | None:
    """A stored float without its noise: whole numbers as int, tiny values (p-values) to 3 significant digits."""
    if value is None:
        return None
    if float(value).is_integer():
        return int(value)
    if abs(value) < SMALL:
        return float(f"{value:.3g}")
    return round(value, DECIMALS)


@dataclass(frozen=True)
class ProfileRow:
    area_code: str
    area_name: str
    area_level: str
    instrument: str
    measure: str
    statistic: str
    value: float | None
    lower: float | None
    upper: float | None
    n: int | None
    flags: tuple[str, ...]

    @property
    def suppressed(self) -> bool:
        return SUPPRESSED in self.flags

    def cells(self) -> tuple[Cell, ...]:
        """The row as written: numbers rounded, "." where disclosure control hid a figure, "" where there is none
        (a statistic without an interval)."""
        if self.suppressed:  # never the stored numbers, whatever they are
            figures: tuple[Cell, ...] = (HIDDEN, HIDDEN, HIDDEN, HIDDEN)
        else:
            figures = tuple(
                "" if number is None else number
                for number in (_rounded(self.value), _rounded(self.lower), _rounded(self.upper), self.n)
            )
        return (
            self.area_code,
            self.area_name,
            self.area_level,
            self.instrument,
            self.measure,
            self.statistic,
            *figures,
            " ".join(self.flags),
        )


def profile_rows(
    run: AnalysisRun, areas: Iterable[str] | None = None, levels: Iterable[str] | None = None
) -> list[ProfileRow]:
    """The run's figures: municipality first, then wijken, then buurten, each by code; within an area in the order
    the analysis stored them. `areas` and `levels` narrow what is read."""
    query = (
        select(
            ProfileSnapshot.area_code,
            ProfileSnapshot.area_level,
            ProfileSnapshot.instrument,
            ProfileSnapshot.measure,
            ProfileSnapshot.statistic,
            ProfileSnapshot.value,
            ProfileSnapshot.lower,
            ProfileSnapshot.upper,
            ProfileSnapshot.n,
            ProfileSnapshot.flags,
        )
        .where(ProfileSnapshot.run_id == run.id)
        .order_by(ProfileSnapshot.id)
    )
    if areas is not None:
        query = query.where(ProfileSnapshot.area_code.in_(list(areas)))
    if levels is not None:
        query = query.where(ProfileSnapshot.area_level.in_(list(levels)))
    names = area_names(run.wave.municipality)
    # themes leave only as an analyst named them (below): never the run's own per-language theme figures
    query = query.where(ProfileSnapshot.instrument != OPEN_ANSWERS)
    rows = [
        ProfileRow(
            area_code=code,
            area_name=names.get(code, ""),
            area_level=level,
            instrument=instrument,
            measure=measure,
            statistic=statistic,
            value=value,
            lower=lower,
            upper=upper,
            n=n,
            flags=tuple(flags.split()),
        )
        for code, level, instrument, measure, statistic, value, lower, upper, n, flags in db.session.execute(query)
    ]
    rows += named_theme_rows(run, names, areas, levels)
    rows += output_rows(run, names, areas, levels)
    order = {level: position for position, level in enumerate(LEVELS)}
    rows.sort(key=lambda row: (order.get(row.area_level, len(order)), row.area_code))  # stable: keeps stored order
    return rows


def named_theme_rows(
    run: AnalysisRun, names: dict[str, str], areas: Iterable[str] | None = None, levels: Iterable[str] | None = None
) -> list[ProfileRow]:
    """The named themes of the questions an analyst marked ready, per area: instrument "open_answers", measure
    "<question>" with statistic "answers" (all answers to it), and "<question>@<Dutch name>" with "count" (answers
    with the theme as main theme) and "share" (of all answers). Unreviewed and hidden themes are never written."""
    shown = shown_themes(run)
    wanted_areas = None if areas is None else set(areas)
    wanted_levels = None if levels is None else set(levels)
    area_levels = {code: area_level(code) for (_question, code) in shown.answers}
    rows = []
    for (question, code), answers in sorted(shown.answers.items()):
        level = area_levels[code]
        if (wanted_areas is not None and code not in wanted_areas) or (
            wanted_levels is not None and level not in wanted_levels
        ):
            continue
        base = {"area_code": code, "area_name": names.get(code, ""), "area_level": level, "instrument": OPEN_ANSWERS}
        rows.append(
            ProfileRow(
                **base,
                measure=question,
                statistic="answers",
                value=answers.value,
                lower=None,
                upper=None,
                n=answers.n,
                flags=tuple(sorted(answers.flags)),
            )
        )
        for item in shown.ranked(question, code):
            measure = f"{question}@{item.named.name}"
            for statistic, figure in (("count", item.count), ("share", item.share)):
                if figure is not None:
                    rows.append(
                        ProfileRow(
                            **base,
                            measure=measure,
                            statistic=statistic,
                            value=figure.value,
                            lower=figure.lower,
                            upper=figure.upper,
                            n=figure.n,
                            flags=tuple(sorted(figure.flags)),
                        )
                    )
    return rows


def output_rows(
    run: AnalysisRun, names: dict[str, str], areas: Iterable[str] | None = None, levels: Iterable[str] | None = None
) -> list[ProfileRow]:
    """The municipality's output figures of the wave's year and the years before, marked as output: instrument and
    flag "output", measure "<code>@<year>", statistic the unit (count, percent, per_1000, hours, euro). They are
    the municipality's own or CBS's published figures, not estimates from residents: no interval and no n."""
    wave = run.wave
    wanted_areas = None if areas is None else set(areas)
    wanted_levels = None if levels is None else set(levels)
    query = (
        select(OutputMeasure.code, OutputMeasure.unit, OutputFigure.area_code, OutputFigure.year, OutputFigure.value)
        .join(OutputFigure.measure)
        .where(OutputMeasure.municipality_id == wave.municipality_id, OutputFigure.year <= wave.opens_on.year)
        .order_by(OutputFigure.area_code, OutputMeasure.code, OutputFigure.year)
    )
    rows, threshold = [], min_n()
    for code, unit, area_code, year, value in db.session.execute(query):
        level = area_level(area_code)
        # a count of fewer people than the suppression threshold is hidden, as on the council's pages
        small = unit is OutputUnit.count and 0 < value < threshold
        if (wanted_areas is not None and area_code not in wanted_areas) or (
            wanted_levels is not None and level not in wanted_levels
        ):
            continue
        rows.append(
            ProfileRow(
                area_code=area_code,
                area_name=names.get(area_code, ""),
                area_level=level,
                instrument=OUTPUT,
                measure=f"{code}@{year}",
                statistic=unit.value,
                value=value,
                lower=None,
                upper=None,
                n=None,
                flags=(OUTPUT, SUPPRESSED, SUPPRESSED_SMALL) if small else (OUTPUT,),
            )
        )
    return rows


def _text(cell: Cell) -> str:
    if isinstance(cell, float):
        return repr(cell)  # shortest text that reads back as the same number, "." as decimal separator
    return str(cell)


def write_csv(rows: Iterable[ProfileRow], handle: IO[str]) -> None:
    """Header and rows to a text handle opened with newline="" (RFC 4180 line ends)."""
    writer = csv.writer(handle)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(csv_row(_text(cell) for cell in row.cells()))


def write_xlsx(rows: Iterable[ProfileRow], target: str | Path | IO[bytes], notes: Iterable[str] = ()) -> None:
    """One sheet "profile" (header and rows; numbers as numbers, "." as text) and a sheet "notes"."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("profile")

    def cell(value: Cell):
        # openpyxl writes a str as text ("." stays "."), except one that starts with "=": that would become a
        # formula, so it is forced to text. Only those get a cell object of their own: it costs a third of the time.
        if isinstance(value, str) and (value.startswith("=") or ILLEGAL_CHARACTERS_RE.search(value)):
            text = WriteOnlyCell(sheet, value=None)
            text.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            text.data_type = "s"
            return text
        return value

    sheet.append(list(HEADER))
    for row in rows:
        sheet.append([cell(value) for value in row.cells()])
    about = workbook.create_sheet("notes")
    for line in notes:
        about.append([cell(line)])
    workbook.save(target)


def notes(run: AnalysisRun) -> list[str]:
    """What the XLSX says about itself (in English, like the column names: open data for any reader)."""
    wave = run.wave
    finished = run.finished_at.strftime("%Y-%m-%d %H:%M UTC") if run.finished_at else "unknown"
    return [
        f"Aggregated outcome profile of {wave.municipality.name} ({wave.municipality.code}), wave {wave.name}",
        f"Analysis run {run.id}, finished {finished}, code version {run.code_version or 'unknown'}",
        "One row per area and figure. value, lower and upper: the estimate and its 95% interval; n: the number of "
        "respondents (or answers, or clients) it rests on.",
        f'"{HIDDEN}": hidden by disclosure control (too few respondents, or it would let a hidden figure be computed '
        "back), as CBS marks secret figures. Empty: the statistic has no interval.",
        "flags: suppressed, always with its reason: suppressed_small (fewer respondents, or fewer people in a "
        "band, type or change category, than the threshold) or suppressed_complementary (hidden so that a small "
        "group elsewhere cannot be worked out); indicative (fewer than 30 respondents: read with care), "
        "lower_than_rest / "
        "higher_than_rest (differs from the rest of the municipality), weighted; model, synthetic (see below).",
        "mean_model and share_model (flag model): model estimate: based on the survey and neighbourhood figures. "
        "For every buurt, a Fay-Herriot model combines the buurt's published survey figure with other buurten and "
        "CBS figures of the buurt; shown beside the survey's own figure (mean, share), never in its place. Flag "
        "synthetic: without the answers from this buurt, because its own figure is hidden or absent.",
        'open_answers: themes in the answers to an open question ("<questionnaire>.<item>"), only as an analyst '
        'named and released them: "answers" is every answer to the question in the area, in any language; '
        '"<question>@<name>" has "count" (answers with that theme as their main theme, so counts never overlap) '
        'and "share" (of all answers to the question).',
        "output: what the municipality delivered (youth care, Wmo clients, trajectories, hours, spending), as the "
        'municipality or CBS counted it, not an estimate from residents: measure "<code>@<year>", statistic its '
        "unit (count, percent, per_1000, hours, euro), flag output; no interval and no n. Beside the outcome "
        "figures it shows an association between areas, not the effect of a service.",
        f"Numbers are rounded to {DECIMALS} decimals.",
    ]


def filename(wave: Wave, fmt: str) -> str:
    """e.g. profile-GM9001-demo-2025.csv: the municipality's code and the wave, in ASCII."""
    safe = re.sub(r"[^a-z0-9]+", "-", wave.name.lower()).strip("-") or f"wave-{wave.id}"
    return f"profile-{wave.municipality.code}-{safe}.{fmt}"


def write_profile(run: AnalysisRun, fmt: str, target: str | Path | IO) -> int:
    """Write the run's profile as `fmt` to a path or a handle (text for CSV, binary for XLSX); the number of rows."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    rows = profile_rows(run)
    if fmt == "xlsx":
        write_xlsx(rows, target, notes(run))
    elif isinstance(target, str | Path):
        with Path(target).open("w", encoding="utf-8", newline="") as handle:
            write_csv(rows, handle)
    else:
        write_csv(rows, target)
    return len(rows)


def profile_file(run: AnalysisRun, fmt: str) -> io.BytesIO:
    """The run's profile as a file to send, read from its start (a CSV in UTF-8)."""
    if fmt == "csv":
        text = io.StringIO(newline="")
        write_profile(run, fmt, text)
        return io.BytesIO(text.getvalue().encode("utf-8"))
    body = io.BytesIO()
    write_profile(run, fmt, body)
    body.seek(0)
    return body
