"""Small-area estimates per buurt: a Fay-Herriot area-level model on the direct estimates, with the wijk as a
random effect and second-order MSE.

The model (Fay and Herriot 1979; with the wijk level, the two-fold subarea model of Torabi and Rao 2014) for buurt
i in wijk j: the direct estimate y_i = theta_i + e_i with sampling error e_i ~ N(0, D_i), D_i known from the
survey, and the true value theta_i = x_i'beta + v_j + u_i with wijk effect v_j ~ N(0, sigma_v^2) and buurt effect
u_i ~ N(0, A). x_i holds CBS figures of the buurt (age structure, size, whatever the Kerncijfers file carries). The
empirical best linear unbiased predictor (EBLUP) shrinks the direct estimate towards the regression plus the wijk's
predicted effect: theta_i = gamma_i y_i + (1 - gamma_i)(x_i'beta + v_j), gamma_i = A / (A + D_i), so a buurt with
few respondents (large D_i) leans on its covariates and on the other buurten of its wijk, as far as they agree, and
one with many keeps its own figure. A wijk effect rather than a fixed level per wijk: a wijk with two or three
fitted buurten gets a level that is shrunk towards the regression instead of one that follows their noise, and no
wijk is too small to have one. sigma_v^2 and A are estimated by REML (default; Fisher scoring) or by moments (Prasad
and Rao 1990; Henderson's method 3 with wijken); the MSE is g1 + g2 + 2 g3 (Prasad and Rao; Datta and Lahiri 2000
for REML), which adds to the model's own error (g1) the error of estimating beta (g2) and the variances (g3). The
interval takes Student's t with Satterthwaite's degrees of freedom for the uncertainty of the estimated variances,
which matters most where g1 is most of the MSE: buurten with few or no respondents of their own.

A buurt whose direct figure is suppressed (fewer respondents than the threshold, or hidden to protect another) gets
only the synthetic estimate x_i'beta + v_j, with v_j predicted from the other buurten of its wijk, and the model is
fitted without it. A composite estimate mixes the buurt's own direct figure in: with the model (beta, the
variances, D_i, all derivable from what is published) anyone can solve it for y_i, which is exactly the figure
suppression hides. Fitting without it also keeps its answers out of beta, the variances and its wijk's effect, so
every model figure is a function of published direct figures and public CBS figures only: nothing it adds can
reveal a suppressed group (tests/analysis/test_disclosure_attack.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import cast

import numpy as np
import pandas as pd
from scipy import optimize, stats

from analysis.frames import CBS_AGE_BANDS, parent_code
from analysis.records import MODEL, SUPPRESSED, SYNTHETIC_ONLY, WEIGHTED, ProfileRecord, clean

REML, PRASAD_RAO = "reml", "prasad_rao"
EBLUP, SYNTHETIC, NONE = "eblup", "synthetic", "none"  # kinds of estimate
# Fewest fitted buurten for a model: with fewer, A cannot be told apart from the sampling error.
MIN_AREAS = 3


@dataclass(frozen=True)
class SmallAreaFit:
    """A fitted Fay-Herriot model and its estimates.

    `estimates`, indexed by area code (every area of `covariates`): direct, direct_variance, estimate, mse, lower,
    upper, gamma (the weight of the direct figure; 0 for a synthetic estimate), synthetic (the regression plus the
    wijk's predicted effect, x'beta + v), kind (EBLUP where the area's direct figure went into the fit, SYNTHETIC
    where it is suppressed or absent, NONE where no model could be fitted). `coefficients` and `covariance` are beta
    and its estimated covariance (columns of the design actually used: an intercept, then the covariates that vary
    among the fitted areas); `model_variance` is A, the buurt effects' variance; `wijk_variance` sigma_v^2 and
    `wijk_effects` the predicted v per wijk, where the fit had wijken (NaN and empty otherwise). With a `scale`
    (fay_herriot) the variances are those of the scaled effects.
    """

    estimates: pd.DataFrame
    coefficients: pd.Series
    covariance: pd.DataFrame
    model_variance: float
    method: str
    fitted_areas: int
    wijk_variance: float = np.nan
    wijk_effects: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))


def pooled_mean_variance(sd: pd.Series, n: pd.Series) -> pd.Series:
    """Sampling variance of each area's mean from the within-area variance pooled over the areas, s_p^2 / n_i.

    An area's own SD rests on as few as ten answers and is too noisy to weigh its mean by (a buurt whose ten
    answers happen to agree would pull the model to itself); the pooled SD is stable and, under sampling within
    buurten, estimates the same spread. `sd` and `n` per area code; areas with n < 2 or no SD add nothing."""
    sd, n = sd.astype(float), n.astype(float)
    usable = (n >= 2) & sd.notna()
    degrees = (n[usable] - 1).sum()
    if degrees <= 0:
        return pd.Series(np.nan, index=n.index)
    pooled = float(((n[usable] - 1) * sd[usable] ** 2).sum() / degrees)
    with np.errstate(divide="ignore"):
        return (pooled / n).where(n > 0)


def pooled_share_variance(share: pd.Series, n: pd.Series) -> pd.Series:
    """Sampling variance of each area's share as p(1 - p) / n_i with p the share over all areas together: an area's
    own share is 0 or 1 often enough at small n to give it no variance at all."""
    share, n = share.astype(float), n.astype(float)
    usable = share.notna() & (n > 0)
    total = float(n[usable].sum())
    if total <= 0:
        return pd.Series(np.nan, index=n.index)
    overall = float((share[usable] * n[usable]).sum() / total)
    spread = max(overall * (1 - overall), 1.0 / (4 * total))  # never zero, even if no area has the band
    with np.errstate(divide="ignore"):
        return (spread / n).where(n > 0)


HOUSEHOLD_COVARIATES = {  # covariate: the population margin (analysis.frames.POPULATION_MARGINS) over households
    "share_single_households": "households_single",
    "share_households_with_children": "households_with_children",
}


def buurt_covariates(population: pd.DataFrame, extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """Covariates per buurt from CBS figures: the shares of 0-14, 15-24 and 65+ year olds and the log of the number
    of inhabitants (a buurt's size goes with how urban it is); where the population has household figures for every
    buurt (the margins `geography load` reads), the shares of one-person households and of households with children
    (HOUSEHOLD_COVARIATES): living alone and young families go with loneliness and with the youth scales. A figure
    that only some buurten have would leave the others at the average and is not used. Plus any `extra` columns per
    buurt code (density, register figures of the Kerncijfers file). `population` as analysis.frames.population_frame,
    with margin_frame's columns where known; only buurt rows (BU codes) are used."""
    buurten = population.loc[[code for code in population.index if str(code).startswith("BU")]]
    total = buurten[list(CBS_AGE_BANDS)].sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame = pd.DataFrame(
            {
                "share_0_14": buurten["0_14"] / total,
                "share_15_24": buurten["15_24"] / total,
                "share_65_plus": buurten["65_plus"] / total,
                "log_inhabitants": np.log1p(total),
            },
            index=buurten.index,
        )
    frame = frame.where(total > 0)
    if "households" in buurten.columns:
        households = buurten["households"].astype(float)
        for name, margin in HOUSEHOLD_COVARIATES.items():
            if margin in buurten.columns and buurten[[margin, "households"]].notna().all(axis=None):
                with np.errstate(invalid="ignore", divide="ignore"):
                    frame[name] = (buurten[margin].astype(float) / households).where(households > 0)
    if extra is not None:
        frame = frame.join(extra.astype(float), how="left")
    return frame


def _design(covariates: pd.DataFrame, fitted: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The design matrix for all areas and its column names: an intercept and the covariates, centred on the fitted
    areas (so that the intercept is the level at the average fitted buurt) and kept only where they vary there.
    A covariate an area lacks takes the mean of the fitted areas. Columns that are linear combinations of earlier
    ones among the fitted areas are dropped."""
    values = covariates.to_numpy(dtype=float)
    known = ~np.isnan(values) & fitted[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = np.where(known, values, 0.0).sum(axis=0) / known.sum(axis=0)  # NaN where no fitted area has it
    values = np.where(np.isnan(values), fill, values)
    values = np.where(np.isnan(values), 0.0, values)  # a covariate no fitted area has: constant, dropped below
    centre = values[fitted].mean(axis=0) if fitted.any() else np.zeros(values.shape[1])
    design = np.hstack([np.ones((len(values), 1)), values - centre])
    names = ["intercept", *(str(column) for column in covariates.columns)]
    keep: list[int] = []
    for column in range(design.shape[1]):
        trial = design[np.ix_(fitted, np.array([*keep, column]))]
        if np.linalg.matrix_rank(trial) == len(keep) + 1:
            keep.append(column)
    return design[:, keep], [names[column] for column in keep]


def _group_numbers(groups: pd.Series | None, count: int) -> tuple[np.ndarray, list[str]]:
    """A number per area for its wijk, and the wijk labels by number; an area without a wijk is a wijk of its own
    (labelled by its position). Without groups all areas are one, which is as good as none: the wijk variance is
    then held at 0."""
    if groups is None:
        return np.zeros(count, dtype=int), ["all"]
    labels = [str(label) if isinstance(label, str) else f"#{index}" for index, label in enumerate(groups)]
    names = sorted(set(labels))
    number = {name: index for index, name in enumerate(names)}
    return np.array([number[label] for label in labels], dtype=int), names


@dataclass(frozen=True)
class _Data:
    """The fitted areas: direct figures y, design x, sampling variances d, wijk number g of G, and its one-hot z."""

    y: np.ndarray
    x: np.ndarray
    d: np.ndarray
    g: np.ndarray
    groups: int
    z: np.ndarray


def _data(y: np.ndarray, x: np.ndarray, d: np.ndarray, g: np.ndarray, groups: int) -> _Data:
    z = np.zeros((len(y), groups))
    z[np.arange(len(y)), g] = 1.0
    return _Data(y, x, d, g, groups, z)


def _sums(data: _Data, values: np.ndarray) -> np.ndarray:
    """Per wijk, the sum of `values` (one per fitted area) over its fitted areas."""
    return np.bincount(data.g, weights=values, minlength=data.groups)


def _inverse(data: _Data, v: float, u: float) -> np.ndarray:
    """V^-1 for V = v ZZ' + diag(u + d): per wijk diag(w) - c w w' with w = 1 / (u + d), c = v / (1 + v sum(w))."""
    w = 1.0 / (u + data.d)
    c = v / (1.0 + v * _sums(data, w))
    same = data.g[:, None] == data.g[None, :]
    return np.diag(w) - np.where(same, np.outer(w, w) * c[data.g][:, None], 0.0)


def _inverse_product(data: _Data, v: float, u: float, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """left' V^-1 right without forming V^-1 (see _inverse): sums per wijk."""
    w = 1.0 / (u + data.d)
    c = v / (1.0 + v * _sums(data, w))
    left_sums, right_sums = data.z.T @ (w[:, None] * left), data.z.T @ (w[:, None] * right)
    return left.T @ (w[:, None] * right) - left_sums.T @ (c[:, None] * right_sums)


def _restricted_loglik(data: _Data, v: float, u: float) -> float:
    """REML log-likelihood (up to a constant): -1/2 (log|V| + log|X'V^-1X| + y'Py), with log|V| per wijk
    sum(log(u + d)) + log(1 + v sum(w))."""
    xy = np.column_stack([data.x, data.y])
    products = _inverse_product(data, v, u, xy, xy)
    p = data.x.shape[1]
    info, xvy, yvy = products[:p, :p], products[:p, p], products[p, p]
    logdet = np.sum(np.log(u + data.d)) + np.sum(np.log1p(v * _sums(data, 1.0 / (u + data.d))))
    _, logdet_info = np.linalg.slogdet(info)
    return -0.5 * (logdet + logdet_info + float(yvy - xvy @ np.linalg.solve(info, xvy)))


def _reml_buurt(data: _Data) -> float:
    """A alone (no wijk level) by maximum of the restricted likelihood (scipy's bounded Brent), or 0 where the
    likelihood is largest there: the boundary, which a bounded search approaches but does not reach."""
    upper = 10.0 * (float(np.var(data.y)) + float(data.d.max())) + 1e-12
    result = optimize.minimize_scalar(
        lambda a: -_restricted_loglik(data, 0.0, a), bounds=(0.0, upper), method="bounded", options={"xatol": 1e-10}
    )
    best = float(result.x)
    if _restricted_loglik(data, 0.0, 0.0) >= _restricted_loglik(data, 0.0, best):
        return 0.0
    return best


def _reml_two_level(data: _Data, start: tuple[float, float]) -> tuple[float, float]:
    """The wijk and buurt variances (v, u) by Fisher scoring of the restricted likelihood (as R's sae package does
    for Fay-Herriot), from `start`. A variance at 0 whose score points below 0 is held there (the boundary is a
    true estimate: no wijk differences beyond the covariates), and a step that lowers the likelihood is halved."""
    z = data.z
    scale = float(np.var(data.y)) + float(np.mean(data.d))
    sigma = np.maximum(np.asarray(start, dtype=float), 0.05 * scale)
    current = _restricted_loglik(data, *sigma)
    for _ in range(200):
        inverse = _inverse(data, *sigma)
        xv = data.x.T @ inverse
        p = inverse - xv.T @ np.linalg.solve(xv @ data.x, xv)
        py, pz = p @ data.y, p @ z
        score = 0.5 * np.array(
            [float((z.T @ py) @ (z.T @ py)) - float(np.trace(z.T @ pz)), float(py @ py) - float(np.trace(p))]
        )
        info = 0.5 * np.array([[np.sum((z.T @ pz) ** 2), np.sum(pz**2)], [np.sum(pz**2), np.sum(p**2)]])
        free = ~((sigma <= 0.0) & (score <= 0.0))
        step = np.zeros(2)
        if free.any():
            step[free] = np.linalg.lstsq(info[np.ix_(free, free)], score[free], rcond=None)[0]
        for _ in range(30):
            trial = np.maximum(sigma + step, 0.0)
            value = _restricted_loglik(data, *trial)
            if value >= current - 1e-12 * abs(current):
                break
            step = step / 2
        moved = float(np.max(np.abs(trial - sigma)))
        sigma, current = trial, value
        if moved <= 1e-14 * scale:
            break
    return float(sigma[0]), float(sigma[1])


def _moments(data: _Data, two_level: bool) -> tuple[float, float]:
    """Moment estimates (v, u), truncated at 0: Prasad and Rao's (1990) for A from ordinary least squares residuals,
    and with wijk levels Henderson's method 3 as Torabi and Rao (2014) use it for the two-fold model: u from the
    residuals of a fit with a level per wijk, then v from those of the fit without."""

    def residual_sum(design: np.ndarray) -> tuple[float, np.ndarray, int]:
        hat = design @ np.linalg.pinv(design.T @ design) @ design.T
        residual = data.y - hat @ data.y
        return float(residual @ residual), np.eye(len(data.y)) - hat, round(float(np.trace(hat)))

    plain, rest, rank = residual_sum(data.x)
    if not two_level:
        return 0.0, max(0.0, (plain - float(np.sum(data.d * np.diag(rest)))) / (len(data.y) - rank))
    z = data.z
    within, rest_within, rank_within = residual_sum(np.hstack([data.x, z]))
    u = max(0.0, (within - float(np.sum(data.d * np.diag(rest_within)))) / max(len(data.y) - rank_within, 1))
    spread = float(np.trace(z.T @ rest @ z))
    v = (plain - float(np.sum((u + data.d) * np.diag(rest)))) / spread if spread > 0 else 0.0
    return max(0.0, v), u


def _two_level_identified(data: _Data, parameters: int) -> bool:
    """Whether a wijk variance can be told apart from the buurt variance: two wijken or more with fitted buurten, one
    of them with two or more, and more fitted areas than the design's columns plus the two variances."""
    counts = np.bincount(data.g, minlength=data.groups)
    return int((counts > 0).sum()) >= 2 and int(counts.max()) >= 2 and len(data.y) >= parameters + 3


def _information(data: _Data, v: float, u: float) -> np.ndarray:
    """Fisher information of (v, u) as Datta and Lahiri (2000) use it, 1/2 tr(V^-1 V_a V^-1 V_b), per wijk in closed
    form: with w = 1 / (u + d), S_k = sum(w^k), alpha = 1 / (1 + v S_1) and c = v alpha."""
    w = 1.0 / (u + data.d)
    s1, s2, s3 = _sums(data, w), _sums(data, w**2), _sums(data, w**3)
    alpha = 1.0 / (1.0 + v * s1)
    c = v * alpha
    vv = np.sum((alpha * s1) ** 2)
    vu = np.sum(alpha**2 * s2)
    uu = np.sum(s2 - 2 * c * s3 + c**2 * s2**2)
    return 0.5 * np.array([[vv, vu], [vu, uu]])


def _variance_covariance(data: _Data, v: float, u: float, method: str, two_level: bool) -> np.ndarray:
    """Asymptotic covariance of the estimates of (v, u). With wijk levels the inverse information (which the moment
    estimates approach too); for A alone Datta and Lahiri's 2 / sum(1 / (A + D)^2) for REML and Prasad and Rao's
    2 sum((A + D)^2) / m^2 for moments, and none for v, which is not estimated."""
    if two_level:
        return np.linalg.pinv(_information(data, v, u))
    if method == REML:
        spread = 2.0 / float(np.sum(1.0 / (u + data.d) ** 2))
    else:
        spread = 2.0 * float(np.sum((u + data.d) ** 2)) / len(data.y) ** 2
    return np.array([[0.0, 0.0], [0.0, spread]])


def fay_herriot(
    direct: pd.Series,
    variance: pd.Series,
    covariates: pd.DataFrame,
    *,
    groups: pd.Series | None = None,
    suppressed: Iterable[str] = (),
    method: str = REML,
    confidence: float = 0.95,
    scale: pd.Series | None = None,
) -> SmallAreaFit:
    """Fay-Herriot EBLUP, MSE and interval for every area (index) of `covariates`.

    `direct` and `variance` per area code: the direct estimate (a scale mean or band share) and its sampling
    variance (see pooled_mean_variance, pooled_share_variance); absent or NaN where the area has no usable figure.
    `groups`: the wijk of each area, a random effect beside the buurt's own (see the module's docstring), where the
    fitted areas can tell the two apart (_two_level_identified). `suppressed`: areas whose direct figure is not
    published: they are left out of the fit and get the synthetic estimate only. Where fewer than MIN_AREAS areas
    can be fitted there is no model, and every estimate is NaN with kind NONE; where fewer than the design's columns
    plus MIN_AREAS (the areas A needs beyond those that fix the regression), the design falls back to an intercept
    alone. `scale`: per area a factor s_i > 0 by which its buurt and
    wijk effects are larger than the common ones (theta_i = x_i'beta + s_i (v_j + u_i)); the model is fitted to y_i /
    s_i, x_i / s_i, D_i / s_i^2 and its estimates scaled back (fay_herriot_share uses it).

    The MSE is Datta and Lahiri's g1 + g2 + 2 g3 for both kinds of estimate (for a synthetic one g1 holds all of A
    and what the wijk's other buurten leave of its wijk effect). The interval is estimate +- t sqrt(MSE), t with
    Satterthwaite's degrees of freedom 2 MSE^2 / Var(g1): the variances are estimated, and with a few dozen buurten
    the normal quantile would give intervals that cover too seldom where g1 is most of the MSE.
    """
    if method not in (REML, PRASAD_RAO):
        raise ValueError(f"unknown method {method!r}")
    codes = covariates.index
    # with a scale s_i the model is fitted to y_i / s_i, whose effects have common variances, and scaled back
    s_all = np.ones(len(codes)) if scale is None else scale.reindex(codes).fillna(1.0).to_numpy(dtype=float)
    y_all = direct.reindex(codes).to_numpy(dtype=float) / s_all
    d_all = variance.reindex(codes).to_numpy(dtype=float) / s_all**2
    hidden = np.isin(np.asarray(codes, dtype=object), list(suppressed))
    fitted = ~np.isnan(y_all) & np.isfinite(d_all) & (d_all > 0) & ~hidden
    g_all, group_names = _group_numbers(None if groups is None else groups.reindex(codes), len(codes))

    m = int(fitted.sum())
    x_all, names = _design(covariates, fitted)
    if m >= MIN_AREAS and m - x_all.shape[1] < MIN_AREAS:  # A needs as many areas beyond the regression's
        x_all, names = _design(covariates.iloc[:, :0], fitted)
    x_all = x_all / s_all[:, None]
    estimates = pd.DataFrame(
        {
            "direct": y_all * s_all,
            "direct_variance": d_all * s_all**2,
            "estimate": np.nan,
            "mse": np.nan,
            "lower": np.nan,
            "upper": np.nan,
            "gamma": np.nan,
            "synthetic": np.nan,
            "kind": NONE,
        },
        index=codes,
    )
    if m < MIN_AREAS:
        return SmallAreaFit(estimates, pd.Series(dtype=float), pd.DataFrame(), np.nan, method, m)

    data = _data(y_all[fitted], x_all[fitted], d_all[fitted], g_all[fitted], len(group_names))
    two_level = groups is not None and _two_level_identified(data, x_all.shape[1])
    v, u = _moments(data, two_level)
    if method == REML:
        v, u = _reml_two_level(data, (v, u)) if two_level else (0.0, _reml_buurt(data))
    covariance_of_variances = _variance_covariance(data, v, u, method, two_level)
    cov = np.linalg.inv(_inverse_product(data, v, u, data.x, data.x))
    beta = cov @ _inverse_product(data, v, u, data.x, data.y[:, None])[:, 0]
    residual = data.y - data.x @ beta

    # per area t in wijk j the predictor is x_t'beta + b_t'(y_j - X_j beta) with b_t = c_j (1 - gamma_t) w + gamma_t
    # e_t (e_t only where t is fitted): its own figure by gamma_t = u / (u + D_t), the wijk's by c_j = v / (1 + v S_j)
    w = 1.0 / (u + data.d)
    s1, s2, s3 = _sums(data, w), _sums(data, w**2), _sums(data, w**3)
    alpha = 1.0 / (1.0 + v * s1)
    c = (v * alpha)[g_all]
    s1, s2, s3, alpha = s1[g_all], s2[g_all], s3[g_all], alpha[g_all]
    own = fitted.astype(float)  # 1 where t's own figure is in the fit
    w_own = np.zeros(len(codes))
    w_own[fitted] = w
    gamma = u * w_own
    a = c * (1 - gamma)  # the weight of each of the wijk's figures, times its w
    wijk_residual = _sums(data, w * residual)[g_all]
    residual_all = np.zeros(len(codes))
    residual_all[fitted] = residual
    estimate = x_all @ beta + a * wijk_residual + gamma * residual_all

    # g1 = Var(theta_t) - b's with s = Cov(y_j, theta_t) = v 1 + u e_t
    g1 = v + u - (a * (v * s1 + u * w_own) + gamma * (v + u))
    xw = np.stack([_sums(data, w * column) for column in data.x.T], axis=1)[g_all]  # per wijk sum(w x)
    distance = x_all - a[:, None] * xw - gamma[:, None] * x_all
    g2 = np.einsum("ij,jk,ik->i", distance, cov, distance)

    # g3 = tr(sum_ab Cov(sigma)_ab (db/da)' V (db/db)); each derivative is p w + q w^2 + r e_t
    derivatives = (
        ((1 - gamma) * alpha**2, np.zeros(len(codes)), np.zeros(len(codes))),  # by v
        ((1 - gamma) * (c**2 * s2 - c * w_own), -a, own * w_own * (1 - gamma)),  # by u
    )
    r_own = np.where(fitted, 1.0 / np.where(fitted, w_own, 1.0), 0.0)

    def quadratic(first: tuple, second: tuple) -> np.ndarray:
        (p1, q1, r1), (p2, q2, r2) = first, second
        diagonal = p1 * p2 * s1 + (p1 * q2 + q1 * p2) * s2 + q1 * q2 * s3
        diagonal = diagonal + own * ((p1 * r2 + r1 * p2) + (q1 * r2 + r1 * q2) * w_own + r1 * r2 * r_own)
        return diagonal + v * (p1 * s1 + q1 * s2 + r1 * own) * (p2 * s1 + q2 * s2 + r2 * own)

    g3 = sum(
        covariance_of_variances[i, j] * quadratic(derivatives[i], derivatives[j]) for i in range(2) for j in range(2)
    )
    mse = g1 + g2 + 2 * g3

    # Satterthwaite: Var(g1) by the delta method, dg1/dv = (1 - sum b)^2, dg1/du = 1 - 2 b_t + sum b^2
    total_b = a * s1 + gamma
    gradient = np.stack(
        [(1 - total_b) ** 2, 1 - 2 * (a * w_own + gamma) + a**2 * s2 + 2 * a * gamma * w_own + gamma**2]
    )
    spread = np.einsum("ai,ab,bi->i", gradient, covariance_of_variances, gradient)
    with np.errstate(invalid="ignore", divide="ignore"):
        freedom = np.where(spread > 0, 2 * mse**2 / spread, np.inf)
    estimate, mse = estimate * s_all, mse * s_all**2
    half = stats.t.ppf(0.5 + confidence / 2, freedom) * np.sqrt(mse)
    estimates["estimate"] = estimate
    estimates["mse"] = mse
    estimates["lower"] = estimate - half
    estimates["upper"] = estimate + half
    estimates["gamma"] = gamma
    estimates["synthetic"] = (x_all @ beta + c * wijk_residual) * s_all
    estimates["kind"] = np.where(fitted, EBLUP, SYNTHETIC)
    wijk_effects = (v / (1.0 + v * _sums(data, w))) * _sums(data, w * residual)  # predicted, per wijk
    return SmallAreaFit(
        estimates,
        pd.Series(beta, index=names),
        pd.DataFrame(cov, index=names, columns=names),
        u,
        method,
        m,
        wijk_variance=v if two_level else np.nan,
        wijk_effects=pd.Series(wijk_effects, index=group_names) if two_level else pd.Series(dtype=float),
    )


def _latent_slope(share: pd.Series) -> pd.Series:
    """How far a share's arcsine moves for a step on the probit scale, d asin(sqrt(p)) / d probit(p) =
    phi(probit(p)) / (2 sqrt(p (1 - p))): a band share is the share of residents below a cut of the scale, so a
    buurt whose scores lie higher or lower moves its share along the probit scale, and the same move shifts the
    arcsine less where the band is rare. Shares are kept a little inside 0 and 1."""
    p = share.clip(0.005, 0.995)
    return pd.Series(stats.norm.pdf(stats.norm.ppf(p)) / (2 * np.sqrt(p * (1 - p))), index=share.index)


def fay_herriot_share(
    share: pd.Series,
    n: pd.Series,
    covariates: pd.DataFrame,
    *,
    groups: pd.Series | None = None,
    suppressed: Iterable[str] = (),
    method: str = REML,
    confidence: float = 0.95,
) -> SmallAreaFit:
    """fay_herriot for a share, on the arcsine square-root scale, where the sampling variance of a share of n
    answers is about 1 / (4n + 2) whatever the true share: no estimated variance, and none that vanishes where a
    small buurt happens to have nobody (or everybody) in the band. `n` is the number of answers (the effective n of
    a weighted share). Estimates and interval bounds are transformed back (sin^2), so the interval stays within 0
    and 1; the `mse` column stays on the arcsine scale, and `direct` is the share itself.

    A band share is the share of residents whose score lies below a cut, so a buurt (or wijk) whose scores lie
    higher or lower moves its share along the probit scale; on the arcsine scale the same move is smaller where the
    band is rare or common. The effects are therefore scaled by the slope of the arcsine against the probit at the
    buurt's expected share (_latent_slope): with common variances the model would give buurten whose share lies
    further from the middle than most too narrow an interval (in benchmarks/small_area.py the synthetic estimates
    of the smallest buurten covered 92% instead of 95%)."""
    share = share.astype(float)
    n = n.astype(float).reindex(share.index)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Anscombe's (1948) form, (k + 3/8) / (n + 3/4), whose variance 1 / (4n + 2) holds down to small n and
        # shares near 0 or 1, where the plain arcsine's 1 / (4n) is too small
        count = share.clip(0.0, 1.0) * n
        # numpy's ufuncs give a Series for a Series (__array_ufunc__); numpy's stubs say ndarray
        transformed = cast(pd.Series, np.arcsin(np.sqrt((count + 0.375) / (n + 0.75))))
        variance = (1.0 / (4.0 * n + 2.0)).where(n > 0)
    # first with common variances, for each buurt's expected share (from published figures and the covariates
    # only: a suppressed buurt's is its synthetic estimate), then with effects scaled by the latent slope there
    first = fay_herriot(
        transformed, variance, covariates, groups=groups, suppressed=suppressed, method=method, confidence=confidence
    )
    fit = first
    if first.fitted_areas >= MIN_AREAS:
        fit = fay_herriot(
            transformed,
            variance,
            covariates,
            groups=groups,
            suppressed=suppressed,
            method=method,
            confidence=confidence,
            scale=_latent_slope(np.sin(first.estimates["synthetic"].clip(0.0, np.pi / 2)) ** 2),
        )
    estimates = fit.estimates.copy()
    half_pi = np.pi / 2
    for column in ("estimate", "lower", "upper"):
        estimates[column] = np.sin(estimates[column].clip(0.0, half_pi)) ** 2
    estimates["direct"] = share.reindex(estimates.index)
    return replace(fit, estimates=estimates)


def model_records(
    records: Sequence[ProfileRecord],
    areas: pd.DataFrame,
    population: pd.DataFrame,
    *,
    weighted: bool = False,
    confidence: float = 0.95,
    extra_covariates: pd.DataFrame | None = None,
) -> list[ProfileRecord]:
    """Model estimates for every buurt of `areas`, for every scale mean and scale band share, from `records` as
    they leave disclosure control.

    Only published figures go in: a buurt's direct figure that disclosure control hid (its value is None) or that
    does not exist (no respondents) is no input, and that buurt gets the synthetic estimate; so every model figure
    is a function of published figures and public CBS figures. Direct figures are the weighted ones (mean_weighted,
    share_weighted, with the Kish effective n) when `weighted`, else the unweighted ones. Records: statistic
    "mean_model" or "share_model", flags MODEL (and SYNTHETIC where only the regression part is shown, WEIGHTED when
    built on weighted figures); n is the direct figure's n where that is published, else None.
    """
    buurten = [code for code in areas.index[areas["level"] == "buurt"]]
    if not buurten:
        return []
    covariates = buurt_covariates(population, extra_covariates).reindex(buurten)
    groups = pd.Series([parent_code(code) for code in buurten], index=buurten)
    mean_statistic, share_statistic = ("mean_weighted", "share_weighted") if weighted else ("mean", "share")
    values: dict[tuple[str, str, str], dict[str, ProfileRecord]] = defaultdict(dict)
    hidden: dict[tuple[str, str], set[str]] = defaultdict(set)
    scales: set[tuple[str, str]] = set()
    for record in records:
        if record.statistic == mean_statistic:
            scales.add((record.instrument, record.measure))  # a scale mean, at any level
        if record.area_level != "buurt":
            continue
        if SUPPRESSED in record.flags:
            hidden[(record.instrument, record.measure)].add(record.area_code)
        elif record.value is not None:
            values[(record.instrument, record.measure, record.statistic)][record.area_code] = record
    result: list[ProfileRecord] = []

    def column(instrument: str, measure: str, statistic: str, field: str = "value") -> pd.Series:
        found = values.get((instrument, measure, statistic), {})
        return pd.Series({code: getattr(record, field) for code, record in found.items()}, dtype=float)

    def emit(instrument: str, measure: str, statistic: str, fit: SmallAreaFit, n: pd.Series) -> None:
        for code, row in fit.estimates.iterrows():
            if row["kind"] == NONE or not np.isfinite(row["estimate"]):
                continue
            flags = (MODEL, SYNTHETIC_ONLY) if row["kind"] == SYNTHETIC else (MODEL,)
            shown_n = n.get(code) if row["kind"] == EBLUP else None
            result.append(
                ProfileRecord(
                    area_code=str(code),
                    area_level="buurt",
                    instrument=instrument,
                    measure=measure,
                    statistic=statistic,
                    value=clean(row["estimate"]),
                    lower=clean(row["lower"]),
                    upper=clean(row["upper"]),
                    n=None if shown_n is None or shown_n != shown_n else int(shown_n),
                    flags=flags + ((WEIGHTED,) if weighted else ()),
                )
            )

    for instrument, measure in sorted(scales):
        direct = column(instrument, measure, mean_statistic)
        n = column(instrument, measure, mean_statistic, "n")
        size = column(instrument, measure, "effective_n") if weighted else n
        variance = pooled_mean_variance(column(instrument, measure, "sd"), n).reindex(direct.index)
        if weighted:  # the pooled spread over the effective number of respondents
            variance = variance * n.reindex(direct.index) / size.reindex(direct.index)
        fit = fay_herriot(
            direct,
            variance,
            covariates,
            groups=groups,
            suppressed=hidden[(instrument, measure)],
            confidence=confidence,
        )
        emit(instrument, measure, "mean_model", fit, n)
        for band_instrument, band, statistic in sorted(values):
            if band_instrument != instrument or statistic != share_statistic or band.split(":", 1)[0] != measure:
                continue
            share = column(instrument, band, share_statistic)
            band_n = column(instrument, band, share_statistic, "n")
            size = column(instrument, measure, "effective_n").reindex(share.index) if weighted else band_n
            fit = fay_herriot_share(
                share,
                size.fillna(band_n),
                covariates,
                groups=groups,
                suppressed=hidden[(instrument, band)] | hidden[(instrument, measure)],
                confidence=confidence,
            )
            emit(instrument, band, "share_model", fit, band_n)
    return result
