"""What the worker does with a task: execute a run, an import job or another job (a report's PDF, a large wave's
coding) in an app context, try again what may pass the next time, and take up what a killed worker left behind."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterator
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

from accounts import audit
from extensions import db
from jobs.queue import Queue, enqueue, revoke
from models import AnalysisRun, ImportJob, ImportStatus, Job, JobKind, JobStatus, RunStatus, User
from models.jobs import ACTIVE
from models.types import utcnow

logger = logging.getLogger("leefwereld.jobs")

# Failures that the next attempt may not meet: the database or the disk was away for a moment. A failure that is the
# data's (a ValueError of the analysis, a refused import) or the program's would only come back: it is not retried.
TRANSIENT = (OperationalError, InterfaceError, OSError)
WORKER_STOPPED_RUN = "the worker stopped during the analysis"
WORKER_STOPPED_IMPORT = "the worker stopped during the import"
WORKER_STOPPED_JOB = "the worker stopped during the job"
CANCELLED = "cancelled"
_ERROR_LENGTH = 2000

# What a Job of each kind does: "module:function" of (job, progress) -> result, which stores what it made without
# committing (the job's end commits it with the outcome) and calls progress(stage, percent) before it writes.
HANDLERS = {
    JobKind.report_pdf: "council.report_jobs:build_report",
    JobKind.wave_coding: "coding.jobs:code_wave_job",
}
WAITED_TOO_LONG = "the job waited in the queue longer than JOB_EXPIRES and was not started"

# The rows this worker process executes now, whose heartbeat it renews (beat).
_held: set[tuple[type, int]] = set()
_held_lock = threading.Lock()
JobModel = type[AnalysisRun] | type[ImportJob] | type[Job]


@contextmanager
def holding(model: JobModel, row_id: int) -> Iterator[None]:
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
    for model in (AnalysisRun, ImportJob, Job):
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

    @huey.task(name="job", **options)
    def job(job_id: int, task: Task | None = None) -> None:
        with app.app_context():
            try:
                execute_job_task(job_id, task)
            finally:
                db.session.remove()

    @huey.signal(SIGNAL_EXPIRED)
    def expired(signal: str, task: Task, *details: object) -> None:
        with app.app_context():
            try:
                give_up(task, WAITED_TOO_LONG)
            finally:
                db.session.remove()

    return Queue(huey=huey, analysis_run=analysis_run, import_job=import_job, job=job)


def give_up(task: Task, reason: str) -> None:
    """Fail the run, import job or job that still waits for `task`, which will not be done (it waited too long, or
    the queue could not be reached)."""
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
    elif task.name == "job":
        db.session.execute(
            update(Job)
            .where(Job.id == row_id, Job.status == JobStatus.queued, Job.task_id == task.id)
            .values(status=JobStatus.failed, finished_at=utcnow(), active_key=None, error=reason)
        )
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


def _queue_again(model: JobModel, row_id: int, reason: str) -> None:
    queued = {AnalysisRun: RunStatus.queued, ImportJob: ImportStatus.queued, Job: JobStatus.queued}[model]
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

    def abandoned(model: JobModel):
        # a job this process executes is not abandoned, however old its heartbeat: on SQLite a heartbeat can wait
        # behind the job's own long write and arrive with the time it was asked for
        running = {AnalysisRun: RunStatus.running, ImportJob: ImportStatus.running, Job: JobStatus.running}[model]
        return (
            (model.status == running)
            & model.task_id.is_not(None)
            & (model.heartbeat_at.is_(None) | (model.heartbeat_at < cutoff))
            & model.id.not_in([row_id for kind, row_id in held if kind is model])
        )

    def take_up(model: JobModel, row_id: int) -> bool:
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
        if job.cancel_requested_at is None and job.upload and path.exists() and job.attempts <= retries:
            _queue_again(ImportJob, job.id, f"tried again: {WORKER_STOPPED_IMPORT}")
            enqueue(db.session.get_one(ImportJob, job.id))
            done.append(f"import job {job.id}: queued again")
        else:
            fail_job(job, CANCELLED if job.cancel_requested_at else WORKER_STOPPED_IMPORT)
            db.session.commit()
            done.append(f"import job {job.id}: failed ({job.error})")
    for other in db.session.scalars(select(Job).where(abandoned(Job))).all():
        if not take_up(Job, other.id):
            continue
        if other.cancel_requested_at is None and other.attempts <= retries:
            _queue_again(Job, other.id, f"tried again: {WORKER_STOPPED_JOB}")
            enqueue(db.session.get_one(Job, other.id))
            done.append(f"job {other.id}: queued again")
        else:
            _end_job(other.id, CANCELLED if other.cancel_requested_at else WORKER_STOPPED_JOB)
            done.append(f"job {other.id}: failed ({CANCELLED if other.cancel_requested_at else WORKER_STOPPED_JOB})")
    return done


# --- the jobs of the Job table ---------------------------------------------------------------------------------------


def cancel_job(
    job: Job, user: User | None, action: str, target_type: str, target_id: object, **details: object
) -> bool:
    """Ask the queued or working job to stop (the caller commits): a queued one ends at once and its task is skipped,
    a working one stops before its next stage (execute_job) and stores nothing. The first ask is audited as `action`
    on the target. False when the job had ended."""
    if job.status not in ACTIVE:
        return False
    if job.cancel_requested_at is None:
        job.cancel_requested_at = utcnow()
        if job.status is JobStatus.queued:
            job.status, job.finished_at, job.active_key, job.error = JobStatus.failed, utcnow(), None, CANCELLED
            revoke(job.task_id)
        audit.record(action, user, target_type, target_id, **details)
    return True


class JobCancelled(Exception):
    """Someone stopped the job while it worked; raised between its stages, before anything is stored."""


class JobSuperseded(Exception):
    """Another worker took the job up (this worker's heartbeat was late): this attempt stores nothing."""


def handler(kind: JobKind) -> Callable[[Job, Callable[[str, int], None]], dict]:
    module, name = HANDLERS[kind].split(":")
    return getattr(importlib.import_module(module), name)


def _end_job(job_id: int, reason: str) -> None:
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status=JobStatus.failed, finished_at=utcnow(), stage="done", active_key=None)
        .values(error=reason[:_ERROR_LENGTH])
    )
    db.session.commit()


def execute_job_task(job_id: int, task: Task) -> None:
    """Execute the job if it still waits for this task, and end it with its outcome."""
    mine = (Job.id == job_id) & (Job.status == JobStatus.queued) & (Job.task_id == task.id)
    claimed = cast(
        CursorResult,
        db.session.execute(
            update(Job)
            .where(mine, Job.cancel_requested_at.is_(None))
            .values(
                status=JobStatus.running,
                attempts=Job.attempts + 1,
                heartbeat_at=utcnow(),
                started_at=utcnow(),
                stage="started",
                progress=0,
            )
        ),
    ).rowcount
    db.session.commit()
    if not claimed:
        logger.info("job %s: task %s no longer wanted (cancelled, or another database's)", job_id, task.id)
        return
    try:
        with holding(Job, job_id):
            execute_job(db.session.get_one(Job, job_id), lambda stage, percent: check_time_limit(task))
    except JobSuperseded as superseded:
        logger.warning("%s; this attempt stored nothing", superseded)
    except TRANSIENT as error:
        if task.retries:
            _queue_again(Job, job_id, f"tried again after {type(error).__name__}: {error}")
            raise  # huey schedules the retry, after retry_delay (doubled each time)
        logger.exception("job %s failed for good", job_id)
        _end_job(job_id, f"{type(error).__name__}: {error}")


def execute_job(job: Job, on_progress: Callable[[str, int], object] | None = None) -> Job:
    """Do the (running) job's work and commit what it made together with its outcome, only while the job is still
    this attempt's; a job stopped half-way (cancelled, too long, failed, killed) stores nothing. A cancelled job, one
    over its time limit and one that failed end failed with the reason; a passing failure (TRANSIENT) is raised for
    the queue to try again."""
    job_id, attempt, kind = job.id, job.attempts, job.kind
    still_mine = (Job.id == job_id) & (Job.status == JobStatus.running) & (Job.attempts == attempt)

    def progress(stage: str, percent: int) -> None:
        # before the job writes anything: its own short transaction, so that the page sees it
        if on_progress is not None:
            on_progress(stage, percent)
        cancelled = db.session.scalar(select(Job.cancel_requested_at).where(Job.id == job_id))
        if cancelled is not None:
            raise JobCancelled(CANCELLED)
        db.session.execute(update(Job).where(still_mine).values(stage=stage, progress=percent))
        db.session.commit()

    def end(**values: object) -> None:
        ended = cast(
            CursorResult,
            db.session.execute(
                update(Job)
                .where(still_mine)
                .values(finished_at=utcnow(), stage="done", active_key=None, **values)
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        if not ended:
            db.session.rollback()
            raise JobSuperseded(f"job {job_id} was taken up by another worker")
        db.session.commit()

    try:
        result = handler(kind)(job, progress)
    except (JobCancelled, TaskTimeout) as stopped:
        db.session.rollback()
        end(status=JobStatus.failed, error=str(stopped)[:_ERROR_LENGTH])
    except TRANSIENT:
        db.session.rollback()
        raise
    except Exception as error:
        db.session.rollback()
        logger.exception("job %s failed, not retried", job_id)
        end(status=JobStatus.failed, error=_reason(error))
    else:
        end(status=JobStatus.succeeded, progress=100, result=result)
    return db.session.get_one(Job, job_id, populate_existing=True)


def _reason(error: Exception) -> str:
    """A refusal worded for a person (a ValueError such as CodingError) as it is; anything else with its type."""
    reason = str(error) if isinstance(error, ValueError) else ""
    return (reason or f"{type(error).__name__}: {error}")[:_ERROR_LENGTH]
