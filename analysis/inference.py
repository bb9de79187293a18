"""Vectorised intervals and tests: t, Wilson and Newcombe intervals, Welch and Fisher tests, Benjamini-Hochberg, Kish,
alpha."""

from __future__ import annotations

import numpy as np
from scipy import stats

# Below this expected count in any cell of a 2x2 table the normal approximation is poor and Fisher's exact test is
# used instead (the usual rule of thumb for the chi-square test).
_MIN_EXPECTED = 5.0


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def t_interval(
    mean: np.ndarray, sd: np.ndarray, n: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Student t interval for a mean; NaN where n < 2."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        df = np.where(n >= 2, n - 1, np.nan)
        half = stats.t.ppf(0.5 + confidence / 2, df) * np.asarray(sd) / np.sqrt(n)
    return mean - half, mean + half


def wilson_interval(k: np.ndarray, n: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion k/n; it stays inside [0, 1] and behaves for small n and k = 0 or n."""
    return _wilson(k, n, _z(confidence))


def _wilson(
    k: np.ndarray, n: np.ndarray, z: float | np.ndarray, continuity: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson bounds at normal quantile z (a number, or one per element, as the inversion in newcombe_test needs)."""
    return _wilson_bound(k, n, z, -1, continuity), _wilson_bound(k, n, z, 1, continuity)


def _wilson_bound(
    k: np.ndarray, n: np.ndarray, z: float | np.ndarray, side: int, continuity: bool = False
) -> np.ndarray:
    """The lower (side -1) or upper (side 1) Wilson bound. With `continuity` it is computed from the share moved half
    an answer outwards (Yates' correction, as R's prop.test does): wider, and conservative where counts are small."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (k + side * 0.5) / n if continuity else k / n
        # a corrected share beyond 0 or 1 means the bound is 0 or 1 itself
        share = np.minimum(np.maximum(share, 0.0), 1.0)
        z2n = z * z / n
        centre = (share + z2n / 2) / (1 + z2n)
        half = z / (1 + z2n) * np.sqrt(share * (1 - share) / n + z2n / (4 * n))
        bound = np.minimum(np.maximum(centre + side * half, 0.0), 1.0)
    return np.where(n > 0, bound, np.nan)


def newcombe_bounds(
    p1: np.ndarray, l1: np.ndarray, u1: np.ndarray, p2: np.ndarray, l2: np.ndarray, u2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's (1998) hybrid score interval for a difference of two proportions p1 - p2, from their Wilson
    intervals (l1, u1) and (l2, u2); unlike the Wald interval it keeps its coverage for small groups and rare events."""
    diff = p1 - p2
    return diff - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), diff + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def newcombe_interval(
    k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray, confidence: float = 0.95, continuity: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval for k1/n1 - k2/n2; NaN where a group is empty. With `continuity` from
    continuity-corrected Wilson intervals (Newcombe's method 11), which keeps its coverage also at the small levels
    a multiple-testing adjustment asks for and at small counts, where the uncorrected one falls short."""
    return _newcombe_at(k1, n1, k2, n2, _z(confidence), continuity)


def _newcombe_at(
    k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray, z: float | np.ndarray, continuity: bool
) -> tuple[np.ndarray, np.ndarray]:
    k1, n1, k2, n2 = (np.asarray(a, dtype=float) for a in (k1, n1, k2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = k1 / n1, k2 / n2
    return newcombe_bounds(p1, *_wilson(k1, n1, z, continuity), p2, *_wilson(k2, n2, z, continuity))


# Above this normal quantile the two-sided p-value (about 1e-300) is as good as zero; the bisection stops there.
_Z_MAX = 37.0
_BISECTIONS = 48


def newcombe_test(
    k1: np.ndarray, n1: np.ndarray, k2: np.ndarray, n2: np.ndarray, continuity: bool = False
) -> np.ndarray:
    """Two-sided p of k1/n1 vs k2/n2 that inverts Newcombe's interval: the p for which the 1 - p interval just
    touches 0. A difference is then significant at level alpha exactly when its 1 - alpha interval excludes 0, so a
    verdict and its interval cannot disagree (as they can for a chi-square p beside a Newcombe interval). 1 where the
    shares are equal, NaN where a group is empty. `continuity` as for newcombe_interval.

    Wilson intervals grow with z, so the interval's bound nearest 0 moves towards 0 monotonically; bisection on z finds
    where it crosses, to far below any precision that matters for a decision.
    """
    k1, n1, k2, n2 = (np.asarray(a, dtype=float) for a in (k1, n1, k2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = k1 / n1 - k2 / n2
        # with the larger share first only the lower bound can reach 0: half the work in every step
        swap = diff < 0
        ka, na, kb, nb = np.where(swap, k2, k1), np.where(swap, n2, n1), np.where(swap, k1, k2), np.where(swap, n1, n2)
        pa, pb, gap = ka / na, kb / nb, np.abs(diff)
    low = np.zeros(diff.shape)
    high = np.full(diff.shape, _Z_MAX)
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        lower_a = _wilson_bound(ka, na, middle, -1, continuity)
        upper_b = _wilson_bound(kb, nb, middle, 1, continuity)
        excludes = (pa - lower_a) ** 2 + (upper_b - pb) ** 2 < gap * gap  # Newcombe's lower bound above 0
        low = np.where(excludes, middle, low)
        high = np.where(excludes, high, middle)
    p = 2 * stats.norm.sf(low)
    p = np.where(diff == 0, 1.0, p)
    return np.where((n1 > 0) & (n2 > 0), p, np.nan)


def welch_test(
    mean1: np.ndarray,
    var1: np.ndarray,
    n1: np.ndarray,
    mean2: np.ndarray,
    var2: np.ndarray,
    n2: np.ndarray,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Welch's unequal-variance t test of mean1 - mean2: (difference, lower, upper, two-sided p); NaN where a group
    has fewer than 2 values. Holds for small groups and unequal spread, unlike a pooled t or a z test."""
    n1 = np.asarray(n1, dtype=float)
    n2 = np.asarray(n2, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        s1, s2 = var1 / n1, var2 / n2
        se = np.sqrt(s1 + s2)
        df = (s1 + s2) ** 2 / (s1**2 / (n1 - 1) + s2**2 / (n2 - 1))
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
        return np.where(sum_squared_weights > 0, sum_weights**2 / sum_squared_weights, 0.0)


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
