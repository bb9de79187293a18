"""Input tables of an analysis run: respondents with their answers, areas, and population by CBS age band."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveys.instruments import Instrument

META_COLUMNS = ("response_id", "instrument", "buurt_code", "wijk_code", "age_band", "locale", "mode")
CBS_AGE_BANDS = ("0_14", "15_24", "25_44", "45_64", "65_plus")
# The open band 65_plus is taken as 35 years wide (65..99) where only part of it is eligible.
_CBS_YEARS = {"0_14": (0, 14), "15_24": (15, 24), "25_44": (25, 44), "45_64": (45, 64), "65_plus": (65, 99)}
# A text column with at most this many distinct values becomes a Categorical: fast to score and small in memory.
_CATEGORY_LIMIT = 1024
_KWB_BANDS = {"a_00_14": "0_14", "a_15_24": "15_24", "a_25_44": "25_44", "a_45_64": "45_64", "a_65_oo": "65_plus"}
# Population margins beyond age that an area may have (NaN where unknown), as models.geography.Neighbourhood names
# them, with their CBS Kerncijfers columns (geography.cbs.MARGIN_GROUPS).
POPULATION_MARGINS = (
    "men",
    "women",
    "households",
    "households_single",
    "households_without_children",
    "households_with_children",
)
_KWB_MARGINS = {
    "a_man": "men",
    "a_vrouw": "women",
    "a_hh": "households",
    "a_1p_hh": "households_single",
    "a_hh_z_k": "households_without_children",
    "a_hh_m_k": "households_with_children",
}


def respondents_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The respondents table from plain records (response_id, instrument, buurt_code, wijk_code, age_band, locale,
    mode, answers: dict), one row each, one column per item id that occurs in any answers.

    Built column-wise in one pass, so a million records take seconds. An item column whose values are all integers
    becomes float (NaN for missing); one whose values are all strings becomes a Categorical when it has few distinct
    values (choice codes) and stays object otherwise (open answers); anything else (lists of a multiple-choice item,
    a stray bool) stays object, untouched, so scoring judges it exactly as for a single response.
    """
    meta: dict[str, list[Any]] = {column: [] for column in META_COLUMNS}
    rows: dict[str, list[int]] = {}
    values: dict[str, list[Any]] = {}
    count = 0
    for index, record in enumerate(records):
        for column in META_COLUMNS:
            meta[column].append(record.get(column))
        for item_id, value in (record.get("answers") or {}).items():
            if value is None:
                continue
            if item_id not in rows:
                rows[item_id], values[item_id] = [], []
            rows[item_id].append(index)
            values[item_id].append(value)
        count = index + 1
    data: dict[str, Any] = {
        "response_id": meta["response_id"],
        **{column: pd.Categorical(meta[column]) for column in META_COLUMNS[1:]},
    }
    for item_id in rows:
        data[item_id] = _item_column(np.asarray(rows[item_id], dtype=np.int64), values[item_id], count)
    frame = pd.DataFrame(data, index=pd.RangeIndex(count))
    return frame


def _item_column(rows: np.ndarray, values: list[Any], count: int) -> Any:
    if all(type(value) is int for value in values):
        column = np.full(count, np.nan)
        column[rows] = values
        return column
    filled = np.full(count, None, dtype=object)
    for row, value in zip(rows.tolist(), values, strict=True):  # element-wise, so a list stays one value
        filled[row] = value
    if all(type(value) is str for value in values) and len(set(values)) <= _CATEGORY_LIMIT:
        return pd.Categorical(filled)
    return filled


def area_level(code: str) -> str:
    """municipality, wijk or buurt, from the CBS code prefix GM, WK or BU."""
    prefix = code[:2]
    levels = {"GM": "municipality", "WK": "wijk", "BU": "buurt"}
    if prefix not in levels:
        raise ValueError(f"{code!r} is no CBS area code (GM...., WK......, BU........)")
    return levels[prefix]


def parent_code(code: str) -> str | None:
    """The enclosing area: BU05990110 lies in WK059901, which lies in GM0599."""
    level = area_level(code)
    if level == "buurt":
        return "WK" + code[2:8]
    if level == "wijk":
        return "GM" + code[2:6]
    return None


def area_table(codes: Iterable[str], names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Areas (index code; columns level, parent, name) for the given codes plus every enclosing area."""
    seen: dict[str, None] = {}
    code: str | None
    for code in codes:
        while code is not None and code not in seen:
            seen[code] = None
            code = parent_code(code)
    order = {"municipality": 0, "wijk": 1, "buurt": 2}
    ordered = sorted(seen, key=lambda code: (order[area_level(code)], code))
    municipalities = {code for code in ordered if area_level(code) == "municipality"}
    if len(municipalities) != 1:
        raise ValueError(f"an analysis covers one municipality, not {sorted(municipalities)}")
    names = names or {}
    return pd.DataFrame(
        {
            "level": [area_level(code) for code in ordered],
            "parent": [parent_code(code) for code in ordered],
            "name": [names.get(code, code) for code in ordered],
        },
        index=pd.Index(ordered, name="code"),
    )


def population_frame(population: Mapping[str, Mapping[str, float]] | pd.DataFrame) -> pd.DataFrame:
    """Population per area (index code) and CBS age band (columns 0_14 .. 65_plus), from a mapping or a frame."""
    if isinstance(population, pd.DataFrame):
        frame = population.copy()
        if "code" in frame.columns:
            frame = frame.set_index("code")
    else:
        frame = pd.DataFrame.from_dict({code: dict(bands) for code, bands in population.items()}, orient="index")
    missing = [band for band in CBS_AGE_BANDS if band not in frame.columns]
    if missing:
        raise ValueError(f"population lacks age band column(s) {missing}")
    frame = frame[list(CBS_AGE_BANDS)].fillna(0).astype(np.int64)
    frame.index.name = "code"
    return frame


def margin_frame(population: Mapping[str, Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """The POPULATION_MARGINS (sex, households) per area that a population mapping or frame has, as floats with NaN
    where unknown; no columns when it has none."""
    if isinstance(population, pd.DataFrame):
        frame = population.set_index("code") if "code" in population.columns else population
    else:
        frame = pd.DataFrame.from_dict({code: dict(values) for code, values in population.items()}, orient="index")
    present = [name for name in POPULATION_MARGINS if name in frame.columns]
    margins = frame[present].apply(pd.to_numeric, errors="coerce").astype(float)
    margins.index.name = "code"
    return margins


def read_kwb(path: Path, margins: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Areas and population by age band from a file in the layout of CBS 'Kerncijfers wijken en buurten' (see
    demo/); with `margins` also the file's POPULATION_MARGINS columns (see margin_frame)."""
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    names = {row["gwb_code"]: row["regio"] for row in rows}
    areas = area_table(names, names)
    columns: dict[str, list[float]] = {
        band: [int(row[column] or 0) for row in rows] for column, band in _KWB_BANDS.items()
    }
    for column, margin in _KWB_MARGINS.items():
        if rows and column in rows[0]:
            columns[margin] = [float(row[column]) if (row[column] or "").strip().isdigit() else np.nan for row in rows]
    population = pd.DataFrame(columns, index=pd.Index([row["gwb_code"] for row in rows], name="code"))
    if margins:
        return areas, pd.concat([population_frame(population), margin_frame(population)], axis=1)
    return areas, population_frame(population)


def band_years(code: str) -> tuple[int, int]:
    """First and last year of an age band code: "18_24" -> (18, 24), "75_plus" -> (75, 99)."""
    low, _, high = str(code).partition("_")
    return int(low), (99 if high == "plus" else int(high))


def cbs_band(survey_band: str) -> str:
    """The CBS band that contains a survey age band (65_74 and 75_plus both lie in 65_plus)."""
    low, high = band_years(survey_band)
    for band, (band_low, band_high) in _CBS_YEARS.items():
        if band_low <= low and high <= band_high:
            return band
    raise ValueError(f"age band {survey_band!r} straddles CBS age bands")


def age_band_map(instrument: Instrument) -> dict[str, str]:
    """Each age_band option code of the instrument mapped to the CBS band it lies in."""
    if "age_band" not in instrument.item_ids:
        return {}
    return {str(code): cbs_band(str(code)) for code in instrument.item("age_band").codes}


def eligible_share(instrument: Instrument) -> dict[str, float]:
    """Per CBS band, the share of its population in the instrument's audience (ages spread evenly within a band).

    For an adult instrument (18+) 15_24 counts for 7/10; for youth (12-17) 0_14 counts for 3/15 and 15_24 for 3/10.
    The parent instrument's audience is all adults: CBS counts no parents, so its response rate is per adult.
    """
    minimum = int(instrument.audience.get("min_age", 0))
    maximum = int(instrument.audience.get("max_age", 99))
    shares = {}
    for band, (low, high) in _CBS_YEARS.items():
        overlap = max(0, min(high, maximum) - max(low, minimum) + 1)
        shares[band] = overlap / (high - low + 1)
    return shares


def eligible_population(population: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Population per area and CBS band that belongs to the instrument's audience (see eligible_share)."""
    shares = eligible_share(instrument)
    return population_frame(population).mul(pd.Series(shares)).astype(float)


def unplaced_code(municipality_code: str) -> str:
    """The stand-in wijk of the respondents who did not know their neighbourhood (see place_unknown). `--` is in no
    CBS code, so it never meets a real wijk."""
    return "WK" + municipality_code[2:6] + "--"


def is_unplaced(code: object) -> bool:
    return isinstance(code, str) and code.startswith("WK") and code.endswith("--")


def place_unknown(respondents: pd.DataFrame, areas: pd.DataFrame, min_n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Respondents without a buurt and a wijk (who answered "I don't know my neighbourhood") count for the
    municipality only, which the municipality's figures minus its wijken's would give away when they are few.

    So where fewer than `min_n` of one questionnaire's respondents did not know their neighbourhood, they are left
    out of its figures altogether; where more did, they become a stand-in wijk (unplaced_code) that disclosure
    control protects like any other part of the municipality (a measure few of them answered, a band few of them are
    in) and whose own figures are never published (drop them with is_unplaced). Returns the respondents and areas
    to analyse.
    """
    unknown = respondents["buurt_code"].isna().to_numpy()
    if "wijk_code" in respondents:
        unknown = unknown & respondents["wijk_code"].isna().to_numpy()
    if not unknown.any():
        return respondents, areas
    instrument = respondents["instrument"].astype(object).to_numpy()
    slugs, counts = np.unique(instrument[unknown], return_counts=True)
    small = slugs[counts < min_n]
    leave_out = unknown & np.isin(instrument, small)
    kept = respondents.loc[~leave_out].reset_index(drop=True)
    placed = unknown[~leave_out]
    if not placed.any():
        return kept, areas
    municipality = str(areas.index[areas["level"] == "municipality"][0])
    code = unplaced_code(municipality)
    wijk = kept["wijk_code"].astype(object).to_numpy().copy() if "wijk_code" in kept else np.full(len(kept), None)
    wijk[placed] = code
    kept["wijk_code"] = pd.Categorical(wijk)
    stand_in = pd.DataFrame(
        {"level": ["wijk"], "parent": [municipality], "name": [code]}, index=pd.Index([code], name=areas.index.name)
    )
    return kept, pd.concat([areas, stand_in])
