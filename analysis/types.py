"""Resident profile types: k-means clusters of standardised scale scores, k by silhouette, stable across waves."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits  # installed with scikit-learn, which depends on it

from analysis.inference import wilson_interval
from analysis.profiles import area_groups
from analysis.records import ProfileRecord, clean

LOW, AVERAGE, HIGH = "low", "average", "high"


@dataclass(frozen=True)
class ResidentType:
    """One type, described as data for the views to translate: (feature, "low" | "average" | "high") per feature,
    from the z-score of its centre against all respondents."""

    id: str
    size: int
    share: float
    centre: dict[str, float]      # in score units, so a later wave can match on it
    centre_z: dict[str, float]
    profile: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TypeModel:
    instrument: str
    features: tuple[str, ...]
    k: int
    criterion: str                    # "silhouette": the highest mean silhouette over k_range
    criterion_values: dict[int, float]
    means: dict[str, float]
    sds: dict[str, float]
    types: tuple[ResidentType, ...]
    seed: int
    fitted_on: int                    # respondents in the (seeded) fitting sample
    matched_to_previous: dict[str, float]  # type id -> centre distance (z units) to the previous wave's type


@dataclass(frozen=True)
class TypeResult:
    model: TypeModel
    assignment: pd.Series  # type id per respondent row (same index as the scores), NA where not typed


def _describe(z: float, threshold: float) -> str:
    return LOW if z < -threshold else HIGH if z > threshold else AVERAGE


def _match(current: np.ndarray, previous: TypeModel, features: Sequence[str], means: np.ndarray, sds: np.ndarray,
           max_distance: float) -> dict[int, tuple[str, float]]:
    """Hungarian assignment of current centres (z) to the previous wave's centres, compared on this wave's scale."""
    shared = [index for index, feature in enumerate(features) if feature in previous.features]
    if not shared or not previous.types:
        return {}
    old = np.array([[(kind.centre[features[index]] - means[index]) / sds[index] for index in shared]
                    for kind in previous.types])
    cost = np.linalg.norm(current[:, shared][:, None, :] - old[None, :, :], axis=2)
    rows, cols = linear_sum_assignment(cost)
    return {int(row): (previous.types[col].id, float(cost[row, col]))
            for row, col in zip(rows, cols, strict=True) if cost[row, col] <= max_distance}


def fit_types(scores: pd.DataFrame, features: Sequence[str], *, instrument: str = "", k_range: tuple[int, int] = (2, 6),
              seed: int = 0, sample_size: int = 10_000, silhouette_sample: int = 3_000, min_answered: float = 0.5,
              z_threshold: float = 0.5, previous: TypeModel | None = None, max_distance: float = 1.0) -> TypeResult:
    """Resident types from the score columns `features` of `scores`.

    Scores are standardised (z); a respondent with at least `min_answered` of the features gets the missing ones at
    the mean, others stay untyped. K-means (4 seeded starts) is fitted for every k in `k_range` on a seeded sample
    of at most `sample_size` respondents and the k with the highest mean silhouette (on a seeded subsample of
    `silhouette_sample`) is kept; all respondents are then assigned to the nearest centre. Types are numbered by
    size (T1 largest); with `previous` (the last wave's model) each type is matched to a previous one by Hungarian
    assignment on centres within `max_distance` z units and keeps its id; new types get new numbers.
    """
    features = tuple(features)
    matrix = scores.loc[:, list(features)].to_numpy(dtype=float, na_value=np.nan)
    means = np.nanmean(matrix, axis=0)
    sds = np.nanstd(matrix, axis=0, ddof=1)
    sds = np.where((sds > 0) & np.isfinite(sds), sds, 1.0)
    z = (matrix - means) / sds
    answered = (~np.isnan(z)).mean(axis=1)
    typed = np.flatnonzero(answered >= min_answered)
    z = np.where(np.isnan(z), 0.0, z)[typed]
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(len(typed), size=min(sample_size, len(typed)), replace=False))
    silhouette_rows = sample[np.sort(rng.choice(len(sample), size=min(silhouette_sample, len(sample)),
                                                replace=False))]
    fitted, silhouettes = {}, {}
    # One thread: on samples this small, k-means' OpenMP threads and BLAS mostly wait for each other, and on a busy
    # machine they take several times longer than one thread (4.8 s against 1.6 s for k = 2..6 on 10,000 rows on
    # two shared cores); one thread also gives the same result whatever the number of cores.
    with threadpool_limits(limits=1):
        for k in range(k_range[0], k_range[1] + 1):
            if k >= len(sample):
                break
            model = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(z[sample])
            labels_of_sample = model.predict(z[silhouette_rows])
            if len(set(labels_of_sample)) < 2:
                continue
            fitted[k] = model
            silhouettes[k] = float(silhouette_score(z[silhouette_rows], labels_of_sample))
        if not fitted:
            raise ValueError("too few respondents with scores to form types")
        best = max(silhouettes, key=lambda k: (silhouettes[k], -k))
        labels = fitted[best].predict(z) if len(z) else np.zeros(0, dtype=np.int64)
    counts = np.bincount(labels, minlength=best)
    centres_z = np.array([z[labels == label].mean(axis=0) if counts[label] else fitted[best].cluster_centers_[label]
                          for label in range(best)])
    order = sorted(range(best), key=lambda label: (-counts[label], label))
    matched = _match(centres_z, previous, features, means, sds, max_distance) if previous else {}
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
        centre_z = centres_z[label]
        kinds.append(ResidentType(
            id=ids[label], size=int(counts[label]), share=float(counts[label] / total),
            centre={feature: float(means[i] + centre_z[i] * sds[i]) for i, feature in enumerate(features)},
            centre_z={feature: float(centre_z[i]) for i, feature in enumerate(features)},
            profile=tuple((feature, _describe(centre_z[i], z_threshold)) for i, feature in enumerate(features)),
        ))
    model = TypeModel(
        instrument=instrument, features=features, k=best, criterion="silhouette", criterion_values=silhouettes,
        means={feature: float(means[i]) for i, feature in enumerate(features)},
        sds={feature: float(sds[i]) for i, feature in enumerate(features)},
        types=tuple(kinds), seed=seed, fitted_on=len(sample),
        matched_to_previous={ids[label]: distance for label, (_, distance) in matched.items()},
    )
    assignment = pd.Series(pd.NA, index=scores.index, dtype="string")
    if len(typed):
        id_of = np.array([ids[label] for label in range(best)], dtype=object)
        assignment.iloc[typed] = id_of[labels]
    return TypeResult(model, assignment)


def type_shares(result: TypeResult, respondents: pd.DataFrame, areas: pd.DataFrame, confidence: float = 0.95
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
                records.append(ProfileRecord(
                    area_code=groups.codes[area], area_level=groups.level, instrument=result.model.instrument,
                    measure=f"type:{type_id}", statistic="share", value=clean(k[area] / n[area]),
                    lower=clean(lower[area]), upper=clean(upper[area]), n=int(n[area]),
                ))
    return records
