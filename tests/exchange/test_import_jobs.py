"""Imports run as background jobs: the request saves the upload privately and returns at once, the job worker
imports it (all or nothing, as before) with progress, and the job's page shows the outcome; the file is then gone."""

from __future__ import annotations

import io
import stat
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from exchange.jobs import JobReport, create_import_job, execute_import, upload_path
from extensions import db
from models import ImportJob, ImportStatus, Response
from models.types import utcnow
from surveys.registry import get_instrument
from tests.exchange.conftest import FULL, SPARSE, csv_bytes
from tests.forms import main_form

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _no_upload_outlives_its_test(app):
    # the instance folder is the test session's: a job a test leaves queued must not count in the next test's folder
    yield
    for path in uploads(app):
        path.unlink()


def responses() -> int:
    return db.session.execute(select(func.count()).select_from(Response)).scalar_one()


def uploads(app) -> list[Path]:
    folder = Path(app.instance_path) / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def queued(wave, data: bytes, name: str = "forms.csv", **options) -> ImportJob:
    instrument = get_instrument("adult")
    assert instrument is not None
    job = create_import_job(io.BytesIO(data), name, wave, instrument, **options)
    db.session.commit()
    return job


def upload(client, form, wave, data: bytes):
    """Send the import page's form with `data` as an adult questionnaire's CSV file."""
    fields = {"csrf_token": form.fields["csrf_token"][0], "wave": str(wave.id), "instrument": "adult"}
    fields |= {"encoding": "utf-8", "file": (io.BytesIO(data), "forms.csv")}
    return client.post("/staff/data/import", data=fields, content_type="multipart/form-data")


def wait_until_done(job_id: int) -> ImportJob:
    deadline = time.monotonic() + 240  # a bound on a hung process, not a claim about speed
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh read of what the job's process committed
        job = db.session.get_one(ImportJob, job_id)
        db.session.refresh(job)
        if job.status in (ImportStatus.succeeded, ImportStatus.failed):
            return job
        time.sleep(0.2)
    raise AssertionError(f"import job {job_id} did not finish")


def test_an_upload_is_imported_by_a_background_job_whose_page_shows_the_outcome(app, demo_wave, analyst_client, worker):
    page = analyst_client.get("/staff/data/import")
    form = main_form(page.get_data(as_text=True))
    assert form.selects["encoding"] == ["utf-8", "cp1252", "latin-1"] and form.fields["encoding"] == ["utf-8"]
    answer = upload(analyst_client, form, demo_wave, csv_bytes([FULL, SPARSE]))
    assert answer.status_code == 302
    job_id = int(answer.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert answer.headers["Location"].endswith(f"/staff/data/import/{job_id}")
    job = wait_until_done(job_id)
    assert job.status is ImportStatus.succeeded, (job.error, job.report)
    assert responses() == 2 and uploads(app) == []
    html = analyst_client.get(f"/staff/data/import/{job_id}").get_data(as_text=True)
    assert "forms.csv" in html and "<progress" not in html and "data-job-watch" not in html
    assert 'class="lw-alert lw-alert--success"' in html


def test_the_job_page_shows_progress_and_offers_to_look_again_while_the_job_waits(app, demo_wave, analyst_client):
    job = queued(demo_wave, csv_bytes([FULL]))
    html = analyst_client.get(f"/staff/data/import/{job.id}").get_data(as_text=True)
    assert f'data-job-watch="/staff/data/import/{job.id}"' in html and 'http-equiv="refresh"' not in html
    assert '<progress id="progress" max="100" value="0">' in html
    execute_import(job)


def test_the_upload_waits_in_the_instance_folder_readable_by_the_application_only_until_the_job_ends(app, demo_wave):
    job = queued(demo_wave, csv_bytes([FULL]))
    path = upload_path(job)
    assert path.parent.parent == Path(app.instance_path) and uploads(app) == [path]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    execute_import(job)
    assert uploads(app) == [] and responses() == 1


def test_a_file_with_a_problem_fails_the_job_naming_row_and_column_and_stores_nothing(app, demo_wave, analyst_client):
    job = queued(demo_wave, csv_bytes([FULL, {**SPARSE, "ph_body": "11"}]), locale="en")
    job = execute_import(job)
    assert job.status is ImportStatus.failed and responses() == 0 and uploads(app) == []
    report = JobReport.stored(job)
    assert [(p.row, p.column, p.kind) for p in report.problems] == [(3, "ph_body", "out_of_range")]
    assert report.problems[0].message == "11 is outside the range 0 to 10"  # in the analyst's language
    html = analyst_client.get(f"/staff/data/import/{job.id}").get_data(as_text=True)
    assert "<td>3</td><td>ph_body</td>" in html and 'id="error-summary"' in html


def test_a_job_that_cannot_start_shows_why_and_deletes_the_file(app, demo_wave, analyst_client):
    job = queued(demo_wave, csv_bytes([FULL]), locale="en")
    job.instrument = "withdrawn"
    db.session.commit()
    job = execute_import(job)
    assert job.status is ImportStatus.failed and "withdrawn" in job.error and uploads(app) == []
    html = analyst_client.get(f"/staff/data/import/{job.id}").get_data(as_text=True)
    assert "withdrawn" in html and 'id="error-summary"' in html


def test_progress_goes_up_while_checking_then_storing_then_done(app, demo_wave):
    rows = [{**FULL, "external_id": f"P-{number}"} for number in range(5000)]
    job = queued(demo_wave, csv_bytes(rows))
    seen: list[tuple[str, int]] = []
    job = execute_import(job, lambda stage, percent: seen.append((stage, percent)))
    assert job.status is ImportStatus.succeeded and responses() == 5000
    stages = [stage for stage, _ in seen]
    assert (
        stages[0] == "checking"
        and stages[-2:] == ["storing", "done"]
        and set(stages) == {"checking", "storing", "done"}
    )
    percents = [percent for _, percent in seen]
    assert percents == sorted(percents) and 0 < percents[0] <= 80 and percents[-1] == 100


def test_a_job_of_an_unknown_or_another_s_wave_answers_404(app, demo_wave, analyst_client):
    assert analyst_client.get("/staff/data/import/999").status_code == 404


def test_an_attempt_that_another_worker_took_up_stores_nothing_and_leaves_the_file_to_it(app, demo_wave):
    from exchange.jobs import ImportSuperseded
    from jobs.tasks import recover_interrupted

    job = queued(demo_wave, csv_bytes([{**FULL, "external_id": f"T-{number}"} for number in range(20)]))
    job.task_id, job_id = "first-task", job.id
    db.session.commit()

    def heartbeat_lost(stage: str, percent: int) -> None:
        if stage == "storing":  # checked, not yet stored: another worker sees a heartbeat older than the lease
            db.session.execute(
                update(ImportJob).where(ImportJob.id == job_id).values(heartbeat_at=utcnow() - timedelta(hours=1))
            )
            db.session.commit()
            assert recover_interrupted() == [f"import job {job_id}: queued again"]

    with pytest.raises(ImportSuperseded):
        execute_import(job, heartbeat_lost)
    job = db.session.get_one(ImportJob, job_id)
    assert job.status is ImportStatus.queued and job.task_id != "first-task" and job.finished_at is None
    assert responses() == 0 and uploads(app) == [upload_path(job)]


def test_a_worker_never_takes_up_a_job_it_executes_itself_however_old_its_heartbeat(app, demo_wave):
    from jobs.tasks import holding, recover_interrupted

    job = queued(demo_wave, csv_bytes([FULL]))
    job.task_id, job.status, job.heartbeat_at = "a-task", ImportStatus.running, utcnow() - timedelta(hours=1)
    db.session.commit()
    with holding(ImportJob, job.id):
        assert recover_interrupted() == []
    assert recover_interrupted() == [f"import job {job.id}: queued again"]


def test_an_import_whose_worker_is_killed_stores_nothing_and_is_done_again_by_the_next_worker(
    app, demo_wave, worker, tmp_path
):
    from exchange.jobs import start_import
    from tests.workers import Worker, wait_for

    job = queued(demo_wave, csv_bytes([{**FULL, "external_id": f"K-{number}"} for number in range(5000)]))
    start_import(job)
    job_id = job.id
    wait_for(lambda: db.session.get(ImportJob, job_id), lambda job: job.status is not ImportStatus.queued, worker)
    worker.kill()
    job = wait_for(lambda: db.session.get(ImportJob, job_id), lambda job: True)
    assert job.status is ImportStatus.running, "the import ended before the worker was killed: nothing was tested"
    assert responses() == 0 and len(uploads(app)) == 1  # all or nothing: the file waits for the next attempt
    second = Worker(app, tmp_path / "second.log").start()
    try:
        job = wait_until_done(job_id)
        # the file goes just after the outcome is committed (a commit that fails leaves it for the next attempt)
        wait_for(lambda: uploads(app), lambda files: files == [], second)
    finally:
        second.stop()
    assert job.status is ImportStatus.succeeded and job.attempts == 2, (job.error, second.output())
    assert responses() == 5000


def test_a_file_larger_than_the_import_limit_is_refused_before_it_is_read_and_no_job_is_made(
    app, demo_wave, analyst_client, monkeypatch
):
    form = main_form(analyst_client.get("/staff/data/import?lang=en").get_data(as_text=True))
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1024 * 1024)
    answer = upload(analyst_client, form, demo_wave, csv_bytes([FULL]) + b"x" * (1024 * 1024 + 70 * 1024))
    assert answer.status_code == 413 and "The file is larger than 1 MB." in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0 and uploads(app) == []


def cancel(client, job_id: int):
    form = main_form(client.get(f"/staff/data/import/{job_id}").get_data(as_text=True))
    return client.post(f"/staff/data/import/{job_id}/cancel", data={"csrf_token": form.fields["csrf_token"][0]})


def test_a_waiting_import_stopped_from_its_page_ends_at_once_with_its_file_gone_and_is_audited(
    app, demo_wave, analyst_client
):
    from models import AuditEvent

    job = queued(demo_wave, csv_bytes([FULL]))
    page = analyst_client.get(f"/staff/data/import/{job.id}").get_data(as_text=True)
    assert f'action="/staff/data/import/{job.id}/cancel"' in page
    assert cancel(analyst_client, job.id).status_code == 302
    job = db.session.get_one(ImportJob, job.id, populate_existing=True)
    assert job.status is ImportStatus.failed and job.cancel_requested_at is not None and job.attempts == 0
    assert uploads(app) == [] and job.upload is None and responses() == 0
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == "import_cancelled"
    page = analyst_client.get(f"/staff/data/import/{job.id}").get_data(as_text=True)
    assert "Het importeren is gestopt" in page and "/cancel" not in page and "data-job-watch" not in page
    assert 'id="error-summary"' not in page and "<title>Fout" not in page
    again = cancel(analyst_client, job.id)  # the page was open in another tab: nothing left to stop
    assert "al klaar" in analyst_client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_working_import_stopped_from_its_page_stops_at_its_next_step_and_stores_nothing(
    app, demo_wave, analyst_client
):
    job = queued(demo_wave, csv_bytes([{**FULL, "external_id": f"C-{number}"} for number in range(5000)]))
    job_id = job.id

    def analyst_presses_stop(stage: str, percent: int) -> None:
        if stage == "checking":  # the page, in another request, while the worker checks the rows
            assert cancel(analyst_client, job_id).status_code == 302

    job = execute_import(job, analyst_presses_stop)
    assert job.status is ImportStatus.failed and job.error == "cancelled" and job.stage == "done"
    assert responses() == 0 and uploads(app) == []
    assert "Het importeren is gestopt" in analyst_client.get(f"/staff/data/import/{job_id}").get_data(as_text=True)


def test_a_stopped_import_whose_worker_was_killed_is_not_done_again(app, demo_wave):
    from jobs.tasks import recover_interrupted

    job = queued(demo_wave, csv_bytes([FULL]))
    job.task_id, job.status, job.attempts = "a-task", ImportStatus.running, 1
    job.heartbeat_at, job.cancel_requested_at = utcnow() - timedelta(hours=1), utcnow()
    db.session.commit()
    assert recover_interrupted() == [f"import job {job.id}: failed (cancelled)"]
    assert uploads(app) == [] and db.session.get_one(ImportJob, job.id).status is ImportStatus.failed
