"""Vectorised intervals and tests: t and Wilson intervals, Welch and Fisher tests, Benjamini-Hochberg, Kish, alpha."""
from __future__ import annotations

import numpy as np
from scipy import stats

# Below this expected count in any cell of a 2x2 table the normal approximation is poor and Fisher's exact test is
# used instead (the usual rule of thumb for the chi-square test).
_MIN_EXPECTED = 5.0


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def t_interval(mean: np.ndarray, sd: np.ndarray, n: np.ndarray, confidence: float = 0.95
               ) -> tuple[np.ndarray, np.ndarray]:
    """Student t interval for a mean; NaN where n < 2."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        df = np.where(n >= 2, n - 1, np.nan)
        half = stats.t.ppf(0.5 + confidence / 2, df) * np.asarray(sd) / np.sqrt(n)
    return mean - half, mean + half


def wilson_interval(k: np.ndarray, n: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion k/n; it stays inside [0, 1] and behaves for small n and k = 0 or n."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = _z(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        lower, upper = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    return np.where(n > 0, lower, np.nan), np.where(n > 0, upper, np.nan)


def welch_test(mean1: np.ndarray, var1: np.ndarray, n1: np.ndarray, mean2: np.ndarray, var2: np.ndarray,
               n2: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Welch's unequal-variance t test of mean1 - mean2: (difference, lower, upper, two-sided p); NaN where a group
    has fewer than 2 values. Holds for small groups and unequal spread, unlike a pooled t or a z test."""
    n1 = np.asarray(n1, dtype=float)
    n2 = np.asarray(n2, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        s1, s2 = var1 / n1, var2 / n2
        se = np.sqrt(s1 + s2)
        df = (s1 + s2) ** 2 / (s1 ** 2 / (n1 - 1) + s2 ** 2 / (n2 - 1))
        diff = mean1 - mean2
        t = diff / se
        p = 2 * stats.t.sf(np.abs(t), df)
        half = stats.t.ppf(0.5 + confidence / 2, df) * se
    usable = (n1 >= 2) & (n2 >= 2) & (se > 0)
    # identical constant groups: no difference and nothing to test
    p = np.where(usable, p, np.where((n1 >= 2) & (n2 >= 2) & (diff == 0), 1.0, np.nan))
    return diff, np.where(usable, diff - half, np.nan), np.where(usable, diff + half, np.nan), p


def proportion_test(k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """Two-sided p of k1/n1 vs k2/n2: Fisher's exact test where any expected cell count is below 5 (small groups,
    rare bands), the equivalent chi-square (pooled z) test elsewhere, where it is accurate and far cheaper."""
    k1, n1, k2, n2 = (np.asarray(a, dtype=float) for a in (k1, n1, k2, n2))
    total = n1 + n2
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = (k1 + k2) / total
        expected = np.minimum.reduce([n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled)])
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (k1 / n1 - k2 / n2) / se
        p = 2 * stats.norm.sf(np.abs(z))
    p = np.where(se > 0, p, 1.0)
    p = np.where((n1 > 0) & (n2 > 0), p, np.nan)
    small = np.flatnonzero((expected < _MIN_EXPECTED) & (n1 > 0) & (n2 > 0))
    for index in small:
        table = [[k1[index], n1[index] - k1[index]], [k2[index], n2[index] - k2[index]]]
        p[index] = stats.fisher_exact(np.asarray(table, dtype=np.int64)).pvalue
    return p


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q); flagging q < 0.05 keeps the expected share of false findings among
    flagged differences at 5% however many areas and measures are tested. NaN stays NaN and is not counted."""
    p = np.asarray(p, dtype=float)
    q = np.full_like(p, np.nan)
    present = np.flatnonzero(~np.isnan(p))
    if len(present) == 0:
        return q
    order = present[np.argsort(p[present], kind="stable")]
    ranked = p[order] * len(order) / np.arange(1, len(order) + 1)
    q[order] = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    return q


def kish_effective_n(sum_weights: np.ndarray, sum_squared_weights: np.ndarray) -> np.ndarray:
    """Kish's effective sample size (sum w)^2 / sum w^2: how many unweighted respondents the weighted ones are worth."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sum_squared_weights > 0, sum_weights ** 2 / sum_squared_weights, 0.0)


def cronbach_alpha(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float, int]:
    """Cronbach's alpha over respondents who answered every item (rows) of a scale (columns), with Feldt's (1965)
    F-based interval: (alpha, lower, upper, n complete). NaN for fewer than 2 items or 3 complete rows."""
    values = np.asarray(values, dtype=float)
    complete = values[~np.isnan(values).any(axis=1)]
    n, k = complete.shape
    if k < 2 or n < 3:
        return (np.nan, np.nan, np.nan, n)
    total_var = complete.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return (np.nan, np.nan, np.nan, n)
    alpha = k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / total_var)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - confidence) / 2
    lower = 1 - (1 - alpha) * stats.f.ppf(1 - tail, df1, df2)
    upper = 1 - (1 - alpha) * stats.f.ppf(tail, df1, df2)
    return (float(alpha), float(lower), float(upper), n)
