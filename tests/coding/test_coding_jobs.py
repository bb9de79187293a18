"""Coding a wave above CODING_JOB_ANSWERS is a job on the queue: `flask worker` stores every code once, an analyst
can stop it, and a job killed half-way leaves the earlier coding whole and is done again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

import coding.service
from coding.jobs import start_coding
from coding.service import code_wave, save_labels
from extensions import db
from jobs.queue import queue
from jobs.tasks import execute_job, recover_interrupted
from models import AuditEvent, CodedAnswer, Job, JobStatus
from models.types import utcnow
from tests.coding.conftest import answers_of
from tests.coding.test_labelling import coded_rows, one_label_per_distinct_text, page_url
from tests.forms import main_form
from tests.workers import Worker, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def labelled(app, codebook, answered_wave, analyst):
    """Labels enough to code, and coding the wave is a job (its answers are more than CODING_JOB_ANSWERS)."""
    save_labels(codebook, answered_wave, one_label_per_distinct_text(codebook, answered_wave), actor=analyst)
    queue().huey.flush()
    app.config["CODING_JOB_ANSWERS"] = 10
    yield codebook
    app.config["CODING_JOB_ANSWERS"] = 2000


def code_all(client, codebook, wave):
    form = main_form(client.get(page_url(codebook, wave)).get_data(as_text=True))
    return client.post(
        f"/staff/coding/{codebook.id}/waves/{wave.id}/code", data={"csrf_token": form.fields["csrf_token"][0]}
    )


def started_job(client, codebook, wave) -> int:
    answer = code_all(client, codebook, wave)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert f"/staff/coding/{codebook.id}/waves/{wave.id}/coding/" in answer.headers["Location"]
    return int(answer.headers["Location"].rstrip("/").split("/")[-1])


def job_url(codebook, wave, job_id: int) -> str:
    return f"/staff/coding/{codebook.id}/waves/{wave.id}/coding/{job_id}"


def job_of(job_id: int):
    return lambda: db.session.get(Job, job_id)


def ended(job: Job) -> bool:
    return job.status in (JobStatus.succeeded, JobStatus.failed)


def coded_count() -> int:
    return db.session.execute(select(func.count()).select_from(CodedAnswer)).scalar_one()


def test_a_large_wave_is_coded_by_a_job_that_stores_every_code_once(
    app, analyst_client, labelled, answered_wave, tmp_path
):
    job_id = started_job(analyst_client, labelled, answered_wave)
    assert coded_count() == 0  # nothing coded within the request
    assert started_job(analyst_client, labelled, answered_wave) == job_id  # asked twice: one job
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1
    worker = Worker(app, tmp_path / "worker.log").start()
    try:
        job = wait_for(job_of(job_id), ended, worker)
    finally:
        worker.stop()
    assert job.status is JobStatus.succeeded and job.attempts == 1, job.error
    answers = answers_of(answered_wave)
    rows = coded_rows(labelled, answered_wave)
    assert len(rows) == len(answers) == job.result["total"]
    assert sorted(row[0] for row in rows) == sorted(answers)  # every answer coded, each once
    audited = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "answers_coded")).all()
    assert [event.details["via"] for event in audited] == ["job"]
    page = analyst_client.get(job_url(labelled, answered_wave, job_id) + "?lang=en").get_data(as_text=True)
    assert f"{len(answers)} answers have been coded" in page and "data-job-watch" not in page


def test_a_queued_coding_job_stopped_from_its_page_ends_at_once_and_stores_nothing(
    app, analyst_client, labelled, answered_wave
):
    job_id = started_job(analyst_client, labelled, answered_wave)  # no worker: it waits in the queue
    url = job_url(labelled, answered_wave, job_id)
    page = analyst_client.get(url).get_data(as_text=True)
    assert f'data-job-watch="{url}"' in page and f'action="{url}/cancel"' in page
    form = main_form(page)
    assert analyst_client.post(url + "/cancel", data={"csrf_token": form.fields["csrf_token"][0]}).status_code == 302
    job = db.session.get(Job, job_id)
    assert job.status is JobStatus.failed and job.cancel_requested_at is not None and job.active_key is None
    assert job.attempts == 0 and coded_count() == 0
    page = analyst_client.get(url).get_data(as_text=True)
    assert "Gestopt" in page and "/cancel" not in page and "data-job-watch" not in page
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == "coding_cancelled"
    # the wave is free again: the next coding is a new job
    assert started_job(analyst_client, labelled, answered_wave) != job_id


def claimed(job: Job) -> Job:
    """The job as a worker holds it: running, attempt 1 (jobs.tasks.execute_job_task)."""
    job.status, job.attempts, job.task_id, job.heartbeat_at = JobStatus.running, 1, "task-1", utcnow()
    db.session.commit()
    return job


def test_a_coding_job_stopped_while_it_works_stores_nothing_and_keeps_the_earlier_coding(
    app, labelled, answered_wave, analyst
):
    code_wave(labelled, answered_wave, actor=analyst)
    db.session.commit()
    before = coded_rows(labelled, answered_wave)
    job = claimed(start_coding(labelled, answered_wave, analyst))

    def analyst_presses_stop(stage: str, percent: int) -> None:
        if stage == "coding":
            db.session.execute(update(Job).where(Job.id == job.id).values(cancel_requested_at=utcnow()))
            db.session.commit()

    job = execute_job(job, analyst_presses_stop)
    assert job.status is JobStatus.failed and job.error == "cancelled" and job.stage == "done"
    assert coded_rows(labelled, answered_wave) == before


class Killed(BaseException):
    """The worker's process dies: no handler runs, the transaction is never committed."""


def test_a_coding_job_killed_while_storing_leaves_the_earlier_coding_whole_and_is_done_again(
    app, labelled, answered_wave, analyst, monkeypatch, tmp_path
):
    code_wave(labelled, answered_wave, actor=analyst)
    db.session.commit()
    before = coded_rows(labelled, answered_wave)
    job = claimed(start_coding(labelled, answered_wave, analyst))
    job_id = job.id
    batches = []

    def dies_in_the_second_batch(table):
        batches.append(table)
        if len(batches) == 2:  # the old coding deleted and one batch of the new one written, not committed
            raise Killed
        return insert(table)

    insert = coding.service.insert
    monkeypatch.setattr(coding.service, "_INSERT_BATCH", 50)
    monkeypatch.setattr(coding.service, "insert", dies_in_the_second_batch)
    with pytest.raises(Killed):
        execute_job(job)
    db.session.rollback()  # what the database does with the dead worker's connection
    monkeypatch.undo()
    assert coded_rows(labelled, answered_wave) == before
    db.session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert recover_interrupted() == [f"job {job_id}: queued again"]
    worker = Worker(app, tmp_path / "worker.log").start()
    try:
        job = wait_for(job_of(job_id), ended, worker)
    finally:
        worker.stop()
    assert job.status is JobStatus.succeeded and job.attempts == 2, job.error
    assert len(coded_rows(labelled, answered_wave)) == len(answers_of(answered_wave))
