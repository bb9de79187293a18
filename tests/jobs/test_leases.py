"""Several workers on one queue (one per application server): a job is taken up again only when its worker's
heartbeat stopped for JOB_LEASE, by one worker, and an attempt that was taken over stores nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from demo.cli import add_synthetic_respondents
from extensions import db
from jobs.tasks import beat, holding, recover_interrupted
from models import AnalysisRun, ProfileSnapshot, RunStatus
from models.types import utcnow
from runs.service import RunSuperseded, create_run, execute_run


@pytest.fixture
def running_run(app, demo_wave, monkeypatch):
    """A run that a worker claimed (attempt 1) and is executing."""
    monkeypatch.setitem(app.config, "JOB_LEASE", 60.0)
    run = create_run(demo_wave, seed=0, user=None)
    run.status, run.task_id, run.attempts, run.heartbeat_at = RunStatus.running, "task-1", 1, utcnow()
    db.session.commit()
    return run


def test_a_run_with_a_recent_heartbeat_is_left_to_its_worker(app, running_run):
    assert recover_interrupted() == []
    db.session.refresh(running_run)
    assert running_run.status is RunStatus.running and running_run.error is None


def test_a_run_whose_heartbeat_is_older_than_the_lease_is_queued_again_once(app, running_run):
    running_run.heartbeat_at = utcnow() - timedelta(seconds=61)
    db.session.commit()
    assert recover_interrupted() == [f"analysis run {running_run.id}: queued again"]
    assert recover_interrupted() == []  # a second worker looking a moment later finds nothing to take up
    db.session.refresh(running_run)
    assert running_run.status is RunStatus.queued and "the worker stopped" in running_run.error
    assert running_run.task_id != "task-1"  # a new task: the old one is ignored if it ever comes back


def test_the_heartbeat_is_renewed_for_the_jobs_a_worker_holds_and_no_others(app, running_run):
    old = utcnow() - timedelta(seconds=61)
    running_run.heartbeat_at = old
    db.session.commit()
    beat()
    db.session.refresh(running_run)
    assert running_run.heartbeat_at == old  # not held by this process
    with holding(AnalysisRun, running_run.id):
        beat()
    db.session.refresh(running_run)
    assert running_run.heartbeat_at > old
    assert recover_interrupted() == []


def test_an_attempt_taken_over_by_another_worker_stores_nothing_and_leaves_the_run_alone(app, demo_wave):
    add_synthetic_respondents(demo_wave, 60, seed=4)
    run = create_run(demo_wave, seed=0, user=None)
    run.task_id, run.attempts = "task-1", 1
    db.session.commit()
    run_id = run.id

    def taken_over(stage: str, percent: int) -> None:
        if stage == "quotes":  # the last stage: the check before storing is what stops it
            # this worker's heartbeat was late: another worker queued the run again and claimed attempt 2
            db.session.execute(update(AnalysisRun).where(AnalysisRun.id == run_id).values(attempts=2))
            db.session.commit()

    with pytest.raises(RunSuperseded):
        execute_run(db.session.get(AnalysisRun, run_id), taken_over)
    run = db.session.get(AnalysisRun, run_id, populate_existing=True)
    assert run.status is RunStatus.running and run.attempts == 2 and run.error is None
    assert db.session.scalar(select(func.count()).select_from(ProfileSnapshot)) == 0
