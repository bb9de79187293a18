"""Starting, executing and following analysis runs; a run executes outside any web request."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from sqlalchemy import func, select, update

from accounts import audit
from extensions import db
from models import AnalysisRun, ProfileSnapshot, Quote, QuoteStatus, RunStatus, Theme, User, Wave
from models.types import utcnow

# How far a run is (percent) once a stage has finished: loading and storing touch the database, the rest is
# analysis.run's own stages.
PROGRESS = {
    "read": 10,
    "load": 15,
    "score": 25,
    "profiles": 45,
    "types": 55,
    "themes": 80,
    "disclosure": 85,
    "quotes": 90,
    "stored": 100,
}
_ERROR_LENGTH = 2000


class WaveBusy(Exception):
    """A run of the wave is queued or running: one analysis of a wave at a time."""

    def __init__(self, run: AnalysisRun) -> None:
        super().__init__(f"run {run.id} of wave {run.wave.name!r} is {run.status.value}")
        self.run = run


class RunCancelled(Exception):
    """An analyst cancelled the run while it worked; raised between stages, before anything is stored."""


class RunSuperseded(Exception):
    """Another worker took the run up (this worker's heartbeat stopped for longer than JOB_LEASE, so the run was
    counted as abandoned and queued again): this execution stops and stores nothing, the other one stores the run."""


def active_run(wave: Wave) -> AnalysisRun | None:
    """The wave's queued or running run, if any."""
    return db.session.scalar(
        select(AnalysisRun)
        .where(AnalysisRun.wave_id == wave.id, AnalysisRun.status.in_([RunStatus.queued, RunStatus.running]))
        .order_by(AnalysisRun.id)
        .limit(1)
    )


def create_run(
    wave: Wave, seed: int, user: User | None, *, via: str | None = None, theme_min_answers: int | None = None
) -> AnalysisRun:
    """A queued run of `wave` (added: start_in_background or execute_run commits it), written to the audit log: an
    analysis reads every raw answer.
    `theme_min_answers` overrides the fewest answers in a language for its own themes (the demo's small waves).
    Raises WaveBusy while another run of the wave is queued or running."""
    busy = active_run(wave)
    if busy is not None:
        raise WaveBusy(busy)
    params = {"min_n": int(current_app.config["SUPPRESSION_MIN_N"])}
    if theme_min_answers is not None:
        params["theme_min_answers"] = int(theme_min_answers)
    run = AnalysisRun(
        wave=wave, seed=seed, status=RunStatus.queued, params=params, started_by=user, stage="queued", progress=0
    )
    db.session.add(run)
    db.session.flush()
    audit.record(
        "analysis_started",
        user,
        "analysis_run",
        run.id,
        wave=wave.name,
        seed=seed,
        **({"via": via} if via else {}),
    )
    return run


def _set_progress(run_id: int, stage: str) -> None:
    # its own short transaction, so that the staff page sees the progress while the run goes on
    db.session.execute(
        update(AnalysisRun).where(AnalysisRun.id == run_id).values(stage=stage, progress=PROGRESS.get(stage, 0))
    )
    db.session.commit()


def execute_run(run: AnalysisRun, on_progress: Callable[[str, int], None] | None = None) -> AnalysisRun:
    """Read the wave, analyse it and store the results; a failure is stored on the run and raised again.

    The body of a job (jobs.tasks, `flask analyse`, the demo): it commits at its own steps, which pages show while
    it works (running, each stage, stored or failed)."""
    # pandas and scikit-learn load here, in the process that runs the analysis, not in every web worker
    from analysis.run import RunParams, run_analysis
    from runs.inputs import load_inputs
    from runs.releases import release
    from runs.snapshots import previous_types, store_result
    from runs.themes import carry_over, previous_run

    run_id, wave, attempt = run.id, run.wave, run.attempts

    def still_mine(row: AnalysisRun) -> None:
        if row.attempts != attempt or row.status is not RunStatus.running:
            raise RunSuperseded(f"analysis run {run_id}: attempt {attempt} was taken over by attempt {row.attempts}")

    def progress(stage: str) -> None:
        row = db.session.get_one(AnalysisRun, run_id, populate_existing=True)  # as it is now, in a fresh read
        still_mine(row)
        if row.cancel_requested_at is not None:  # stopped on its page: before the next stage, nothing stored yet
            raise RunCancelled("cancelled by an analyst")
        _set_progress(run_id, stage)
        if on_progress is not None:
            on_progress(stage, PROGRESS.get(stage, 0))

    run.status, run.started_at, run.stage, run.progress = RunStatus.running, utcnow(), "read", 0
    db.session.commit()
    try:
        inputs = load_inputs(wave)
        progress("read")
        params = RunParams(
            min_n=int(run.params.get("min_n", current_app.config["SUPPRESSION_MIN_N"])),
            theme_min_answers=int(run.params.get("theme_min_answers", RunParams.theme_min_answers)),
        )
        result = run_analysis(
            inputs.respondents,
            inputs.instruments,
            inputs.population,
            inputs.areas,
            clients=inputs.clients,
            previous_types=previous_types(wave),
            seed=run.seed,
            params=params,
            progress=progress,
        )
        # the row stays locked until the results are committed: a worker that took the run over cannot claim it
        # in between, and this one stores only if it is still the run's current attempt
        run = db.session.get_one(AnalysisRun, run_id, with_for_update=True, populate_existing=True)
        still_mine(run)
        store_result(run, result)
        carry_over(run, previous_run(run))  # a rerun keeps the analyst's names of the themes it finds again
        release(run, params.min_n)
        run.timings = {stage: round(seconds, 4) for stage, seconds in result.timings.items()}
        run.status, run.finished_at, run.stage, run.progress = RunStatus.succeeded, utcnow(), "stored", 100
        db.session.commit()
    except RunSuperseded:
        db.session.rollback()  # the run is the other attempt's now: leave its row alone
        raise
    except BaseException as error:  # Ctrl-C on `flask analyse` too: a run left "running" would block its wave
        db.session.rollback()
        failed = db.session.get_one(AnalysisRun, run_id)
        failed.status, failed.finished_at = RunStatus.failed, utcnow()
        failed.error = f"{type(error).__name__}: {error}"[:_ERROR_LENGTH]
        db.session.commit()
        raise
    if on_progress is not None:
        on_progress("stored", 100)
    return run


def start_in_background(run: AnalysisRun) -> None:
    """Commit the queued run and put it on the job queue: `flask worker` executes it (jobs.tasks)."""
    from jobs.queue import enqueue

    enqueue(run)


def cancel_run(run: AnalysisRun, user: User | None) -> bool:
    """Stop a queued or running run (added, not committed): a queued one is failed at once and its task revoked, a
    running one (in the worker or `flask analyse`) stops before its next stage (execute_run) and stores nothing.
    False when the run was no longer at work."""
    from jobs.queue import revoke

    if run.status not in (RunStatus.queued, RunStatus.running):
        return False
    run.cancel_requested_at = utcnow()
    if run.status is RunStatus.queued:
        run.status, run.finished_at, run.error = RunStatus.failed, utcnow(), "cancelled by an analyst"
        revoke(run.task_id)
    audit.record("analysis_cancelled", user, "analysis_run", run.id, wave=run.wave.name)
    return True


def decide_quote(quote: Quote, decision: QuoteStatus, user: User) -> None:
    """An analyst approves or rejects a quote for the council's pages (audited)."""
    quote.status, quote.reviewed_by_id, quote.reviewed_at = decision, user.id, utcnow()
    audit.record(f"quote_{decision.value}", user, "quote", quote.id, run=quote.theme.run_id)


def runs_of(waves: list[Wave], limit: int = 100) -> list[AnalysisRun]:
    """The newest analyses of these waves, newest first."""
    return list(
        db.session.scalars(
            select(AnalysisRun)
            .where(AnalysisRun.wave_id.in_([wave.id for wave in waves]))
            .order_by(AnalysisRun.created_at.desc(), AnalysisRun.id.desc())
            .limit(limit)
        )
    )


def snapshot_count(run: AnalysisRun) -> int:
    return (
        db.session.scalar(select(func.count()).select_from(ProfileSnapshot).where(ProfileSnapshot.run_id == run.id))
        or 0
    )


def themes_with_approved_quotes(run: AnalysisRun) -> list[tuple[Theme, int]]:
    """The run's themes, question by question, each with its number of approved quotes."""
    return [
        (theme, count)
        for theme, count in db.session.execute(
            select(Theme, func.count(Quote.id))
            .outerjoin(Quote, (Quote.theme_id == Theme.id) & (Quote.status == QuoteStatus.approved))
            .where(Theme.run_id == run.id)
            .group_by(Theme.id)
            .order_by(Theme.question, Theme.key)
        )
    ]
