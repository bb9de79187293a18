"""Resident types: planted groups are found, described as data, reproducible, and keep their ids across waves."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from analysis.frames import area_table
from analysis.types import fit_types, type_shares

FEATURES = ["who5_score", "cohesion_score", "djg_score", "ph_body_score"]
CENTRES = np.array([[70, 7, 1, 8], [35, 4, 5, 4], [65, 3, 2, 7]], dtype=float)


def planted(seed: int, size: int = 1200) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.choice(3, size=size, p=[0.5, 0.3, 0.2])
    spread = np.array([6, 0.6, 0.6, 0.6])
    scores = pd.DataFrame(CENTRES[truth] + rng.normal(size=(size, 4)) * spread, columns=FEATURES)
    scores.iloc[::25, 1] = np.nan  # a missing score is taken at the mean
    return scores, truth


def test_planted_types_are_found_with_k_by_silhouette():
    scores, truth = planted(0)
    result = fit_types(scores, FEATURES, instrument="adult", seed=3)
    assert result.model.k == 3 and result.model.criterion == "silhouette"
    assert set(result.model.criterion_values) == {2, 3, 4, 5, 6}
    assert adjusted_rand_score(truth, result.assignment.astype(str)) > 0.9
    assert [kind.id for kind in result.model.types] == ["T1", "T2", "T3"]
    largest = result.model.types[0]
    assert largest.share == pytest.approx(0.5, abs=0.05)
    assert dict(result.model.types[1].profile) == {"who5_score": "low", "cohesion_score": "low",
                                                   "djg_score": "high", "ph_body_score": "low"}


def test_same_input_and_seed_give_identical_types():
    scores, _ = planted(1)
    first = fit_types(scores, FEATURES, seed=5)
    second = fit_types(scores, FEATURES, seed=5)
    assert first.model == second.model and first.assignment.equals(second.assignment)


def test_types_keep_their_ids_in_the_next_wave_by_hungarian_matching():
    previous = fit_types(planted(2)[0], FEATURES, seed=0).model
    # next wave: the second type grows to the largest, so size order alone would renumber it
    rng = np.random.default_rng(9)
    truth = rng.choice(3, size=1200, p=[0.25, 0.55, 0.2])
    scores = pd.DataFrame(CENTRES[truth] + rng.normal(size=(1200, 4)) * np.array([6, 0.6, 0.6, 0.6]),
                          columns=FEATURES)
    fresh = fit_types(scores, FEATURES, seed=0)
    matched = fit_types(scores, FEATURES, seed=0, previous=previous)
    assert fresh.model.types[0].centre["djg_score"] > 4          # unmatched: the lonely type is now T1
    lonely = next(kind for kind in matched.model.types if kind.centre["djg_score"] > 4)
    previous_lonely = next(kind for kind in previous.types if kind.centre["djg_score"] > 4)
    assert lonely.id == previous_lonely.id
    assert set(matched.model.matched_to_previous) == {kind.id for kind in previous.types}


def test_type_shares_per_area_have_wilson_intervals():
    scores, _ = planted(4, size=300)
    respondents = pd.DataFrame({"buurt_code": ["BU05990101"] * 150 + ["BU05990201"] * 150,
                                "wijk_code": ["WK059901"] * 150 + ["WK059902"] * 150})
    result = fit_types(scores, FEATURES, instrument="adult", seed=0)
    records = type_shares(result, respondents, area_table(["BU05990101", "BU05990201"]))
    municipal = [r for r in records if r.area_code == "GM0599"]
    assert sum(r.value for r in municipal) == pytest.approx(1.0)
    assert all(r.lower <= r.value <= r.upper and r.measure.startswith("type:T") for r in records)
