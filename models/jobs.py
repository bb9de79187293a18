"""What every row of a job on the queue (an analysis run, an import job) holds besides its own fields."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.types import UTCDateTime, utcnow


class JobState:
    """Progress for the job's page, the queue's task that executes it, its attempts and heartbeat, and its times."""

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
