"""Resident types: planted patterns are found and named, none are invented, they are reproducible, and they keep
their ids across waves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from analysis.frames import area_table
from analysis.types import (
    BETTER,
    NOT_DISTINCT,
    NOT_STABLE,
    ONE_GROUP,
    TOO_FEW,
    WORSE,
    fit_types,
    type_name,
    type_shares,
)

FEATURES = ["who5_score", "cohesion_score", "djg_score", "ph_body_score"]
CENTRES = np.array([[70, 7, 1, 8], [35, 4, 5, 4], [65, 3, 2, 7]], dtype=float)


def planted(seed: int, size: int = 1200) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.choice(3, size=size, p=[0.5, 0.3, 0.2])
    spread = np.array([6, 0.6, 0.6, 0.6])
    scores = pd.DataFrame(CENTRES[truth] + rng.normal(size=(size, 4)) * spread, columns=FEATURES)
    scores.iloc[::25, 1] = np.nan  # a missing score is taken at the mean
    return scores, truth


def test_planted_types_are_found_with_k_by_bic():
    scores, truth = planted(0)
    result = fit_types(scores, FEATURES, instrument="adult", seed=3)
    assert result.model.k == 3 and result.model.bic_k == 3 and result.model.criterion == "bic"
    assert {1, 2, 3, 4} <= set(result.model.criterion_values) <= {1, 2, 3, 4, 5, 6}
    assert min(result.model.criterion_values, key=result.model.criterion_values.get) == 3
    assert adjusted_rand_score(truth, result.assignment.astype(str)) > 0.9
    assert [kind.id for kind in result.model.types] == ["T1", "T2", "T3"]
    largest = result.model.types[0]
    assert largest.share == pytest.approx(0.5, abs=0.05)
    assert dict(result.model.types[1].profile) == {
        "who5_score": "low",
        "cohesion_score": "low",
        "djg_score": "high",
        "ph_body_score": "low",
    }


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
    scores = pd.DataFrame(CENTRES[truth] + rng.normal(size=(1200, 4)) * np.array([6, 0.6, 0.6, 0.6]), columns=FEATURES)
    fresh = fit_types(scores, FEATURES, seed=0)
    matched = fit_types(scores, FEATURES, seed=0, previous=previous)
    assert fresh.model.types[0].centre["djg_score"] > 4  # unmatched: the lonely type is now T1
    lonely = next(kind for kind in matched.model.types if kind.centre["djg_score"] > 4)
    previous_lonely = next(kind for kind in previous.types if kind.centre["djg_score"] > 4)
    assert lonely.id == previous_lonely.id
    assert set(matched.model.matched_to_previous) == {kind.id for kind in previous.types}


def test_type_shares_per_area_have_wilson_intervals():
    scores, _ = planted(4, size=300)
    respondents = pd.DataFrame(
        {
            "buurt_code": ["BU05990101"] * 150 + ["BU05990201"] * 150,
            "wijk_code": ["WK059901"] * 150 + ["WK059902"] * 150,
        }
    )
    result = fit_types(scores, FEATURES, instrument="adult", seed=0)
    records = type_shares(result, respondents, area_table(["BU05990101", "BU05990201"]))
    municipal = [r for r in records if r.area_code == "GM0599"]
    assert sum(r.value for r in municipal) == pytest.approx(1.0)
    assert all(r.lower <= r.value <= r.upper and r.measure.startswith("type:T") for r in records)


# Planted shapes: every type has the same mean level; they differ only in which dimensions lie above or below it.
# Loneliness (djg) runs the other way round: a higher score is worse.
SHAPE_FEATURES = ["who5_score", "djg_score", "brs_score", "mastery_score", "cohesion_score", "belonging_score"]
SHAPES = np.array(
    [
        [1, 0, -1, 0, 0, 0],  # feels well, little resilience
        [0, 1, 0, 0, -1, 0],  # rarely lonely (djg turned round), little cohesion
        [0, 0, 0, -1, 0, 1],
    ],  # belongs, little mastery
    dtype=float,
)


def planted_shapes(seed: int, size: int = 2000, separation: float = 1.2) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.choice(3, size=size, p=[0.45, 0.35, 0.2])
    level = rng.normal(size=(size, 1))  # the common level, the same in every type
    oriented = 5 + level + separation * SHAPES[truth] + rng.normal(scale=0.6, size=(size, 6))
    oriented[:, 1] = 10 - oriented[:, 1]  # as loneliness is scored: higher is lonelier
    scores = pd.DataFrame(np.round(oriented, 1), columns=SHAPE_FEATURES)
    scores.iloc[::40, 2] = np.nan
    return scores, truth


def one_blob(seed: int, size: int = 3000) -> pd.DataFrame:
    """Residents who differ in level (one strong common factor) and by noise, without any types."""
    rng = np.random.default_rng(seed)
    level = rng.normal(size=(size, 1))
    return pd.DataFrame(np.round(5 + level + rng.normal(scale=0.6, size=(size, 6)), 1), columns=SHAPE_FEATURES)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_shapes_with_the_same_level_are_recovered(seed):
    scores, truth = planted_shapes(seed)
    result = fit_types(scores, SHAPE_FEATURES, instrument="adult", seed=seed)
    model = result.model
    assert model.k == 3 and model.note == ""
    assert adjusted_rand_score(truth, result.assignment.astype(str)) >= 0.8
    assert all(abs(kind.level) < 0.2 for kind in model.types)  # the same level: only the shape sets them apart
    # distinct and stable, and said so
    assert model.mean_posterior > 0.9 and model.bootstrap_ari > 0.8 and model.bootstrap_runs == 10


def test_planted_shapes_are_named_by_what_sets_them_apart():
    # a planted deviation of 1.5 points is about 0.7 standard deviations from the average profile
    scores, _ = planted_shapes(5, separation=1.5)
    model = fit_types(scores, SHAPE_FEATURES, instrument="adult", seed=0).model
    names = {kind.name for kind in model.types}
    assert names == {
        (("who5_score", BETTER), ("brs_score", WORSE)),
        (("djg_score", BETTER), ("cohesion_score", WORSE)),
        (("belonging_score", BETTER), ("mastery_score", WORSE)),
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_group_without_types_gives_no_types_and_says_so(seed):
    scores = one_blob(seed)
    result = fit_types(scores, SHAPE_FEATURES, instrument="adult", seed=seed)
    assert result.model.bic_k == 1 and result.model.k == 0 and result.model.types == ()
    assert result.model.note == ONE_GROUP
    assert result.model.criterion_values[1] == min(result.model.criterion_values.values())
    assert result.assignment.isna().all()
    respondents = pd.DataFrame({"buurt_code": ["BU05990101"] * len(scores), "wijk_code": ["WK059901"] * len(scores)})
    assert type_shares(result, respondents, area_table(["BU05990101"])) == []


def test_groups_that_are_not_distinct_or_not_stable_are_not_reported():
    scores, _ = planted_shapes(3)
    blurred = fit_types(scores, SHAPE_FEATURES, seed=0, min_distinctness=0.999)
    assert blurred.model.bic_k == 3 and blurred.model.k == 0 and blurred.model.note == NOT_DISTINCT
    assert blurred.model.mean_posterior < 0.999 and blurred.assignment.isna().all()
    shaky = fit_types(scores, SHAPE_FEATURES, seed=0, min_distinctness=0, min_stability=1.01)
    assert shaky.model.k == 0 and shaky.model.note == NOT_STABLE and shaky.model.bootstrap_ari <= 1


def test_a_type_is_named_by_its_clearest_dimensions_above_and_below_its_own_level():
    features = ["who5_score", "djg_score", "brs_score", "support_network_score"]
    assert type_name([0.2, -0.9, -0.6, 1.1], features, 0.5) == (("support_network_score", BETTER), ("djg_score", WORSE))
    # two on one side when the other has none; nothing when nothing stands out
    assert type_name([0.7, -0.3, 0.9, 0.4], features, 0.5) == (("brs_score", BETTER), ("who5_score", BETTER))
    assert type_name([-0.7, 0.1, -0.2, -0.8], features, 0.5) == (
        ("support_network_score", WORSE),
        ("who5_score", WORSE),
    )
    assert type_name([0.4, -0.4, 0.1, -0.1], features, 0.5) == ()


def test_planted_shapes_seed_gives_identical_diagnostics():
    scores, _ = planted_shapes(4, size=1200)
    first, second = (fit_types(scores, SHAPE_FEATURES, seed=7) for _ in range(2))
    assert first.model == second.model and first.assignment.equals(second.assignment)


def test_too_few_respondents_for_two_groups_give_no_types_and_say_so():
    scores, _ = planted_shapes(6, size=50)  # a mixture of two groups on six scales has 55 parameters
    model = fit_types(scores, SHAPE_FEATURES, seed=0).model
    assert model.k == 0 and model.note == TOO_FEW and set(model.criterion_values) == {1}
