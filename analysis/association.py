"""The association between two figures across areas: Pearson's correlation with its 95% interval (Fisher z), and
whether a change between two waves is clearly there, from the intervals the figures carry.

Pure functions over numbers; no Flask. An association between areas says that wijken with more of one tend to have
more (or less) of the other; it is not the effect of a service on the residents who got it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution
MIN_AREAS = 4  # Fisher's z has standard error 1/sqrt(n - 3): from four areas on an interval can be given


@dataclass(frozen=True)
class Correlation:
    r: float
    lower: float | None  # None with fewer than MIN_AREAS areas
    upper: float | None
    n: int

    @property
    def clear(self) -> bool:
        """The interval leaves out 0: areas clearly go together (one way or the other)."""
        return self.lower is not None and self.upper is not None and (self.lower > 0 or self.upper < 0)


def correlation(x: Sequence[float], y: Sequence[float], confidence: float = 0.95) -> Correlation | None:
    """Pearson's r of paired values with its interval by Fisher's z transformation; None with fewer than three
    pairs or when either has no spread (no correlation can be computed)."""
    if len(x) != len(y):
        raise ValueError("x and y must be paired")
    n = len(x)
    if n < 3 or len(set(x)) < 2 or len(set(y)) < 2:
        return None
    result = stats.pearsonr(x, y)
    r = float(result.statistic)
    if n < MIN_AREAS:
        return Correlation(r, None, None, n)
    interval = result.confidence_interval(confidence_level=confidence)  # Fisher z, as scipy documents it
    return Correlation(r, float(interval.low), float(interval.high), n)


def standard_error(lower: float, upper: float) -> float:
    """The standard error behind a symmetric 95% interval."""
    return (upper - lower) / (2 * Z95)


@dataclass(frozen=True)
class Difference:
    """The change of a figure between two waves with its 95% interval (the waves' samples are independent)."""

    value: float
    lower: float
    upper: float

    @property
    def clear(self) -> bool:
        return self.lower > 0 or self.upper < 0


def difference(
    before: float, before_interval: tuple[float, float], after: float, after_interval: tuple[float, float]
) -> Difference:
    """after - before, with the interval sqrt(se1² + se2²) wide on either side of it."""
    spread = math.hypot(standard_error(*before_interval), standard_error(*after_interval)) * Z95
    change = after - before
    return Difference(change, change - spread, change + spread)
