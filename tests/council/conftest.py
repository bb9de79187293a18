"""Fixtures for the council views: no stored reports between tests, and planted figures on the analysed demo wave
(`analysed`: tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_stored_reports():
    """Each test starts without the PDF reports an earlier test stored in the session's instance folder."""
    import os
    import shutil
    from pathlib import Path

    shutil.rmtree(Path(os.environ["INSTANCE_PATH"]) / "reports", ignore_errors=True)


@pytest.fixture(autouse=True)
def _reports_built_at_once(request):
    """A report's PDF is a job on the queue (council.report_jobs); here the queue does its jobs at once (huey's
    immediate mode), so that one request for a PDF gets it. tests/jobs/test_report_jobs.py has the real worker."""
    if "app" not in request.fixturenames:
        yield
        return
    from jobs.queue import queue

    request.getfixturevalue("app")
    huey = queue().huey
    huey.immediate = True
    yield
    huey.immediate = False


@pytest.fixture
def planted(analysed, demo_wave):
    """The analysed demo wave with an indicator on cohesion and a share indicator, a known cohesion mean in Centrum
    and a suppressed one in Oud-West."""
    from extensions import db
    from models import Direction, Indicator, IndicatorKind, Outcome, Target
    from tests.council.test_views import CENTRUM, INDICATOR, OUD_WEST, SHARE_INDICATOR, plant

    year = demo_wave.opens_on.year
    gm = demo_wave.municipality.code
    outcome = Outcome(municipality=demo_wave.municipality, name="Raadstest: verbonden", position=99)
    outcome.indicators = [
        Indicator(
            name=INDICATOR,
            kind=IndicatorKind.scale_mean,
            instrument="adult",
            measure="cohesion",
            direction=Direction.higher_is_better,
            position=0,
            targets=[Target(year=year, area_code=gm, value=6.0)],
        ),
        Indicator(
            name=SHARE_INDICATOR,
            kind=IndicatorKind.band_share,
            instrument="adult",
            measure="djg:not_lonely",
            direction=Direction.higher_is_better,
            position=1,
            targets=[Target(year=year, area_code=gm, value=0.25)],
        ),
    ]
    db.session.add(outcome)
    db.session.commit()
    plant(analysed, CENTRUM, "adult", "cohesion", "mean", 7.26, 6.81, 7.74, 68)
    plant(analysed, OUD_WEST, "adult", "cohesion", "mean", None, flags="suppressed")
    plant(analysed, OUD_WEST, "adult", "djg:not_lonely", "share", None, flags="suppressed")
    return analysed
