"""Intervals and tests against textbook values and scipy's own implementations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.inference import (
    benjamini_hochberg,
    cronbach_alpha,
    kish_effective_n,
    proportion_test,
    t_interval,
    welch_test,
    wilson_interval,
)


def test_wilson_interval_matches_the_published_example_and_handles_zero():
    lower, upper = wilson_interval(np.array([81, 0]), np.array([263, 10]))
    assert lower[0] == pytest.approx(0.2553, abs=1e-4) and upper[0] == pytest.approx(0.3662, abs=1e-4)
    assert lower[1] == 0.0 and 0.25 < upper[1] < 0.31


def test_t_interval_and_welch_match_scipy():
    rng = np.random.default_rng(1)
    a, b = rng.normal(5, 1, 12), rng.normal(6, 3, 7)
    lower, upper = t_interval(np.array([a.mean()]), np.array([a.std(ddof=1)]), np.array([12]))
    expected = stats.t.interval(0.95, 11, loc=a.mean(), scale=stats.sem(a))
    assert (lower[0], upper[0]) == pytest.approx(expected)
    diff, _, _, p = welch_test(
        np.array([a.mean()]),
        np.array([a.var(ddof=1)]),
        np.array([12]),
        np.array([b.mean()]),
        np.array([b.var(ddof=1)]),
        np.array([7]),
    )
    assert p[0] == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue)
    assert diff[0] == pytest.approx(a.mean() - b.mean())


def test_proportion_test_is_fisher_exact_for_small_counts():
    p = proportion_test(np.array([1, 300]), np.array([8, 1000]), np.array([40, 330]), np.array([60, 1000]))
    assert p[0] == pytest.approx(stats.fisher_exact([[1, 7], [40, 20]]).pvalue)
    chi2 = stats.chi2_contingency([[300, 700], [330, 670]], correction=False).pvalue
    assert p[1] == pytest.approx(chi2)


def test_benjamini_hochberg_adjusts_and_keeps_missing():
    q = benjamini_hochberg(np.array([0.01, 0.04, np.nan, 0.03, 0.5]))
    assert q[0] == pytest.approx(0.04) and q[1] == pytest.approx(0.04 * 4 / 3) and np.isnan(q[2])
    assert q[3] == pytest.approx(0.04 * 4 / 3) and q[4] == pytest.approx(0.5)


def test_cronbach_alpha_of_parallel_items_and_kish():
    rng = np.random.default_rng(0)
    true = rng.normal(size=(500, 1))
    items = true + rng.normal(scale=1.0, size=(500, 4))
    alpha, lower, upper, n = cronbach_alpha(items)
    assert n == 500 and lower < alpha < upper and alpha == pytest.approx(0.8, abs=0.05)  # 4 items, reliability 1/2
    assert kish_effective_n(np.array([4.0]), np.array([4.0]))[0] == 4.0
    assert kish_effective_n(np.array([1 + 3.0]), np.array([1 + 9.0]))[0] == pytest.approx(1.6)
