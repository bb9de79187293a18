"""Weights against the population per buurt: post-stratification by age band, and raking to age, sex and household."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.frames import CBS_AGE_BANDS, age_band_map, eligible_population, margin_frame, population_frame
from analysis.raking import NO_FIGURES, MarginProblem, RakingResult, rake_areas
from surveys.instruments import Instrument


def poststratification_weights(
    respondents: pd.DataFrame, instrument: Instrument, population: pd.DataFrame
) -> np.ndarray:
    """A weight per respondent row: eligible population of its (buurt, CBS age band) cell over the respondents in it.

    Weighted totals then add up to the population of the cells that have respondents, in every buurt, so wijk and
    municipality estimates built from buurt weights are post-stratified too. Cells without respondents cannot be
    represented; their share is spread over the buurt's other cells, since estimates are ratios. A respondent
    without a usable age band, or in a cell the population table has nobody in, gets the buurt's overall ratio
    (population over respondents), and where the buurt has no population figures, the municipality's.
    """
    size = len(respondents)
    if size == 0:
        return np.zeros(0)
    eligible = eligible_population(population, instrument)
    to_cbs = age_band_map(instrument)
    band = respondents["age_band"].astype(object).map(to_cbs)
    band_index = pd.Categorical(band, categories=list(CBS_AGE_BANDS)).codes
    buurt = pd.Categorical(respondents["buurt_code"].astype(object))
    buurt_codes = buurt.codes
    cells = np.where((band_index >= 0) & (buurt_codes >= 0), buurt_codes * len(CBS_AGE_BANDS) + band_index, -1)
    known = cells >= 0
    cell_count = np.bincount(cells[known], minlength=len(buurt.categories) * len(CBS_AGE_BANDS)).astype(float)
    cell_population = (
        eligible.reindex(buurt.categories).fillna(0.0).to_numpy(dtype=float).ravel()
        if len(buurt.categories)
        else np.zeros(0)
    )
    buurt_population = cell_population.reshape(-1, len(CBS_AGE_BANDS)).sum(axis=1)
    buurt_count = np.bincount(buurt_codes[buurt_codes >= 0], minlength=len(buurt.categories)).astype(float)
    municipal_total = eligible.loc[[code for code in eligible.index if code.startswith("GM")]].to_numpy().sum()
    municipal_ratio = municipal_total / size if municipal_total > 0 else 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        buurt_ratio = np.where(
            (buurt_population > 0) & (buurt_count > 0), buurt_population / buurt_count, municipal_ratio
        )
        cell_ratio = np.where((cell_population > 0) & (cell_count > 0), cell_population / cell_count, np.nan)
    weights = np.full(size, municipal_ratio)
    in_buurt = buurt_codes >= 0
    weights[in_buurt] = buurt_ratio[buurt_codes[in_buurt]]
    from_cell = cell_ratio[cells[known]]
    weights[known] = np.where(np.isnan(from_cell), weights[known], from_cell)
    return weights


# The margins respondents can be raked to, in the order they are raked (age last, so that the margin with most
# categories, on which the respondents are most unequal, is met exactly when trimming leaves a little to miss).
AGE, SEX, HOUSEHOLD = "age", "sex", "household"
MARGINS = (SEX, HOUSEHOLD, AGE)
# The questions that give a respondent's category: gender (woman, man; "other" and skipped are unknown, since CBS
# registers sex as man or woman) and lives_alone (yes, no). Adults only: one-person households have an adult in them.
SEX_CATEGORIES = ("man", "woman")
HOUSEHOLD_CATEGORIES = ("alone", "with_others")
_SEX_ANSWERS = {"man": 0, "woman": 1}
_HOUSEHOLD_ANSWERS = {"yes": 0, "no": 1}
CATEGORIES = {AGE: CBS_AGE_BANDS, SEX: SEX_CATEGORIES, HOUSEHOLD: HOUSEHOLD_CATEGORIES}


def _answer_codes(respondents: pd.DataFrame, item_id: str, codes: dict[str, int]) -> np.ndarray:
    if item_id not in respondents.columns:
        return np.full(len(respondents), -1, dtype=np.int64)
    return respondents[item_id].astype(object).map(codes).fillna(-1).to_numpy(dtype=np.int64)


def instrument_margins(
    instrument: Instrument, population: pd.DataFrame, wanted: tuple[str, ...] = MARGINS
) -> list[str]:
    """The margins of `wanted` that this instrument's respondents can be raked to: the instrument asks the question
    and the population table has the figures (for at least one area)."""
    found = []
    for margin in wanted:
        if margin == AGE and "age_band" in instrument.item_ids:
            found.append(AGE)
        elif margin == SEX and "gender" in instrument.item_ids and {"men", "women"} <= set(population.columns):
            found.append(SEX)
        elif (
            margin == HOUSEHOLD
            and "lives_alone" in instrument.item_ids
            and int(instrument.audience.get("min_age", 0)) >= 18
            and "households_single" in population.columns
        ):
            found.append(HOUSEHOLD)
    return found


def raked_weights(
    respondents: pd.DataFrame,
    instrument: Instrument,
    population: pd.DataFrame | Mapping[str, Mapping[str, float]],
    *,
    margins: tuple[str, ...] = MARGINS,
    cap: float | None = 5.0,
) -> RakingResult:
    """Weights per respondent row, raked per buurt to the population margins the instrument and the population
    (age bands, and the margin_frame columns where it has them) both have (see instrument_margins), trimmed at
    `cap` times the buurt's mean weight.

    Every margin is scaled to the buurt's population in the instrument's audience (eligible_population), so weights
    add up to it per buurt, as with post-stratification. Sex is known for all ages only: its shares are applied to
    the audience. Living alone: a one-person household has one adult in it, so the audience's adults living alone
    are the buurt's one-person households, the rest live with others. Respondents without a buurt, and buurten
    without population figures, get the municipality's population over its respondents.
    """
    extra = margin_frame(population)
    population = population_frame(population)
    eligible = eligible_population(population, instrument)
    used = instrument_margins(instrument, extra, margins)
    to_cbs = age_band_map(instrument)
    band = respondents["age_band"].astype(object).map(to_cbs)
    codes = {
        AGE: pd.Categorical(band, categories=list(CBS_AGE_BANDS)).codes.astype(np.int64),
        SEX: _answer_codes(respondents, "gender", _SEX_ANSWERS),
        HOUSEHOLD: _answer_codes(respondents, "lives_alone", _HOUSEHOLD_ANSWERS),
    }
    buurten = [code for code in eligible.index if code.startswith("BU")]
    targets: dict[str, dict[str, np.ndarray]] = {}
    totals: dict[str, float] = {}
    for code in buurten:
        bands = eligible.loc[code].to_numpy(dtype=float)
        total = float(bands.sum())
        totals[code] = total
        row = extra.loc[code] if code in extra.index else pd.Series(dtype=float)
        margin_targets = {}
        for margin in used:
            if margin == AGE:
                margin_targets[AGE] = bands
            elif margin == SEX:
                people = np.array([row.get("men", np.nan), row.get("women", np.nan)], dtype=float)
                margin_targets[SEX] = people / people.sum() * total if people.sum() > 0 else np.full(2, np.nan)
            elif margin == HOUSEHOLD:
                alone = float(row.get("households_single", np.nan))
                margin_targets[HOUSEHOLD] = np.array([alone, total - alone]) if total > 0 else np.full(2, np.nan)
        targets[code] = margin_targets
    municipal_total = eligible.loc[[code for code in eligible.index if code.startswith("GM")]].to_numpy().sum()
    ratio = municipal_total / len(respondents) if municipal_total > 0 and len(respondents) else 1.0
    area = respondents["buurt_code"].astype(object).to_numpy()
    area = np.array([code if code in targets else None for code in area], dtype=object)
    unknown_areas = sorted(
        {code for code in respondents["buurt_code"].astype(object) if isinstance(code, str)} - set(targets)
    )
    result = rake_areas(
        area,
        {margin: codes[margin] for margin in used},
        targets,
        CATEGORIES,
        totals=totals,
        cap=cap,
        fallback_ratio=ratio,
    )
    result.problems.extend(MarginProblem(code, "population", None, NO_FIGURES) for code in unknown_areas)
    return result
