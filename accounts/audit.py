"""Writing to the audit log: security events and every staff access to raw data, without the data itself."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from extensions import db
from models import AuditEvent, User
from models.types import utcnow
from transactions import keep_after_rollback

# The name of every kind of event in the reader's language, for the audit log page (tests/accounts/test_audit_names.py
# finds every kind the code records and asks for its name here).
EVENT_NAMES = {
    "login": _l("Logged in"),
    "login_failed": _l("Login failed"),
    "login_throttled": _l("Login blocked: too many attempts"),
    "logout": _l("Logged out"),
    "logout_everywhere": _l("Logged out on every device"),
    "password_changed": _l("Password changed"),
    "forbidden": _l("Access refused"),
    "user_created": _l("Account created"),
    "user_changed": _l("Account changed"),
    "user_unlocked": _l("Account unlocked"),
    "team_created": _l("Team created"),
    "wave_created": _l("Wave created"),
    "wave_opened": _l("Wave opened"),
    "wave_closed": _l("Wave closed"),
    "responses_imported": _l("Responses imported"),
    "import_cancelled": _l("Import of a file cancelled"),
    "responses_exported": _l("Responses exported"),
    "outputs_loaded": _l("Output figures loaded"),
    "response_erased_by_resident": _l("Answers erased by the resident"),
    "retention_applied": _l("Old data deleted (retention)"),
    "analysis_started": _l("Analysis started"),
    "analysis_cancelled": _l("Analysis cancelled"),
    "run_published": _l("Results published to residents"),
    "run_withdrawn": _l("Results withdrawn from residents"),
    "open_answers_viewed": _l("Open answers viewed"),
    "themes_viewed": _l("Themes viewed"),
    "themes_ready": _l("Themes marked ready for the council"),
    "themes_unready": _l("Themes no longer ready"),
    "themes_withdrawn": _l("Themes withdrawn from the council"),
    "themes_merged": _l("Themes merged"),
    "themes_carried_over": _l("Theme names carried over"),
    "theme_split": _l("Theme split"),
    "theme_named": _l("Theme named"),
    "theme_hidden": _l("Theme hidden"),
    "quotes_viewed": _l("Quotes viewed"),
    "quote_approved": _l("Quote approved"),
    "quote_rejected": _l("Quote rejected"),
    "quote_proposed": _l("Quote back to proposed"),
    "codebook_created": _l("Codebook created"),
    "codebook_deleted": _l("Codebook deleted"),
    "code_added": _l("Code added"),
    "code_changed": _l("Code changed"),
    "code_deleted": _l("Code deleted"),
    "codes_from_themes": _l("Codes made from themes"),
    "answers_labelled": _l("Answers labelled"),
    "answers_coded": _l("Answers coded"),
    "coding_cancelled": _l("Coding of a wave cancelled"),
    "interview_viewed": _l("Interview viewed"),
    "client_timeline_viewed": _l("Client timeline viewed"),
    "client_searched": _l("Client searched"),
    "profile_downloaded": _l("Profile downloaded"),
    "profile_exported": _l("Profile exported"),
    "report_downloaded": _l("Report downloaded"),
    "report_build_cancelled": _l("Making of a report's PDF cancelled"),
    "outcome_created": _l("Outcome created"),
    "outcome_changed": _l("Outcome changed"),
    "outcome_deleted": _l("Outcome deleted"),
    "indicator_created": _l("Indicator created"),
    "indicator_changed": _l("Indicator changed"),
    "indicator_deleted": _l("Indicator deleted"),
    "target_created": _l("Target created"),
    "target_changed": _l("Target changed"),
    "target_deleted": _l("Target deleted"),
}
TARGET_NAMES = {
    "user": _l("account"),
    "team": _l("team"),
    "municipality": _l("municipality"),
    "wave": _l("wave"),
    "response": _l("response"),
    "analysis_run": _l("analysis"),
    "import_job": _l("import"),
    "named_theme": _l("theme"),
    "quote": _l("quote"),
    "codebook": _l("codebook"),
    "interview": _l("interview"),
    "endpoint": _l("page"),
    "outcome": _l("outcome"),
    "indicator": _l("indicator"),
    "target": _l("target"),
}


# Accesses to raw data and refused attempts: that they happened stays in the log when the request or command that
# made them fails afterwards (transactions.roll_back writes them again). Every other kind records a change and is
# stored with it, or not at all.
LASTING = frozenset(
    {
        "login_failed",
        "login_throttled",
        "forbidden",
        "responses_exported",
        "answers_coded",
        "open_answers_viewed",
        "themes_viewed",
        "quotes_viewed",
        "interview_viewed",
        "client_timeline_viewed",
        "client_searched",
        "profile_downloaded",
        "profile_exported",
        "report_downloaded",
    }
)


def event_name(action: str) -> str:
    """The kind of event in the reader's language; a kind without a name shows its code."""
    name = EVENT_NAMES.get(action)
    return action if name is None else str(name)


def target_name(target_type: str) -> str:
    name = TARGET_NAMES.get(target_type)
    return target_type if name is None else str(name)


def record(
    action: str,
    actor: User | None = None,
    target_type: str | None = None,
    target_id: Any = None,
    **details: Any,
) -> AuditEvent:
    """Add one event to the unit of work; `details` holds identifiers and counts only, never the content that was
    looked at. An event of a kind in LASTING is written even when the unit of work is rolled back later."""
    values = {
        "at": utcnow(),  # when it happened, also when it is written again after a rollback
        "actor_id": actor.id if actor else None,
        "actor_email": actor.email if actor else details.pop("email", None),
        "action": action,
        "target_type": target_type,
        "target_id": None if target_id is None else str(target_id),
        "details": details,
    }
    event = AuditEvent(**values)
    db.session.add(event)
    if action in LASTING:
        keep_after_rollback(values)
    return event


def audit_page(action: str | None, page: int, size: int) -> tuple[list[AuditEvent], int]:
    """One page of the audit log, newest first, of one action or all: the events and how many there are in all."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(db.session.scalars(query.limit(size).offset((page - 1) * size))), total


def logged_actions() -> list[str]:
    """Every action the audit log holds, for choosing one."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
