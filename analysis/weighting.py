"""Post-stratification weights by age band against the population, per buurt."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.frames import CBS_AGE_BANDS, age_band_map, eligible_population
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
