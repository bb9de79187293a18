"""Resident types: groups of residents whose profiles have the same shape (which dimensions lie above or below the
person's own level), found by a Gaussian mixture with k by BIC, named by what sets them apart, stable across waves."""

from __future__ import annotations

import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.linalg import null_space
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits  # installed with scikit-learn, which depends on it

from analysis.inference import wilson_interval
from analysis.profiles import area_groups
from analysis.records import ProfileRecord, clean

LOW, AVERAGE, HIGH = "low", "average", "high"
# A type's name parts: a dimension on which its members score clearly better or worse than their own level.
BETTER, WORSE = "better", "worse"
# Scales on which a higher score is worse; turned round, so that "above one's own level" always means better.
LOWER_IS_BETTER = frozenset({"djg_score"})
# Why a model holds no types: the data form one group (k = 1 has the lowest BIC); the groups that BIC prefers are
# not distinct enough (mean posterior) or not stable over bootstrap resamples to be reported as types; or there are
# too few respondents to fit even two groups (fewer than a mixture of two has parameters).
ONE_GROUP, NOT_DISTINCT, NOT_STABLE, TOO_FEW = "one_group", "not_distinct", "not_stable", "too_few"


@dataclass(frozen=True)
class ResidentType:
    """One type, described as data for the views to translate. `profile`: (feature, "low" | "average" | "high") per
    feature, from the z-score of its centre against all respondents; `level`: the mean of its centre's z-scores,
    turned so that higher is better; `shape`: per feature how far its centre lies above (+) or below (-) that own
    level; `name`: the one or two (feature, BETTER | WORSE) that set it apart, empty if none does (then its level
    describes it)."""

    id: str
    size: int
    share: float
    centre: dict[str, float]  # in score units, so a later wave can match on it
    centre_z: dict[str, float]
    profile: tuple[tuple[str, str], ...]
    level: float = 0.0
    shape: dict[str, float] = field(default_factory=dict)
    name: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TypeModel:
    instrument: str
    features: tuple[str, ...]
    k: int  # types reported; 0 when the analysis found none (see `note`)
    criterion: str  # "bic": the lowest BIC over k = 1 .. k_range[1]
    criterion_values: dict[int, float]
    means: dict[str, float]
    sds: dict[str, float]
    types: tuple[ResidentType, ...]
    seed: int
    fitted_on: int  # respondents in the (seeded) fitting sample
    matched_to_previous: dict[str, float]  # type id -> centre distance (z units) to the previous wave's type
    bic_k: int = 0  # the number of groups BIC chose (1: one group, no types)
    note: str = ""  # "" when types are reported, else ONE_GROUP, NOT_DISTINCT, NOT_STABLE, TOO_FEW
    mean_posterior: float | None = None  # distinctness: mean probability of each respondent's own type (1 = crisp)
    bootstrap_ari: float | None = None  # stability: mean adjusted Rand index of bootstrap refits against the fit
    bootstrap_runs: int = 0


@dataclass(frozen=True)
class TypeResult:
    model: TypeModel
    assignment: pd.Series  # type id per respondent row (same index as the scores), NA where not typed


def _describe(z: float, threshold: float) -> str:
    return LOW if z < -threshold else HIGH if z > threshold else AVERAGE


def type_name(
    shape: Sequence[float] | np.ndarray, features: Sequence[str], threshold: float
) -> tuple[tuple[str, str], ...]:
    """What sets a type apart: its strongest dimension above and its weakest below its own level, each only if
    clearly so (more than `threshold` z units); two on one side when the other side has none."""
    order = sorted(range(len(features)), key=lambda index: (-shape[index], index))
    above = [(features[index], BETTER) for index in order if shape[index] > threshold]
    below = [(features[index], WORSE) for index in reversed(order) if shape[index] < -threshold]
    if above and below:
        return (above[0], below[0])
    return tuple(above[:2] or below[:2])


def _match(
    current: np.ndarray,
    previous: TypeModel,
    features: Sequence[str],
    means: np.ndarray,
    sds: np.ndarray,
    max_distance: float,
) -> dict[int, tuple[str, float]]:
    """Hungarian assignment of current centres (z) to the previous wave's centres, compared on this wave's scale."""
    shared = [index for index, feature in enumerate(features) if feature in previous.features]
    if not shared or not previous.types:
        return {}
    old = np.array(
        [[(kind.centre[features[index]] - means[index]) / sds[index] for index in shared] for kind in previous.types]
    )
    cost = np.linalg.norm(current[:, shared][:, None, :] - old[None, :, :], axis=2)
    rows, cols = linear_sum_assignment(cost)
    return {
        int(row): (previous.types[col].id, float(cost[row, col]))
        for row, col in zip(rows, cols, strict=True)
        if cost[row, col] <= max_distance
    }


def _mixture(k: int, seed: int, n_init: int) -> GaussianMixture:
    # reg_covar in z units (a tenth of a standard deviation): scores take few distinct values, and without it a
    # component can settle on a single lattice point of the discrete scores and win BIC with an infinite density.
    # Starts from k-means++ centres rather than from full k-means runs: cheaper, and the same types in the tests.
    return GaussianMixture(
        n_components=k,
        covariance_type="full",
        n_init=n_init,
        reg_covar=1e-2,
        max_iter=200,
        init_params="k-means++",
        random_state=seed,
    )


def fit_types(
    scores: pd.DataFrame,
    features: Sequence[str],
    *,
    instrument: str = "",
    k_range: tuple[int, int] = (1, 6),
    seed: int = 0,
    sample_size: int = 10_000,
    min_answered: float = 0.5,
    z_threshold: float = 0.5,
    shape_threshold: float = 0.5,
    level_weight: float = 0.5,
    reverse: Collection[str] = LOWER_IS_BETTER,
    min_share: float = 0.03,
    bootstrap: int = 10,
    bootstrap_size: int = 3_000,
    min_distinctness: float = 0.85,
    min_stability: float = 0.6,
    previous: TypeModel | None = None,
    max_distance: float = 1.0,
) -> TypeResult:
    """Resident types from the score columns `features` of `scores`.

    Scores are standardised (z) and turned so that higher is better (the `reverse` features). Each respondent's
    level is the mean of their z-scores and their shape the deviation of each z-score from that level; a respondent
    with at least `min_answered` of the features is typed, a missing feature counting at their own level. The
    mixture sees the shape and the level times `level_weight`, so that types describe patterns rather than only
    "high" and "low". A Gaussian mixture (full covariance, 2 seeded starts) is fitted on a seeded sample of at most
    `sample_size` respondents for k = 1 .. k_range[1], stopping once BIC has risen twice in a row; the k with the
    lowest BIC among those whose smallest group holds at least `min_share` is chosen. k = 1 means the data form
    one group: no types are reported. Otherwise the types are reported only if they are distinct (mean posterior
    probability of the own type at least `min_distinctness`) and stable (`bootstrap` refits on seeded resamples of
    `bootstrap_size`, mean adjusted Rand index against the fit at least `min_stability`); `note` says why not, also
    when there are too few respondents to fit two groups. All typed respondents are then assigned to their most
    probable type. Types are numbered by size (T1 largest); with `previous` (the last wave's model) each type is
    matched to a previous one by Hungarian assignment on centres within `max_distance` z units and keeps its id;
    new types get new numbers. Each type is named by `type_name` (threshold `shape_threshold`).
    """
    features = tuple(features)
    matrix = scores.loc[:, list(features)].to_numpy(dtype=float, na_value=np.nan)
    with warnings.catch_warnings():  # a scale nobody answered (a paper wave without it) has no mean: it stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(matrix, axis=0) if len(matrix) else np.zeros(len(features))
        sds = np.nanstd(matrix, axis=0, ddof=1) if len(matrix) > 1 else np.ones(len(features))
    sds = np.where((sds > 0) & np.isfinite(sds), sds, 1.0)
    sign = np.array([-1.0 if feature in reverse else 1.0 for feature in features])
    answered = (~np.isnan(matrix)).mean(axis=1)
    typed = np.flatnonzero(answered >= min_answered)
    # The deviations of one person add up to zero: the mixture gets them in an orthonormal basis of that subspace
    # (the same distances, without the singular direction) next to the down-weighted level. With full covariances
    # the likelihood hardly depends on that weight (it rescales one axis); the k-means++ starts and the
    # regularisation do, and so the level steers the search less than the shape.
    basis = null_space(np.ones((1, len(features))))

    def shape_of(standard: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scores on a standard scale, turned so that higher is better (a missing one at the own level); the level
        (row mean) and the shape (deviations from the level)."""
        oriented = standard * sign
        level = np.nanmean(oriented, axis=1) if len(oriented) else np.zeros(0)
        oriented = np.where(np.isnan(oriented), level[:, None], oriented)
        return oriented, level, oriented - level[:, None]

    def points_of(standard: np.ndarray) -> np.ndarray:
        _, level, shape = shape_of(standard)
        return np.column_stack([shape @ basis, level_weight * level])

    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(len(typed), size=min(sample_size, len(typed)), replace=False))
    if len(sample) < 10:
        raise ValueError("too few respondents with scores to form types")
    # Scale scores take few distinct values (loneliness 0..6, most residents at one end). Fitted to such a lattice,
    # a mixture puts narrow components on its most frequent values and BIC rewards them: "types" of everyone with
    # the same score. The fitting sample gets seeded uniform noise within each value's step (dequantisation);
    # everyone is then assigned on their own scores.
    fitting = matrix[typed[sample]]
    for column in range(len(features)):
        values = np.unique(fitting[:, column][~np.isnan(fitting[:, column])])
        if 1 < len(values) <= 200:
            step = float(np.median(np.diff(values)))
            fitting[:, column] += rng.uniform(-step / 2, step / 2, len(fitting))
    points_of_sample = points_of((fitting - means) / sds)
    oriented, level, shape = shape_of((matrix[typed] - means) / sds)
    del matrix, fitting
    points = np.column_stack([shape @ basis, level_weight * level])
    dims = points.shape[1]
    fitted: dict[int, GaussianMixture] = {}
    bics: dict[int, float] = {}
    # One thread: on samples this small, BLAS threads mostly wait for each other, and on a busy machine they take
    # longer than one thread; one thread also gives the same result whatever the number of cores.
    with threadpool_limits(limits=1):
        for k in range(1, max(k_range[1], 1) + 1):
            parameters = k * (dims + dims * (dims + 1) / 2) + k - 1
            if k > 1 and parameters >= len(sample):
                break
            # BIC rose twice in a row: more groups only describe noise (and cost the most time)
            if k > 3 and bics[k - 1] > bics[k - 2] > bics[k - 3]:
                break
            model = _mixture(k, seed, n_init=1 if k == 1 else 2).fit(points_of_sample)
            bics[k] = float(model.bic(points_of_sample))
            fitted[k] = model
        allowed = [k for k in fitted if k == 1 or fitted[k].weights_.min() >= min_share]
        best = min(allowed, key=lambda k: (bics[k], k))
        note, distinctness, stability, runs = "", None, None, 0
        if len(fitted) == 1:
            note = TOO_FEW
        elif best == 1:
            note = ONE_GROUP
        else:
            chosen = fitted[best]
            sample_labels = chosen.predict(points_of_sample)
            distinctness = float(chosen.predict_proba(points_of_sample).max(axis=1).mean())
            agreements = []
            draws = np.random.default_rng([seed, 1])
            for run in range(bootstrap):
                rows = draws.integers(0, len(sample), size=min(bootstrap_size, len(sample)))
                refit = _mixture(best, seed + 1 + run, n_init=1).fit(points_of_sample[rows])
                agreements.append(adjusted_rand_score(sample_labels, refit.predict(points_of_sample)))
            runs = len(agreements)
            stability = float(np.mean(agreements)) if agreements else None
            if distinctness < min_distinctness:
                note = NOT_DISTINCT
            elif stability is not None and stability < min_stability:
                note = NOT_STABLE
        k = 0 if note else best
        # in blocks: the mixture's temporaries for a million rows would double the memory of the run
        labels = (
            np.concatenate(
                [fitted[best].predict(points[start : start + 100_000]) for start in range(0, len(points), 100_000)]
                or [np.zeros(0, dtype=np.int64)]
            )
            if k
            else np.zeros(0, dtype=np.int64)
        )
        del points
    counts = np.bincount(labels, minlength=k)
    # centres back in the direction of the scores, for the profile and for matching over waves
    centres_z = np.array(
        [
            oriented[labels == label].mean(axis=0) * sign if counts[label] else np.zeros(len(features))
            for label in range(k)
        ]
    ).reshape(k, len(features))
    order = sorted(range(k), key=lambda label: (-counts[label], label))
    matched = _match(centres_z, previous, features, means, sds, max_distance) if previous and k else {}
    taken = {old_id for old_id, _ in matched.values()}
    used_numbers = [int(kind.id[1:]) for kind in previous.types] if previous else []
    next_number = max(used_numbers, default=0) + 1
    ids: dict[int, str] = {}
    for label in order:
        if label in matched:
            ids[label] = matched[label][0]
        else:
            while f"T{next_number}" in taken:
                next_number += 1
            ids[label] = f"T{next_number}"
            taken.add(ids[label])
            next_number += 1
    kinds = []
    total = max(int(counts.sum()), 1)
    for label in order:
        members = labels == label
        centre_z = centres_z[label]
        centre_shape = shape[members].mean(axis=0) if counts[label] else np.zeros(len(features))
        kinds.append(
            ResidentType(
                id=ids[label],
                size=int(counts[label]),
                share=float(counts[label] / total),
                centre={feature: float(means[i] + centre_z[i] * sds[i]) for i, feature in enumerate(features)},
                centre_z={feature: float(centre_z[i]) for i, feature in enumerate(features)},
                profile=tuple((feature, _describe(centre_z[i], z_threshold)) for i, feature in enumerate(features)),
                level=float(level[members].mean()) if counts[label] else 0.0,
                shape={feature: float(centre_shape[i]) for i, feature in enumerate(features)},
                name=type_name(centre_shape, features, shape_threshold),
            )
        )
    model = TypeModel(
        instrument=instrument,
        features=features,
        k=k,
        criterion="bic",
        criterion_values=bics,
        means={feature: float(means[i]) for i, feature in enumerate(features)},
        sds={feature: float(sds[i]) for i, feature in enumerate(features)},
        types=tuple(kinds),
        seed=seed,
        fitted_on=len(sample),
        matched_to_previous={ids[label]: distance for label, (_, distance) in matched.items()},
        bic_k=best,
        note=note,
        mean_posterior=distinctness,
        bootstrap_ari=stability,
        bootstrap_runs=runs,
    )
    assignment = pd.Series(pd.NA, index=scores.index, dtype="string")
    if k and len(typed):
        id_of = np.array([ids[label] for label in range(k)], dtype=object)
        assignment.iloc[typed] = id_of[labels]
    return TypeResult(model, assignment)


def type_shares(
    result: TypeResult, respondents: pd.DataFrame, areas: pd.DataFrame, confidence: float = 0.95
) -> list[ProfileRecord]:
    """Share of each type among typed respondents per area, with Wilson intervals (measure "type:<id>")."""
    ids = [kind.id for kind in result.model.types]
    codes = pd.Categorical(result.assignment.astype(object), categories=ids).codes.astype(np.int64)
    records = []
    for groups in area_groups(respondents, areas):
        valid = (codes >= 0) & (groups.index >= 0)
        size = len(groups.codes)
        n = np.bincount(groups.index[valid], minlength=size)
        for position, type_id in enumerate(ids):
            k = np.bincount(groups.index[valid], weights=codes[valid] == position, minlength=size)
            lower, upper = wilson_interval(k, n, confidence)
            for area in np.flatnonzero(n > 0):
                records.append(
                    ProfileRecord(
                        area_code=groups.codes[area],
                        area_level=groups.level,
                        instrument=result.model.instrument,
                        measure=f"type:{type_id}",
                        statistic="share",
                        value=clean(k[area] / n[area]),
                        lower=clean(lower[area]),
                        upper=clean(upper[area]),
                        n=int(n[area]),
                    )
                )
    return records
