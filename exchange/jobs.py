"""Import jobs: an uploaded file waits in the instance folder while the job worker checks and stores it.

A large file takes longer than a web worker may (100,000 rows: more than a minute), so every upload becomes a job:
the web request saves the file and puts the job on the queue (jobs/), and the import page follows the job's
progress as the analysis page follows a run. The import itself is the same all-or-nothing import as on the command
line; the file is deleted when the job ends, whatever the outcome, and only counts and problems are kept.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO, cast

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import CursorResult, select, update

from accounts import audit
from exchange.importer import ImportRefused, ImportReport, Problem, import_responses
from extensions import db
from jobs.queue import revoke
from jobs.tasks import CANCELLED
from models import ImportJob, ImportStatus, User, Wave
from models.types import utcnow
from surveys.instruments import Instrument
from surveys.registry import get_instrument

UPLOAD_FOLDER = "imports"  # in the instance folder: never served, readable by the application's user only
PROBLEMS_KEPT = 1000  # a file where every row is wrong lists the first ones; the count says how many there are
_ERROR_LENGTH = 2000


@dataclass
class JobReport:
    """What a finished job tells the analyst: the import's counts and problems (never a cell of the file)."""

    rows: int = 0
    imported: int = 0
    already_present: int = 0
    dropped_answers: int = 0
    older_than_retention: int = 0
    rejected_count: int = 0
    completed: bool = False
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def of(cls, report: ImportReport) -> JobReport:
        return cls(
            rows=report.rows,
            imported=report.imported,
            already_present=report.already_present,
            dropped_answers=report.dropped_answers,
            older_than_retention=report.older_than_retention,
            rejected_count=report.rejected_count,
            completed=report.completed,
            problem_count=len(report.problems),
            problems=report.problems[:PROBLEMS_KEPT],
        )

    @classmethod
    def stored(cls, job: ImportJob) -> JobReport | None:
        if not job.report:
            return None
        values = dict(job.report)
        values["problems"] = [Problem(**problem) for problem in values.get("problems", [])]
        return cls(**values)

    def as_dict(self) -> dict:
        return asdict(self)


def upload_path(job: ImportJob) -> Path:
    """Where the job's file waits: the instance folder, under a random name."""
    folder = Path(current_app.instance_path) / UPLOAD_FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder / (job.upload or f"job-{job.id}-gone")


def create_import_job(
    stream: BinaryIO,
    filename: str,
    wave: Wave,
    instrument: Instrument,
    *,
    encoding: str = "utf-8",
    skip_invalid: bool = False,
    user: User | None = None,
    locale: str = "nl",
) -> ImportJob:
    """A queued job (added and flushed) with the uploaded file saved privately until the job ends."""
    if instrument.slug not in wave.instrument_slugs:
        raise ImportRefused(
            _(
                "The wave %(wave)s does not offer the questionnaire %(instrument)s.",
                wave=wave.name,
                instrument=instrument.slug,
            )
        )
    job = ImportJob(
        wave=wave,
        instrument=instrument.slug,
        filename=Path(filename).name[:255] or "upload",
        encoding=encoding,
        skip_invalid=skip_invalid,
        locale=locale,
        started_by=user,
        status=ImportStatus.queued,
        stage="queued",
        progress=0,
        report={},
        # random, not the job's number: a number is used again after a database is emptied
        upload=f"{secrets.token_hex(16)}{Path(filename).suffix.lower()[:10]}",
    )
    db.session.add(job)
    db.session.flush()
    # created here, for this job only: readable and writable by the application's user, by no one else
    descriptor = os.open(upload_path(job), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        shutil.copyfileobj(stream, handle, length=1024 * 1024)
    return job


def fail_job(job: ImportJob, reason: str) -> None:
    """The job ends failed with its reason, and its file goes (the caller commits)."""
    upload_path(job).unlink(missing_ok=True)
    job.status, job.finished_at, job.stage, job.upload = ImportStatus.failed, utcnow(), "done", None
    job.error = reason[:_ERROR_LENGTH]


def _set_progress(job_id: int, stage: str, percent: int) -> None:
    # its own short transaction, so that the staff page sees the progress while the import goes on
    db.session.execute(update(ImportJob).where(ImportJob.id == job_id).values(stage=stage, progress=percent))
    db.session.commit()


class ImportCancelled(ImportRefused):
    """The analyst stopped the import while it worked: raised at its next step, before anything is stored."""


class ImportSuperseded(Exception):
    """Another worker took the job up (this worker's heartbeat stopped for longer than JOB_LEASE, so the job was
    counted as abandoned and queued again): this attempt stores nothing and leaves the file to the other one."""


def execute_import(job: ImportJob, on_progress: Callable[[str, int], object] | None = None) -> ImportJob:
    """The body of an import job (jobs.tasks), which commits at its own steps: the page shows them while it works.

    Import the job's file and store the outcome on the job, in one transaction with the imported rows; the file
    is deleted when the job ends, whatever the outcome. Problems in the file make a failed job with its report; an
    unexpected error is stored on the job and raised again. An attempt that another worker took over meanwhile
    stores nothing and raises ImportSuperseded."""
    job_id, path = job.id, upload_path(job)
    job.status, job.started_at, job.stage, job.progress = ImportStatus.running, utcnow(), "checking", 0
    db.session.commit()
    attempt = job.attempts
    still_mine = (ImportJob.id == job_id) & (ImportJob.status == ImportStatus.running) & (ImportJob.attempts == attempt)

    def progress(stage: str, percent: int) -> None:
        _set_progress(job_id, stage, percent)
        if on_progress is not None:
            on_progress(stage, percent)
        if db.session.scalar(select(ImportJob.cancel_requested_at).where(ImportJob.id == job_id)) is not None:
            raise ImportCancelled(CANCELLED)

    def finish(**values: object) -> None:
        # the job's outcome and the imported rows are committed together, and only while the job is this attempt's
        ended = cast(
            CursorResult,
            db.session.execute(
                update(ImportJob)
                .where(still_mine)
                .values(finished_at=utcnow(), stage="done", upload=None, **values)
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        if not ended:
            db.session.rollback()
            raise ImportSuperseded(f"import job {job_id} was taken up by another worker")
        db.session.commit()

    try:
        with force_locale(job.locale):
            instrument = get_instrument(job.instrument)
            if instrument is None:
                raise ImportRefused(
                    _("The questionnaire %(instrument)s is no longer offered.", instrument=job.instrument)
                )
            report = JobReport.of(
                import_responses(
                    path,
                    job.filename,
                    job.wave,
                    instrument,
                    skip_invalid=job.skip_invalid,
                    actor=job.started_by,
                    via="web",
                    encoding=job.encoding,
                    progress=progress,
                )
            )
        status = ImportStatus.succeeded if report.completed else ImportStatus.failed
        finish(report=report.as_dict(), status=status, progress=100)
    except ImportSuperseded:
        raise
    except Exception as error:
        db.session.rollback()
        reason = str(error) if isinstance(error, ImportRefused) else f"{type(error).__name__}: {error}"
        finish(status=ImportStatus.failed, error=reason[:_ERROR_LENGTH])
        path.unlink(missing_ok=True)
        if not isinstance(error, ImportRefused):
            raise
        return db.session.get_one(ImportJob, job_id)
    path.unlink(missing_ok=True)
    if on_progress is not None:
        on_progress("done", 100)
    return db.session.get_one(ImportJob, job_id)


def cancel_import(job: ImportJob, user: User | None) -> bool:
    """Stop a queued or working import (the caller commits): a queued one ends at once, its file goes and its task is
    skipped; a working one stops at its next step (every few thousand rows checked, and before storing), storing
    nothing. False when it had ended already."""
    if job.status not in (ImportStatus.queued, ImportStatus.running):
        return False
    if job.cancel_requested_at is None:
        job.cancel_requested_at = utcnow()
        if job.status is ImportStatus.queued:
            fail_job(job, CANCELLED)
            revoke(job.task_id)
        audit.record("import_cancelled", user, "import_job", job.id, wave=job.wave_id)
    return True


def start_import(job: ImportJob) -> None:
    """Commit the job and put it on the job queue: `flask worker` executes it (jobs.tasks)."""
    from jobs.queue import enqueue

    enqueue(job)
