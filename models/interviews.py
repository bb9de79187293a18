"""Assisted interviews by wijkteam workers: the response, who took it, and the client (as a keyed hash)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from models.accounts import Team, User
from models.survey import Response
from models.types import UTCDateTime, utcnow


class Interview(Model):
    __tablename__ = "interview"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="RESTRICT"), index=True)
    interviewer_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"), index=True)
    # HMAC of the team's own client code: links follow-ups to the intake without the platform knowing who it is
    client_key: Mapped[str] = mapped_column(String(64), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    # the worker's own rating of an area of life where it differs from the client's, {item id: rating}; the
    # client's rating is the answer, and the change since intake follows the client's
    worker_ratings: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    conducted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # generated on the tablet for each interview; a resend after a dropped connection finds the same row
    sync_key: Mapped[str] = mapped_column(String(36), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    response: Mapped[Response] = relationship()
    team: Mapped[Team] = relationship()
    interviewer: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Interview {self.id} team={self.team_id} response={self.response_id}>"
