"""Residents who did not know their neighbourhood count for the municipality only, and their answers stay hidden."""

from __future__ import annotations

import pytest

from analysis.disclosure import apply_disclosure
from analysis.frames import area_table, is_unplaced, place_unknown, respondents_frame, unplaced_code
from analysis.run import RunParams, run_analysis
from demo.synthetic import generate
from tests.analysis.conftest import as_records
from tests.analysis.test_disclosure_attack import MIN_N, attack, banded, summed

PARAMS = RunParams(themes=False, types=False)


def _wave(instruments, buurten, unplaced: int):
    """600 synthetic respondents, of whom the first `unplaced` did not know their neighbourhood."""
    records = as_records(generate(instruments, buurten, 600, seed=5))
    adults = [record for record in records if record["instrument"] == "adult"]
    for record in adults[:unplaced]:
        record["buurt_code"] = record["wijk_code"] = None
    return respondents_frame(records)


def _n(records, area: str, measure: str = "respondents") -> int | None:
    return next(r.n for r in records if r.instrument == "adult" and r.measure == measure and r.area_code == area)


def test_a_few_residents_without_a_neighbourhood_are_left_out_of_every_figure(instruments, buurten, leefdam):
    areas, population = leefdam
    placed = run_analysis(_wave(instruments, buurten, 0), instruments, population, areas, params=PARAMS)
    wave = _wave(instruments, buurten, MIN_N - 1)
    result = run_analysis(wave, instruments, population, areas, params=PARAMS)
    municipality = str(areas.index[areas["level"] == "municipality"][0])
    # the municipality minus its wijken would show the answers of these nine people: they are in no figure
    assert _n(result.records, municipality) == _n(placed.records, municipality) - (MIN_N - 1)
    assert not any(is_unplaced(record.area_code) for record in result.records)


def test_enough_residents_without_a_neighbourhood_count_for_the_municipality_and_no_wijk(instruments, buurten, leefdam):
    areas, population = leefdam
    placed = run_analysis(_wave(instruments, buurten, 0), instruments, population, areas, params=PARAMS)
    result = run_analysis(_wave(instruments, buurten, 25), instruments, population, areas, params=PARAMS)
    municipality = str(areas.index[areas["level"] == "municipality"][0])
    assert _n(result.records, municipality) == _n(placed.records, municipality)
    wijken = areas.index[areas["level"] == "wijk"]
    assert sum(_n(result.records, wijk) or 0 for wijk in wijken) < sum(_n(placed.records, wijk) or 0 for wijk in wijken)
    # their stand-in wijk took part in disclosure control and left no record of its own
    assert not any(is_unplaced(record.area_code) for record in result.records)


def test_the_stand_in_wijk_is_a_child_of_the_municipality_only_when_needed(leefdam):
    areas, _ = leefdam
    municipality = str(areas.index[areas["level"] == "municipality"][0])
    frame = respondents_frame(
        [{"response_id": i, "instrument": "adult", "buurt_code": None, "wijk_code": None} for i in range(MIN_N)]
        + [{"response_id": 99, "instrument": "youth", "buurt_code": None, "wijk_code": None}]
    )
    kept, with_stand_in = place_unknown(frame, areas, MIN_N)
    code = unplaced_code(municipality)
    assert list(kept["response_id"]) == list(range(MIN_N))  # one young person alone is left out
    assert set(kept["wijk_code"]) == {code}
    assert with_stand_in.loc[code, "parent"] == municipality and with_stand_in.loc[code, "level"] == "wijk"
    assert place_unknown(frame.iloc[:0], areas, MIN_N)[1] is areas


@pytest.mark.parametrize(
    "unplaced_bands",
    [
        {"low": 12, "mid": 3, "high": 0},  # a band few of them are in
        {"low": 4, "mid": 5, "high": 6},  # every band small
    ],
)
def test_what_residents_without_a_neighbourhood_answered_cannot_be_computed_back(unplaced_bands):
    buurten = {
        "BU05990101": {"low": 20, "mid": 30, "high": 25},
        "BU05990102": {"low": 15, "mid": 40, "high": 22},
        "BU05990201": {"low": 30, "mid": 18, "high": 35},
        "BU05990202": {"low": 25, "mid": 25, "high": 20},
    }
    table = summed(buurten)
    stand_in = unplaced_code("GM0599")
    table[stand_in] = unplaced_bands
    for band, count in unplaced_bands.items():
        table["GM0599"][band] += count
    areas = area_table([*buurten, stand_in])
    original = banded(table)
    published = [r for r in apply_disclosure(original, areas, min_n=MIN_N) if not is_unplaced(r.area_code)]
    # the stand-in's own n and any band of at least the threshold are no small group: only those below must hold
    assert [weak for weak in attack(original, published, areas) if weak[1] < MIN_N] == []
    # the residents with a neighbourhood keep their figures where nothing needs hiding
    assert any(r.area_code == "BU05990101" and r.value is not None for r in published)
