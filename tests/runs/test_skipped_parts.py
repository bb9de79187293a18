"""A part of an analysis run that cannot be done is skipped with its reason; the rest of the run is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from demo.cli import add_synthetic_respondents
from extensions import db
from models import AnalysisRun, Answer, ProfileSnapshot, Role, RunStatus, Theme
from runs.snapshots import latest_run
from tests.staff import log_in, make_staff

RESPONDENTS = 300
POSITIVE_HEALTH = ("ph_body", "ph_mind", "ph_meaning", "ph_quality", "ph_participation", "ph_daily")


@pytest.fixture
def paper_wave(app, demo_wave):
    """The demo wave as imported from paper: the scored scales, but no Positive Health ratings."""
    add_synthetic_respondents(demo_wave, RESPONDENTS, seed=2)
    db.session.execute(delete(Answer).where(Answer.item_id.in_(POSITIVE_HEALTH)))
    db.session.commit()
    return demo_wave


def analyse(app, wave):
    result = app.test_cli_runner().invoke(args=["analyse", "--wave", wave.name, "--seed", "5"])
    assert result.exit_code == 0, result.output
    return result, latest_run(wave)


def test_a_paper_wave_without_positive_health_is_analysed_without_types_and_says_why_on_its_page(app, paper_wave):
    result, run = analyse(app, paper_wave)
    assert run is not None and run.status is RunStatus.succeeded
    assert "skipped" in result.output
    parts = {(note["part"], note["subject"]) for note in run.notes}
    # a questionnaire whose respondents have too few scores gets no types, and says so; before, the run stopped here
    failed = [note for note in run.notes if note["part"] == "types" and note["reason"] == "failed"]
    assert failed and all("too few respondents with scores" in note["detail"] for note in failed)
    assert not {note["subject"] for note in failed} & set(run.types)
    # the scales that were answered are stored, and the Positive Health scales without answers are noted
    measures = set(
        db.session.scalars(
            select(ProfileSnapshot.measure).where(
                ProfileSnapshot.run_id == run.id,
                ProfileSnapshot.instrument == "adult",
                ProfileSnapshot.value.is_not(None),
            )
        )
    )
    assert {"who5", "cohesion"} <= measures
    assert not any(measure.startswith("ph_") for measure in measures)
    assert ("scale", "adult.ph_body") in parts
    assert db.session.scalar(select(func.count()).select_from(Theme).where(Theme.run_id == run.id)) > 0
    # the analysis page lists the skipped parts, in the analyst's language
    client = app.test_client()
    log_in(client, make_staff(Role.analyst))
    for locale, words in (("nl", "Overgeslagen"), ("en", "Skipped")):
        assert words in client.get(f"/staff/analysis/runs/{run.id}?lang={locale}").get_data(as_text=True)


def test_a_question_whose_themes_fail_is_skipped_and_the_others_are_stored(app, demo_wave, monkeypatch):
    import analysis.run

    add_synthetic_respondents(demo_wave, RESPONDENTS, seed=2)
    real = analysis.run.discover_themes
    calls = []

    def failing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        return real(*args, **kwargs)

    monkeypatch.setattr(analysis.run, "discover_themes", failing_once)
    _result, run = analyse(app, demo_wave)
    notes = [note for note in run.notes if note["part"] == "themes"]
    assert len(notes) == 1 and "empty vocabulary" in notes[0]["detail"]
    stored = set(db.session.scalars(select(Theme.question).where(Theme.run_id == run.id)))
    assert notes[0]["subject"] not in stored and len(calls) > 1 and stored
    assert db.session.get(AnalysisRun, run.id).status is RunStatus.succeeded
