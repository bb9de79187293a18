"""Staff pages under /staff/analysis: start a run, follow its progress, review the quotes it proposes."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from accounts import audit
from accounts.auth import current_user, requires
from accounts.forms import ConfirmForm
from exchange.waves import wave_for, waves_for
from extensions import db
from models import AnalysisRun, ProfileSnapshot, Quote, QuoteStatus, Role, RunStatus, Theme
from models.types import utcnow
from runs.forms import StartRunForm
from runs.service import create_run, start_in_background
from surveys.questions import question_text

bp = Blueprint("runs", __name__, url_prefix="/staff/analysis", template_folder="templates")
RUN_ROLES = (Role.admin, Role.analyst)
DECISIONS = {"approve": QuoteStatus.approved, "reject": QuoteStatus.rejected}


@bp.context_processor
def _helpers() -> dict:
    # pages show an open question in the reader's language, never its key
    return {"question_text": lambda key: question_text(key, g.lang)}


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"  # quotes come from residents' answers
    return response


def _run_or_404(run_id: int) -> AnalysisRun:
    run = db.session.get(AnalysisRun, run_id)
    if run is None or wave_for(current_user(), run.wave_id) is None:
        abort(404)
    return run


@bp.route("/", methods=["GET", "POST"])
@requires(*RUN_ROLES, menu=_l("Analysis"))
def runs():
    user = current_user()
    waves = waves_for(user)
    form = StartRunForm()
    form.wave.choices = [SelectChoice(str(wave.id), wave.name) for wave in waves]
    status = 200
    if request.method == "POST":
        status = 422
        chosen = {str(wave.id): wave for wave in waves}.get(form.wave.data or "")
        valid = form.validate_on_submit()
        if chosen is None:
            form.wave.errors = [_("Choose one of the waves shown.")]
        elif valid:
            run = create_run(chosen, form.seed.data, user)
            start_in_background(run)
            flash(_("The analysis has started. This page shows how far it is."), "success")
            return redirect(url_for("runs.run", run_id=run.id))
    listed = db.session.scalars(select(AnalysisRun).where(AnalysisRun.wave_id.in_([wave.id for wave in waves]))
                                .order_by(AnalysisRun.created_at.desc(), AnalysisRun.id.desc()).limit(100)).all()
    return render_template("runs/runs.html", form=form, runs=listed), status


@bp.get("/runs/<int:run_id>")
@requires(*RUN_ROLES)
def run(run_id: int):
    run = _run_or_404(run_id)
    snapshots = db.session.scalar(select(func.count()).select_from(ProfileSnapshot)
                                  .where(ProfileSnapshot.run_id == run.id))
    themes = db.session.execute(
        select(Theme, func.count(Quote.id)).outerjoin(Quote, (Quote.theme_id == Theme.id)
                                                      & (Quote.status == QuoteStatus.approved))
        .where(Theme.run_id == run.id).group_by(Theme.id).order_by(Theme.question, Theme.key)).all()
    working = run.status in (RunStatus.queued, RunStatus.running)
    return render_template("runs/run.html", run=run, snapshots=snapshots, themes=themes, working=working,
                           min_n=current_app.config["SUPPRESSION_MIN_N"])


@bp.get("/runs/<int:run_id>/quotes")
@requires(Role.analyst)
def quotes(run_id: int):
    run = _run_or_404(run_id)
    listed = db.session.execute(
        select(Quote, Theme).join(Theme, Quote.theme_id == Theme.id).where(Theme.run_id == run.id)
        .order_by(Quote.status, Theme.question, Theme.key, Quote.area_code, Quote.id)).all()
    # quotes are scrubbed, but they are residents' own words: reading them is an access to raw answers
    audit.record("quotes_viewed", current_user(), "analysis_run", run.id, count=len(listed))
    return render_template("runs/quotes.html", run=run, quotes=listed, form=ConfirmForm())


@bp.post("/quotes/<int:quote_id>")
@requires(Role.analyst)
def review_quote(quote_id: int):
    quote = db.session.get(Quote, quote_id)
    if quote is None:
        abort(404)
    run = _run_or_404(quote.theme.run_id)
    form = ConfirmForm()
    decision = DECISIONS.get(request.form.get("decision", ""))
    if not form.validate_on_submit() or decision is None:
        flash(_("This page was open too long. Try again."), "error")
    else:
        quote.status, quote.reviewed_by_id, quote.reviewed_at = decision, current_user().id, utcnow()
        audit.record(f"quote_{decision.value}", current_user(), "quote", quote.id, commit=False, run=run.id)
        db.session.commit()
        flash(_("The quote is approved.") if decision is QuoteStatus.approved else _("The quote is rejected."),
              "success")
    return redirect(url_for("runs.quotes", run_id=run.id) + f"#quote-{quote.id}")
