"""The Fay-Herriot small-area model: recovery of known parameters, the synthetic-only rule, edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.smallarea import (
    EBLUP,
    NONE,
    PRASAD_RAO,
    REML,
    SYNTHETIC,
    buurt_covariates,
    fay_herriot,
    fay_herriot_share,
    pooled_mean_variance,
    pooled_share_variance,
)


def _codes(m: int) -> list[str]:
    return [f"BU0599{index:04d}" for index in range(m)]


def _simulated(m: int, model_variance: float, seed: int, beta=(6.0, 0.8, -1.5)):
    rng = np.random.default_rng(seed)
    codes = _codes(m)
    covariates = pd.DataFrame({"old": rng.normal(0, 1, m), "young": rng.uniform(0, 1, m)}, index=codes)
    theta = beta[0] + covariates.to_numpy() @ np.asarray(beta[1:]) + rng.normal(0, np.sqrt(model_variance), m)
    variance = rng.uniform(0.05, 0.6, m)
    direct = theta + rng.normal(0, np.sqrt(variance))
    return covariates, pd.Series(direct, codes), pd.Series(variance, codes), pd.Series(theta, codes)


@pytest.mark.parametrize("method", [REML, PRASAD_RAO])
def test_fay_herriot_recovers_known_coefficients_and_model_variance(method):
    beta = (6.0, 0.8, -1.5)
    covariates, direct, variance, _ = _simulated(2000, 0.3, seed=3, beta=beta)
    fit = fay_herriot(direct, variance, covariates, method=method)
    # covariates are centred on the fitted areas, so the intercept is the level at their mean
    centre = covariates.mean().to_numpy()
    expected = pd.Series(
        [beta[0] + centre @ np.asarray(beta[1:]), beta[1], beta[2]], index=["intercept", "old", "young"]
    )
    se = np.sqrt(np.diag(fit.covariance))
    assert (np.abs(fit.coefficients - expected) < 3 * se).all()
    assert fit.model_variance == pytest.approx(0.3, abs=0.06)
    assert fit.fitted_areas == 2000
    assert (fit.estimates["kind"] == EBLUP).all()


def test_eblup_beats_direct_and_its_intervals_cover_the_truth():
    covariates, direct, variance, theta = _simulated(800, 0.2, seed=5)
    estimates = fay_herriot(direct, variance, covariates).estimates
    model_error = np.sqrt(np.mean((estimates["estimate"] - theta) ** 2))
    direct_error = np.sqrt(np.mean((direct - theta) ** 2))
    assert model_error < 0.8 * direct_error
    covered = ((estimates["lower"] <= theta) & (theta <= estimates["upper"])).mean()
    assert 0.92 <= covered <= 0.98
    # the estimate lies between the direct figure and the regression, nearer the direct one where it is precise
    assert (estimates["gamma"] > 0).all() and (estimates["gamma"] < 1).all()
    precise, vague = variance.idxmin(), variance.idxmax()
    assert estimates.loc[precise, "gamma"] > estimates.loc[vague, "gamma"]


def test_suppressed_buurt_gets_the_synthetic_estimate_of_a_fit_without_its_answers():
    covariates, direct, variance, _ = _simulated(60, 0.2, seed=8)
    hidden = direct.index[4]
    fit = fay_herriot(direct, variance, covariates, suppressed=[hidden])
    row = fit.estimates.loc[hidden]
    assert row["kind"] == SYNTHETIC and row["gamma"] == 0
    assert fit.fitted_areas == 59
    # exactly the regression of a fit on the other buurten, without the hidden direct figure
    without = fay_herriot(direct.drop(hidden), variance.drop(hidden), covariates)
    assert row["estimate"] == pytest.approx(without.estimates.loc[hidden, "estimate"])
    assert fit.model_variance == pytest.approx(without.model_variance)
    # its MSE holds the whole model variance (its own buurt effect is not predicted) plus the regression's error
    assert row["mse"] > fit.model_variance
    # whatever the hidden buurt answered, no estimate anywhere changes: nothing published can reveal it
    for changed in (direct[hidden] - 5.0, direct[hidden] + 50.0):
        other = fay_herriot(direct.copy().replace({direct[hidden]: changed}), variance, covariates, suppressed=[hidden])
        pd.testing.assert_frame_equal(other.estimates.drop(columns=["direct"]), fit.estimates.drop(columns=["direct"]))


def _two_level(wijken: int, per_wijk: int, seed: int, wijk_variance=0.15, model_variance=0.1, beta=(6.0, 0.8)):
    """Buurten in wijken with a planted wijk effect and buurt effect, and direct figures with known variances."""
    rng = np.random.default_rng(seed)
    m = wijken * per_wijk
    codes = _codes(m)
    groups = pd.Series([f"WK0599{index // per_wijk:02d}" for index in range(m)], index=codes)
    covariates = pd.DataFrame({"old": rng.normal(0, 1, m)}, index=codes)
    wijk_effect = rng.normal(0, np.sqrt(wijk_variance), wijken)
    theta = (
        beta[0]
        + beta[1] * covariates["old"].to_numpy()
        + np.repeat(wijk_effect, per_wijk)
        + rng.normal(0, np.sqrt(model_variance), m)
    )
    variance = rng.uniform(0.05, 0.5, m)
    direct = theta + rng.normal(0, np.sqrt(variance))
    return covariates, groups, pd.Series(direct, codes), pd.Series(variance, codes), pd.Series(theta, codes)


@pytest.mark.parametrize("method", [REML, PRASAD_RAO])
def test_two_level_model_recovers_the_wijk_and_buurt_variances(method):
    covariates, groups, direct, variance, _ = _two_level(300, 6, seed=21)
    fit = fay_herriot(direct, variance, covariates, groups=groups, method=method)
    assert fit.wijk_variance == pytest.approx(0.15, abs=0.04)
    assert fit.model_variance == pytest.approx(0.1, abs=0.03)
    se = np.sqrt(np.diag(fit.covariance))
    assert abs(fit.coefficients["old"] - 0.8) < 3 * se[1]
    assert list(fit.coefficients.index) == ["intercept", "old"]  # no level per wijk: the wijk is an effect
    assert len(fit.wijk_effects) == 300


def test_wijk_effect_improves_on_buurt_effect_alone_and_its_intervals_cover():
    covariates, groups, direct, variance, theta = _two_level(120, 5, seed=22)
    hidden = list(direct.index[::10])  # every tenth buurt suppressed: synthetic estimates
    with_wijk = fay_herriot(direct, variance, covariates, groups=groups, suppressed=hidden).estimates
    without = fay_herriot(direct, variance, covariates, suppressed=hidden).estimates
    for kind in (EBLUP, SYNTHETIC):
        chosen = with_wijk["kind"] == kind
        error = np.sqrt(np.mean((with_wijk.loc[chosen, "estimate"] - theta[chosen]) ** 2))
        assert error < 0.9 * np.sqrt(np.mean((without.loc[chosen, "estimate"] - theta[chosen]) ** 2))
        rows = with_wijk[chosen]
        covered = ((rows["lower"] <= theta[chosen]) & (theta[chosen] <= rows["upper"])).mean()
        assert 0.92 <= covered <= 0.98, kind


def test_suppressed_buurt_gets_its_wijks_effect_predicted_from_the_other_buurten_only():
    covariates, groups, direct, variance, _ = _two_level(30, 5, seed=23)
    hidden = direct.index[7]
    fit = fay_herriot(direct, variance, covariates, groups=groups, suppressed=[hidden])
    row = fit.estimates.loc[hidden]
    assert row["kind"] == SYNTHETIC and row["gamma"] == 0
    centred = covariates.loc[hidden, "old"] - covariates["old"].drop(hidden).mean()
    regression = fit.coefficients["intercept"] + fit.coefficients["old"] * centred
    assert row["estimate"] == pytest.approx(regression + fit.wijk_effects[groups[hidden]])
    assert fit.wijk_effects[groups[hidden]] != 0
    # all of A remains, and what the other four buurten leave of the wijk effect
    assert fit.model_variance < row["mse"] < fit.model_variance + fit.wijk_variance + 0.1
    for changed in (direct[hidden] - 5.0, direct[hidden] + 50.0):
        other = fay_herriot(
            direct.copy().replace({direct[hidden]: changed}), variance, covariates, groups=groups, suppressed=[hidden]
        )
        pd.testing.assert_frame_equal(other.estimates.drop(columns=["direct"]), fit.estimates.drop(columns=["direct"]))


def test_buurt_without_respondents_alone_in_its_wijk_gets_the_regression_with_both_variances():
    covariates, groups, direct, variance, _ = _two_level(20, 4, seed=24)
    groups.iloc[-1] = "WK059999"
    alone = covariates.index[-1]  # the only buurt of its wijk, and without respondents
    fit = fay_herriot(direct.drop(alone), variance.drop(alone), covariates, groups=groups)
    row = fit.estimates.loc[alone]
    assert row["kind"] == SYNTHETIC
    centred = covariates.loc[alone, "old"] - covariates["old"].drop(alone).mean()
    assert row["estimate"] == pytest.approx(fit.coefficients["intercept"] + fit.coefficients["old"] * centred)
    assert row["mse"] > fit.model_variance + fit.wijk_variance


def test_interval_widens_beyond_the_normal_quantile_where_the_variances_rest_on_few_buurten():
    z = 1.959964
    for wijken, wide in ((4, True), (400, False)):
        covariates, groups, direct, variance, _ = _two_level(wijken, 4, seed=25)
        hidden = direct.index[0]
        estimates = fay_herriot(direct, variance, covariates, groups=groups, suppressed=[hidden]).estimates
        quantile = (estimates["upper"] - estimates["estimate"]) / np.sqrt(estimates["mse"])
        assert (quantile >= z - 1e-9).all()
        assert (quantile[hidden] > z + 0.1) == wide


def test_a_common_scale_changes_only_the_variances():
    covariates, groups, direct, variance, _ = _two_level(30, 5, seed=26)
    plain = fay_herriot(direct, variance, covariates, groups=groups)
    scaled = fay_herriot(direct, variance, covariates, groups=groups, scale=pd.Series(2.0, index=direct.index))
    columns = ["estimate", "mse", "lower", "upper", "gamma"]
    pd.testing.assert_frame_equal(scaled.estimates[columns], plain.estimates[columns], rtol=1e-6)
    assert scaled.model_variance == pytest.approx(plain.model_variance / 4, rel=1e-6)
    assert scaled.wijk_variance == pytest.approx(plain.wijk_variance / 4, rel=1e-6)


def test_one_buurt_gives_no_model():
    covariates, direct, variance, _ = _simulated(1, 0.2, seed=1)
    fit = fay_herriot(direct, variance, covariates)
    assert fit.fitted_areas == 1 and np.isnan(fit.model_variance)
    assert (fit.estimates["kind"] == NONE).all() and fit.estimates["estimate"].isna().all()


def test_few_buurten_fall_back_to_an_intercept():
    covariates, direct, variance, _ = _simulated(3, 0.2, seed=2)
    fit = fay_herriot(direct, variance, covariates)
    assert list(fit.coefficients.index) == ["intercept"]
    assert fit.estimates["estimate"].notna().all()


def test_without_covariates_estimates_shrink_to_the_weighted_mean():
    _, direct, variance, _ = _simulated(50, 0.2, seed=4)
    fit = fay_herriot(direct, variance, pd.DataFrame(index=direct.index))
    weights = 1 / (fit.model_variance + variance)
    assert list(fit.coefficients.index) == ["intercept"]
    assert fit.coefficients["intercept"] == pytest.approx(float((weights * direct).sum() / weights.sum()))
    estimates = fit.estimates
    between = (estimates["estimate"] - direct) * (estimates["estimate"] - fit.coefficients["intercept"])
    assert (between <= 1e-12).all()


@pytest.mark.parametrize("method", [REML, PRASAD_RAO])
def test_zero_model_variance_gives_the_synthetic_estimate_with_a_positive_mse(method):
    rng = np.random.default_rng(11)
    codes = _codes(30)
    covariates = pd.DataFrame({"old": rng.normal(0, 1, 30)}, index=codes)
    variance = pd.Series(4.0, index=codes)
    # no buurt effect and large sampling error: the estimated model variance hits its boundary, 0
    direct = pd.Series(5.0 + 0.5 * covariates["old"] + rng.normal(0, 0.2, 30), index=codes)
    fit = fay_herriot(direct, variance, covariates, method=method)
    assert fit.model_variance == 0.0
    estimates = fit.estimates
    regression = fit.coefficients["intercept"] + fit.coefficients["old"] * (
        covariates["old"] - covariates["old"].mean()
    )
    np.testing.assert_allclose(estimates["estimate"], regression)
    assert (estimates["gamma"] == 0).all()
    assert (estimates["mse"] > 0).all() and np.isfinite(estimates["mse"]).all()


def test_constant_covariate_is_dropped():
    covariates, direct, variance, _ = _simulated(30, 0.2, seed=6)
    covariates["same"] = 1.0
    fit = fay_herriot(direct, variance, covariates)
    assert "same" not in fit.coefficients.index


def test_share_model_stays_within_zero_and_one_and_keeps_the_direct_share():
    rng = np.random.default_rng(12)
    codes = _codes(80)
    covariates = pd.DataFrame({"old": rng.normal(0, 1, 80)}, index=codes)
    truth = 1 / (1 + np.exp(-(-1.5 + 0.6 * covariates["old"] + rng.normal(0, 0.4, 80))))
    n = pd.Series(rng.integers(10, 150, 80), index=codes)
    share = pd.Series(rng.binomial(n, truth) / n, index=codes)
    share.iloc[0] = 0.0
    fit = fay_herriot_share(share, n, covariates, suppressed=[codes[1]])
    estimates = fit.estimates
    assert ((estimates["lower"] >= 0) & (estimates["upper"] <= 1)).all()
    assert ((estimates["lower"] <= estimates["estimate"]) & (estimates["estimate"] <= estimates["upper"])).all()
    assert estimates.loc[codes[0], "estimate"] > 0  # an empty band in a small buurt is not taken for a true zero
    assert estimates.loc[codes[1], "kind"] == SYNTHETIC
    pd.testing.assert_series_equal(estimates["direct"], share, check_names=False)


def test_pooled_variances():
    n = pd.Series([10, 40, 1], index=_codes(3))
    sd = pd.Series([1.0, 2.0, np.nan], index=n.index)
    pooled = (9 * 1.0 + 39 * 4.0) / 48
    np.testing.assert_allclose(pooled_mean_variance(sd, n), [pooled / 10, pooled / 40, pooled / 1])
    share = pd.Series([0.0, 0.5, 1.0], index=n.index)
    overall = (0 + 20 + 1) / 51
    np.testing.assert_allclose(pooled_share_variance(share, n), overall * (1 - overall) / n)


def test_buurt_covariates_from_cbs_age_bands():
    population = pd.DataFrame(
        {
            "0_14": [200, 0, 10],
            "15_24": [100, 0, 10],
            "25_44": [300, 0, 10],
            "45_64": [200, 0, 10],
            "65_plus": [200, 0, 60],
        },
        index=pd.Index(["BU05990101", "BU05990102", "WK059901"], name="code"),
    )
    covariates = buurt_covariates(population)
    assert list(covariates.index) == ["BU05990101", "BU05990102"]
    assert covariates.loc["BU05990101", "share_65_plus"] == pytest.approx(0.2)
    assert covariates.loc["BU05990101", "log_inhabitants"] == pytest.approx(np.log1p(1000))
    assert covariates.loc["BU05990102"].isna().all()  # no inhabitants: no figures, filled in by the model's mean


def test_buurt_covariates_take_household_shares_only_where_every_buurt_has_them():
    bands = {"0_14": [200, 100], "15_24": [100, 100], "25_44": [300, 300], "45_64": [200, 200], "65_plus": [200, 300]}
    codes = pd.Index(["BU05990101", "BU05990102"], name="code")
    households = {"households": [400, 500], "households_single": [100, 250], "households_with_children": [120, 50]}
    covariates = buurt_covariates(pd.DataFrame({**bands, **households}, index=codes))
    assert covariates.loc["BU05990101", "share_single_households"] == pytest.approx(0.25)
    assert covariates.loc["BU05990102", "share_households_with_children"] == pytest.approx(0.1)
    households["households_single"] = [100, np.nan]  # one buurt without the figure: not a covariate
    covariates = buurt_covariates(pd.DataFrame({**bands, **households}, index=codes))
    assert "share_single_households" not in covariates.columns
    assert "share_households_with_children" in covariates.columns
    assert "share_single_households" not in buurt_covariates(pd.DataFrame(bands, index=codes)).columns


def test_share_intervals_cover_where_buurten_differ_in_the_scores_behind_a_band():
    """Band shares as the share of residents below a cut: buurten (and wijken) differ in where their scores lie,
    so their shares differ along the probit scale, more on the arcsine scale near the middle than where the band
    is rare. Intervals of both kinds cover, the synthetic ones of suppressed buurten included."""
    rng = np.random.default_rng(27)
    wijken, per_wijk = 100, 6
    m = wijken * per_wijk
    codes = _codes(m)
    groups = pd.Series([f"WK0599{index // per_wijk:02d}" for index in range(m)], index=codes)
    covariates = pd.DataFrame({"old": rng.normal(0, 1, m)}, index=codes)
    latent = -1.0 + 0.5 * covariates["old"] + np.repeat(rng.normal(0, 0.3, wijken), per_wijk) + rng.normal(0, 0.35, m)
    truth = pd.Series(stats.norm.cdf(latent), index=codes)
    n = pd.Series(rng.integers(10, 120, m), index=codes)
    hidden = list(codes[::5])
    covered = {EBLUP: [], SYNTHETIC: []}
    for _ in range(5):
        share = pd.Series(rng.binomial(n, truth) / n, index=codes)
        estimates = fay_herriot_share(share, n, covariates, groups=groups, suppressed=hidden).estimates
        inside = (estimates["lower"] <= truth) & (truth <= estimates["upper"])
        for kind in covered:
            covered[kind].append(inside[estimates["kind"] == kind].mean())
    assert 0.92 <= np.mean(covered[EBLUP]) <= 0.98
    assert 0.92 <= np.mean(covered[SYNTHETIC]) <= 0.98
