"""Import jobs: a file of responses uploaded by an analyst, checked and stored by the job worker (jobs/)."""

from __future__ import annotations

import enum

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from models.accounts import User
from models.jobs import JobState
from models.survey import Wave
from models.types import value_enum


class ImportStatus(enum.Enum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"  # the rows were stored (with skip_invalid: the valid ones)
    failed = "failed"  # nothing was stored: the report says which rows and columns, or `error` what went wrong


class ImportJob(JobState, Model):
    """One import of an uploaded file. The file waits in the instance folder while the job is queued or running and
    is deleted when it ends; what is kept is the outcome (counts and problems), never the file's content."""

    __tablename__ = "import_job"
    __table_args__ = (CheckConstraint("progress BETWEEN 0 AND 100", name="progress_is_a_percentage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    instrument: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded: its suffix says CSV or XLSX
    encoding: Mapped[str] = mapped_column(String(20), default="utf-8")
    skip_invalid: Mapped[bool] = mapped_column(Boolean, default=False)
    # the file's random name in the instance folder while it waits; None once deleted
    upload: Mapped[str | None] = mapped_column(String(80))
    locale: Mapped[str] = mapped_column(String(5), default="nl")  # the language of the report's messages
    status: Mapped[ImportStatus] = mapped_column(value_enum(ImportStatus, "import_status"), default=ImportStatus.queued)
    report: Mapped[dict] = mapped_column(JSON, default=dict)  # exchange.jobs.JobReport as a dict

    wave: Mapped[Wave] = relationship()
    started_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ImportJob {self.id} wave={self.wave_id} {self.instrument} {self.status.value}>"
