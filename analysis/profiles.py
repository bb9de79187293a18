"""Scale profiles per area: response, means with intervals, band shares, differences from the rest, reliability."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.frames import parent_code
from analysis.inference import (
    benjamini_hochberg,
    cronbach_alpha,
    kish_effective_n,
    newcombe_bounds,
    proportion_test,
    t_interval,
    welch_test,
    wilson_interval,
)
from analysis.records import HIGHER_THAN_REST, LOWER_THAN_REST, WEIGHTED, ProfileRecord, clean


@dataclass(frozen=True)
class AreaGroups:
    """Which area of one level every respondent row belongs to: index into `codes`, -1 where unknown."""

    level: str
    codes: tuple[str, ...]
    index: np.ndarray


def area_groups(respondents: pd.DataFrame, areas: pd.DataFrame) -> list[AreaGroups]:
    """Municipality, wijk and buurt membership of each row, for every area in `areas` (also those without rows)."""
    municipality = tuple(areas.index[areas["level"] == "municipality"])
    groups = [AreaGroups("municipality", municipality, np.zeros(len(respondents), dtype=np.int64))]
    buurt_codes = respondents["buurt_code"].astype(object)
    wijk_codes = respondents["wijk_code"].astype(object) if "wijk_code" in respondents else None
    if wijk_codes is None or wijk_codes.isna().any():
        derived = buurt_codes.map(lambda code: parent_code(code) if isinstance(code, str) else None)
        wijk_codes = derived if wijk_codes is None else wijk_codes.where(wijk_codes.notna(), derived)
    for level, column in (("wijk", wijk_codes), ("buurt", buurt_codes)):
        codes = tuple(areas.index[areas["level"] == level])
        index = pd.Categorical(column, categories=list(codes)).codes.astype(np.int64)
        groups.append(AreaGroups(level, codes, index))
    return groups


@dataclass(frozen=True)
class _Moments:
    n: np.ndarray
    mean: np.ndarray
    var: np.ndarray


def _from_sums(n: np.ndarray, s1: np.ndarray, s2: np.ndarray, centre: float) -> _Moments:
    """Mean and variance from count, sum and sum of squares of values minus `centre` (centred to keep them exact)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = centre + s1 / n
        var = np.maximum(s2 - s1 * s1 / n, 0.0) / (n - 1)
    return _Moments(n, np.where(n > 0, mean, np.nan), np.where(n > 1, var, np.nan))


class _Builder:
    """Collects the records of one level, with their p-values, so the level's tests are adjusted together."""

    def __init__(self, instrument: str, groups: AreaGroups):
        self.instrument = instrument
        self.groups = groups
        self.records: list[ProfileRecord] = []
        # per family of tests (unweighted, weighted): (positions of the records to flag, p, signed difference)
        self.tests: dict[bool, list[tuple[tuple[int, ...], float, float]]] = {False: [], True: []}

    def add(
        self,
        area: int | np.integer,
        measure: str,
        statistic: str,
        value,
        lower=None,
        upper=None,
        n=None,
        flags: tuple[str, ...] = (),
    ) -> int:
        self.records.append(
            ProfileRecord(
                area_code=self.groups.codes[area],
                area_level=self.groups.level,
                instrument=self.instrument,
                measure=measure,
                statistic=statistic,
                value=clean(value),
                lower=clean(lower),
                upper=clean(upper),
                n=None if n is None else int(n),
                flags=flags,
            )
        )
        return len(self.records) - 1

    def test(
        self, area: int | np.integer, measure: str, diff, lower, upper, p, n, estimate: int, weighted: bool = False
    ) -> None:
        """The difference from the rest of the municipality and its p, as records "diff_vs_rest" and "p_vs_rest"
        (with `weighted` "diff_vs_rest_weighted" and "p_vs_rest_weighted", from the weighted estimates with their
        effective n); a significant one flags them and the record at position `estimate` (the mean or share)."""
        suffix, flags = ("_weighted", (WEIGHTED,)) if weighted else ("", ())
        first = self.add(area, measure, "diff_vs_rest" + suffix, diff, lower, upper, n, flags)
        second = self.add(area, measure, "p_vs_rest" + suffix, p, n=n, flags=flags)
        if not np.isnan(p):
            self.tests[weighted].append(((estimate, first, second), float(p), float(diff)))

    def finish(self, fdr: float) -> list[ProfileRecord]:
        """Flag significant differences after Benjamini-Hochberg over every test of this level, the weighted tests
        apart from the unweighted ones (each family answers the question for its own figures)."""
        records = self.records
        for tests in self.tests.values():
            if not tests:
                continue
            q = benjamini_hochberg(np.array([p for _, p, _ in tests]))
            for (positions, _, diff), q_value in zip(tests, q, strict=True):
                if q_value < fdr and diff != 0:
                    flag = LOWER_THAN_REST if diff < 0 else HIGHER_THAN_REST
                    for position in positions:
                        records[position] = records[position].with_flags(flag)
        return records


@dataclass(frozen=True)
class _ScoreColumn:
    """One score column with what all area levels share: where it has values, their centre and whole-column sums
    of the centred values (computed once, not once per level)."""

    values: np.ndarray
    present: np.ndarray
    centre: float
    n: float
    s1: float
    s2: float


def _score_column(values: np.ndarray) -> _ScoreColumn | None:
    present = ~np.isnan(values)
    if not present.any():
        return None
    centre = float(values[present].mean())
    all_centred = values[present] - centre
    return _ScoreColumn(
        values,
        present,
        centre,
        float(present.sum()),
        float(all_centred.sum()),
        float((all_centred * all_centred).sum()),
    )


def _mean_measure(
    builder: _Builder, measure: str, column: _ScoreColumn, weights: np.ndarray | None, confidence: float
) -> None:
    groups = builder.groups
    size = len(groups.codes)
    valid = column.present & (groups.index >= 0)
    index = groups.index[valid]
    values = column.values[valid]
    centre = column.centre
    centred = values - centre
    n = np.bincount(index, minlength=size).astype(float)
    s1 = np.bincount(index, weights=centred, minlength=size)
    s2 = np.bincount(index, weights=centred * centred, minlength=size)
    local = _from_sums(n, s1, s2, centre)
    lower, upper = t_interval(local.mean, np.sqrt(local.var), local.n, confidence)
    # the rest of the municipality: its sums minus the area's
    rest = _from_sums(column.n - n, column.s1 - s1, column.s2 - s2, centre)
    diff, diff_lower, diff_upper, p = welch_test(
        local.mean, local.var, local.n, rest.mean, rest.var, rest.n, confidence
    )
    if weights is not None:
        weighted = _weighted_means(index, size, values, weights[valid], confidence, centre)
        column_weights = weights[column.present]
        rest_w = _rest_weighted(weighted, column.values[column.present] - centre, column_weights, centre)
        test_w = welch_test(weighted.mean, weighted.var, weighted.ess, *rest_w, confidence)
    for area in np.flatnonzero(local.n > 0):
        n = local.n[area]
        builder.add(area, measure, "sd", np.sqrt(local.var[area]), n=n)
        if weights is not None:
            mean_w, lower_w, upper_w, ess = (
                weighted.mean[area],
                weighted.lower[area],
                weighted.upper[area],
                weighted.ess[area],
            )
            position_w = builder.add(area, measure, "mean_weighted", mean_w, lower_w, upper_w, n, (WEIGHTED,))
            builder.add(area, measure, "effective_n", ess, n=n, flags=(WEIGHTED,))
        position = builder.add(area, measure, "mean", local.mean[area], lower[area], upper[area], n)
        if groups.level != "municipality":
            builder.test(area, measure, diff[area], diff_lower[area], diff_upper[area], p[area], n, position)
            if weights is not None:
                diff_w, lower_dw, upper_dw, p_w = (part[area] for part in test_w)
                builder.test(area, measure, diff_w, lower_dw, upper_dw, p_w, n, position_w, weighted=True)


@dataclass(frozen=True)
class _WeightedMeans:
    """Weighted means per area with their t interval on the effective n, and the sums the rest of the municipality
    is computed from: weights, squared weights, weighted sums of values and of squares (values minus the centre)."""

    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    ess: np.ndarray
    var: np.ndarray  # the weighted variance of the values, scaled to the effective n (ess / (ess - 1))
    sw: np.ndarray
    sw2: np.ndarray
    swx: np.ndarray
    swxx: np.ndarray


def _weighted_variance(sw: np.ndarray, swx: np.ndarray, swxx: np.ndarray, ess: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.maximum(swxx / sw - (swx / sw) ** 2, 0.0)
        return np.where(ess > 1, spread * ess / (ess - 1), np.nan)


def _weighted_means(
    index: np.ndarray, size: int, values: np.ndarray, weights: np.ndarray, confidence: float, centre: float
) -> _WeightedMeans:
    """Weighted means per area (`index` into `size` areas); the sums are kept around `centre` to stay exact."""
    centred = values - centre
    sw = np.bincount(index, weights=weights, minlength=size)
    sw2 = np.bincount(index, weights=weights * weights, minlength=size)
    swx = np.bincount(index, weights=weights * centred, minlength=size)
    swxx = np.bincount(index, weights=weights * centred * centred, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = centre + swx / sw
        ess = kish_effective_n(sw, sw2)
    var = _weighted_variance(sw, swx, swxx, ess)
    lower, upper = t_interval(mean, np.sqrt(var), ess, confidence)
    return _WeightedMeans(mean, lower, upper, ess, var, sw, sw2, swx, swxx)


def _rest_weighted(
    local: _WeightedMeans, centred: np.ndarray, weights: np.ndarray, centre: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The weighted mean, variance and effective n of the rest of the municipality beside each area: the sums over
    every answer (`centred`: minus `centre`, the centre of the area sums) minus the area's."""
    sw, sw2 = float(weights.sum()) - local.sw, float((weights * weights).sum()) - local.sw2
    swx = float((weights * centred).sum()) - local.swx
    swxx = float((weights * centred * centred).sum()) - local.swxx
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = centre + swx / sw
        ess = kish_effective_n(sw, sw2)
    return mean, _weighted_variance(sw, swx, swxx, ess), ess


def _partition_measure(
    builder: _Builder, family: str, codes: np.ndarray, members: list[str], weights: np.ndarray | None, confidence: float
) -> None:
    groups = builder.groups
    size = len(groups.codes)
    valid = (codes >= 0) & (groups.index >= 0)
    index = groups.index[valid]
    member_codes = codes[valid]
    n = np.bincount(index, minlength=size).astype(float)
    total_n = float((codes >= 0).sum())
    # counts (and weight sums) of every (area, member) in one pass rather than one pass per member
    cells = index * len(members) + member_codes
    counts = np.bincount(cells, minlength=size * len(members)).reshape(size, len(members)).astype(float)
    totals = np.bincount(codes[codes >= 0], minlength=len(members)).astype(float)
    if weights is not None:
        sw = np.bincount(index, weights=weights[valid], minlength=size)
        sw2 = np.bincount(index, weights=weights[valid] ** 2, minlength=size)
        ess = kish_effective_n(sw, sw2)
        weight_sums = np.bincount(cells, weights=weights[valid], minlength=size * len(members))
        weight_sums = weight_sums.reshape(size, len(members))
        # the rest of the municipality beside each area: every answer's weights minus the area's
        answered = weights[codes >= 0]
        rest_sw = float(answered.sum()) - sw
        rest_ess = kish_effective_n(rest_sw, float((answered * answered).sum()) - sw2)
        member_weights = np.bincount(codes[codes >= 0], weights=answered, minlength=len(members))
    for position, member in enumerate(members):
        k = counts[:, position]
        total_k = totals[position]
        with np.errstate(invalid="ignore", divide="ignore"):
            share = k / n
            rest_share = (total_k - k) / (total_n - n)
        lower, upper = wilson_interval(k, n, confidence)
        rest_lower, rest_upper = wilson_interval(total_k - k, total_n - n, confidence)
        diff_lower, diff_upper = newcombe_bounds(share, lower, upper, rest_share, rest_lower, rest_upper)
        p = proportion_test(k, n, total_k - k, total_n - n) if groups.level != "municipality" else None
        if weights is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                share_w = weight_sums[:, position] / sw
                rest_w = (member_weights[position] - weight_sums[:, position]) / rest_sw
            lower_w, upper_w = wilson_interval(share_w * ess, ess, confidence)
            # the weighted test: the weighted shares as counts of their effective n (Kish), so the weights' loss of
            # precision counts; the counts are rounded to whole people for Fisher's exact test where they are few
            rest_lower_w, rest_upper_w = wilson_interval(rest_w * rest_ess, rest_ess, confidence)
            diff_w = share_w - rest_w
            diff_lower_w, diff_upper_w = newcombe_bounds(share_w, lower_w, upper_w, rest_w, rest_lower_w, rest_upper_w)
            p_w = None
            if groups.level != "municipality":
                with np.errstate(invalid="ignore"):
                    size_w, rest_size_w = np.rint(ess), np.rint(rest_ess)
                    p_w = proportion_test(np.rint(share_w * size_w), size_w, np.rint(rest_w * rest_size_w), rest_size_w)
        measure = f"{family}:{member}"
        for area in np.flatnonzero(n > 0):
            if weights is not None:
                position_w = builder.add(
                    area, measure, "share_weighted", share_w[area], lower_w[area], upper_w[area], n[area], (WEIGHTED,)
                )
            estimate = builder.add(area, measure, "share", share[area], lower[area], upper[area], n[area])
            if p is not None:
                builder.test(
                    area,
                    measure,
                    share[area] - rest_share[area],
                    diff_lower[area],
                    diff_upper[area],
                    p[area],
                    n[area],
                    estimate,
                )
            if weights is not None and p_w is not None:
                builder.test(
                    area,
                    measure,
                    diff_w[area],
                    diff_lower_w[area],
                    diff_upper_w[area],
                    p_w[area],
                    n[area],
                    position_w,
                    weighted=True,
                )


def scale_profiles(
    respondents: pd.DataFrame,
    scores: pd.DataFrame,
    areas: pd.DataFrame,
    *,
    instrument: str,
    eligible: pd.Series | None = None,
    weights: np.ndarray | None = None,
    reliability: Mapping[str, pd.DataFrame] | None = None,
    confidence: float = 0.95,
    fdr: float = 0.05,
) -> list[ProfileRecord]:
    """Profile records of one instrument for the municipality, every wijk and every buurt in `areas`.

    `respondents` gives each row's buurt_code (and wijk_code); `scores` (same rows) holds score_frame() columns:
    a float column is a measure named without "_score", a categorical "<scale>_band" column a partition of the
    respondents into bands. Per area: respondents n and response rate (n over `eligible`, the population in the
    instrument's audience per area code); per measure mean, SD and t interval, per band share and Wilson interval;
    for wijken and buurten the difference from the rest of the municipality (Welch t; Fisher exact for small
    counts), flagged lower/higher after Benjamini-Hochberg at `fdr` over all tests of that area level. With
    `weights` (see weighting.py) also weighted means and shares with Kish effective n, and per area the design
    effect and effective n of its respondents; and the difference from the rest tested again on the weighted
    figures (Welch on the weighted means and variances with the effective n; the weighted shares as counts of the
    effective n), adjusted apart and flagged on the weighted records: the council reads weighted figures, so their
    verdict must come from weighted figures, where the sample's make-up can move a difference either way. With
    `reliability` (scale id -> item values) Cronbach's alpha for the municipality.
    """
    groups_per_level = area_groups(respondents, areas)
    records: list[ProfileRecord] = []
    weights = None if weights is None else np.asarray(weights, dtype=float)
    columns: list[tuple[str, str, _ScoreColumn | np.ndarray | None, list[str]]] = []
    for name in scores.columns:
        series = scores[name]
        if isinstance(series.dtype, pd.CategoricalDtype):
            columns.append(
                (
                    "partition",
                    name.removesuffix("_band"),
                    series.cat.codes.to_numpy().astype(np.int64),
                    [str(member) for member in series.cat.categories],
                )
            )
        else:
            columns.append(
                ("mean", name.removesuffix("_score"), _score_column(series.to_numpy(dtype=float, na_value=np.nan)), [])
            )
    for groups in groups_per_level:
        builder = _Builder(instrument, groups)
        placed = groups.index >= 0
        counts = np.bincount(groups.index[placed], minlength=len(groups.codes))
        if weights is not None:
            sw = np.bincount(groups.index[placed], weights=weights[placed], minlength=len(groups.codes))
            sw2 = np.bincount(groups.index[placed], weights=weights[placed] ** 2, minlength=len(groups.codes))
            ess = kish_effective_n(sw, sw2)
        for area, count in enumerate(counts):
            builder.add(area, "respondents", "n", count, n=count)
            if weights is not None and count > 0:
                # how much the weights cost: Kish's design effect n / effective n, the same for every measure of
                # the area with all respondents answering (a measure's own effective_n counts its answers only)
                builder.add(area, "respondents", "design_effect", count / ess[area], n=count, flags=(WEIGHTED,))
                builder.add(area, "respondents", "effective_n", ess[area], n=count, flags=(WEIGHTED,))
            if eligible is not None:
                population = eligible.get(groups.codes[area], np.nan)
                rate = count / population if population and population > 0 else np.nan
                builder.add(area, "respondents", "response_rate", rate, n=count)
        for kind, name, column, members in columns:
            if kind == "partition" and isinstance(column, np.ndarray):  # a partition's codes are an array
                _partition_measure(builder, name, column, members, weights, confidence)
            elif isinstance(column, _ScoreColumn):  # None: a scale nobody answered
                _mean_measure(builder, name, column, weights, confidence)
        if groups.level == "municipality" and reliability:
            for scale_id, values in reliability.items():
                if values.shape[1] < 2:
                    continue
                alpha, lower, upper, n = cronbach_alpha(values.to_numpy(dtype=float))
                builder.add(0, scale_id, "alpha", alpha, lower, upper, n)
        records.extend(builder.finish(fdr))
    return records
