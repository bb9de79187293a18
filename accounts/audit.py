"""Writing to the audit log: security events and every staff access to raw data, without the data itself."""

from __future__ import annotations

from typing import Any

from extensions import db
from models import AuditEvent, User


def record(
    action: str,
    actor: User | None = None,
    target_type: str | None = None,
    target_id: Any = None,
    commit: bool = True,
    **details: Any,
) -> AuditEvent:
    """Add one event; `details` holds identifiers and counts only, never the content that was looked at."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_email=actor.email if actor else details.pop("email", None),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=details,
    )
    db.session.add(event)
    if commit:
        db.session.commit()
    return event
