"""Fixtures for the council views: a demo wave analysed by the real analysis, and a small outcome framework."""
from __future__ import annotations

import pytest

from demo.cli import add_synthetic_respondents
from extensions import db
from models import Direction, Indicator, IndicatorKind, Outcome, Target
from runs.snapshots import latest_run

RESPONDENTS = 400


@pytest.fixture
def analysed(app, demo_wave):
    """The demo wave with synthetic respondents, analysed once from the command line; returns the run."""
    add_synthetic_respondents(demo_wave, RESPONDENTS, seed=2)
    result = app.test_cli_runner().invoke(args=["analyse", "--wave", demo_wave.name, "--seed", "5"])
    assert result.exit_code == 0, result.output
    return latest_run(demo_wave)


@pytest.fixture
def outcome(demo_wave) -> Outcome:
    """One outcome with a scale-mean and a band-share indicator, each with a municipal target for the wave's year."""
    year = demo_wave.opens_on.year
    outcome = Outcome(municipality=demo_wave.municipality, name="Inwoners voelen zich verbonden", position=0)
    outcome.indicators = [
        Indicator(name="Sociale samenhang", kind=IndicatorKind.scale_mean, instrument="adult", measure="cohesion",
                  direction=Direction.higher_is_better, position=0,
                  targets=[Target(year=year, area_code=demo_wave.municipality.code, value=6.0)]),
        Indicator(name="Niet eenzaam", kind=IndicatorKind.band_share, instrument="adult", measure="djg:not_lonely",
                  direction=Direction.higher_is_better, position=1,
                  targets=[Target(year=year, area_code=demo_wave.municipality.code, value=0.2)]),
    ]
    db.session.add(outcome)
    db.session.commit()
    return outcome
