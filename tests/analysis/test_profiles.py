"""Scale profiles: figures per area agree with a plain groupby, differences are flagged only where they exist."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.frames import area_table, population_frame
from analysis.profiles import scale_profiles
from analysis.weighting import poststratification_weights

BUURTEN = [f"BU0599{wijk:02d}{buurt:02d}" for wijk in range(1, 6) for buurt in range(1, 4)]
AREAS = area_table(BUURTEN)


def null_wave(seed: int, size: int = 1500) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    buurt = rng.choice(BUURTEN, size=size)
    respondents = pd.DataFrame({"buurt_code": buurt, "wijk_code": ["WK" + code[2:8] for code in buurt]})
    score = rng.normal(6.0, 1.5, size)
    band = pd.Categorical.from_codes((rng.random(size) < 0.3).astype(np.int64), categories=pd.Index(["low", "high"]))
    return respondents, pd.DataFrame({"cohesion_score": score, "cohesion_band": band})


def find(records, area, measure, statistic):
    return next(r for r in records if (r.area_code, r.measure, r.statistic) == (area, measure, statistic))


def test_means_sds_and_counts_equal_a_plain_groupby():
    respondents, scores = null_wave(0)
    scores.loc[::7, "cohesion_score"] = np.nan
    records = scale_profiles(respondents, scores, AREAS, instrument="adult")
    expected = (
        scores.assign(wijk=respondents["wijk_code"]).groupby("wijk")["cohesion_score"].agg(["mean", "std", "count"])
    )
    for wijk, row in expected.iterrows():
        mean = find(records, wijk, "cohesion", "mean")
        assert mean.value == pytest.approx(row["mean"]) and mean.n == row["count"]
        assert mean.lower < mean.value < mean.upper
        assert find(records, wijk, "cohesion", "sd").value == pytest.approx(row["std"])
    municipality = find(records, "GM0599", "respondents", "n")
    assert municipality.value == 1500 and municipality.area_level == "municipality"
    share = find(records, "BU05990101", "cohesion:low", "share")
    in_buurt = scores[respondents["buurt_code"] == "BU05990101"]["cohesion_band"]
    assert share.value == pytest.approx((in_buurt == "low").mean()) and share.n == len(in_buurt)


def test_a_planted_difference_is_flagged_lower_only_where_it_was_planted():
    respondents, scores = null_wave(1)
    scores.loc[respondents["wijk_code"] == "WK059903", "cohesion_score"] -= 1.0
    records = scale_profiles(respondents, scores, AREAS, instrument="adult")
    lower = {
        r.area_code
        for r in records
        if r.statistic == "p_vs_rest"
        and "lower_than_rest" in r.flags
        and r.measure == "cohesion"
        and r.area_level == "wijk"
    }
    assert lower == {"WK059903"}  # the other wijken may be higher than a rest that now includes WK059903
    assert "lower_than_rest" in find(records, "WK059903", "cohesion", "mean").flags
    diff = find(records, "WK059903", "cohesion", "diff_vs_rest")
    assert diff.upper < 0 and diff.value == pytest.approx(-1.0, abs=0.3)


def test_false_positive_rate_stays_near_nominal_without_planted_effects():
    raw, any_flag, tests = 0, 0, 0
    share_raw, share_tests = 0, 0
    for seed in range(120):
        respondents, scores = null_wave(100 + seed)
        records = scale_profiles(respondents, scores, AREAS, instrument="adult")
        p_records = [r for r in records if r.statistic == "p_vs_rest"]
        means = [r for r in p_records if r.measure == "cohesion"]
        shares = [r for r in p_records if r.measure == "cohesion:low"]
        raw += sum(r.value < 0.05 for r in means)
        tests += len(means)
        share_raw += sum(r.value < 0.05 for r in shares)
        share_tests += len(shares)
        any_flag += any(r.flags for r in p_records)
    assert 0.035 < raw / tests < 0.065  # Welch: 2400 tests at nominal 5%
    assert share_raw / share_tests < 0.065  # Fisher/chi-square: at or below nominal
    assert any_flag / 120 <= 0.10  # BH over all tests of a run keeps false alarms rare


def test_poststratification_weights_add_up_to_population_and_give_weighted_means(instruments):
    adult = instruments["adult"]
    respondents = pd.DataFrame(
        {
            "buurt_code": ["BU05990101"] * 4,
            "wijk_code": ["WK059901"] * 4,
            "age_band": ["25_44", "25_44", "65_74", "75_plus"],
        }
    )
    population = population_frame(
        {
            "BU05990101": {"0_14": 0, "15_24": 0, "25_44": 100, "45_64": 0, "65_plus": 300},
            "GM0599": {"0_14": 0, "15_24": 0, "25_44": 100, "45_64": 0, "65_plus": 300},
        }
    )
    weights = poststratification_weights(respondents, adult, population)
    assert weights.tolist() == [50.0, 50.0, 150.0, 150.0]
    scores = pd.DataFrame({"cohesion_score": [4.0, 4.0, 8.0, 8.0]})
    records = scale_profiles(respondents, scores, area_table(["BU05990101"]), instrument="adult", weights=weights)
    weighted = find(records, "BU05990101", "cohesion", "mean_weighted")
    assert weighted.value == pytest.approx(7.0) and weighted.flags == ("weighted",)
    assert find(records, "BU05990101", "cohesion", "effective_n").value == pytest.approx(3.2)


def skewed_wave(seed: int, wijk: str, sample_old: float, population_old: float) -> tuple:
    """A wave where old residents score lower (4 against 6.5, band "low" below 5) and are 30% of both the
    population and the sample everywhere, except in `wijk`: there `sample_old` of the sample and `population_old`
    of the population. Weights make each wijk's sample match its population (as raking to age would)."""
    rng = np.random.default_rng(seed)
    buurt = np.repeat(BUURTEN, 100)
    wijk_codes = np.array(["WK" + code[2:8] for code in buurt])
    share_old = np.where(wijk_codes == wijk, sample_old, 0.3)
    old = rng.random(len(buurt)) < share_old
    score = np.where(old, rng.normal(4.0, 1.0, len(buurt)), rng.normal(6.5, 1.0, len(buurt)))
    weights = np.ones(len(buurt))
    target = np.where(wijk_codes == wijk, population_old, 0.3)
    for code in set(wijk_codes):
        here = wijk_codes == code
        realised = old[here].mean()
        weights[here] = np.where(old[here], target[here] / realised, (1 - target[here]) / (1 - realised))
    respondents = pd.DataFrame({"buurt_code": buurt, "wijk_code": wijk_codes})
    band = pd.Categorical.from_codes((score >= 5).astype(np.int64), categories=pd.Index(["low", "high"]))
    return respondents, pd.DataFrame({"cohesion_score": score, "cohesion_band": band}), weights


@pytest.mark.parametrize(
    ("sample_old", "population_old", "unweighted", "weighted"),
    [
        (0.7, 0.3, "lower", None),  # old residents over-sampled: lower unweighted only, the population is not
        (0.3, 0.7, None, "lower"),  # old residents under-sampled: the population is lower, the sample is not
    ],
)
def test_clearly_higher_or_lower_than_the_rest_is_tested_on_the_weighted_figures_for_the_weighted_figures(
    sample_old, population_old, unweighted, weighted
):
    respondents, scores, weights = skewed_wave(7, "WK059903", sample_old, population_old)
    records = scale_profiles(respondents, scores, AREAS, instrument="adult", weights=weights)

    def verdict(measure: str, statistic: str) -> str | None:
        flags = find(records, "WK059903", measure, statistic).flags
        found = [word for word in ("lower", "higher") if f"{word}_than_rest" in flags]
        return found[0] if found else None

    # the mean (and the share in the low band, which old residents fill) with the verdict of its own figures
    for measure, plain, weighted_statistic, worse in (
        ("cohesion", "mean", "mean_weighted", "lower"),
        ("cohesion:low", "share", "share_weighted", "higher"),
    ):
        expected_plain = worse if unweighted else None
        expected_weighted = worse if weighted else None
        assert verdict(measure, plain) == expected_plain, (measure, plain)
        assert verdict(measure, "p_vs_rest") == expected_plain
        assert verdict(measure, weighted_statistic) == expected_weighted, (measure, weighted_statistic)
        assert verdict(measure, "p_vs_rest_weighted") == expected_weighted
        test = find(records, "WK059903", measure, "diff_vs_rest_weighted")
        assert test.flags[0] == "weighted" and test.lower < test.value < test.upper
    # the weighted difference of the mean is the difference of the weighted means, about 1 point where planted
    diff = find(records, "WK059903", "cohesion", "diff_vs_rest_weighted").value
    assert diff == pytest.approx(-1.0 if weighted else 0.0, abs=0.3)
