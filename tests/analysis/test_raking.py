"""Raking to population margins: margins met, trimming, and margins that cannot be met reported, not hidden."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.frames import eligible_population
from analysis.raking import (
    NO_FIGURES,
    NO_POPULATION,
    NO_RESPONDENTS,
    NOT_CONVERGED,
    MarginProblem,
    kish_design_effect,
    rake,
    rake_areas,
)
from analysis.weighting import HOUSEHOLD, SEX, raked_weights


def weighted_shares(weights: np.ndarray, codes: np.ndarray, size: int) -> np.ndarray:
    known = codes >= 0
    return np.bincount(codes[known], weights=weights[known], minlength=size) / weights[known].sum()


def biased_sample(seed: int, n: int = 400) -> dict[str, np.ndarray]:
    """Respondents skewed to women, older people and people living with others, some not saying their sex."""
    rng = np.random.default_rng(seed)
    return {
        "sex": rng.choice([-1, 0, 1], n, p=[0.05, 0.35, 0.60]),
        "household": rng.choice([0, 1], n, p=[0.15, 0.85]),
        "age": rng.choice([0, 1, 2, 3], n, p=[0.1, 0.2, 0.3, 0.4]),
    }


POPULATION = {
    "sex": np.array([1480.0, 1520.0]),
    "household": np.array([900.0, 2100.0]),
    "age": np.array([600.0, 1000.0, 800.0, 600.0]),
}


def test_raking_meets_every_margin_and_adds_up_to_the_population():
    codes = biased_sample(seed=1)
    weights, summary, problems = rake(codes, POPULATION, cap=None, area="BU00010000")
    assert problems == []
    assert summary.margins == ("sex", "household", "age")
    assert weights.sum() == pytest.approx(3000.0)
    for name, population in POPULATION.items():
        np.testing.assert_allclose(weighted_shares(weights, codes[name], len(population)), population / 3000, atol=1e-6)
    # the sex margin holds among those who said their sex; those who did not keep a weight too
    assert (weights[codes["sex"] < 0] > 0).all()
    assert summary.design_effect == pytest.approx(kish_design_effect(weights)) and summary.design_effect > 1.0
    assert summary.effective_n == pytest.approx(400 / summary.design_effect)


def test_an_unbiased_sample_gets_equal_weights_and_a_design_effect_of_one():
    codes = {"age": np.repeat([0, 1, 2, 3], [60, 100, 80, 60])}
    weights, summary, _ = rake(codes, {"age": POPULATION["age"]})
    np.testing.assert_allclose(weights, 10.0)
    assert summary.design_effect == pytest.approx(1.0) and summary.effective_n == pytest.approx(300)


def test_trimming_caps_weights_and_keeps_the_margins_approximately():
    # few young respondents living alone: untrimmed, they carry huge weights
    rng = np.random.default_rng(7)
    n = 500
    codes = {
        "household": rng.choice([0, 1], n, p=[0.1, 0.9]),
        "age": rng.choice([0, 1, 2, 3], n, p=[0.05, 0.25, 0.3, 0.4]),
    }
    population = {"household": POPULATION["household"], "age": POPULATION["age"]}
    untrimmed, loose, _ = rake(codes, population, cap=None)
    assert untrimmed.max() > 4 * untrimmed.mean()
    trimmed, summary, problems = rake(codes, population, cap=4.0)
    assert trimmed.max() <= 4 * trimmed.mean() * (1 + 1e-9)
    assert summary.trimmed > 0 and summary.design_effect < loose.design_effect
    assert trimmed.sum() == pytest.approx(3000.0)
    for name, counts in population.items():
        np.testing.assert_allclose(weighted_shares(trimmed, codes[name], len(counts)), counts / 3000, atol=0.02)
    # missed by more than a rounding error only if reported
    assert summary.deviation < 1e-3 or any(problem.reason == NOT_CONVERGED for problem in problems)


def test_trimming_that_cannot_keep_a_margin_says_how_far_it_is_missed():
    codes = {"age": np.repeat([0, 1, 2], [100, 100, 5])}
    weights, summary, problems = rake(codes, {"age": np.array([1000.0, 1000.0, 1000.0])}, cap=3.0, area="BU1")
    assert weights.max() <= 3 * weights.mean() * (1 + 1e-9)
    [problem] = problems
    assert (problem.area, problem.margin, problem.reason) == ("BU1", "age", NOT_CONVERGED)
    assert problem.deviation == pytest.approx(summary.deviation) and problem.deviation > 0.1


def test_a_population_group_without_respondents_is_reported_and_spread_over_the_others():
    codes = {"sex": np.repeat([0, 1], [50, 50]), "age": np.repeat([0, 1, 2, 0], 25)}  # nobody aged 3
    weights, summary, problems = rake(
        codes, POPULATION, {"age": ("0_14", "15_24", "25_44", "45_64")}, area="BU90010000"
    )
    assert MarginProblem("BU90010000", "age", "45_64", NO_RESPONDENTS) in problems
    assert "age" in summary.margins and weights.sum() == pytest.approx(3000.0)
    np.testing.assert_allclose(weighted_shares(weights, codes["age"], 4), [600 / 2400, 1000 / 2400, 800 / 2400, 0])


def test_respondents_in_a_group_the_population_lacks_leave_that_margin_out():
    codes = {"sex": np.repeat([0, 1], [30, 70]), "household": np.repeat([0, 1], 50)}
    population = {"sex": np.array([1500.0, 1500.0]), "household": np.array([3000.0, 0.0])}
    weights, summary, problems = rake(codes, population, {"household": ("alone", "with_others")}, area="BU1")
    assert problems == [MarginProblem("BU1", "household", "with_others", NO_POPULATION)]
    assert summary.margins == ("sex",)
    np.testing.assert_allclose(weighted_shares(weights, codes["sex"], 2), [0.5, 0.5])


def test_a_margin_without_figures_is_reported_and_left_out():
    codes = {"sex": np.repeat([0, 1], 50), "age": np.repeat([0, 1, 2, 3], 25)}
    population = {"sex": np.array([np.nan, np.nan]), "age": POPULATION["age"]}
    _, summary, problems = rake(codes, population, area="BU1")
    assert problems == [MarginProblem("BU1", "sex", None, NO_FIGURES)] and summary.margins == ("age",)


def test_margins_that_contradict_each_other_are_reported_with_how_far_they_are_missed():
    # every man is young and every woman old: no weights give 50/50 by sex and 80/20 by age
    codes = {"sex": np.repeat([0, 1], 50), "age": np.repeat([0, 1], 50)}
    population = {"sex": np.array([500.0, 500.0]), "age": np.array([800.0, 200.0])}
    _, summary, problems = rake(codes, population, cap=None, area="BU1", max_iterations=50)
    [problem] = problems
    assert (problem.margin, problem.reason) == ("sex+age", NOT_CONVERGED) and problem.deviation > 0.2
    assert summary.deviation == problem.deviation


def test_raking_per_area_falls_back_where_an_area_has_no_figures():
    codes = {"age": np.array([0, 1, 0, 1, 0, 1])}
    areas = np.array(["BU1", "BU1", "BU2", "BU2", None, "BU3"], dtype=object)
    population = {"BU1": {"age": np.array([30.0, 10.0])}, "BU2": {"age": np.array([5.0, 15.0])}}
    result = rake_areas(areas, codes, population, fallback_ratio=7.0)
    np.testing.assert_allclose(result.weights, [30, 10, 5, 15, 7, 7])
    assert result.problems == [MarginProblem("BU3", "population", None, NO_FIGURES)]
    assert set(result.areas) == {"BU1", "BU2"}


def test_demo_respondents_are_raked_to_age_sex_and_household_per_buurt(instruments, wave, leefdam_margins):
    _, population = leefdam_margins
    adult = instruments["adult"]
    subset = wave[wave["instrument"] == "adult"].reset_index(drop=True)
    result = raked_weights(subset, adult, population)
    assert result.margins == (SEX, HOUSEHOLD, "age")
    assert [problem for problem in result.problems if problem.reason != NO_RESPONDENTS] == []
    eligible = eligible_population(population, adult)
    code = "BU90010000"
    rows = (subset["buurt_code"].astype(object) == code).to_numpy()
    weights = result.weights[rows]
    assert weights.sum() == pytest.approx(eligible.loc[code].sum())
    sex = subset.loc[rows, "gender"].astype(object).map({"man": 0, "woman": 1}).fillna(-1).to_numpy(dtype=int)
    men, women = population.loc[code, ["men", "women"]]
    np.testing.assert_allclose(
        weighted_shares(weights, sex, 2), [men / (men + women), women / (men + women)], atol=1e-5
    )
    alone = subset.loc[rows, "lives_alone"].astype(object).map({"yes": 0, "no": 1}).fillna(-1).to_numpy(dtype=int)
    expected = population.loc[code, "households_single"] / eligible.loc[code].sum()
    assert weighted_shares(weights, alone, 2)[0] == pytest.approx(expected, abs=1e-5)
    summary = result.areas[code]
    assert summary.n == rows.sum() and summary.design_effect > 1 and summary.effective_n < summary.n


def test_without_margin_figures_the_weights_are_the_age_post_stratification(instruments, wave, leefdam):
    from analysis.weighting import poststratification_weights

    _, population = leefdam  # age bands only
    adult = instruments["adult"]
    subset = wave[wave["instrument"] == "adult"].reset_index(drop=True)
    result = raked_weights(subset, adult, population, cap=None)
    assert result.margins == ("age",)
    # the same weights up to a factor per buurt: raked weights add up to the buurt's population, also with
    # respondents who did not give their age (who weigh as much as the buurt's average respondent)
    old = poststratification_weights(subset, adult, population)
    known = subset["age_band"].notna().to_numpy()
    for code in ("BU90010000", "BU90010302"):
        rows = known & (subset["buurt_code"].astype(object) == code).to_numpy()
        ratio = result.weights[rows] / old[rows]
        np.testing.assert_allclose(ratio, ratio[0], rtol=1e-6)
        everyone = (subset["buurt_code"].astype(object) == code).to_numpy()
        assert result.weights[everyone].sum() == pytest.approx(eligible_population(population, adult).loc[code].sum())


def test_raking_is_deterministic(instruments, wave, leefdam_margins):
    _, population = leefdam_margins
    subset = wave[wave["instrument"] == "adult"].reset_index(drop=True)
    first = raked_weights(subset, instruments["adult"], population).weights
    again = raked_weights(subset.copy(), instruments["adult"], pd.DataFrame(population)).weights
    np.testing.assert_array_equal(first, again)


def test_an_instrument_without_background_questions_weighs_every_respondent_of_a_buurt_alike():
    result = rake_areas(
        np.array(["BU1", "BU1", "BU2"], dtype=object), {}, {"BU1": {}, "BU2": {}}, totals={"BU1": 50.0, "BU2": 9.0}
    )
    np.testing.assert_allclose(result.weights, [25, 25, 9])
    assert result.areas["BU1"].n == 2 and result.areas["BU1"].margins == ()
