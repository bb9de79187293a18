"""score_frame() scores a whole table exactly as score_row() scores each response, invalid answers included."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest

from analysis.frames import respondents_frame
from surveys.instruments import load_instruments
from surveys.scoring import item_value_frame, score_columns, score_frame, score_row

INSTRUMENTS = load_instruments()
INVALID = ["", "x", "3", True, False, 99, -1, 2.5, 3.0, [1], [], None, "yes", "no", 11]


def random_answers(instrument, rng: random.Random) -> dict:
    answers = {}
    for item in instrument.items:
        roll = rng.random()
        if roll < 0.08:
            continue  # skipped
        if roll < 0.16:
            answers[item.id] = rng.choice(INVALID)
        elif item.type == "number":
            answers[item.id] = rng.randint(item.min - 2, item.max + 2)
        elif item.codes:
            answers[item.id] = rng.choice(item.codes)
        else:
            answers[item.id] = "Meer groen in de straat"
    return answers


def as_plain(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value


@pytest.mark.parametrize("slug", sorted(INSTRUMENTS))
@pytest.mark.parametrize("shape", ["object_columns", "built_from_records"])
def test_score_frame_equals_score_row_for_every_row(slug, shape):
    instrument = INSTRUMENTS[slug]
    rng = random.Random(2026)
    rows = [random_answers(instrument, rng) for _ in range(2000)]
    if shape == "object_columns":
        answers = pd.DataFrame(rows, dtype=object)
    else:
        answers = respondents_frame(
            {"response_id": i, "instrument": slug, "answers": row} for i, row in enumerate(rows)
        )
    scored = score_frame(instrument, answers)
    assert list(scored.columns) == score_columns(instrument)
    got = {column: [as_plain(value) for value in scored[column].astype(object)] for column in scored.columns}
    for index, row in enumerate(rows):
        expected = score_row(instrument, row)
        assert {column: values[index] for column, values in got.items()} == expected, (index, row)


def test_scores_are_bit_identical_floats_not_just_close():
    instrument = INSTRUMENTS["adult"]
    rows = [
        {f"brs_{i}": value for i, value in enumerate((1, 2, 2, 5, 4, 3), start=1)},
        {f"cohesion_{i}": value for i, value in enumerate((2, 3, 4, 4, 5), start=1)},
    ]
    scored = score_frame(instrument, pd.DataFrame(rows, dtype=object))
    for index, row in enumerate(rows):
        for column, value in score_row(instrument, row).items():
            if isinstance(value, float):
                assert scored[column].iloc[index].item().hex() == value.hex()


def test_numeric_columns_hold_integer_codes_with_gaps_as_nan():
    instrument = INSTRUMENTS["adult"]
    answers = pd.DataFrame({f"who5_{i}": [5.0, np.nan, 2.5] for i in range(1, 6)})
    scored = score_frame(instrument, answers)
    assert scored["who5_score"].iloc[0] == 100.0
    assert np.isnan(scored["who5_score"].iloc[1]) and np.isnan(scored["who5_score"].iloc[2])
    assert scored["who5_band"].iloc[0] == "adequate" and pd.isna(scored["who5_band"].iloc[1])


def test_item_value_frame_applies_value_maps_and_reversal():
    instrument = INSTRUMENTS["adult"]
    answers = pd.DataFrame([{"brs_1": 5, "brs_2": 5, "djg_1": "more_or_less"}], dtype=object)
    brs = item_value_frame(instrument, "brs", answers)
    djg = item_value_frame(instrument, "djg", answers)
    assert brs.loc[0, "brs_1"] == 5.0 and brs.loc[0, "brs_2"] == 1.0 and np.isnan(brs.loc[0, "brs_3"])
    assert djg.loc[0, "djg_1"] == 1.0
