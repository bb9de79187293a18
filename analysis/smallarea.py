"""Small-area estimates per buurt: a Fay-Herriot area-level model on the direct estimates, with Prasad-Rao MSE.

The model (Fay and Herriot 1979) for buurt i: the direct estimate y_i = theta_i + e_i with sampling error
e_i ~ N(0, D_i), D_i known from the survey, and the true value theta_i = x_i'beta + u_i with buurt effect
u_i ~ N(0, A). x_i holds CBS figures of the buurt (age structure, size, whatever the Kerncijfers file carries) and
its wijk as a fixed effect. The empirical best linear unbiased predictor (EBLUP) shrinks the direct estimate towards
the regression: theta_i = gamma_i y_i + (1 - gamma_i) x_i'beta, gamma_i = A / (A + D_i), so a buurt with few
respondents (large D_i) leans on the regression and one with many keeps its own figure. A is estimated by REML
(default) or by Prasad and Rao's (1990) method of moments; the MSE is Prasad and Rao's second-order approximation
g1 + g2 + 2 g3 (Datta and Lahiri 2000 for REML), which adds to the model's own error (g1) the error of estimating
beta (g2) and A (g3).

A buurt whose direct figure is suppressed (fewer respondents than the threshold, or hidden to protect another) gets
only the synthetic estimate x_i'beta, and the model is fitted without it. A composite estimate mixes the buurt's own
direct figure in: with the model (beta, A, D_i, all derivable from what is published) anyone can solve
theta_i = gamma_i y_i + (1 - gamma_i) x_i'beta for y_i, which is exactly the figure suppression hides. Fitting
without it also keeps its answers out of beta, so every model figure is a function of published direct figures and
public CBS figures only: nothing it adds can reveal a suppressed group (tests/analysis/test_disclosure_attack.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
_REST = "(other wijken)"


@dataclass(frozen=True)
class SmallAreaFit:
    """A fitted Fay-Herriot model and its estimates.

    `estimates`, indexed by area code (every area of `covariates`): direct, direct_variance, estimate, mse, lower,
    upper, gamma (the weight of the direct figure; 0 for a synthetic estimate), kind (EBLUP where the area's direct
    figure went into the fit, SYNTHETIC where it is suppressed or absent, NONE where no model could be fitted).
    `coefficients` and `covariance` are beta and its estimated covariance (columns of the design actually used: an
    intercept or one level per wijk, then the covariates that vary among the fitted areas); `model_variance` is A.
    """

    estimates: pd.DataFrame
    coefficients: pd.Series
    covariance: pd.DataFrame
    model_variance: float
    method: str
    fitted_areas: int


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


def buurt_covariates(population: pd.DataFrame, extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """Covariates per buurt from CBS figures: the shares of 0-14, 15-24 and 65+ year olds and the log of the number
    of inhabitants (a buurt's size goes with how urban it is), plus any `extra` columns per buurt code (household
    size, density, register figures of the Kerncijfers file). `population` as analysis.frames.population_frame;
    only buurt rows (BU codes) are used."""
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
    if extra is not None:
        frame = frame.join(extra.astype(float), how="left")
    return frame


def _design(
    covariates: pd.DataFrame, groups: pd.Series | None, fitted: np.ndarray, min_group_areas: int
) -> tuple[np.ndarray, list[str]]:
    """The design matrix for all areas and its column names. Covariates are centred on the fitted areas (so that
    the group levels are levels at the average buurt) and kept only where they vary there. With `groups` (the wijk
    of each area) every wijk with at least `min_group_areas` fitted buurten gets its own level and the others share
    one; an area whose wijk has no level of its own and whose share has no fitted buurt gets the average level (the
    levels weighted by their fitted buurten), so that its synthetic estimate stays defined. Without groups: an
    intercept. Columns that are linear combinations of earlier ones among the fitted areas are dropped."""
    values = covariates.to_numpy(dtype=float)
    known = ~np.isnan(values) & fitted[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = np.where(known, values, 0.0).sum(axis=0) / known.sum(axis=0)  # NaN where no fitted area has it
    values = np.where(np.isnan(values), fill, values)
    values = np.where(np.isnan(values), 0.0, values)  # a covariate no fitted area has: constant, dropped below
    centre = values[fitted].mean(axis=0) if fitted.any() else np.zeros(values.shape[1])
    values = values - centre
    names = [str(column) for column in covariates.columns]
    if groups is None:
        level_matrix, level_names = np.ones((len(values), 1)), ["intercept"]
    else:
        labels = groups.astype(object).to_numpy()
        counts = pd.Series(labels[fitted]).value_counts()
        own = sorted(str(label) for label, count in counts.items() if count >= min_group_areas)
        label_of = np.array([label if label in own else _REST for label in labels], dtype=object)
        level_names = own + ([_REST] if (label_of[fitted] == _REST).any() else [])
        level_matrix = np.zeros((len(values), len(level_names)))
        position = {name: index for index, name in enumerate(level_names)}
        weight = np.array([(label_of[fitted] == name).sum() for name in level_names], dtype=float)
        for row, label in enumerate(label_of):
            if label in position:
                level_matrix[row, position[label]] = 1.0
            else:
                level_matrix[row] = weight / weight.sum()
    design = np.hstack([level_matrix, values])
    names = level_names + names
    keep: list[int] = []
    for column in range(design.shape[1]):
        trial = design[np.ix_(fitted, np.array([*keep, column]))]
        if np.linalg.matrix_rank(trial) == len(keep) + 1:
            keep.append(column)
    return design[:, keep], [names[column] for column in keep]


def _gls(y: np.ndarray, x: np.ndarray, d: np.ndarray, a: float) -> tuple[np.ndarray, np.ndarray]:
    """beta and its covariance (X'V^-1X)^-1 for V = diag(A + D)."""
    w = 1.0 / (a + d)
    cov = np.linalg.inv(x.T @ (x * w[:, None]))
    return cov @ (x.T @ (w * y)), cov


def _restricted_loglik(a: float, y: np.ndarray, x: np.ndarray, d: np.ndarray) -> float:
    """REML log-likelihood of A (up to a constant): -1/2 (log|V| + log|X'V^-1X| + y'Py)."""
    w = 1.0 / (a + d)
    info = x.T @ (x * w[:, None])
    beta = np.linalg.solve(info, x.T @ (w * y))
    residual = y - x @ beta
    _, logdet_info = np.linalg.slogdet(info)
    return -0.5 * (np.sum(np.log(a + d)) + logdet_info + np.sum(w * residual * residual))


def _reml(y: np.ndarray, x: np.ndarray, d: np.ndarray) -> float:
    """A by maximum of the restricted likelihood (scipy's bounded Brent), or 0 where the likelihood is largest
    there: the boundary, which a bounded search approaches but does not reach."""
    upper = 10.0 * (float(np.var(y)) + float(d.max())) + 1e-12
    result = optimize.minimize_scalar(
        lambda a: -_restricted_loglik(a, y, x, d), bounds=(0.0, upper), method="bounded", options={"xatol": 1e-10}
    )
    best = float(result.x)
    if _restricted_loglik(0.0, y, x, d) >= _restricted_loglik(best, y, x, d):
        return 0.0
    return best


def _prasad_rao(y: np.ndarray, x: np.ndarray, d: np.ndarray) -> float:
    """Prasad and Rao's moment estimator from ordinary least squares residuals, truncated at 0."""
    m, p = x.shape
    hat = x @ np.linalg.pinv(x.T @ x) @ x.T
    residual = y - hat @ y
    return max(0.0, float((residual @ residual - np.sum(d * (1 - np.diag(hat)))) / (m - p)))


def _variance_of_a(a: float, d: np.ndarray, method: str) -> float:
    """Asymptotic variance of the estimate of A (Prasad-Rao 1990; Datta-Lahiri 2000 for REML)."""
    if method == REML:
        return 2.0 / float(np.sum(1.0 / (a + d) ** 2))
    return 2.0 * float(np.sum((a + d) ** 2)) / len(d) ** 2


def fay_herriot(
    direct: pd.Series,
    variance: pd.Series,
    covariates: pd.DataFrame,
    *,
    groups: pd.Series | None = None,
    suppressed: Iterable[str] = (),
    method: str = REML,
    confidence: float = 0.95,
    min_group_areas: int = 3,
) -> SmallAreaFit:
    """Fay-Herriot EBLUP, MSE and interval for every area (index) of `covariates`.

    `direct` and `variance` per area code: the direct estimate (a scale mean or band share) and its sampling
    variance (see pooled_mean_variance, pooled_share_variance); absent or NaN where the area has no usable figure.
    `groups`: the wijk of each area, a fixed effect (levels only for wijken with `min_group_areas` fitted buurten,
    see _design). `suppressed`: areas whose direct figure is not published: they are left out of the fit and get
    the synthetic estimate only (see the module's docstring). Where fewer than MIN_AREAS areas can be fitted there
    is no model, and every estimate is NaN with kind NONE; where fewer than the design's columns plus one, the design
    falls back to an intercept and the covariates, then to an intercept alone.

    The interval is estimate +- z sqrt(MSE). For an EBLUP the MSE is g1 + g2 + 2 g3; for a synthetic estimate of an
    area outside the fit it is A + x'Cov(beta)x (the buurt's own effect is not predicted, so all of A remains).
    """
    if method not in (REML, PRASAD_RAO):
        raise ValueError(f"unknown method {method!r}")
    codes = covariates.index
    y_all = direct.reindex(codes).to_numpy(dtype=float)
    d_all = variance.reindex(codes).to_numpy(dtype=float)
    hidden = np.isin(np.asarray(codes, dtype=object), list(suppressed))
    fitted = ~np.isnan(y_all) & np.isfinite(d_all) & (d_all > 0) & ~hidden
    group_values = None if groups is None else groups.reindex(codes)
    z = float(stats.norm.ppf(0.5 + confidence / 2))

    m = int(fitted.sum())
    x_all, names = _design(covariates, group_values, fitted, min_group_areas)
    if m >= MIN_AREAS and m < x_all.shape[1] + 1 and group_values is not None:
        x_all, names = _design(covariates, None, fitted, min_group_areas)
    if m >= MIN_AREAS and m < x_all.shape[1] + 1:
        x_all, names = _design(covariates.iloc[:, :0], None, fitted, min_group_areas)
    estimates = pd.DataFrame(
        {
            "direct": y_all,
            "direct_variance": d_all,
            "estimate": np.nan,
            "mse": np.nan,
            "lower": np.nan,
            "upper": np.nan,
            "gamma": np.nan,
            "kind": NONE,
        },
        index=codes,
    )
    if m < MIN_AREAS:
        return SmallAreaFit(estimates, pd.Series(dtype=float), pd.DataFrame(), np.nan, method, m)

    y, x, d = y_all[fitted], x_all[fitted], d_all[fitted]
    a = _reml(y, x, d) if method == REML else _prasad_rao(y, x, d)
    beta, cov = _gls(y, x, d, a)
    var_a = _variance_of_a(a, d, method)

    synthetic = x_all @ beta
    leverage = np.einsum("ij,jk,ik->i", x_all, cov, x_all)  # x_i' Cov(beta) x_i
    gamma = np.zeros(len(codes))
    mse = a + leverage  # a synthetic estimate outside the fit
    with np.errstate(invalid="ignore", divide="ignore"):
        total = a + d_all[fitted]
        gamma[fitted] = a / total
        g1 = a * d_all[fitted] / total
        g2 = (1 - gamma[fitted]) ** 2 * leverage[fitted]
        g3 = d_all[fitted] ** 2 / total**3 * var_a
    mse[fitted] = g1 + g2 + 2 * g3
    estimate = synthetic.copy()
    estimate[fitted] = gamma[fitted] * y + (1 - gamma[fitted]) * synthetic[fitted]
    half = z * np.sqrt(mse)
    estimates["estimate"] = estimate
    estimates["mse"] = mse
    estimates["lower"] = estimate - half
    estimates["upper"] = estimate + half
    estimates["gamma"] = gamma
    estimates["kind"] = np.where(fitted, EBLUP, SYNTHETIC)
    return SmallAreaFit(
        estimates,
        pd.Series(beta, index=names),
        pd.DataFrame(cov, index=names, columns=names),
        a,
        method,
        m,
    )


def fay_herriot_share(
    share: pd.Series,
    n: pd.Series,
    covariates: pd.DataFrame,
    *,
    groups: pd.Series | None = None,
    suppressed: Iterable[str] = (),
    method: str = REML,
    confidence: float = 0.95,
    min_group_areas: int = 3,
) -> SmallAreaFit:
    """fay_herriot for a share, on the arcsine square-root scale, where the sampling variance of a share of n
    answers is about 1 / (4n + 2) whatever the true share: no estimated variance, and none that vanishes where a
    small buurt happens to have nobody (or everybody) in the band. `n` is the number of answers (the effective n of
    a weighted share). Estimates and interval bounds are transformed back (sin^2), so the interval stays within 0
    and 1; the `mse` column stays on the arcsine scale, and `direct` is the share itself."""
    share = share.astype(float)
    n = n.astype(float).reindex(share.index)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Anscombe's (1948) form, (k + 3/8) / (n + 3/4), whose variance 1 / (4n + 2) holds down to small n and
        # shares near 0 or 1, where the plain arcsine's 1 / (4n) is too small
        count = share.clip(0.0, 1.0) * n
        # numpy's ufuncs give a Series for a Series (__array_ufunc__); numpy's stubs say ndarray
        transformed = cast(pd.Series, np.arcsin(np.sqrt((count + 0.375) / (n + 0.75))))
        variance = (1.0 / (4.0 * n + 2.0)).where(n > 0)
    fit = fay_herriot(
        transformed,
        variance,
        covariates,
        groups=groups,
        suppressed=suppressed,
        method=method,
        confidence=confidence,
        min_group_areas=min_group_areas,
    )
    estimates = fit.estimates.copy()
    half_pi = np.pi / 2
    for column in ("estimate", "lower", "upper"):
        estimates[column] = np.sin(estimates[column].clip(0.0, half_pi)) ** 2
    estimates["direct"] = share.reindex(estimates.index)
    return SmallAreaFit(estimates, fit.coefficients, fit.covariance, fit.model_variance, fit.method, fit.fitted_areas)


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
