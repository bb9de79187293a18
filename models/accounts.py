"""Staff accounts, wijkteams and the append-only audit log."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from extensions import Model
from models.geography import Municipality
from models.types import UTCDateTime, utcnow, value_enum


class Role(enum.Enum):
    admin = "admin"  # accounts, municipality, waves, retention
    analyst = "analyst"  # raw data of their municipality, exports, quote curation
    interviewer = "interviewer"  # their own interviews only
    council = "council"  # aggregated views only


class Team(Model):
    """A wijkteam: interviewers share their clients' follow-ups and notes within it."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))

    municipality: Mapped[Municipality] = relationship()

    def __repr__(self) -> str:
        return f"<Team {self.id} {self.name}>"


class User(Model):
    __tablename__ = "staff_user"
    __table_args__ = (
        CheckConstraint("role <> 'interviewer' OR team_id IS NOT NULL", name="interviewer_has_team"),
        CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(value_enum(Role, "staff_role"))
    # None: every municipality on this installation (a platform administrator)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="RESTRICT"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Unused since revision 0010: failed attempts are throttled per address by the rate limiter, not by locking the
    # account. Dropping them rebuilds this table on SQLite, which with foreign keys on would cascade; left for later.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality | None] = relationship()
    team: Mapped[Team | None] = relationship()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class StaffSession(Model):
    """One login of a staff member: the cookie holds a random id, this record says whether that login still counts.

    Logging out ends the record, so a copy of the cookie is worth nothing afterwards; only a hash of the id is
    stored, so a copy of this table does not open any session.
    """

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the cookie's id, hex
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<StaffSession {self.id} of user {self.user_id}>"


class AuditEvent(Model):
    """Who did what, when: security events and every staff access to raw responses or interview notes.

    The application only ever adds rows (see the guard below); the content of what was accessed is never copied in.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"), index=True)
    # kept as text too, so the log still says who it was after an account is deleted
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(80))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} by {self.actor_email}>"


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _audit_log_is_append_only(session: Session, flush_context, instances) -> None:
    touched = [obj for obj in (*session.dirty, *session.deleted) if isinstance(obj, AuditEvent)]
    # an actor's deletion sets actor_id to NULL in the database itself; the application changes nothing here
    if any(obj in session.deleted or session.is_modified(obj) for obj in touched):
        raise AuditLogIsAppendOnly("audit events are never changed or deleted by the application")
