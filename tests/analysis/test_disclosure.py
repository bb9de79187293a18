"""Disclosure control on crafted cells: small groups vanish, and so does whatever would give them away."""

from __future__ import annotations

import pytest

from analysis.disclosure import apply_disclosure
from analysis.frames import area_table
from analysis.records import ProfileRecord


def counts(n_by_area: dict[str, int], instrument: str = "adult") -> list[ProfileRecord]:
    records = []
    for code, n in n_by_area.items():
        level = {"GM": "municipality", "WK": "wijk", "BU": "buurt"}[code[:2]]
        records.append(ProfileRecord(code, level, instrument, "respondents", "n", float(n), n=n))
        records.append(ProfileRecord(code, level, instrument, "cohesion", "mean", 6.0, 5.5, 6.5, n))
    return records


def hidden(records) -> set[str]:
    return {r.area_code for r in records if "suppressed" in r.flags and r.measure == "respondents"}


def test_a_buurt_under_the_threshold_takes_its_smallest_sibling_along():
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
    result = apply_disclosure(records, areas)
    assert hidden(result) == {"BU05990101", "BU05990102"}
    suppressed = next(r for r in result if r.area_code == "BU05990101" and r.measure == "cohesion")
    assert (suppressed.value, suppressed.lower, suppressed.upper, suppressed.n) == (None, None, None, None)
    assert suppressed.flags == ("suppressed", "suppressed_small")
    sibling = next(r for r in result if r.area_code == "BU05990102" and r.measure == "cohesion")
    assert sibling.flags == ("suppressed", "suppressed_complementary")


def test_a_wijk_with_one_buurt_under_the_threshold_is_hidden_with_it():
    areas = area_table(["BU05990101", "BU05990201", "BU05990202"])
    records = counts(
        {"GM0599": 106, "WK059901": 6, "WK059902": 100, "BU05990101": 6, "BU05990201": 50, "BU05990202": 50}
    )
    result = apply_disclosure(records, areas)
    # WK059901 is small itself; hiding it alone would leave it as GM minus WK059902, so the smallest other wijk goes
    # too, and then one of its buurten, or WK059902 would be the sum of its published buurten
    assert {"BU05990101", "WK059901", "WK059902"} <= hidden(result)
    assert len(hidden(result) & {"BU05990201", "BU05990202"}) == 1
    assert "GM0599" not in hidden(result)


def test_an_only_buurt_that_is_hidden_hides_its_wijk():
    areas = area_table(["BU05990101", "BU05990201", "BU05990301"])
    records = counts(
        {
            "GM0599": 48,
            "WK059901": 8,
            "WK059902": 20,
            "WK059903": 20,
            "BU05990101": 8,
            "BU05990201": 20,
            "BU05990301": 20,
        }
    )
    assert {"BU05990101", "WK059901"} <= hidden(apply_disclosure(records, areas))


def test_two_buurten_one_suppressed_suppresses_the_other():
    areas = area_table(["BU05990101", "BU05990102", "BU05990201", "BU05990202"])
    records = counts(
        {
            "GM0599": 140,
            "WK059901": 59,
            "WK059902": 81,
            "BU05990101": 9,
            "BU05990102": 50,
            "BU05990201": 40,
            "BU05990202": 41,
        }
    )
    assert hidden(apply_disclosure(records, areas)) == {"BU05990101", "BU05990102"}


def bands(n: int, counts_by_band: dict[str, int], area: str = "GM0599") -> list[ProfileRecord]:
    level = "municipality" if area.startswith("GM") else "buurt"
    return [ProfileRecord(area, level, "adult", "respondents", "n", float(n), n=n)] + [
        ProfileRecord(area, level, "adult", f"djg:{band}", "share", count / n, 0.0, 1.0, n)
        for band, count in counts_by_band.items()
    ]


def test_a_small_band_forces_a_second_band_so_it_cannot_be_recomputed_from_n():
    areas = area_table(["BU05990101"])
    result = apply_disclosure(bands(100, {"not_lonely": 60, "moderate": 36, "severe": 4}), areas)
    shown = {r.measure: r.value for r in result if r.measure.startswith("djg:") and r.area_code == "GM0599"}
    assert shown["djg:severe"] is None and shown["djg:moderate"] is None
    assert shown["djg:not_lonely"] == pytest.approx(0.6)


def test_bands_summing_to_n_with_an_empty_band_show_the_zero():
    areas = area_table(["BU05990101"])
    result = apply_disclosure(bands(100, {"not_lonely": 60, "moderate": 40, "severe": 0}), areas)
    shown = {r.measure: r.value for r in result if r.measure.startswith("djg:") and r.area_code == "GM0599"}
    assert shown == {"djg:not_lonely": 0.6, "djg:moderate": 0.4, "djg:severe": 0.0}


def test_estimates_from_fewer_than_30_are_indicative_and_min_n_is_a_parameter():
    areas = area_table(["BU05990101", "BU05990102"])
    records = counts({"GM0599": 45, "WK059901": 45, "BU05990101": 20, "BU05990102": 25})
    result = apply_disclosure(records, areas)
    assert all("indicative" in r.flags for r in result if r.area_code.startswith("BU"))
    assert not any(r.flags for r in result if r.area_code == "GM0599")
    assert hidden(apply_disclosure(records, areas, min_n=21)) == {"BU05990101", "BU05990102"}


def weighted(n_by_area: dict[str, int], effective: dict[str, float]) -> list[ProfileRecord]:
    """counts() of a weighted run: per area its weighted mean and a band's weighted share, each on n answers, and
    the effective n (analysis.profiles) that the weights leave of the scale's answers and of the respondents."""
    records = counts(n_by_area)
    w = ("weighted",)
    for code, n in n_by_area.items():
        level = {"GM": "municipality", "WK": "wijk", "BU": "buurt"}[code[:2]]
        records += [
            ProfileRecord(code, level, "adult", "cohesion", "mean_weighted", 6.1, 5.5, 6.7, n, ("weighted",)),
            ProfileRecord(code, level, "adult", "cohesion", "effective_n", effective[code], n=n, flags=("weighted",)),
            # the bands' scale has no mean here: their effective n is the area's respondents'
            ProfileRecord(code, level, "adult", "respondents", "effective_n", effective[code], n=n, flags=w),
            ProfileRecord(code, level, "adult", "djg:severe", "share", 0.5, 0.3, 0.7, n),
            ProfileRecord(code, level, "adult", "djg:severe", "share_weighted", 0.5, 0.3, 0.7, n, ("weighted",)),
            ProfileRecord(code, level, "adult", "djg:other", "share", 0.5, 0.3, 0.7, n),
            ProfileRecord(code, level, "adult", "djg:other", "share_weighted", 0.5, 0.3, 0.7, n, ("weighted",)),
        ]
    return records


def test_a_weighted_estimate_is_indicative_by_its_effective_n_and_suppression_stays_on_the_real_n():
    areas = area_table(["BU05990101", "BU05990102"])
    # 35 respondents with a design effect of 2 are worth 17.5: indicative; 40 with 1.2 are worth 33: not
    n = {"GM0599": 75, "WK059901": 75, "BU05990101": 35, "BU05990102": 40}
    effective = {"GM0599": 60.0, "WK059901": 60.0, "BU05990101": 17.5, "BU05990102": 33.3}
    result = apply_disclosure(weighted(n, effective), areas)

    def flags(area: str, measure: str, statistic: str) -> tuple[str, ...]:
        return next(r for r in result if (r.area_code, r.measure, r.statistic) == (area, measure, statistic)).flags

    for measure, statistic in (("cohesion", "mean_weighted"), ("djg:severe", "share_weighted")):
        assert "indicative" in flags("BU05990101", measure, statistic), measure
        assert "indicative" not in flags("BU05990102", measure, statistic), measure
    # the unweighted figures rest on 35 and 40 answers of their own
    assert "indicative" not in flags("BU05990101", "cohesion", "mean")
    assert "indicative" not in flags("BU05990101", "djg:severe", "share")
    # an effective n below the threshold of suppression hides nothing: 12 people are 12 people, however weighted
    small = apply_disclosure(weighted(n, {**effective, "BU05990101": 8.0}), areas)
    assert not hidden(small)
    shown = next(r for r in small if (r.area_code, r.statistic) == ("BU05990101", "mean_weighted"))
    assert shown.value == 6.1 and "indicative" in shown.flags
