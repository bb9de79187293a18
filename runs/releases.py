"""Releasing a run to the council, or holding it back when it would let residents be worked out beside an earlier
release of the same wave (the rule is analysis.releases); and which run of a wave the council reads."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import select

from analysis.frames import is_unplaced, parent_code
from analysis.records import SUPPRESSED
from analysis.releases import Cell, release_conflicts
from extensions import db
from models import AnalysisRun, ProfileSnapshot, RunStatus, ThemeCount, Wave
from models.types import utcnow

KEPT_CONFLICTS = 100  # stored per held run: enough to tell the analyst where, without a list of every figure
THEME_ANSWERS = ("open_answers", "answers")  # the cell of a question's answers in an area


def shown_counts(run: AnalysisRun, min_n: int) -> dict[Cell, int]:
    """What a release shows with the number of residents behind it: every figure not suppressed, and the number of
    answers to each open question per area (counted when at least `min_n`, as the council's theme pages would)."""
    shown = {}
    for area, instrument, measure, statistic, n, flags in db.session.execute(
        select(
            ProfileSnapshot.area_code,
            ProfileSnapshot.instrument,
            ProfileSnapshot.measure,
            ProfileSnapshot.statistic,
            ProfileSnapshot.n,
            ProfileSnapshot.flags,
        ).where(ProfileSnapshot.run_id == run.id, ProfileSnapshot.n.is_not(None), ProfileSnapshot.value.is_not(None))
    ):
        if n is not None and SUPPRESSED not in flags.split():  # n is never None here (the query asks for it)
            shown[(area, instrument, measure, statistic)] = n
    for question, area, answers in db.session.execute(
        select(ThemeCount.question, ThemeCount.area_code, ThemeCount.answers).where(
            ThemeCount.run_id == run.id, ThemeCount.theme_id.is_(None), ThemeCount.answers >= min_n
        )
    ):
        if not is_unplaced(area):  # counted for disclosure control, never shown
            shown[(area, THEME_ANSWERS[0], question, THEME_ANSWERS[1])] = answers
    return shown


def released_runs(wave: Wave) -> list[AnalysisRun]:
    """The wave's released runs, newest first."""
    return list(
        db.session.scalars(
            select(AnalysisRun)
            .where(
                AnalysisRun.wave_id == wave.id,
                AnalysisRun.status == RunStatus.succeeded,
                AnalysisRun.released_at.is_not(None),
            )
            .order_by(AnalysisRun.released_at.desc(), AnalysisRun.id.desc())
        )
    )


def released_run(wave: Wave) -> AnalysisRun | None:
    """What the council reads of a wave: its newest released run."""
    runs = released_runs(wave)
    return runs[0] if runs else None


def release(run: AnalysisRun, min_n: int) -> bool:
    """Release a stored run to the council, or hold it back with the figures that changed by too few residents
    since an earlier release of its wave (the caller commits)."""
    current = shown_counts(run, min_n)
    earlier = {other.id: shown_counts(other, min_n) for other in released_runs(run.wave) if other.id != run.id}
    codes = {cell[0] for cells in (current, *earlier.values()) for cell in cells}
    parents = {code: parent_code(code) for code in codes}
    conflicts = release_conflicts(earlier, current, parents, min_n)
    run.release_conflicts = [asdict(conflict) for conflict in conflicts[:KEPT_CONFLICTS]]
    run.released_at = None if conflicts else utcnow()
    return not conflicts
