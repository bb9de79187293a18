"""What every row of a job on the queue holds besides its own fields, and the row of the jobs that need no table of
their own (a report built as a PDF, the coding of a large wave)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model
from models.types import UTCDateTime, utcnow, value_enum


class JobState:
    """Progress for the job's page, the queue's task that executes it, its attempts and heartbeat, its times, and a
    request to stop it."""

    stage: Mapped[str | None] = mapped_column(String(40))
    progress: Mapped[int] = mapped_column(Integer, default=0)  # 0..100, shown while the job works
    error: Mapped[str | None] = mapped_column(Text)
    # the queue's task that executes it (jobs/): a task of another row or database is ignored
    task_id: Mapped[str | None] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # executions begun
    # renewed by the worker while it executes the job: a running job without a recent one lost its worker
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # someone asked to stop it: a queued job stops at once, a running one before its next stage or batch; with
    # status failed it is a cancelled job, which stored nothing
    cancel_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JobKind(enum.Enum):
    report_pdf = "report_pdf"  # a council report built as a PDF and stored (council.report_jobs)
    wave_coding = "wave_coding"  # every answer of a large wave coded with a codebook (coding.jobs)


class JobStatus(enum.Enum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"  # nothing was stored; `error` says why (with cancel_requested_at: cancelled)


ACTIVE = (JobStatus.queued, JobStatus.running)


class Job(JobState, Model):
    """A job on the queue other than an analysis run or an import: its kind, its parameters (ids and the reader's
    language and role, never a response), and its outcome. `active_key` is the job's key while it is queued or
    running and empty once it ended: the database lets one job at a time do the same work (one build of a report)."""

    __tablename__ = "job"
    __table_args__ = (CheckConstraint("progress BETWEEN 0 AND 100", name="progress_is_a_percentage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[JobKind] = mapped_column(value_enum(JobKind, "job_kind"))
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    active_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(value_enum(JobStatus, "job_status"), default=JobStatus.queued)
    result: Mapped[dict] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind.value} {self.key} {self.status.value}>"
