"""Indicators against targets: which figure an indicator reads, which target applies, and the status at its edges."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from council.indicators import Status, evaluate, figure_key, status, target_for
from council.snapshots import Figure, WaveProfile
from models import Direction, Indicator, IndicatorKind, Target

HIGHER, LOWER = Direction.higher_is_better, Direction.lower_is_better


def figure(value, lower=None, upper=None, n=100, *flags) -> Figure:
    return Figure(value=value, lower=lower, upper=upper, n=n, flags=frozenset(flags))


def cohesion_indicator() -> Indicator:
    """The mean of social cohesion among adults, with a target of 6.0 for the municipality in 2026."""
    return Indicator(
        kind=IndicatorKind.scale_mean,
        instrument="adult",
        measure="cohesion",
        direction=HIGHER,
        targets=[Target(year=2026, area_code="GM9001", value=6.0)],
    )


@pytest.mark.parametrize(
    ("lower", "upper", "direction", "expected"),
    [
        (6.1, 6.5, HIGHER, Status.on_target),  # the whole interval above the target
        (5.5, 5.9, HIGHER, Status.off_target),  # the whole interval below it
        (5.8, 6.2, HIGHER, Status.undecided),  # the interval contains it
        (6.0, 6.4, HIGHER, Status.undecided),  # touching the target is not clearly above it
        (5.6, 6.0, HIGHER, Status.undecided),  # nor clearly below
        (5.5, 5.9, LOWER, Status.on_target),  # lower is better: below the target is good
        (6.1, 6.5, LOWER, Status.off_target),
        (5.6, 6.0, LOWER, Status.undecided),
    ],
)
def test_status_is_clear_only_when_the_whole_interval_lies_on_one_side_of_the_target(lower, upper, direction, expected):
    assert status(figure((lower + upper) / 2, lower, upper), 6.0, direction) is expected


def test_a_point_estimate_above_target_with_a_wide_interval_is_not_called_on_target():
    assert status(figure(6.4, 5.2, 7.6, 12, "indicative"), 6.0, HIGHER) is Status.undecided


def test_status_without_a_figure_a_target_or_an_interval():
    assert status(None, 6.0, HIGHER) is Status.no_data
    assert status(figure(None, n=None), 6.0, HIGHER) is Status.no_data
    assert status(figure(6.5, 6.1, 6.9), None, HIGHER) is Status.no_target
    assert status(figure(9.0), 6.0, HIGHER) is Status.undecided  # no interval: never clear


def test_a_suppressed_figure_is_suppressed_whatever_the_target():
    assert status(figure(None, None, None, None, "suppressed"), 6.0, HIGHER) is Status.suppressed
    assert status(figure(None, None, None, None, "suppressed"), None, HIGHER) is Status.suppressed


def test_each_kind_of_indicator_reads_its_own_statistic():
    mean = Indicator(kind=IndicatorKind.scale_mean, instrument="adult", measure="cohesion")
    band = Indicator(kind=IndicatorKind.band_share, instrument="adult", measure="djg:not_lonely")
    improved = Indicator(kind=IndicatorKind.improved_share, instrument="wijkteam", measure="overall")
    assert figure_key(mean) == ("adult", "cohesion", "mean")
    assert figure_key(band) == ("adult", "djg:not_lonely", "share")
    assert figure_key(improved) == ("wijkteam", "overall:improved", "share")


def test_a_wave_is_judged_against_the_target_of_its_own_year_the_wijk_s_own_before_the_municipality_s():
    targets = [
        Target(year=2026, area_code="GM9001", value=6.0),
        Target(year=2028, area_code="GM9001", value=6.5),
        Target(year=2028, area_code="WK900103", value=5.5),
    ]
    assert target_for(targets, "WK900100", "GM9001", 2026).value == 6.0
    assert target_for(targets, "WK900100", "GM9001", 2027) is None  # a later year's target is not yet due
    assert target_for(targets, "WK900103", "GM9001", 2028).value == 5.5  # its own target comes first
    assert target_for(targets, "WK900103", "GM9001", 2026).value == 6.0  # else the municipality's of that year
    assert target_for(targets, "GM9001", "GM9001", 2026).value == 6.0
    assert target_for(targets, "WK900100", "GM9001", 2025) is None  # before the first target year


def test_evaluate_holds_the_area_s_figure_against_the_target_for_the_wave_s_year():
    wave = SimpleNamespace(opens_on=date(2026, 1, 1), municipality=SimpleNamespace(code="GM9001"))
    profile = WaveProfile(
        wave=wave,
        run=None,
        figures={
            ("WK900100", "adult", "cohesion", "mean"): figure(5.4, 5.1, 5.7),
            ("WK900101", "adult", "cohesion", "mean"): figure(None, None, None, None, "suppressed"),
        },
    )
    indicator = cohesion_indicator()
    low = evaluate(indicator, profile, "WK900100")
    assert low.status is Status.off_target and low.target.value == 6.0 and low.figure.value == 5.4
    assert evaluate(indicator, profile, "WK900101").status is Status.suppressed
    assert evaluate(indicator, profile, "WK900102").status is Status.no_data


def test_the_stored_profile_of_a_real_run_is_read_with_its_flags(analysed, demo_wave):
    profile = WaveProfile.load(demo_wave)
    assert profile.run.id == analysed.id
    municipal = profile.get("GM9001", "adult", "respondents", "n")
    assert municipal.value == analysed.counts["adult"] and not municipal.suppressed
    suppressed = [key for key, found in profile.figures.items() if found.suppressed]
    assert suppressed and all(profile.figures[key].value is None for key in suppressed)
    wijken = WaveProfile.load(demo_wave, levels=["wijk"])
    assert {area for area, *_ in wijken.figures} <= {d.code for d in demo_wave.municipality.districts}


def test_a_buurt_without_a_solid_figure_of_its_own_carries_its_model_estimate_with_a_status_of_its_own():
    wave = SimpleNamespace(opens_on=date(2026, 1, 1), municipality=SimpleNamespace(code="GM9001"))
    suppressed = figure(None, None, None, None, "suppressed", "suppressed_small")
    synthetic = figure(6.6, 6.2, 7.0, None, "model", "synthetic")
    composite = figure(5.6, 5.2, 5.9, 24, "model")
    profile = WaveProfile(
        wave=wave,
        run=None,
        figures={
            ("BU90010001", "adult", "cohesion", "mean"): suppressed,
            ("BU90010001", "adult", "cohesion", "mean_model"): synthetic,
            ("BU90010002", "adult", "cohesion", "mean"): figure(5.5, 4.9, 6.1, 24, "indicative"),
            ("BU90010002", "adult", "cohesion", "mean_model"): composite,
            ("BU90010003", "adult", "cohesion", "mean"): figure(5.4, 5.1, 5.7, 80),
            ("BU90010003", "adult", "cohesion", "mean_model"): figure(5.45, 5.2, 5.7, 80, "model"),
            ("BU90010004", "adult", "cohesion", "mean_model"): synthetic,  # nobody answered there
            # a snapshot that breaks the rule: a composite estimate beside a suppressed figure could be solved for it
            ("BU90010005", "adult", "cohesion", "mean"): suppressed,
            ("BU90010005", "adult", "cohesion", "mean_model"): composite,
            ("WK900100", "adult", "cohesion", "mean"): figure(5.5, 4.9, 6.1, 24, "indicative"),
        },
    )
    indicator = cohesion_indicator()
    hidden = evaluate(indicator, profile, "BU90010001")
    # the direct figure keeps its own status: the model estimate stands beside it, never in its place
    assert hidden.status is Status.suppressed and hidden.figure is suppressed
    assert hidden.model is synthetic and hidden.model_status is Status.on_target
    thin = evaluate(indicator, profile, "BU90010002")
    assert thin.status is Status.undecided and thin.model is composite and thin.model_status is Status.off_target
    solid = evaluate(indicator, profile, "BU90010003")
    assert solid.model is None and solid.model_status is None
    assert evaluate(indicator, profile, "BU90010004").model is synthetic
    assert evaluate(indicator, profile, "BU90010005").model is None
    assert evaluate(indicator, profile, "WK900100").model is None  # wijken have no model estimate
    profile.figures[("BU90010001", "wijkteam", "overall:improved", "share")] = suppressed
    profile.figures[("BU90010001", "wijkteam", "overall:improved", "share_model")] = synthetic
    improved = Indicator(kind=IndicatorKind.improved_share, instrument="wijkteam", measure="overall", direction=HIGHER)
    assert evaluate(improved, profile, "BU90010001").model is None  # the change of clients has no model
