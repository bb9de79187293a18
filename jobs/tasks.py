"""What the worker does with a task: execute a run or an import job in an app context, try again what may pass the
next time, and take up what a killed worker left behind."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import cast

from flask import Flask, current_app
from huey import Huey
from huey.api import Task
from huey.exceptions import RetryTask, TaskTimeout
from huey.signals import SIGNAL_EXPIRED
from sqlalchemy import CursorResult, exists, select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import aliased

from extensions import db
from jobs.queue import Queue, enqueue
from models import AnalysisRun, ImportJob, ImportStatus, RunStatus
from models.types import utcnow

logger = logging.getLogger("leefwereld.jobs")

# Failures that the next attempt may not meet: the database or the disk was away for a moment. A failure that is the
# data's (a ValueError of the analysis, a refused import) or the program's would only come back: it is not retried.
TRANSIENT = (OperationalError, InterfaceError, OSError)
WORKER_STOPPED_RUN = "the worker stopped during the analysis"
WORKER_STOPPED_IMPORT = "the worker stopped during the import"
WAITED_TOO_LONG = "the job waited in the queue longer than JOB_EXPIRES and was not started"

# The rows this worker process executes now, whose heartbeat it renews (beat).
_held: set[tuple[type, int]] = set()
_held_lock = threading.Lock()


@contextmanager
def holding(model: type[AnalysisRun] | type[ImportJob], row_id: int) -> Iterator[None]:
    with _held_lock:
        _held.add((model, row_id))
    try:
        yield
    finally:
        with _held_lock:
            _held.discard((model, row_id))


def beat() -> None:
    """Renew the heartbeat of every job this process executes: they are not abandoned."""
    with _held_lock:
        held = list(_held)
    for model in (AnalysisRun, ImportJob):
        ids = [row_id for kind, row_id in held if kind is model]
        if ids:
            db.session.execute(update(model).where(model.id.in_(ids)).values(heartbeat_at=utcnow()))
    db.session.commit()


def register(huey: Huey, app: Flask) -> Queue:
    """The app's tasks on `huey`. huey's `timeout` is the wall-clock limit: a job checks it between stages (thread
    workers cannot be interrupted), `expires` drops a task that waited too long, `retries` with a doubling
    `retry_delay` tries a transient failure again."""
    config = app.config
    options = {
        "retries": config["JOB_RETRIES"],
        "retry_delay": config["JOB_RETRY_DELAY"],
        "retry_backoff": 2,
        "expires": config["JOB_EXPIRES"],
        "timeout": config["JOB_TIME_LIMIT"],
        "context": True,
    }

    @huey.task(name="analysis_run", **options)
    def analysis_run(run_id: int, task: Task | None = None) -> None:
        with app.app_context():
            try:
                execute_run_task(run_id, task)
            finally:
                db.session.remove()

    @huey.task(name="import_job", **options)
    def import_job(job_id: int, task: Task | None = None) -> None:
        with app.app_context():
            try:
                execute_import_task(job_id, task)
            finally:
                db.session.remove()

    @huey.signal(SIGNAL_EXPIRED)
    def expired(signal: str, task: Task, *details: object) -> None:
        with app.app_context():
            try:
                give_up(task, WAITED_TOO_LONG)
            finally:
                db.session.remove()

    return Queue(huey=huey, analysis_run=analysis_run, import_job=import_job)


def give_up(task: Task, reason: str) -> None:
    """Fail the run or import job that still waits for `task`, which will not be done (it waited too long, or the
    queue could not be reached)."""
    from exchange.jobs import fail_job

    row_id = task.args[0]
    if task.name == "analysis_run":
        db.session.execute(
            update(AnalysisRun)
            .where(AnalysisRun.id == row_id, AnalysisRun.status == RunStatus.queued, AnalysisRun.task_id == task.id)
            .values(status=RunStatus.failed, finished_at=utcnow(), error=reason)
        )
    elif task.name == "import_job":
        job = db.session.get(ImportJob, row_id)
        if job is not None and job.status is ImportStatus.queued and job.task_id == task.id:
            fail_job(job, reason)  # an upload never outlives its job
    db.session.commit()


def execute_run_task(run_id: int, task: Task) -> None:
    """Execute the run if it still waits for this task; one run of a wave at a time."""
    from runs.service import RunCancelled, RunSuperseded, execute_run

    other = aliased(AnalysisRun)
    wave_busy = exists().where(
        other.wave_id == AnalysisRun.wave_id, other.status == RunStatus.running, other.id != AnalysisRun.id
    )
    mine = (AnalysisRun.id == run_id) & (AnalysisRun.status == RunStatus.queued) & (AnalysisRun.task_id == task.id)
    claimed = cast(
        CursorResult,
        db.session.execute(
            update(AnalysisRun).where(mine, ~wave_busy).values(attempts=AnalysisRun.attempts + 1, heartbeat_at=utcnow())
        ),
    ).rowcount
    db.session.commit()
    if not claimed:
        if db.session.scalar(select(AnalysisRun.id).where(mine)) is not None:
            # another run of the wave works (started at the same moment): this one waits its turn
            raise RetryTask(delay=current_app.config["JOB_RETRY_DELAY"])
        logger.info("analysis run %s: task %s no longer wanted (cancelled, or another database's)", run_id, task.id)
        return

    def between_stages(stage: str, percent: int) -> None:
        if stage != "stored":  # once stored, committed: nothing to stop any more
            check_time_limit(task)

    try:
        with holding(AnalysisRun, run_id):
            execute_run(db.session.get_one(AnalysisRun, run_id), between_stages)
    except (RunCancelled, TaskTimeout):
        return  # stored on the run; another attempt would end the same way
    except RunSuperseded as superseded:
        logger.warning("%s; this attempt stored nothing", superseded)
        return
    except TRANSIENT as error:
        if task.retries:
            _queue_again(AnalysisRun, run_id, f"tried again after {type(error).__name__}: {error}")
            raise  # huey schedules the retry, after retry_delay
        logger.exception("analysis run %s failed for good", run_id)
    except Exception:
        logger.exception("analysis run %s failed, not retried", run_id)


def check_time_limit(task: Task) -> None:
    """Stop a job that worked longer than JOB_TIME_LIMIT (huey's task timeout), with a reason a person can read."""
    if task.is_timed_out:
        raise TaskTimeout(f"the job worked longer than its time limit of {task.timeout:g} seconds")


def execute_import_task(job_id: int, task: Task) -> None:
    """Execute the import job if it still waits for this task. A failure is not retried: the upload is deleted as
    soon as the job ends (only a killed worker's job still has it: recover_interrupted)."""
    from exchange.jobs import ImportSuperseded, execute_import

    mine = (ImportJob.id == job_id) & (ImportJob.status == ImportStatus.queued) & (ImportJob.task_id == task.id)
    claimed = cast(
        CursorResult,
        db.session.execute(
            update(ImportJob).where(mine).values(attempts=ImportJob.attempts + 1, heartbeat_at=utcnow())
        ),
    ).rowcount
    db.session.commit()
    if not claimed:
        logger.info("import job %s: task %s no longer wanted", job_id, task.id)
        return
    try:
        with holding(ImportJob, job_id):
            execute_import(db.session.get_one(ImportJob, job_id), lambda stage, percent: check_time_limit(task))
    except TaskTimeout:
        return
    except ImportSuperseded as superseded:
        logger.warning("%s; this attempt stored nothing", superseded)
    except Exception:
        logger.exception("import job %s failed", job_id)


def _queue_again(model: type[AnalysisRun] | type[ImportJob], row_id: int, reason: str) -> None:
    queued = RunStatus.queued if model is AnalysisRun else ImportStatus.queued
    db.session.execute(
        update(model)
        .where(model.id == row_id)
        .values(status=queued, stage="queued", progress=0, started_at=None, finished_at=None, error=reason[:2000])
    )
    db.session.commit()


def recover_interrupted() -> list[str]:
    """Runs and import jobs whose worker was killed: running, without a heartbeat for JOB_LEASE seconds. Every worker
    looks for them when it starts and then every half lease, so with one worker per application server the job of
    a killed worker is taken up by another. Their work was one transaction that never committed, so nothing of it
    is stored: each is queued again while it has attempts left, and failed with the reason otherwise. Taking a job
    up is one conditional update, so two workers looking at once take it up once. Says what it did."""
    from exchange.jobs import fail_job, upload_path

    retries, done = int(current_app.config["JOB_RETRIES"]), []
    cutoff = utcnow() - timedelta(seconds=float(current_app.config["JOB_LEASE"]))

    with _held_lock:
        held = list(_held)

    def abandoned(model: type[AnalysisRun] | type[ImportJob]):
        # a job this process executes is not abandoned, however old its heartbeat: on SQLite a heartbeat can wait
        # behind the job's own long write and arrive with the time it was asked for
        running = RunStatus.running if model is AnalysisRun else ImportStatus.running
        return (
            (model.status == running)
            & model.task_id.is_not(None)
            & (model.heartbeat_at.is_(None) | (model.heartbeat_at < cutoff))
            & model.id.not_in([row_id for kind, row_id in held if kind is model])
        )

    def take_up(model: type[AnalysisRun] | type[ImportJob], row_id: int) -> bool:
        # the job is this worker's to queue again or fail, unless another worker took it up a moment ago
        taken = cast(
            CursorResult,
            db.session.execute(update(model).where(model.id == row_id, abandoned(model)).values(heartbeat_at=utcnow())),
        ).rowcount
        db.session.commit()
        return bool(taken)

    for run in db.session.scalars(select(AnalysisRun).where(abandoned(AnalysisRun))).all():
        if not take_up(AnalysisRun, run.id):
            continue
        if run.cancel_requested_at is None and run.attempts <= retries:
            _queue_again(AnalysisRun, run.id, f"tried again: {WORKER_STOPPED_RUN}")
            enqueue(db.session.get_one(AnalysisRun, run.id))
            done.append(f"analysis run {run.id}: queued again")
        else:
            run.status, run.finished_at = RunStatus.failed, utcnow()
            run.error = "cancelled by an analyst" if run.cancel_requested_at else WORKER_STOPPED_RUN
            db.session.commit()
            done.append(f"analysis run {run.id}: failed ({run.error})")
    for job in db.session.scalars(select(ImportJob).where(abandoned(ImportJob))).all():
        if not take_up(ImportJob, job.id):
            continue
        path = upload_path(job)
        if job.upload and path.exists() and job.attempts <= retries:
            _queue_again(ImportJob, job.id, f"tried again: {WORKER_STOPPED_IMPORT}")
            enqueue(db.session.get_one(ImportJob, job.id))
            done.append(f"import job {job.id}: queued again")
        else:
            fail_job(job, WORKER_STOPPED_IMPORT)
            db.session.commit()
            done.append(f"import job {job.id}: failed ({job.error})")
    return done
