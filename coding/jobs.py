"""Coding a large wave as a job on the queue: a wave with more answers than CODING_JOB_ANSWERS takes too long for a
web request (100,000 answers: about 40 seconds and 800 MB), so the page queues a job and follows its progress; an
analyst can stop it. The job replaces the wave's earlier coding in the transaction that ends it: a job stopped or
killed half-way leaves the earlier coding whole.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from coding.service import code_wave
from config import DEFAULT_LANGUAGE
from extensions import db
from models import Codebook, Job, JobKind, User, Wave


def coding_key(codebook: Codebook, wave: Wave) -> str:
    return f"coding:{codebook.id}:{wave.id}"


def as_job(answers: int) -> bool:
    """Whether coding this many answers is a job on the queue rather than part of the request."""
    return answers > int(current_app.config["CODING_JOB_ANSWERS"])


def active_coding(codebook: Codebook, wave: Wave) -> Job | None:
    return db.session.scalars(select(Job).where(Job.active_key == coding_key(codebook, wave))).one_or_none()


def start_coding(codebook: Codebook, wave: Wave, user: User | None, locale: str = DEFAULT_LANGUAGE) -> Job:
    """Queue the coding of the wave, or give the coding job of it that is queued or working already."""
    key = coding_key(codebook, wave)
    working = active_coding(codebook, wave)
    if working is not None:
        return working
    from jobs.queue import start_job

    params = {"codebook_id": codebook.id, "lang": locale}  # the language of a refusal's reason
    job = start_job(JobKind.wave_coding, wave.id, key, user.id if user is not None else None, params)
    # None: the same coding was asked for at the same moment, and that job does it
    return job or db.session.scalars(select(Job).where(Job.active_key == key)).one()


def cancel_coding(job: Job, user: User | None) -> bool:
    """Stop a queued or working coding job (the caller commits): a queued one ends at once, a working one before its
    next stage, storing nothing (jobs.tasks.cancel_job). False when it had ended already."""
    from jobs.tasks import cancel_job

    codebook_id = job.params.get("codebook_id")
    return cancel_job(job, user, "coding_cancelled", "codebook", codebook_id, wave=job.wave_id)


def code_wave_job(job: Job, progress: Callable[[str, int], None]) -> dict:
    """The job's work: code every answer of the wave (added, not committed: the job's end commits it)."""
    codebook = db.session.get(Codebook, job.params["codebook_id"])
    wave = db.session.get(Wave, job.wave_id)
    if codebook is None or wave is None:
        raise ValueError("the codebook or the wave was deleted")
    actor = db.session.get(User, job.started_by_id) if job.started_by_id is not None else None
    with force_locale(job.params.get("lang", DEFAULT_LANGUAGE)):
        summary = code_wave(codebook, wave, actor=actor, via="job", progress=progress)
    return {"total": summary.total, "low_confidence": summary.low_confidence}
