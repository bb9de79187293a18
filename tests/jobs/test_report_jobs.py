"""A council report's first PDF is a job on the queue: the request queues one build (a second request does not queue
another) and shows a page that says so (its script asks again; it never refreshes itself); `flask worker` builds and
stores it and the next request serves it; a build whose worker was
killed is done again, and a failed build is shown with its reason."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

import council.pdf
from extensions import db
from jobs.queue import queue
from jobs.tasks import WORKER_STOPPED_JOB
from models import AuditEvent, Job, JobKind, JobStatus, Role
from tests.forms import main_form
from tests.staff import log_in, make_staff
from tests.workers import Worker, wait_for

pytestmark = pytest.mark.slow

CENTRUM = "WK900100"
URL = f"/council/report/{CENTRUM}.pdf?lang=en"


@pytest.fixture
def reader(app, analysed):
    """A council member's client, on an empty queue and without stored reports."""
    shutil.rmtree(Path(app.instance_path) / "reports", ignore_errors=True)
    queue().huey.flush()
    client = app.test_client()
    log_in(client, make_staff(Role.council))
    return client


def jobs() -> list[Job]:
    db.session.expire_all()
    return list(db.session.scalars(select(Job).where(Job.kind == JobKind.report_pdf).order_by(Job.id)))


def stored_reports(app) -> list[Path]:
    return list((Path(app.instance_path) / "reports").glob("*.pdf"))


def downloads() -> int:
    downloaded = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "report_downloaded")
    return db.session.scalar(downloaded) or 0


def job_of(job_id: int):
    return lambda: db.session.get(Job, job_id)


def ended(job: Job) -> bool:
    return job.status in (JobStatus.succeeded, JobStatus.failed)


def test_a_pdf_request_queues_one_build_and_a_second_request_does_not_queue_another(app, reader):
    first = reader.get(URL)
    html = first.get_data(as_text=True)
    assert first.status_code == 202 and first.mimetype == "text/html"
    assert 'http-equiv="refresh"' not in html and 'role="status"' in html and "Look again now" in html
    assert f'data-job-watch="/council/report/{CENTRUM}.pdf?wave=' in html and "waiting=1" in html
    assert "The PDF of this report is being made" in html and f'href="/council/report/{CENTRUM}.pdf' in html
    assert len(jobs()) == 1 and queue().huey.pending_count() == 1
    again = reader.get(URL)
    assert again.status_code == 202
    [job] = jobs()
    assert job.status is JobStatus.queued and queue().huey.pending_count() == 1
    # what the worker needs of the request: the address, the language and the reader's role; no answer
    assert job.params["lang"] == "en" and job.params["role"] == "council" and job.params["area"] == CENTRUM
    assert job.params["base_url"] == "http://localhost/"
    assert stored_reports(app) == []


def test_the_worker_builds_and_stores_the_pdf_and_the_next_request_serves_it(app, reader, tmp_path):
    assert reader.get(URL).status_code == 202
    [job] = jobs()
    worker = Worker(app, tmp_path / "worker.log").start()
    try:
        job = wait_for(job_of(job.id), ended, worker)
    finally:
        worker.stop()
    assert job.status is JobStatus.succeeded and job.attempts == 1 and job.active_key is None, job.error
    [path] = stored_reports(app)
    assert job.result["file"] == path.name
    # the waiting page's script learns that the PDF is ready without fetching it (a download is audit-logged once)
    ready = reader.get(f"{URL}&waiting=1")
    assert ready.status_code == 200 and ready.mimetype == "text/html" and "data-job-watch" not in ready.text
    assert "The PDF of this report is ready" in ready.text and downloads() == 0
    served = reader.get(URL)
    assert served.status_code == 200 and served.mimetype == "application/pdf" and served.data.startswith(b"%PDF")
    assert served.data == path.read_bytes() and len(jobs()) == 1 and downloads() == 1


def test_a_build_whose_worker_was_killed_is_queued_again_and_stored_once(app, reader, tmp_path):
    reader.get(URL)
    [job] = jobs()
    worker = Worker(app, tmp_path / "worker.log").start()
    wait_for(job_of(job.id), lambda job: job.status is not JobStatus.queued, worker)
    worker.kill()
    job = wait_for(job_of(job.id), lambda job: True)
    assert job.status is JobStatus.running, "the build ended before the worker was killed: nothing was tested"
    assert stored_reports(app) == []
    waiting = reader.get(URL)
    assert waiting.status_code == 202 and len(jobs()) == 1  # the build is still on its way: no second one
    second = Worker(app, tmp_path / "second.log").start()
    try:
        job = wait_for(job_of(job.id), ended, second)
        assert f"job {job.id}: queued again" in second.output()
    finally:
        second.stop()
    assert job.status is JobStatus.succeeded and job.attempts == 2, job.error
    assert WORKER_STOPPED_JOB in job.error and len(stored_reports(app)) == 1
    assert reader.get(URL).mimetype == "application/pdf"


def test_a_failed_build_is_shown_with_its_reason_and_built_again_only_when_asked(app, reader, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no fonts on this server")

    monkeypatch.setattr(council.pdf, "render_pdf", broken)
    huey = queue().huey
    huey.immediate = True  # the worker's code, in this process: the build fails at once
    try:
        failed = reader.get(URL)
    finally:
        huey.immediate = False
    html = failed.get_data(as_text=True)
    [job] = jobs()
    assert job.status is JobStatus.failed and job.error == "RuntimeError: no fonts on this server"
    assert failed.status_code == 200 and "The PDF could not be made" in html and "no fonts on this server" in html
    assert 'http-equiv="refresh"' not in html and f"/council/report/{CENTRUM}.pdf?wave=" in html
    # looking again shows the reason; it is built again only when asked
    assert "no fonts on this server" in reader.get(URL).get_data(as_text=True) and len(jobs()) == 1
    retried = reader.get(URL + "&again=1")
    assert retried.status_code == 202 and len(jobs()) == 2 and jobs()[-1].status is JobStatus.queued
    assert db.session.scalar(select(func.count()).select_from(Job).where(Job.active_key.is_not(None))) == 1


def test_a_build_that_succeeds_forgets_the_earlier_builds_of_the_same_report_and_keeps_the_others(app, reader):
    earlier = reader.get(URL)  # queued: the first build of this report, in English
    [first] = jobs()
    first.status, first.active_key = JobStatus.failed, None  # as a build that failed
    first_id, key = first.id, first.key
    report = key.rsplit("-", 1)[0]  # the key without its fingerprint
    older = Job(kind=JobKind.report_pdf, wave_id=first.wave_id, key=f"{report}-0ld.pdf", status=JobStatus.succeeded)
    dutch = Job(kind=JobKind.report_pdf, wave_id=first.wave_id, key=report.replace("-en", "-nl") + "-0ld.pdf")
    dutch.status = JobStatus.succeeded
    db.session.add_all([older, dutch])
    db.session.commit()
    dutch_id = dutch.id
    huey = queue().huey
    huey.immediate = True  # the worker's code, in this process
    try:
        built = reader.get(URL + "&again=1")
    finally:
        huey.immediate = False
    assert earlier.status_code == 202 and built.mimetype == "application/pdf"
    [newest, kept] = sorted(jobs(), key=lambda job: job.key != key)
    assert newest.key == key and newest.id > dutch_id and newest.status is JobStatus.succeeded
    assert kept.id == dutch_id  # another language's report keeps its build
    assert db.session.get(Job, first_id) is None


def stop(reader, page: str):
    """Press the waiting page's button that stops the build."""
    form = main_form(page)
    [action] = re.findall(r'action="([^"]*/cancel[^"]*)"', page)
    return reader.post(action.replace("&amp;", "&"), data={"csrf_token": form.fields["csrf_token"][0]})


def test_a_waiting_build_stopped_from_its_page_ends_at_once_and_is_made_again_only_when_asked(app, reader):
    waiting = reader.get(URL).get_data(as_text=True)
    assert queue().huey.pending_count() == 1
    stopped = stop(reader, waiting)
    assert stopped.status_code == 302 and "waiting=1" in stopped.headers["Location"]
    [job] = jobs()
    assert job.status is JobStatus.failed and job.cancel_requested_at is not None and job.active_key is None
    latest = db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1))
    assert latest == "report_build_cancelled"
    html = reader.get(URL).get_data(as_text=True)
    assert "Making the PDF was stopped" in html and "Make the PDF" in html and "again=1" in html
    assert "/cancel" not in html and "data-job-watch" not in html and "<title>Error" not in html
    assert len(jobs()) == 1 and stored_reports(app) == []
    again = reader.get(URL + "&again=1")
    assert again.status_code == 202 and len(jobs()) == 2 and jobs()[-1].status is JobStatus.queued


def test_a_build_stopped_while_it_works_stores_no_file(app, reader):
    from jobs.tasks import execute_job

    waiting = reader.get(URL).get_data(as_text=True)
    [job] = jobs()
    job.status, job.attempts, job.task_id = JobStatus.running, 1, "task-1"  # as the worker holds it
    db.session.commit()

    def reader_presses_stop(stage: str, percent: int) -> None:
        if stage == "reading":
            assert stop(reader, waiting).status_code == 302

    job = execute_job(job, reader_presses_stop)
    assert job.status is JobStatus.failed and job.error == "cancelled" and stored_reports(app) == []
    assert "Making the PDF was stopped" in reader.get(URL).get_data(as_text=True)
