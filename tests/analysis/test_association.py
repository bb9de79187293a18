"""The association between areas: Pearson's r recovers a known correlation, its Fisher z interval has the promised
coverage, and a change between two waves is called clear only when its interval leaves out zero."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.association import Z95, correlation, difference, standard_error
from council.beside import Progress, judge
from council.snapshots import Figure
from models import Direction


def correlated(rho: float, n: int, rng: np.random.Generator) -> tuple[list[float], list[float]]:
    x, noise = rng.standard_normal(n), rng.standard_normal(n)
    y = rho * x + math.sqrt(1 - rho**2) * noise
    return list(x * 12 + 80), list(y * 0.4 + 6.5)  # output per 1,000 residents against a mean on 0..10


@pytest.mark.parametrize("rho", [-0.6, 0.0, 0.45, 0.9])
def test_a_known_correlation_is_recovered_within_its_interval(rho):
    found = correlation(*correlated(rho, 4000, np.random.default_rng(7)))
    assert found.n == 4000
    assert found.lower < rho < found.upper
    assert abs(found.r - rho) < 0.04
    # the interval is Fisher's: tanh(atanh(r) +- 1.96 / sqrt(n - 3))
    z, spread = math.atanh(found.r), Z95 / math.sqrt(4000 - 3)
    assert found.lower == pytest.approx(math.tanh(z - spread), abs=1e-9)
    assert found.upper == pytest.approx(math.tanh(z + spread), abs=1e-9)
    assert found.clear == (rho != 0.0)


def test_the_interval_over_a_few_wijken_covers_the_true_correlation_95_times_in_100():
    rng = np.random.default_rng(2026)
    trials, covered = 2000, 0
    for _ in range(trials):
        found = correlation(*correlated(0.5, 12, rng))
        covered += found.lower <= 0.5 <= found.upper
    assert 0.935 <= covered / trials <= 0.965


def test_no_correlation_without_spread_or_pairs_and_no_interval_below_four_areas():
    assert correlation([1.0, 2.0], [3.0, 4.0]) is None
    assert correlation([1.0, 1.0, 1.0], [3.0, 4.0, 5.0]) is None
    three = correlation([1.0, 2.0, 3.0], [2.0, 4.0, 5.0])
    assert three.n == 3 and three.lower is None and three.upper is None and not three.clear
    with pytest.raises(ValueError):
        correlation([1.0, 2.0, 3.0], [1.0, 2.0])


def test_a_difference_of_two_waves_has_the_combined_interval():
    found = difference(6.0, (5.6, 6.4), 6.6, (6.3, 6.9))
    spread = math.hypot(standard_error(5.6, 6.4), standard_error(6.3, 6.9)) * Z95
    assert found.value == pytest.approx(0.6)
    assert (found.lower, found.upper) == pytest.approx((0.6 - spread, 0.6 + spread))
    assert spread == pytest.approx(0.5)  # sqrt(0.4² + 0.3²)
    assert found.clear
    assert not difference(6.0, (5.0, 7.0), 6.6, (6.0, 7.2)).clear


def figure(value, lower, upper, flags=()):
    return Figure(value, lower, upper, 100, frozenset(flags))


def test_whether_residents_are_better_off_follows_the_direction_of_the_indicator():
    before, after = figure(6.0, 5.6, 6.4), figure(6.6, 6.3, 6.9)
    assert judge(before, after, Direction.higher_is_better)[1] is Progress.improved
    assert judge(before, after, Direction.lower_is_better)[1] is Progress.worsened
    assert judge(before, figure(6.2, 5.8, 6.6), Direction.higher_is_better)[1] is Progress.unclear
    hidden = figure(None, None, None, ("suppressed",))
    assert judge(before, hidden, Direction.higher_is_better) == (None, Progress.unknown)
    assert judge(None, after, Direction.higher_is_better) == (None, Progress.unknown)
    assert judge(figure(0.3, None, None), after, Direction.higher_is_better) == (None, Progress.unclear)
