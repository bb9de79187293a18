"""Publishing a wave's released run to residents and as open data, and which run of a wave the public reads.

Only a run the council may read (runs.releases) can be published, and only by an analyst's act: a release is
automatic, a publication is not, so residents see what an analyst looked at. The public reads the newest published
run of a wave; every released run was checked against every earlier release, so a published run shown beside the
council's newer release gives no resident away either.
"""

from __future__ import annotations

from sqlalchemy import select

from accounts import audit
from extensions import db
from models import AnalysisRun, Municipality, RunStatus, User, Wave
from models.types import utcnow


class NotReleased(ValueError):
    """The run is not (or no longer) one the council may read, so it may not be published."""


def _published():
    return (
        AnalysisRun.status == RunStatus.succeeded,
        AnalysisRun.released_at.is_not(None),
        AnalysisRun.published_at.is_not(None),
    )


def published_run(wave: Wave) -> AnalysisRun | None:
    """What the public reads of a wave: its newest published run that is still released, or None."""
    return db.session.scalars(
        select(AnalysisRun)
        .where(AnalysisRun.wave_id == wave.id, *_published())
        .order_by(AnalysisRun.published_at.desc(), AnalysisRun.id.desc())
        .limit(1)
    ).first()


def published_waves(municipality: Municipality | None = None) -> list[Wave]:
    """The waves with a published run, newest first: of one municipality, or of every one for None."""
    query = (
        select(Wave)
        .where(select(AnalysisRun.id).where(AnalysisRun.wave_id == Wave.id, *_published()).exists())
        .order_by(Wave.opens_on.desc(), Wave.id.desc())
    )
    if municipality is not None:
        query = query.where(Wave.municipality_id == municipality.id)
    return list(db.session.scalars(query))


def publish(run: AnalysisRun, actor: User | None) -> None:
    """Publish a released run (the caller commits); NotReleased for any other run."""
    if run.status is not RunStatus.succeeded or run.released_at is None:
        raise NotReleased(run.id)
    run.published_at = utcnow()
    audit.record("run_published", actor, "analysis_run", run.id, wave=run.wave_id)


def withdraw(run: AnalysisRun, actor: User | None) -> None:
    """Take a run off the public pages and the open data (the caller commits)."""
    run.published_at = None
    audit.record("run_withdrawn", actor, "analysis_run", run.id, wave=run.wave_id)
