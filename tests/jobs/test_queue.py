"""The job queue: runs started on the staff pages are done by `flask worker` (a real huey consumer in a process of
its own), can be cancelled, go one at a time per wave, and survive a worker killed half-way; on Redis as on SQLite."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import func, select

from demo.cli import add_synthetic_respondents
from extensions import db
from models import AnalysisRun, ProfileSnapshot, Role, RunStatus, Theme
from tests.backends import one_database
from tests.forms import main_form
from tests.staff import log_in, make_staff
from tests.workers import Worker, wait_for

pytestmark = pytest.mark.slow

RESPONDENTS = 120  # a tiny wave: the analysis takes a few seconds


@pytest.fixture
def analyst_page(app, demo_wave):
    add_synthetic_respondents(demo_wave, RESPONDENTS, seed=3)
    client = app.test_client()
    log_in(client, make_staff(Role.analyst))
    return client


def start(client, wave):
    form = main_form(client.get("/staff/analysis/").get_data(as_text=True))
    return client.post(
        "/staff/analysis/", data={"csrf_token": form.fields["csrf_token"][0], "wave": str(wave.id), "seed": "0"}
    )


def started_run(client, wave) -> int:
    answer = start(client, wave)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return int(answer.headers["Location"].rstrip("/").split("/")[-1])


def cancel(client, run_id: int):
    form = main_form(client.get(f"/staff/analysis/runs/{run_id}").get_data(as_text=True))
    return client.post(f"/staff/analysis/runs/{run_id}/cancel", data={"csrf_token": form.fields["csrf_token"][0]})


def run_of(run_id: int):
    return lambda: db.session.get(AnalysisRun, run_id)


def stored(run_id: int) -> int:
    return (
        db.session.execute(
            select(func.count()).select_from(ProfileSnapshot).where(ProfileSnapshot.run_id == run_id)
        ).scalar_one()
        + db.session.execute(select(func.count()).select_from(Theme).where(Theme.run_id == run_id)).scalar_one()
    )


def finished(run: AnalysisRun) -> bool:
    return run.status in (RunStatus.succeeded, RunStatus.failed)


def running(run: AnalysisRun) -> bool:
    return run.status is not RunStatus.queued


def test_a_queued_run_cancelled_from_its_page_is_skipped_by_the_worker(app, analyst_page, demo_wave, tmp_path):
    run_id = started_run(analyst_page, demo_wave)  # no worker yet: the run waits in the queue
    page = analyst_page.get(f"/staff/analysis/runs/{run_id}").get_data(as_text=True)
    assert f'action="/staff/analysis/runs/{run_id}/cancel"' in page
    assert cancel(analyst_page, run_id).status_code == 302
    page = analyst_page.get(f"/staff/analysis/runs/{run_id}").get_data(as_text=True)
    assert "Gestopt" in page and "/cancel" not in page and "data-job-watch" not in page
    worker = Worker(app, tmp_path / "worker.log").start()
    try:
        # the wave is free again: the next run is done, the cancelled one never began
        again = wait_for(run_of(started_run(analyst_page, demo_wave)), finished, worker)
        assert again.status is RunStatus.succeeded, again.error
    finally:
        worker.stop()
    cancelled = db.session.get(AnalysisRun, run_id)
    assert cancelled.status is RunStatus.failed and cancelled.cancel_requested_at is not None
    assert cancelled.attempts == 0 and cancelled.started_at is None and stored(run_id) == 0


def test_a_running_run_cancelled_from_its_page_stops_before_its_next_stage_and_stores_nothing(
    app, analyst_page, demo_wave, worker
):
    run_id = started_run(analyst_page, demo_wave)
    wait_for(run_of(run_id), running, worker)
    assert cancel(analyst_page, run_id).status_code == 302
    run = wait_for(run_of(run_id), finished, worker)
    assert run.status is RunStatus.failed and run.cancel_requested_at is not None, run.error
    assert run.stage != "stored" and stored(run_id) == 0
    assert "Gestopt" in analyst_page.get(f"/staff/analysis/runs/{run_id}").get_data(as_text=True)


def test_cancelling_is_written_to_the_audit_log_and_a_finished_run_cannot_be_cancelled(app, analyst_page, demo_wave):
    from models import AuditEvent

    run_id = started_run(analyst_page, demo_wave)
    cancel(analyst_page, run_id)
    assert (
        db.session.scalar(
            select(AuditEvent.action).where(AuditEvent.target_id == str(run_id)).order_by(AuditEvent.id.desc()).limit(1)
        )
        == "analysis_cancelled"
    )
    again = cancel(analyst_page, run_id)
    assert again.status_code == 302
    assert "niet meer bezig" in analyst_page.get(again.headers["Location"]).get_data(as_text=True)


def test_a_wave_has_one_analysis_at_a_time(app, analyst_page, demo_wave):
    first = started_run(analyst_page, demo_wave)
    refused = start(analyst_page, demo_wave)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and f"Analyse {first} van deze meetronde is nog niet klaar" in html
    assert 'id="error-summary"' in html
    result = app.test_cli_runner().invoke(args=["analyse", "--wave", demo_wave.name])
    assert result.exit_code != 0 and "one analysis of a wave at a time" in result.output
    assert db.session.scalar(select(func.count()).select_from(AnalysisRun)) == 1


def test_a_worker_killed_during_a_run_stores_nothing_and_the_next_worker_does_the_run_again(
    app, analyst_page, demo_wave, worker, tmp_path
):
    run_id = started_run(analyst_page, demo_wave)
    wait_for(run_of(run_id), running, worker)
    worker.kill()
    run = wait_for(run_of(run_id), lambda run: True)
    assert run.status is RunStatus.running, "the run ended before the worker was killed: nothing was tested"
    assert stored(run_id) == 0
    second = Worker(app, tmp_path / "second.log").start()
    try:
        run = wait_for(run_of(run_id), finished, second)
        assert f"analysis run {run_id}: queued again" in second.output()
    finally:
        second.stop()
    assert run.status is RunStatus.succeeded and run.attempts == 2 and stored(run_id) > 0
    assert "the worker stopped during the analysis" in run.error


def test_a_run_whose_worker_was_killed_once_too_often_fails_with_the_reason(
    app, analyst_page, demo_wave, worker, tmp_path
):
    run_id = started_run(analyst_page, demo_wave)
    wait_for(run_of(run_id), running, worker)
    worker.kill()
    second = Worker(app, tmp_path / "second.log", JOB_RETRIES="0").start()
    try:
        run = wait_for(run_of(run_id), finished, second)
    finally:
        second.stop()
    assert run.status is RunStatus.failed and run.error == "the worker stopped during the analysis"
    assert stored(run_id) == 0
    page = analyst_page.get(f"/staff/analysis/runs/{run_id}").get_data(as_text=True)
    assert "the worker stopped during the analysis" in page and "Mislukt" in page


@one_database
def test_a_run_is_done_on_redis_as_on_sqlite(app, demo_wave, tmp_path):
    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required (REQUIRE_REDIS=1) but not reachable: {error}")
        pytest.skip(f"Redis not reachable at {url}: {error}")
    from runs.service import create_run, start_in_background
    from tests.conftest import make_app

    add_synthetic_respondents(demo_wave, RESPONDENTS, seed=3)
    db.session.commit()
    on_redis = make_app(app.config["SQLALCHEMY_DATABASE_URI"], JOB_QUEUE_URL=url)
    assert type(on_redis.extensions["jobs"].huey).__name__ == "RedisHuey"
    with on_redis.app_context():
        run = create_run(db.session.get(type(demo_wave), demo_wave.id), 0, None)
        start_in_background(run)
        run_id = run.id
        db.session.remove()
        on_redis.extensions["jobs"].huey.storage.conn.close()
    worker = Worker(on_redis, tmp_path / "worker.log").start()
    try:
        run = wait_for(run_of(run_id), finished, worker)
    finally:
        worker.stop()
    assert run.status is RunStatus.succeeded, run.error
    assert stored(run_id) > 0


def test_a_run_that_works_longer_than_the_time_limit_fails_with_the_reason_and_is_not_retried(
    app, analyst_page, demo_wave, worker, monkeypatch
):
    monkeypatch.setitem(app.config, "JOB_TIME_LIMIT", 0.001)  # the limit goes with the task, set when it is queued
    try:
        run = wait_for(run_of(started_run(analyst_page, demo_wave)), finished, worker)
    finally:
        worker.stop()
    assert run.status is RunStatus.failed and run.attempts == 1 and stored(run.id) == 0
    assert "the job worked longer than its time limit of 0.001 seconds" in run.error


def test_a_run_that_waited_in_the_queue_too_long_fails_with_the_reason_and_frees_the_wave(
    app, analyst_page, demo_wave, monkeypatch, tmp_path
):
    monkeypatch.setitem(app.config, "JOB_EXPIRES", 0.001)  # expired long before any worker starts
    run_id = started_run(analyst_page, demo_wave)
    worker = Worker(app, tmp_path / "worker.log").start()
    try:
        run = wait_for(run_of(run_id), finished, worker)
    finally:
        worker.stop()
    assert run.status is RunStatus.failed and run.attempts == 0 and stored(run_id) == 0
    assert "waited in the queue longer than JOB_EXPIRES" in run.error
    monkeypatch.setitem(app.config, "JOB_EXPIRES", 3600)
    assert start(analyst_page, demo_wave).status_code == 302


def test_a_run_whose_queue_cannot_be_reached_fails_with_the_reason_instead_of_a_500(app, demo_wave, tmp_path):
    from runs.service import create_run, start_in_background
    from tests.conftest import make_app

    unreachable = make_app(app.config["SQLALCHEMY_DATABASE_URI"], JOB_QUEUE_URL="redis://127.0.0.1:1/0")
    with unreachable.app_context():
        run = create_run(db.session.get(type(demo_wave), demo_wave.id), 0, None)
        start_in_background(run)
        run_id = run.id
        db.session.remove()
    run = wait_for(run_of(run_id), lambda run: True)
    assert run.status is RunStatus.failed and "the job queue could not be reached" in run.error


@one_database
def test_a_worker_reads_the_language_resources_when_it_starts_not_at_its_first_analysis(app, tmp_path):
    worker = Worker(app, tmp_path / "worker.log", JOB_PRELOAD_LANGUAGES="1").start()
    try:
        deadline = time.monotonic() + 240  # a bound for a hung worker, not a claim about speed
        while "language resources read" not in worker.output() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.stop()
    assert "language resources read" in worker.output()
