"""The app's huey queue, built from its configuration, and how a run, an import job or another job is put on it.

huey needs no service of its own: with JOB_QUEUE_URL empty the queue is a SQLite file in the instance folder (what
`make run` uses); with redis://... it is Redis (production). The rows of AnalysisRun, ImportJob and Job (a report's PDF,
a large wave's coding) hold the state a page shows; a task carries only the row's id and is ignored unless the row
names it (`task_id`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey
from huey.api import Task, TaskWrapper
from sqlalchemy.exc import IntegrityError

from extensions import db
from models import AnalysisRun, ImportJob, Job, JobKind, JobStatus

QUEUE_FILE = "jobs.sqlite3"
logger = logging.getLogger("leefwereld.jobs")


@dataclass(frozen=True)
class Queue:
    huey: Huey
    analysis_run: TaskWrapper
    import_job: TaskWrapper
    job: TaskWrapper


def build_huey(url: str, name: str, instance_path: str) -> Huey:
    """SqliteHuey in the instance folder when `url` is empty, at a path for sqlite:///PATH, RedisHuey for redis://."""
    if not url:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(Path(instance_path) / QUEUE_FILE), results=False)
    if url.startswith("sqlite:///"):
        return SqliteHuey(name, filename=url.removeprefix("sqlite:///"), results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    raise ValueError(f"JOB_QUEUE_URL must be empty, sqlite:///PATH or redis://...; not {url!r}")


def init_queue(app: Flask) -> None:
    """Build the app's queue and its tasks (app.extensions["jobs"])."""
    from jobs.tasks import register

    config = app.config
    huey = build_huey(config["JOB_QUEUE_URL"], config["JOB_QUEUE_NAME"], app.instance_path)
    app.extensions["jobs"] = register(huey, app)


def queue() -> Queue:
    return current_app.extensions["jobs"]


def _limits() -> dict:
    # a task carries its retries and limits: those of the app that queues it, read now (as a test may change them)
    config = current_app.config
    return {
        "retries": int(config["JOB_RETRIES"]),
        "retry_delay": int(config["JOB_RETRY_DELAY"]),
        "expires": float(config["JOB_EXPIRES"]),
        "timeout": float(config["JOB_TIME_LIMIT"]),
    }


def enqueue(job: AnalysisRun | ImportJob | Job) -> None:
    """Put the queued run, import job or job on the queue. An edge of the unit of work: the row and its task id are
    committed first, with everything else the request or command did, as a worker that picks the task up at once
    must find them."""
    tasks = queue()
    if isinstance(job, AnalysisRun):
        wrapper = tasks.analysis_run
    elif isinstance(job, ImportJob):
        wrapper = tasks.import_job
    else:
        wrapper = tasks.job
    task = wrapper.s(job.id, **_limits())
    job.task_id = task.id
    db.session.commit()
    _enqueue(task)


def start_job(kind: JobKind, wave_id: int, key: str, started_by_id: int | None, params: dict) -> Job | None:
    """A new job for the work `key` names, committed and on the queue; None when another request queued one for it a
    moment ago (the unique active key): the caller then gives that one."""
    job = Job(
        kind=kind,
        wave_id=wave_id,
        key=key,
        active_key=key,
        status=JobStatus.queued,
        stage="queued",
        progress=0,
        started_by_id=started_by_id,
        params=params,
        result={},
    )
    db.session.add(job)
    try:
        db.session.commit()  # an edge, as enqueue's: the row must be there for a worker; a clash shows a twin request
    except IntegrityError:
        db.session.rollback()
        return None
    enqueue(job)
    return db.session.get_one(Job, job.id, populate_existing=True)


def _enqueue(task: Task) -> None:
    # a queue that cannot be reached (Redis down) fails the job with the reason on its page, not the request with a 500
    try:
        queue().huey.enqueue(task)
    except Exception as error:
        logger.exception("could not queue %s", task)
        from jobs.tasks import give_up

        give_up(task, f"the job queue could not be reached: {type(error).__name__}: {error}"[:2000])


def revoke(task_id: str | None) -> None:
    """A queued task that the worker must skip (a cancelled run)."""
    if task_id:
        queue().huey.revoke_by_id(task_id, revoke_once=True)
