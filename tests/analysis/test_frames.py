"""Building the respondents table from plain records, areas from CBS codes, and age bands onto CBS bands."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.frames import (
    age_band_map,
    area_table,
    eligible_population,
    eligible_share,
    parent_code,
    population_frame,
    respondents_frame,
)


def test_respondents_frame_types_columns_by_their_values():
    records = [
        {
            "response_id": "a",
            "instrument": "adult",
            "buurt_code": "BU90010000",
            "wijk_code": "WK900100",
            "age_band": "25_44",
            "locale": "nl",
            "mode": "online",
            "answers": {"who5_1": 4, "djg_1": "yes", "par_help_where": ["gp", "school"], "open_better": "Meer groen"},
        },
        {
            "response_id": "b",
            "instrument": "adult",
            "buurt_code": "BU90010001",
            "wijk_code": "WK900100",
            "age_band": None,
            "locale": "tr",
            "mode": "interview",
            "answers": {"who5_1": None, "flag": True},
        },
    ]
    frame = respondents_frame(iter(records))
    assert frame["response_id"].tolist() == ["a", "b"]
    assert frame["who5_1"].dtype == float and frame["who5_1"].iloc[0] == 4 and np.isnan(frame["who5_1"].iloc[1])
    assert isinstance(frame["djg_1"].dtype, pd.CategoricalDtype)
    assert frame["par_help_where"].iloc[0] == ["gp", "school"] and frame["par_help_where"].iloc[1] is None
    assert frame["flag"].iloc[1] is True
    assert isinstance(frame["buurt_code"].dtype, pd.CategoricalDtype)


def test_area_codes_nest_buurt_in_wijk_in_municipality():
    assert parent_code("BU05990110") == "WK059901"
    assert parent_code("WK059901") == "GM0599"
    areas = area_table(["BU05990110", "BU05990201"])
    assert list(areas.index) == ["GM0599", "WK059901", "WK059902", "BU05990110", "BU05990201"]
    assert areas.loc["BU05990201", "parent"] == "WK059902"
    with pytest.raises(ValueError):
        area_table(["BU05990110", "BU03630001"])


def test_survey_age_bands_map_onto_cbs_bands(instruments):
    assert age_band_map(instruments["adult"]) == {
        "18_24": "15_24",
        "25_44": "25_44",
        "45_64": "45_64",
        "65_74": "65_plus",
        "75_plus": "65_plus",
    }
    assert age_band_map(instruments["youth"]) == {"12_14": "0_14", "15_17": "15_24"}


def test_eligible_population_counts_only_the_audience_ages(instruments):
    assert eligible_share(instruments["adult"]) == {
        "0_14": 0.0,
        "15_24": 0.7,
        "25_44": 1.0,
        "45_64": 1.0,
        "65_plus": 1.0,
    }
    youth = eligible_share(instruments["youth"])
    assert youth["0_14"] == pytest.approx(3 / 15) and youth["15_24"] == pytest.approx(3 / 10)
    population = population_frame({"BU90010000": {"0_14": 150, "15_24": 100, "25_44": 10, "45_64": 10, "65_plus": 10}})
    eligible = eligible_population(population, instruments["youth"]).loc["BU90010000"]
    assert eligible.sum() == pytest.approx(30 + 30)


def test_read_kwb_gives_areas_and_population(leefdam):
    areas, population = leefdam
    assert (areas["level"] == "municipality").sum() == 1 and (areas["level"] == "wijk").sum() == 5
    assert population.loc["GM9001"].sum() == 41225
