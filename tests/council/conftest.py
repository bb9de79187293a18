"""Fixtures for the council views: a demo wave analysed by the real analysis."""
from __future__ import annotations

import pytest

from demo.cli import add_synthetic_respondents
from runs.snapshots import latest_run

RESPONDENTS = 400


@pytest.fixture
def analysed(app, demo_wave):
    """The demo wave with synthetic respondents, analysed once from the command line; returns the run."""
    add_synthetic_respondents(demo_wave, RESPONDENTS, seed=2)
    result = app.test_cli_runner().invoke(args=["analyse", "--wave", demo_wave.name, "--seed", "5"])
    assert result.exit_code == 0, result.output
    return latest_run(demo_wave)
