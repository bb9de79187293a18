"""Raking (iterative proportional fitting) of respondents to population margins per area, with trimmed weights.

Pure numpy: `rake` weights the respondents of one area so that, on every margin (age band, sex, household...), the
weighted distribution over the categories equals the population's; `rake_areas` does so for every area of a
sample and says per area what could not be met. The weights of a municipality's figures are those of its buurten,
so wijk and municipality figures are raked too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

# Why a margin (or one of its categories) could not be used in an area (MarginProblem.reason):
NO_RESPONDENTS = "no_respondents"  # the population has people in a category no respondent of the area is in
NO_POPULATION = "no_population"  # respondents are in a category the population figures have nobody in
NO_FIGURES = "no_figures"  # the area has no (known) population figures for this margin
NOT_CONVERGED = "not_converged"  # the margins contradict each other (or trimming) beyond the tolerance


@dataclass(frozen=True)
class MarginProblem:
    """A margin that an area's weights do not meet (fully), and why. `category` is None for the whole margin.
    The fallback is named by the reason: an empty category's population is spread over the margin's other
    categories (NO_RESPONDENTS); a margin with a category nobody lives in, or without figures, is left out for
    the area (NO_POPULATION, NO_FIGURES); after NOT_CONVERGED the weights meet the margins only approximately
    (`deviation` says how far: the largest difference between a weighted share and the population's)."""

    area: str
    margin: str
    category: str | None
    reason: str
    deviation: float | None = None


@dataclass(frozen=True)
class AreaWeights:
    """The raking of one area: the margins it met, its respondents' Kish design effect and effective sample size,
    how many weights trimming capped, and the largest remaining difference between a weighted share and the
    population share over all margins used."""

    area: str
    n: int
    margins: tuple[str, ...]
    design_effect: float
    effective_n: float
    trimmed: int
    iterations: int
    deviation: float


@dataclass
class RakingResult:
    weights: np.ndarray
    areas: dict[str, AreaWeights] = field(default_factory=dict)
    problems: list[MarginProblem] = field(default_factory=list)

    @property
    def margins(self) -> tuple[str, ...]:
        """The margins used in at least one area, in their order of use."""
        return tuple(dict.fromkeys(name for area in self.areas.values() for name in area.margins))


def kish_design_effect(weights: np.ndarray) -> float:
    """n sum(w^2) / sum(w)^2: the variance of a weighted mean over that of an unweighted one of the same n."""
    weights = np.asarray(weights, dtype=float)
    total = weights.sum()
    return float(len(weights) * (weights * weights).sum() / (total * total)) if total > 0 else float("nan")


def _shares_deviation(weights: np.ndarray, codes: list[np.ndarray], shares: list[np.ndarray]) -> float:
    worst = 0.0
    for code, share in zip(codes, shares, strict=True):
        known = code >= 0
        total = weights[known].sum()
        if total > 0:
            got = np.bincount(code[known], weights=weights[known], minlength=len(share)) / total
            worst = max(worst, float(np.abs(got - share).max()))
    return worst


def _cap(weights: np.ndarray, cap: float) -> tuple[np.ndarray, np.ndarray]:
    """The weights with those above `cap` times the mean set to exactly that, the mean taken after capping (so it is
    found by fixed point: capping lowers the mean, which may bring more weights over the cap). Also which capped."""
    size = len(weights)
    capped = np.zeros(size, dtype=bool)
    mean = weights.mean() if size else 0.0
    for _ in range(size):
        room = size - cap * capped.sum()
        if room <= 0:
            break
        mean = weights[~capped].sum() / room
        over = ~capped & (weights > cap * mean)
        if not over.any():
            break
        capped |= over
    return np.where(capped, cap * mean, weights), capped


def _ipf(
    weights: np.ndarray, codes: list[np.ndarray], shares: list[np.ndarray], tolerance: float, max_iterations: int
) -> tuple[np.ndarray, int]:
    """Scale the weights margin by margin until the weighted shares among the respondents who answered each margin
    are the population's (respondents without a category for a margin keep their weight in that step)."""
    weights = weights.copy()
    for iteration in range(1, max_iterations + 1):
        for code, share in zip(codes, shares, strict=True):
            known = code >= 0
            total = weights[known].sum()
            if total <= 0:
                continue
            current = np.bincount(code[known], weights=weights[known], minlength=len(share))
            with np.errstate(invalid="ignore", divide="ignore"):
                factor = np.where(current > 0, share * total / current, 1.0)
            weights[known] *= factor[code[known]]
        if _shares_deviation(weights, codes, shares) < tolerance:
            return weights, iteration
    return weights, max_iterations


def rake(
    codes: Mapping[str, np.ndarray],
    population: Mapping[str, np.ndarray],
    categories: Mapping[str, Sequence[str]] | None = None,
    *,
    total: float | None = None,
    size: int | None = None,
    area: str = "",
    cap: float | None = 5.0,
    tolerance: float = 1e-6,
    max_iterations: int = 100,
    max_trim_rounds: int = 20,
) -> tuple[np.ndarray, AreaWeights, list[MarginProblem]]:
    """Weights for the n respondents of one area.

    `codes`: per margin (in the order to rake) each respondent's category index, -1 where unknown (skipped
    question, "prefer not to say"); `population`: per margin the number of people per category (NaN: unknown);
    `categories`: per margin the category names, for the problems reported; `total`: what the weights add up to
    (default: the first margin's population); `size`: the number of respondents (needed without margins). A
    category with people but no respondents is reported and its people spread over the margin's other categories;
    a margin with respondents in a category that has nobody in the population, or without figures, is reported and
    left out. With `cap`, weights above `cap` times the mean are capped and the rest raked again, until no weight
    exceeds the cap or `max_trim_rounds` is reached.
    """
    names = list(codes)
    if size is None:
        size = len(next(iter(codes.values()))) if names else 0
    categories = categories or {}
    problems: list[MarginProblem] = []
    used_names: list[str] = []
    used_codes: list[np.ndarray] = []
    used_shares: list[np.ndarray] = []
    for name in names:
        code = np.asarray(codes[name], dtype=np.int64)
        counts = np.asarray(population[name], dtype=float)
        labels = list(categories.get(name, [str(index) for index in range(len(counts))]))
        if not np.isfinite(counts).all() or counts.sum() <= 0:
            problems.append(MarginProblem(area, name, None, NO_FIGURES))
            continue
        present = np.bincount(code[code >= 0], minlength=len(counts)) > 0
        if not present.any():
            problems.append(MarginProblem(area, name, None, NO_RESPONDENTS))
            continue
        unpopulated = present & (counts <= 0)
        if unpopulated.any():
            for index in np.flatnonzero(unpopulated):
                problems.append(MarginProblem(area, name, labels[index], NO_POPULATION))
            continue
        for index in np.flatnonzero(~present & (counts > 0)):
            problems.append(MarginProblem(area, name, labels[index], NO_RESPONDENTS))
        kept = np.where(present, counts, 0.0)
        used_names.append(name)
        used_codes.append(code)
        used_shares.append(kept / kept.sum())
    if total is None:
        first = np.asarray(population[names[0]], dtype=float) if names else np.zeros(0)
        total = float(np.nansum(first)) if names and np.nansum(first) > 0 else float(size)
    weights = np.ones(size)
    iterations, trimmed = 0, np.zeros(size, dtype=bool)
    if used_codes and size:
        weights, iterations = _ipf(weights, used_codes, used_shares, tolerance, max_iterations)
        if cap is not None:
            for _ in range(max_trim_rounds):
                if not (weights > cap * weights.mean() * (1 + tolerance)).any():
                    break
                weights, capped = _cap(weights, cap)
                trimmed |= capped
                weights, more = _ipf(weights, used_codes, used_shares, tolerance, max_iterations)
                iterations += more
            weights, capped = _cap(weights, cap)  # the cap holds; the margins may then be missed a little
            trimmed |= capped
    deviation = _shares_deviation(weights, used_codes, used_shares) if used_codes else 0.0
    if deviation > max(tolerance, 1e-3):
        problems.append(MarginProblem(area, "+".join(used_names), None, NOT_CONVERGED, deviation))
    if size:
        weights = weights * (total / weights.sum())
    design_effect = kish_design_effect(weights) if size else float("nan")
    summary = AreaWeights(
        area=area,
        n=size,
        margins=tuple(used_names),
        design_effect=design_effect,
        effective_n=size / design_effect if size else 0.0,
        trimmed=int(trimmed.sum()),
        iterations=iterations,
        deviation=deviation,
    )
    return weights, summary, problems


def rake_areas(
    area_codes: np.ndarray,
    codes: Mapping[str, np.ndarray],
    population: Mapping[str, Mapping[str, np.ndarray]],
    categories: Mapping[str, Sequence[str]] | None = None,
    *,
    totals: Mapping[str, float] | None = None,
    cap: float | None = 5.0,
    tolerance: float = 1e-6,
    fallback_ratio: float = 1.0,
) -> RakingResult:
    """Rake the respondents of every area separately.

    `area_codes`: each respondent's area (None where unknown); `codes`: per margin each respondent's category
    index (-1 unknown); `population`: per area code, per margin, people per category; `totals`: per area what its
    weights add up to (default: its first margin's population). A respondent without an area, or in an area
    without any population figures, gets `fallback_ratio` (the municipality's population over its respondents) and
    the area is reported (NO_FIGURES for the margin "population").
    """
    area_codes = np.asarray(area_codes, dtype=object)
    weights = np.full(len(area_codes), float(fallback_ratio))
    result = RakingResult(weights)
    known = np.array([isinstance(code, str) for code in area_codes], dtype=bool)
    for area in sorted(set(area_codes[known].tolist())):
        rows = np.flatnonzero(known & (area_codes == area))
        margins = population.get(area)
        total = (totals or {}).get(area)
        if margins is None or (total is not None and not total > 0) or (total is None and not margins):
            result.problems.append(MarginProblem(area, "population", None, NO_FIGURES))
            continue
        local, summary, problems = rake(
            {name: np.asarray(code)[rows] for name, code in codes.items()},
            margins,
            categories,
            total=total,
            size=len(rows),
            area=area,
            cap=cap,
            tolerance=tolerance,
        )
        result.problems.extend(problems)
        if not summary.margins:  # no margin could be used: every respondent counts alike
            total = total if total is not None else float(np.nansum(next(iter(margins.values()))))  # margins given
            local = np.full(len(rows), total / len(rows) if total > 0 else float(fallback_ratio))
        weights[rows] = local
        result.areas[area] = summary
    return result
