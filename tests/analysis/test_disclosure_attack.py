"""An attacker with linear programming: from every published cell of a table, no suppressed count can be pinned down.

The attacker knows every shown figure of a wave's tables (all levels, all bands with their n, the scale means with
their n, totals) and how they add up (buurten to their wijk, wijken to the municipality, the bands of a scale in an
area to its n); to be cautious also how many people a total holds outside its parts. For every suppressed count
with people in it, the tightest lower and upper bounds follow from two linear programmes (counts relaxed to
non-negative reals); they must lie at least the threshold apart.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from analysis.disclosure import apply_disclosure
from analysis.frames import META_COLUMNS, area_table
from analysis.records import ProfileRecord
from tests.analysis.test_disclosure import counts

pytestmark = pytest.mark.slow

MIN_N = 10


def _counts(records: list[ProfileRecord]) -> dict[tuple[str, str, str], float]:
    """Every count a list of records shows: a measure's n, a band's number of people, a partition's n ("family#n").
    A scale mean's n is its bands' n too."""
    families = {(r.instrument, r.family) for r in records if r.family is not None}
    counts: dict[tuple[str, str, str], float] = {}
    for record in records:
        if record.n is None:
            continue
        if record.family is not None:
            counts[(record.instrument, record.family + "#n", record.area_code)] = record.n
            if record.statistic == "share" and record.value is not None:
                counts[(record.instrument, record.measure, record.area_code)] = round(record.value * record.n)
        elif (record.instrument, record.measure) in families:
            counts[(record.instrument, record.measure + "#n", record.area_code)] = record.n
        else:
            key = (record.instrument, record.measure, record.area_code)
            counts[key] = max(counts.get(key, 0), record.n)
    return counts


def _relations(cells, areas: pd.DataFrame) -> list[tuple[tuple, list[tuple]]]:
    """(total, parts) of every hierarchy and partition relation among `cells`."""
    children = defaultdict(list)
    for code, parent in areas["parent"].items():
        if isinstance(parent, str):
            children[parent].append(code)
    columns = {(instrument, measure) for instrument, measure, _ in cells}
    relations = []
    for instrument, measure in columns:
        for parent, kids in children.items():
            if (instrument, measure, parent) in cells:
                parts = [(instrument, measure, kid) for kid in kids if (instrument, measure, kid) in cells]
                if parts:
                    relations.append(((instrument, measure, parent), parts))
    members = defaultdict(list)
    for instrument, measure, area in cells:
        if ":" in measure:
            members[(instrument, measure.split(":", 1)[0], area)].append((instrument, measure, area))
    for (instrument, family, area), parts in members.items():
        relations.append(((instrument, family + "#n", area), parts))
    return relations


def attack(
    original: list[ProfileRecord], published: list[ProfileRecord], areas: pd.DataFrame, threshold: int = MIN_N
) -> list[tuple[tuple, float, float, float]]:
    """(cell, true count, lower, upper) of every suppressed count with people in it that the attacker can pin to an
    interval narrower than `threshold`."""
    truth = _counts(original)
    known = _counts(published)
    hidden = sorted(cell for cell in truth if cell not in known)
    weak = []
    relations = _relations(set(truth), areas)
    # one system per table: cells of one instrument and one measure or family
    table_of = {cell: (cell[0], cell[1].split(":")[0].split("#")[0]) for cell in truth}
    by_table = defaultdict(list)
    for cell in hidden:
        by_table[table_of[cell]].append(cell)
    for table, cells in by_table.items():
        position = {cell: i for i, cell in enumerate(cells)}
        rows, rhs = [], []
        for total, parts in relations:
            if table_of[total] != table:
                continue
            row = np.zeros(len(cells))
            value = truth[total] - sum(truth[part] for part in parts)  # people in the total but in no part
            for cell, sign in [(total, 1.0)] + [(part, -1.0) for part in parts]:
                if cell in position:
                    row[position[cell]] += sign
                else:
                    value -= sign * known[cell]
            if row.any():
                rows.append(row)
                rhs.append(value)
        for cell in cells:
            if truth[cell] <= 0:
                continue
            if not rows:
                continue
            objective = np.zeros(len(cells))
            objective[position[cell]] = 1.0
            low = linprog(objective, A_eq=np.array(rows), b_eq=np.array(rhs), bounds=(0, None), method="highs")
            high = linprog(-objective, A_eq=np.array(rows), b_eq=np.array(rhs), bounds=(0, None), method="highs")
            assert low.status == 0 and low.fun is not None, (cell, low.message)
            if high.status == 3:  # unbounded
                upper = np.inf
            else:
                assert high.fun is not None, (cell, high.message)
                upper = -high.fun
            if upper - low.fun < threshold - 1e-6:
                weak.append((cell, truth[cell], low.fun, upper))
    return weak


def banded(bands_by_area: dict[str, dict[str, int]]) -> list[ProfileRecord]:
    """Respondents, the djg mean and its bands per area, from the number of people per band."""
    records = []
    for code, bands in bands_by_area.items():
        level = {"GM": "municipality", "WK": "wijk", "BU": "buurt"}[code[:2]]
        n = sum(bands.values())
        records.append(ProfileRecord(code, level, "adult", "respondents", "n", float(n), n=n))
        records.append(ProfileRecord(code, level, "adult", "djg", "mean", 4.0, 3.5, 4.5, n))
        records.extend(
            ProfileRecord(code, level, "adult", f"djg:{band}", "share", count / n, 0.0, 1.0, n)
            for band, count in bands.items()
        )
    return records


def summed(buurten: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """The buurten's bands with their wijken and the municipality added up."""
    table = dict(buurten)
    for code, bands in buurten.items():
        for parent in ("WK" + code[2:8], "GM" + code[2:6]):
            into = table.setdefault(parent, {band: 0 for band in bands})
            for band, count in bands.items():
                into[band] += count
    return table


def hidden_areas(records, measure: str = "respondents") -> set[str]:
    return {r.area_code for r in records if "suppressed" in r.flags and r.measure == measure}


def test_a_wijk_with_one_small_buurt_gives_nothing_away():
    areas = area_table(["BU05990101", "BU05990102", "BU05990103", "BU05990201", "BU05990202"])
    records = counts(
        {
            "GM0599": 158,
            "WK059901": 88,
            "WK059902": 70,
            "BU05990101": 4,
            "BU05990102": 40,
            "BU05990103": 44,
            "BU05990201": 35,
            "BU05990202": 35,
        }
    )
    published = apply_disclosure(records, areas)
    assert attack(records, published, areas) == []
    # the least loss: a second buurt, not the wijk
    assert hidden_areas(published) == {"BU05990101", "BU05990102"}


def test_a_municipality_of_two_wijken_one_small_gives_nothing_away():
    areas = area_table(["BU05990101", "BU05990201", "BU05990202"])
    records = counts(
        {"GM0599": 106, "WK059901": 6, "WK059902": 100, "BU05990101": 6, "BU05990201": 50, "BU05990202": 50}
    )
    published = apply_disclosure(records, areas)
    assert attack(records, published, areas) == []
    assert "GM0599" not in hidden_areas(published)


def test_a_buurt_small_in_one_band_only_gives_nothing_away():
    buurten = {
        "BU05990101": {"not_lonely": 30, "moderate": 20, "severe": 3},
        "BU05990102": {"not_lonely": 40, "moderate": 25, "severe": 12},
        "BU05990103": {"not_lonely": 35, "moderate": 30, "severe": 15},
        "BU05990201": {"not_lonely": 50, "moderate": 30, "severe": 20},
        "BU05990202": {"not_lonely": 45, "moderate": 35, "severe": 0},
    }
    areas = area_table(list(buurten))
    records = banded(summed(buurten))
    published = apply_disclosure(records, areas)
    assert attack(records, published, areas) == []
    shown = {(r.measure, r.area_code) for r in published if r.statistic == "share" and r.value is not None}
    # the buurt keeps its mean and n; no wijk or the municipality loses a band; the empty band stays shown
    assert not hidden_areas(published, "djg")
    assert all(
        ("djg:" + band, area) in shown
        for band in ("not_lonely", "moderate", "severe")
        for area in ("GM0599", "WK059901", "WK059902")
    )
    assert ("djg:severe", "BU05990202") in shown
    assert ("djg:severe", "BU05990101") not in shown


def test_a_buurt_small_in_one_band_needs_the_hidden_bands_to_hold_the_threshold():
    # severe 3 and moderate 4 alone would leave both between 0 and 7: a third cell must go
    buurten = {
        "BU05990101": {"not_lonely": 40, "moderate": 4, "severe": 3},
        "BU05990102": {"not_lonely": 40, "moderate": 25, "severe": 12},
        "BU05990103": {"not_lonely": 35, "moderate": 30, "severe": 15},
    }
    areas = area_table(list(buurten))
    records = banded(summed(buurten))
    published = apply_disclosure(records, areas)
    assert attack(records, published, areas) == []


def test_a_buurt_small_in_one_wave_and_not_in_the_other_gives_nothing_away():
    """The council reads both waves side by side (trends, the comparison over waves). Each wave is another sample of
    residents, so the waves' tables share no one: the attacker's system over both has no equation linking them, and
    the small wave's hidden buurt stays hidden although the other wave shows it. (A second release of the same wave
    does share residents: tests/analysis/test_releases.py.)"""
    areas = area_table(["BU05990101", "BU05990102", "BU05990103"])
    first = counts(
        {"GM0599": 91, "WK059901": 91, "BU05990101": 4, "BU05990102": 40, "BU05990103": 47}, instrument="adult 2025"
    )
    second = counts(
        {"GM0599": 125, "WK059901": 125, "BU05990101": 38, "BU05990102": 42, "BU05990103": 45}, instrument="adult 2026"
    )
    published = apply_disclosure(first, areas) + apply_disclosure(second, areas)
    assert attack(first + second, published, areas) == []
    hidden = {(r.instrument, r.area_code) for r in published if "suppressed" in r.flags}
    assert ("adult 2025", "BU05990101") in hidden and ("adult 2026", "BU05990101") not in hidden


def test_the_attacker_finds_what_the_old_single_sibling_rule_let_through():
    """The attack can fail: a small buurt hidden with its wijk published and no second buurt hidden is pinned."""
    areas = area_table(["BU05990101", "BU05990102"])
    records = counts({"GM0599": 50, "WK059901": 50, "BU05990101": 4, "BU05990102": 46})
    leaky = [
        r
        if r.area_code != "BU05990101"
        else ProfileRecord(r.area_code, r.area_level, r.instrument, r.measure, r.statistic, None, flags=("suppressed",))
        for r in records
    ]
    weak = attack(records, leaky, areas)
    assert {(cell[2], true, low, high) for cell, true, low, high in weak} >= {("BU05990101", 4, 4.0, 4.0)}


@pytest.fixture(scope="module")
def demo_wave():
    """A demo-sized synthetic wave of Leefdam (2,000 respondents, fixed seed) with wijkteam clients, analysed with
    disclosure control; and the same records before it."""
    import analysis.run as run_module
    from benchmarks.analysis import demo_buurten
    from demo.synthetic import generate_frame
    from surveys.instruments import load_instruments

    instruments = load_instruments()
    areas, population, buurten = demo_buurten()
    frame = generate_frame(instruments, buurten, 2000, 26)
    rng = np.random.default_rng(26)
    clients = []
    for number in range(160):
        buurt = buurten[int(rng.integers(len(buurten)))][0]
        intake = {domain: int(rng.integers(1, 5)) for domain in ("wonen", "gezondheid")}
        clients.append(
            {
                "client_key": f"c{number}",
                "buurt_code": buurt,
                "wijk_code": "WK" + buurt[2:8],
                "taken_at": "2026-01-10",
                "ratings": intake,
            }
        )
        follow_up = {domain: int(np.clip(value + rng.integers(-1, 3), 1, 5)) for domain, value in intake.items()}
        clients.append(
            {
                "client_key": f"c{number}",
                "buurt_code": buurt,
                "wijk_code": "WK" + buurt[2:8],
                "taken_at": "2026-06-10",
                "ratings": follow_up,
            }
        )
    captured = {}
    original = run_module.apply_disclosure

    def capture(records, areas, **options):
        captured["records"] = list(records)
        return original(records, areas, **options)

    run_module.apply_disclosure = capture
    try:
        result = run_module.run_analysis(
            frame, instruments, population, areas, clients=clients, seed=26, params=run_module.RunParams(themes=False)
        )
    finally:
        run_module.apply_disclosure = original
    return captured["records"], result.records, areas


def test_the_demo_wave_gives_no_suppressed_count_away(demo_wave):
    original, published, areas = demo_wave
    assert any("suppressed" in r.flags for r in published), "the wave has small groups to protect"
    assert any("suppressed_complementary" in r.flags for r in published)
    assert attack(original, published, areas) == []


def test_every_hidden_record_of_the_demo_wave_says_why(demo_wave):
    _, published, _ = demo_wave
    for record in published:
        if "suppressed" in record.flags:
            assert len({"suppressed_small", "suppressed_complementary"} & set(record.flags)) == 1, record
            assert (record.value, record.lower, record.upper, record.n) == (None, None, None, None)


def test_a_wijk_with_100_or_more_respondents_keeps_its_scale_means(demo_wave):
    original, published, _ = demo_wave
    large = {
        (r.instrument, r.area_code)
        for r in original
        if r.measure == "respondents" and r.statistic == "n" and r.area_level == "wijk" and r.n >= 100
    }
    assert large
    lost = [
        (r.instrument, r.measure, r.area_code)
        for r in published
        if (r.instrument, r.area_code) in large and r.statistic == "mean" and "suppressed" in r.flags
    ]
    assert lost == []


def test_secondary_suppression_hides_no_more_cells_than_primary_in_the_demo_wave(demo_wave):
    _, published, _ = demo_wave
    small = {(r.instrument, r.measure, r.area_code) for r in published if "suppressed_small" in r.flags}
    complementary = {(r.instrument, r.measure, r.area_code) for r in published if "suppressed_complementary" in r.flags}
    assert 0 < len(complementary) <= len(small)


def test_when_milp_fails_the_greedy_fallback_still_gives_nothing_away(monkeypatch):
    import types

    import analysis.disclosure as disclosure

    monkeypatch.setattr(disclosure, "milp", lambda *args, **kwargs: types.SimpleNamespace(status=1, x=None))
    buurten = {
        "BU05990101": {"not_lonely": 40, "moderate": 4, "severe": 3},
        "BU05990102": {"not_lonely": 40, "moderate": 25, "severe": 12},
        "BU05990201": {"not_lonely": 50, "moderate": 30, "severe": 20},
        "BU05990202": {"not_lonely": 45, "moderate": 35, "severe": 0},
    }
    areas = area_table(list(buurten))
    records = banded(summed(buurten))
    published = disclosure.apply_disclosure(records, areas)
    assert attack(records, published, areas) == []
    assert ("djg:severe", "BU05990101") in {(r.measure, r.area_code) for r in published if "suppressed" in r.flags}


def test_when_milp_fails_on_the_demo_wave_the_audited_fallback_gives_nothing_away(demo_wave, monkeypatch):
    # without its closing audit the greedy fallback leaks here (the parents' loneliness bands)
    import types

    import analysis.disclosure as disclosure

    original, _, areas = demo_wave
    monkeypatch.setattr(disclosure, "milp", lambda *args, **kwargs: types.SimpleNamespace(status=1, x=None))
    published = disclosure.apply_disclosure(original, areas)
    assert attack(original, published, areas) == []


@pytest.fixture(scope="module")
def demo_inputs():
    """The demo wave's respondents (2,000, fixed seed) and what run_analysis needs beside them."""
    from benchmarks.analysis import demo_buurten
    from demo.synthetic import generate_frame
    from surveys.instruments import load_instruments

    instruments = load_instruments()
    areas, population, buurten = demo_buurten()
    return generate_frame(instruments, buurten, 2000, 26), instruments, population, areas


def test_model_estimates_reveal_nothing_of_a_suppressed_buurts_answers(demo_inputs):
    """Every published model figure is the same whatever the residents of a suppressed buurt answered: the model
    sees only published direct figures, and a suppressed buurt gets the synthetic estimate (analysis.smallarea)."""
    import analysis.run as run_module
    from analysis.records import MODEL

    frame, instruments, population, areas = demo_inputs
    params = run_module.RunParams(themes=False, types=False)
    first = run_module.run_analysis(frame, instruments, population, areas, seed=26, params=params)
    hidden = {
        r.area_code
        for r in first.records
        if r.instrument == "youth" and r.measure == "respondents" and "suppressed_small" in r.flags
    }
    rows = (frame["instrument"] == "youth") & frame["buurt_code"].isin(hidden)
    assert hidden and rows.sum() > 0, "the wave has small buurten to protect"
    # the suppressed buurten's residents answer as residents elsewhere did: other scores, same counts
    items = [
        column for column in frame.columns if column not in META_COLUMNS and pd.api.types.is_float_dtype(frame[column])
    ]
    donors = frame.index[(frame["instrument"] == "youth") & ~frame["buurt_code"].isin(hidden)]
    altered = frame.copy()
    chosen = np.random.default_rng(3).choice(donors, size=int(rows.sum()), replace=False)
    for column in items:  # the scored items
        altered.loc[rows, column] = frame.loc[chosen, column].to_numpy()
    second = run_module.run_analysis(altered, instruments, population, areas, seed=26, params=params)

    def figures(result, flag):
        return {
            (r.area_code, r.instrument, r.measure, r.statistic): (r.value, r.lower, r.upper, r.n, r.flags)
            for r in result.records
            if (MODEL in r.flags) == flag
        }

    # the change shows in published direct figures (the wijken of the hidden buurten), so the test can fail
    assert figures(first, False) != figures(second, False)
    model, again = figures(first, True), figures(second, True)
    assert model and model.keys() == again.keys()
    for key, (value, lower, upper, n, flags) in model.items():
        # equal up to rounding: the direct figures of other buurten are computed around the column's overall mean,
        # which moves their last bits (1e-14) when any answer changes, and the REML search stops within its
        # tolerance at a point that such bits can shift (1e-9 relative, up to 2e-8 absolute near a bound of 0); a
        # published figure shows 1 or 2 decimals, and a suppressed group's answers would move it by far more
        assert again[key][3:] == (n, flags), key
        np.testing.assert_allclose(again[key][:3], (value, lower, upper), rtol=1e-6, atol=1e-6, err_msg=str(key))
    for (area, instrument, _, _), (_, _, _, n, flags) in model.items():
        if instrument == "youth" and area in hidden:
            assert "synthetic" in flags and n is None
    # what the council's pages make of them (council.indicators.evaluate: the indicator tables, output beside outcome
    # and the buurt map, which fills a buurt without a figure of its own by its model estimate's status) is the same
    targets = {  # the municipality's published figures of the first run, for both
        r.measure: r.value
        for r in first.records
        if r.area_level == "municipality" and r.instrument == "youth" and r.statistic.endswith("_weighted")
    }
    shown, shown_again = _council_view(first.records, targets), _council_view(second.records, targets)
    assert shown.keys() == shown_again.keys()
    assert any(area in hidden and model is not None for (area, _), (_, _, model) in shown.items())
    for key, (status, model_status, model) in shown.items():
        assert shown_again[key][:2] == (status, model_status), key
        if model is None:
            assert shown_again[key][2] is None, key
            continue
        assert shown_again[key][2][3] == model[3], key
        np.testing.assert_allclose(shown_again[key][2][:3], model[:3], rtol=1e-6, atol=1e-6, err_msg=str(key))
        if key[0] in hidden:
            assert "synthetic" in model[3], key  # only an estimate without the buurt's own answers


def _council_view(records: list[ProfileRecord], targets: dict[str, float | None]) -> dict:
    """Per buurt and youth scale or band: an indicator's status, its model estimate's status and the model estimate
    as the council's pages show them, against a target per measure (none where it is None)."""
    from datetime import date
    from types import SimpleNamespace

    from council.indicators import evaluate
    from council.snapshots import Figure, WaveProfile
    from models import Direction, Indicator, IndicatorKind, Target

    figures = {
        (r.area_code, r.instrument, r.measure, r.statistic): Figure(r.value, r.lower, r.upper, r.n, frozenset(r.flags))
        for r in records
    }
    gm = next(r.area_code for r in records if r.area_level == "municipality")
    wave: Any = SimpleNamespace(opens_on=date(2026, 1, 1), municipality=SimpleNamespace(code=gm))
    profile = WaveProfile(wave=wave, run=cast(Any, None), figures=figures)
    shown = {}
    for area, instrument, measure, statistic in figures:
        if instrument != "youth" or not area.startswith("BU") or statistic not in ("mean", "share"):
            continue
        target = targets.get(measure)
        indicator = Indicator(
            kind=IndicatorKind.scale_mean if statistic == "mean" else IndicatorKind.band_share,
            instrument=instrument,
            measure=measure,
            direction=Direction.higher_is_better,
            targets=[] if target is None else [Target(year=2026, area_code=gm, value=target)],
        )
        found = evaluate(indicator, profile, area)
        model = found.model
        shown[(area, measure)] = (
            found.status,
            found.model_status,
            None if model is None else (model.value, model.lower, model.upper, model.flags),
        )
    return shown
