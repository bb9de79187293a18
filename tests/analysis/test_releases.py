"""Several releases of one wave: a new release is held back where it would let a few residents be worked out beside an
earlier one, and an attacker with linear programming over the changes between releases that are allowed pins no
group of newcomers smaller than the threshold."""

from __future__ import annotations

import numpy as np

from analysis.disclosure import apply_disclosure
from analysis.frames import area_table, parent_code
from analysis.records import ProfileRecord
from analysis.releases import release_conflicts
from tests.analysis.test_disclosure import counts
from tests.analysis.test_disclosure_attack import MIN_N, attack

BUURTEN = ["BU05990101", "BU05990102", "BU05990103", "BU05990201", "BU05990202", "BU05990203"]


def with_areas(buurten: dict[str, int]) -> dict[str, int]:
    """Buurt counts with their wijken and the municipality added up."""
    table = dict(buurten)
    for code, n in buurten.items():
        for parent in ("WK" + code[2:8], "GM" + code[2:6]):
            table[parent] = table.get(parent, 0) + n
    return table


def shown(records: list[ProfileRecord]) -> dict[tuple[str, str, str, str], int]:
    return {
        (r.area_code, r.instrument, r.measure, r.statistic): r.n
        for r in records
        if r.value is not None and r.n is not None and "suppressed" not in r.flags
    }


def parents(codes) -> dict[str, str | None]:
    return {code: parent_code(code) for code in codes}


def release(buurten: dict[str, int]) -> tuple[list[ProfileRecord], list[ProfileRecord]]:
    records = counts(with_areas(buurten))
    return records, apply_disclosure(records, area_table(BUURTEN))


def conflicts(first: dict[str, int], second: dict[str, int]):
    _, one = release(first)
    _, two = release(second)
    return release_conflicts({1: shown(one)}, shown(two), parents(with_areas(second)), MIN_N)


FIRST = {"BU05990101": 40, "BU05990102": 35, "BU05990103": 50, "BU05990201": 30, "BU05990202": 45, "BU05990203": 38}


def test_one_new_resident_holds_back_the_release_that_would_give_their_scores():
    second = {**FIRST, "BU05990102": 36}
    found = conflicts(FIRST, second)
    # n2·m2 - n1·m1 in the buurt, its wijk and the municipality would be that one resident's score
    assert {(c.area_code, c.measure) for c in found if not c.beyond_parts} >= {
        ("BU05990102", "cohesion"),
        ("WK059901", "cohesion"),
        ("GM0599", "cohesion"),
    }
    assert all(abs(c.change) == 1 for c in found)


def test_an_erased_resident_holds_back_the_release_as_well():
    found = conflicts(FIRST, {**FIRST, "BU05990203": 37})
    assert found and {c.change for c in found} == {-1}


def test_growth_by_the_threshold_everywhere_it_shows_is_released():
    second = {**FIRST, "BU05990102": 35 + MIN_N, "BU05990201": 30 + 12}
    assert conflicts(FIRST, second) == []


def test_an_unchanged_wave_is_released_again():
    assert conflicts(FIRST, dict(FIRST)) == []


def test_a_small_change_hidden_in_a_suppressed_buurt_is_found_beyond_the_shown_buurten():
    first = {**FIRST, "BU05990103": 4}  # hidden (small), with a sibling hidden beside it
    second = {**FIRST, "BU05990103": 6, "BU05990101": 40 + MIN_N}
    found = conflicts(first, second)
    assert any(c.area_code == "WK059901" for c in found)


def test_a_release_is_compared_with_every_earlier_release():
    _, one = release(FIRST)
    _, two = release({**FIRST, "BU05990101": 52})
    _, three = release({**FIRST, "BU05990101": 55})  # 15 beyond the first, 3 beyond the second
    found = release_conflicts({1: shown(one), 2: shown(two)}, shown(three), parents(with_areas(FIRST)), MIN_N)
    assert found and {c.earlier_run for c in found} == {2}


def change_records(before: list[ProfileRecord], after: list[ProfileRecord], known: bool) -> list[ProfileRecord]:
    """The change between two releases as records with n = residents in between: every cell (the truth), or only
    the cells both releases show (what the attacker knows)."""
    first, second = ({(r.area_code, r.measure): r for r in records} for records in (before, after))
    records = []
    for key, record in second.items():
        earlier = first.get(key)
        if known and (
            earlier is None or record.n is None or earlier.n is None or record.value is None or earlier.value is None
        ):
            continue
        n = (record.n or 0) - (earlier.n or 0 if earlier is not None else 0)
        records.append(
            ProfileRecord(
                record.area_code, record.area_level, record.instrument, record.measure, record.statistic, float(n), n=n
            )
        )
    return records


def test_an_attacker_with_every_allowed_pair_of_releases_pins_no_small_group_of_newcomers():
    rng = np.random.default_rng(7)
    areas = area_table(BUURTEN)
    held = released = 0
    for _ in range(60):
        first = {code: int(rng.integers(0, 60)) for code in BUURTEN}
        second = {code: n + int(rng.choice([0, 0, 0, 1, 3, 10, 12, 25])) for code, n in first.items()}
        truth_one, one = release(first)
        truth_two, two = release(second)
        if release_conflicts({1: shown(one)}, shown(two), parents(with_areas(second)), MIN_N):
            held += 1
            continue
        released += 1
        known = change_records(one, two, known=True)
        assert all(r.n == 0 or r.n >= MIN_N for r in known), (first, second)
        pinned = attack(change_records(truth_one, truth_two, known=False), known, areas)
        # a group of newcomers as large as the threshold may be known, as a shown figure of that size may
        assert [weak for weak in pinned if weak[1] < MIN_N] == [], (first, second)
    assert held and released  # both outcomes were tried
