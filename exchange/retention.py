"""Retention: submitted responses are deleted, with their answers and interview notes, once their time is up.

The period is RETENTION_DAYS, or RETENTION_DAYS_<SLUG> for one instrument; it runs from the moment the answers were
sent. Aggregates (profile snapshots) are not touched. Safe to run from cron: each batch is its own transaction, and
a second run finds nothing more to delete.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from accounts import audit
from extensions import db
from models import InstrumentVersion, Response, ResponseStatus, User
from models.types import utcnow
from surveys.flow import delete_responses

BATCH = 500


def retention_days(config: Mapping[str, Any], slug: str) -> int:
    """Days a submitted response to this instrument is kept (RETENTION_DAYS_<SLUG>, else RETENTION_DAYS)."""
    return int(config.get(f"RETENTION_DAYS_{slug.upper()}") or config["RETENTION_DAYS"])


@dataclass(frozen=True)
class RetentionLine:
    instrument: str
    days: int
    cutoff: datetime  # responses sent before this moment are due
    due: int


def _due(slug: str, cutoff: datetime):
    return (
        select(Response.id)
        .join(InstrumentVersion, Response.instrument_version_id == InstrumentVersion.id)
        .where(
            InstrumentVersion.slug == slug, Response.status == ResponseStatus.submitted, Response.submitted_at < cutoff
        )
    )


def retention_plan(config: Mapping[str, Any], now: datetime | None = None) -> list[RetentionLine]:
    """Per instrument with stored responses: its period, the cut-off moment and how many responses are due."""
    now = now or utcnow()
    slugs = db.session.scalars(select(InstrumentVersion.slug).distinct().order_by(InstrumentVersion.slug)).all()
    lines = []
    for slug in slugs:
        days = retention_days(config, slug)
        cutoff = now - timedelta(days=days)
        due = db.session.execute(select(func.count()).select_from(_due(slug, cutoff).subquery())).scalar_one()
        lines.append(RetentionLine(slug, days, cutoff, due))
    return lines


def apply_retention(
    config: Mapping[str, Any],
    now: datetime | None = None,
    actor: User | None = None,
    via: str = "cli",
    batch_size: int = BATCH,
) -> dict[str, int]:
    """Delete every submitted response past its retention period; the number deleted per instrument."""
    now = now or utcnow()
    removed: dict[str, int] = {}
    for line in retention_plan(config, now):
        removed[line.instrument] = 0
        while True:
            ids = db.session.scalars(_due(line.instrument, line.cutoff).order_by(Response.id).limit(batch_size)).all()
            if not ids:
                break
            delete_responses(ids)
            # a transaction per batch, on purpose: a run over years of responses must not hold the write lock (on
            # SQLite, the whole database's) for all of them at once, and what is deleted stays deleted if it stops
            db.session.commit()
            removed[line.instrument] += len(ids)
    audit.record("retention_applied", actor, removed=removed, via=via)
    return removed
