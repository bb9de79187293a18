"""The framework's history: every change to an outcome, indicator or target is an audit event with the state
before and after, and the history page reads them back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from accounts import audit
from extensions import db
from models import (
    AuditEvent,
    Indicator,
    Municipality,
    Outcome,
    Target,
    User,
)

SUBJECT_TYPES = ("outcome", "indicator", "target")
# what a subject belongs to, kept with its state so the history reads well after a deletion; no change of its own
CONTEXT_FIELDS = {"outcome": (), "indicator": ("outcome",), "target": ("outcome", "indicator")}


# --- the history (audit log) ----------------------------------------------------------------------------------------


def outcome_state(outcome: Outcome) -> dict[str, Any]:
    state = {"name": outcome.name, "description": outcome.description or "", "action": outcome.action or ""}
    if outcome.outputs:  # only when named, so the history of outcomes from before output measures reads the same
        state["outputs"] = ", ".join(measure.code for measure in outcome.outputs)
    return state


def indicator_state(indicator: Indicator) -> dict[str, Any]:
    return {
        "outcome": indicator.outcome.name,
        "name": indicator.name,
        "kind": indicator.kind.name,
        "instrument": indicator.instrument,
        "measure": indicator.measure,
        "direction": indicator.direction.name,
        "population": indicator.population or "",
    }


def target_state(target: Target) -> dict[str, Any]:
    return {
        "outcome": target.indicator.outcome.name,
        "indicator": target.indicator.name,
        "year": target.year,
        "area": target.area_code,
        "value": target.value,
    }


def record_change(
    verb: str,
    subject_type: str,
    subject_id: int,
    municipality: Municipality,
    actor: User | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    **extra: Any,
) -> None:
    audit.record(
        f"{subject_type}_{verb}",
        actor,
        subject_type,
        subject_id,
        municipality=municipality.code,
        before=before,
        after=after,
        **extra,
    )


def unit_of(indicator: Indicator) -> str:
    return "share" if indicator.kind.is_share else "mean"


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class HistoryEntry:
    """One change to the framework: who, when, what, and each field before and after."""

    at: datetime
    who: str | None
    verb: str  # created, changed or deleted
    subject_type: str  # outcome, indicator or target
    subject: dict[str, Any]  # the state after the change (before it, for a deletion)
    changes: tuple[Change, ...]
    unit: str | None = None  # for targets: "share" (values are fractions) or "mean"
    file: str | None = None  # the file's name, for a change made by loading a framework file


def _history_query(municipality: Municipality):
    return select(AuditEvent).where(
        AuditEvent.target_type.in_(SUBJECT_TYPES), AuditEvent.details["municipality"].as_string() == municipality.code
    )


def history_count(municipality: Municipality) -> int:
    return db.session.execute(select(func.count()).select_from(_history_query(municipality).subquery())).scalar_one()


def framework_history(municipality: Municipality, limit: int = 100, offset: int = 0) -> list[HistoryEntry]:
    """The municipality's framework changes, newest first, from the audit log."""
    events = db.session.scalars(_history_query(municipality).order_by(AuditEvent.id.desc()).limit(limit).offset(offset))
    entries = []
    for event in events:
        details = event.details or {}
        before, after = details.get("before") or {}, details.get("after") or {}
        context = CONTEXT_FIELDS.get(event.target_type, ())
        names = [name for name in dict.fromkeys([*before, *after]) if name not in context]
        changes = tuple(
            Change(name, before.get(name), after.get(name)) for name in names if before.get(name) != after.get(name)
        )
        entries.append(
            HistoryEntry(
                at=event.at,
                who=event.actor_email,
                verb=event.action.removeprefix(f"{event.target_type}_"),
                subject_type=event.target_type,
                subject=after or before,
                changes=changes,
                unit=details.get("unit"),
                file=details.get("file") if details.get("via") == "file" else None,
            )
        )
    return entries
