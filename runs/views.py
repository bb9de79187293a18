"""Staff pages under /staff/analysis: start a run, follow its progress, review the quotes it proposes, and name,
merge and release the themes of each open question."""

from __future__ import annotations

from babel.lists import format_list
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_number, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms.fields.choices import SelectChoice

from accounts import audit
from accounts.auth import current_user, requires, staff_user
from accounts.forms import ConfirmForm
from config import LANGUAGES
from council.names import instrument_label
from council.resident_types import type_name
from council.respondents import MARGIN_WORDS
from exchange.waves import wave_for, waves_for
from extensions import db
from geography.areas import area_names
from models import AnalysisRun, NamedTheme, Quote, QuoteStatus, Role, RunStatus, Theme, User, Wave
from results.publication import NotReleased, publish, published_run, withdraw
from runs.forms import MergeThemeForm, NamedThemeForm, StartRunForm
from runs.quotes import place_after, place_of, quote_page
from runs.releases import released_run
from runs.service import (
    WaveBusy,
    cancel_run,
    create_run,
    decide_quote,
    runs_of,
    snapshot_count,
    start_in_background,
    themes_with_approved_quotes,
)
from runs.themes import (
    TRANSLATION_LANGUAGES,
    ReviewError,
    merge_themes,
    name_theme,
    question_review,
    questions_of,
    set_ready,
    split_theme,
)
from surveys.questions import question_text

bp = Blueprint("runs", __name__, url_prefix="/staff/analysis", template_folder="templates")
RUN_ROLES = (Role.admin, Role.analyst)
DECISIONS = {"approve": QuoteStatus.approved, "reject": QuoteStatus.rejected}
QUOTE_STATUSES = {
    QuoteStatus.approved: _l("approved"),
    QuoteStatus.rejected: _l("rejected"),
    QuoteStatus.proposed: _l("not reviewed yet"),
}
# what a skipped part of a run was, and why it was skipped (analysis.run.SkippedPart); plain words for the analyst
SKIPPED_PARTS = {
    "types": _l("Resident types"),
    "themes": _l("Themes of a question"),
    "quotes": _l("Quotes"),
    "profiles": _l("Figures per area"),
    "scale": _l("Scale"),
    "small_area": _l("Model estimates per buurt"),
    "weighting": _l("Weighting to the population"),
}
SKIPPED_REASONS = {
    "too_few_respondents": _l("Too few people filled in this questionnaire to find resident types."),
    "failed": _l("This part did not work with these answers. The program's message is below."),
    "no_items": _l("This scale has no questions, so it has no score."),
    "no_answers": _l("Nobody answered the questions of this scale, so it has no score."),
    # analysis.raking: a margin (or one of its groups) that the weights of a buurt could not meet, and what was done
    "no_respondents": _l(
        "Nobody in this group answered, while the buurt has people in it. Their share is spread over the other groups."
    ),
    "no_population": _l(
        "People in this group answered, but the population figures have nobody in it. This margin is not used here."
    ),
    "no_figures": _l("There are no population figures for this. The weights do without them here."),
    "not_converged": _l(
        "The weights could not meet all margins at once. The largest difference in share that remains is below."
    ),
}


@bp.context_processor
def _helpers() -> dict:
    # pages show an open question in the reader's language, never its key
    return {
        "question_text": lambda key: question_text(key, g.lang),
        "type_name": lambda slug, entry: type_name(slug, entry, g.lang),
        "instrument_label": lambda slug: instrument_label(slug, g.lang),
        "margin_list": lambda margins: format_list(
            [str(words) for margin, words in MARGIN_WORDS.items() if margin in margins], locale=g.lang
        ),
    }


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
    user = staff_user()
    waves = waves_for(user)
    form = StartRunForm()
    form.wave.choices = [SelectChoice(str(wave.id), wave.name) for wave in waves]
    if request.method == "POST":
        run = _started_run(form, waves, user)
        if run is not None:
            flash(_("The analysis has started. This page shows how far it is."), "success")
            return redirect(url_for("runs.run", run_id=run.id))
    return render_template("runs/runs.html", form=form, runs=runs_of(waves)), (422 if request.method == "POST" else 200)


def _started_run(form: StartRunForm, waves: list[Wave], user: User) -> AnalysisRun | None:
    """The analysis the posted form asks for, started; or None with the reason on the form."""
    chosen = {str(wave.id): wave for wave in waves}.get(form.wave.data or "")
    valid = form.validate_on_submit()
    if chosen is None:
        form.wave.errors = [_("Choose one of the waves shown.")]
        return None
    if not valid:
        return None
    try:
        run = create_run(chosen, form.seed.data, user)
    except WaveBusy as busy:
        form.wave.errors = [
            _(
                "Analysis %(number)s of this wave has not finished yet. Wait until it is finished, or stop it first.",
                number=busy.run.id,
            )
        ]
        return None
    start_in_background(run)
    return run


@bp.get("/runs/<int:run_id>")
@requires(*RUN_ROLES)
def run(run_id: int):
    run = _run_or_404(run_id)
    working = run.status in (RunStatus.queued, RunStatus.running)
    return render_template(
        "runs/run.html",
        run=run,
        snapshots=snapshot_count(run),
        themes=themes_with_approved_quotes(run),
        working=working,
        cancel=ConfirmForm() if working and run.cancel_requested_at is None else None,
        min_n=current_app.config["SUPPRESSION_MIN_N"],
        skipped_parts=SKIPPED_PARTS,
        skipped_reasons=SKIPPED_REASONS,
        **_release_state(run),
    )


def _release_state(run: AnalysisRun) -> dict:
    """Whether the council sees the run, the one it sees instead, and whether residents see it."""
    held = run.status is RunStatus.succeeded and run.released_at is None
    return {
        "held": held,
        "released": released_run(run.wave) if held else None,
        "area_names": area_names(run.wave.municipality) if held or run.weighting else {},
        "publish_form": ConfirmForm() if run.released_at is not None and staff_user().role is Role.analyst else None,
        "public": published_run(run.wave),
    }


@bp.post("/runs/<int:run_id>/cancel")
@requires(*RUN_ROLES)
def cancel(run_id: int):
    run = _run_or_404(run_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("This page was open too long. Try again."), "error")
    elif not cancel_run(run, current_user()):
        flash(_("This analysis was no longer working."), "error")
    else:
        flash(
            _("The analysis is stopped. Nothing of it is stored.")
            if run.status is RunStatus.failed
            else _("The analysis stops after the step it is working on. Nothing of it is stored."),
            "success",
        )
    return redirect(url_for("runs.run", run_id=run.id))


@bp.post("/runs/<int:run_id>/publish")
@requires(Role.analyst)
def publish_run(run_id: int):
    """Show this released run to residents on the results pages and as open data, or take it off again."""
    run = _run_or_404(run_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("This page was open too long. Try again."), "error")
    elif request.form.get("action") == "withdraw":
        withdraw(run, current_user())
        flash(_("Residents no longer see this analysis."), "success")
    else:
        _publish(run)
    return redirect(url_for("runs.run", run_id=run.id))


def _publish(run: AnalysisRun) -> None:
    try:
        publish(run, current_user())
    except NotReleased:
        flash(_("Only an analysis that the council sees can be published."), "error")
    else:
        flash(_("The analysis is published. Residents see the results of their wijk."), "success")


@bp.get("/runs/<int:run_id>/quotes")
@requires(Role.analyst)
def quotes(run_id: int):
    run = _run_or_404(run_id)
    page = quote_page(run, g.lang, request.args.get("page", 1, type=int))
    # quotes are scrubbed, but they are residents' own words: reading them is an access to raw answers
    audit.record(
        "quotes_viewed",
        current_user(),
        "analysis_run",
        run.id,
        count=sum(len(theme.quotes) for group in page.groups for theme in group.themes),
        page=page.page,
    )
    return render_template(
        "runs/quotes.html", run=run, page=page, form=ConfirmForm(), format_number=format_number, statuses=QUOTE_STATUSES
    )


@bp.post("/quotes/<int:quote_id>")
@requires(Role.analyst)
def review_quote(quote_id: int):
    quote = db.session.get(Quote, quote_id)
    if quote is None:
        abort(404)
    run = _run_or_404(quote.theme.run_id)
    decided, message, (page, anchor) = _decide_quote(run, quote)
    back = url_for("runs.quotes", run_id=run.id, page=page) + f"#quote-{anchor}"
    # with JavaScript (static/js/quotes.js) the page stays where it is and only the quote's status changes
    if request.accept_mimetypes.best == "application/json":
        return _quote_answer(quote, decided, message, anchor, back)
    flash(message, "success" if decided else "error")
    return redirect(back)  # back to the same place in the list, at the next quote, without JavaScript


def _quote_answer(quote: Quote, decided: bool, message: str, anchor: int, back: str):
    answer = jsonify(
        ok=decided,
        status=quote.status.value,
        message=message,
        status_text=str(QUOTE_STATUSES[quote.status]),
        next=anchor,
        url=back,
    )
    return answer, 200 if decided else 400


def _decide_quote(run: AnalysisRun, quote: Quote) -> tuple[bool, str, tuple[int, int]]:
    """Approve or reject the quote as posted: whether it was decided, the message, and the place in the list to go
    back to (the next quote; the same one when nothing was decided)."""
    decision = DECISIONS.get(request.form.get("decision", ""))
    if not ConfirmForm().validate_on_submit() or decision is None:
        return False, _("This page was open too long. Try again."), (place_of(run, quote), quote.id)
    decide_quote(quote, decision, staff_user())
    message = _("The quote is approved.") if decision is QuoteStatus.approved else _("The quote is rejected.")
    return True, message, place_after(run, quote)


# --- theme review -------------------------------------------------------------------------------------------------


def _language_names() -> dict[str, str]:
    names = get_locale().languages
    return {lang: names.get(lang, lang) for lang in LANGUAGES}


def _theme_form(named: NamedTheme, formdata=None) -> NamedThemeForm:
    """The form of a named theme, prefilled with its name, or the suggestion of its largest theme."""
    largest = max(named.members, key=lambda theme: (theme.answers, -theme.id)) if named.members else None
    data = {
        "name": named.name or (largest.suggestion if largest else ""),
        "hidden": named.hidden,
        **{f"name_{lang}": (named.translations or {}).get(lang, "") for lang in TRANSLATION_LANGUAGES},
    }
    form = NamedThemeForm(formdata=formdata, prefix=f"theme-{named.id}", data=data)
    for lang, name in _language_names().items():
        if lang in TRANSLATION_LANGUAGES:
            form[f"name_{lang}"].label.text = _("Name (%(language)s)", language=name)
    return form


def _merge_form(named: NamedTheme, others: list[NamedTheme], formdata=None) -> MergeThemeForm:
    form = MergeThemeForm(formdata=formdata, prefix=f"merge-{named.id}")
    languages = _language_names()
    form.into.choices = [
        SelectChoice(
            str(other.id),
            "{} ({})".format(
                other.name or (other.members[0].suggestion if other.members else "") or _("no name yet"),
                ", ".join(sorted({languages.get(theme.language, theme.language) for theme in other.members})),
            ),
        )
        for other in others
        if other.id != named.id
    ]
    return form


def _question_page(
    run: AnalysisRun,
    question: str,
    *,
    failed: NamedTheme | None = None,
    theme_form: NamedThemeForm | None = None,
    merge_form: MergeThemeForm | None = None,
    problems: tuple[str, ...] = (),
    status: int = 200,
):
    review = question_review(run, question)
    if not review.named and review.review is None:
        abort(404)
    theme_forms = {
        named.id: theme_form if failed is not None and named.id == failed.id and theme_form else _theme_form(named)
        for named in review.named
    }
    merge_forms = {
        named.id: merge_form
        if failed is not None and named.id == failed.id and merge_form
        else _merge_form(named, review.named)
        for named in review.named
    }
    # suggested names are residents' words, scrubbed: reading them is an access to raw answers
    audit.record("themes_viewed", current_user(), "analysis_run", run.id, question=question)
    return render_template(
        "runs/question_themes.html",
        run=run,
        question=question,
        review=review,
        theme_forms=theme_forms,
        merge_forms=merge_forms,
        confirm=ConfirmForm(),
        failed=failed,
        problems=problems,
        languages=_language_names(),
        translation_languages=TRANSLATION_LANGUAGES,
    ), status


@bp.get("/runs/<int:run_id>/themes")
@requires(Role.analyst)
def themes(run_id: int):
    run = _run_or_404(run_id)
    reviews = [question_review(run, question) for question in questions_of(run)]
    return render_template("runs/themes.html", run=run, reviews=reviews)


@bp.get("/runs/<int:run_id>/themes/<question>")
@requires(Role.analyst)
def question_themes(run_id: int, question: str):
    return _question_page(_run_or_404(run_id), question)


def _named_or_404(named_id: int) -> tuple[NamedTheme, AnalysisRun]:
    named = db.session.get(NamedTheme, named_id)
    if named is None:
        abort(404)
    return named, _run_or_404(named.run_id)


def _back(run: AnalysisRun, question: str, anchor: str = "") -> WerkzeugResponse:
    return redirect(url_for("runs.question_themes", run_id=run.id, question=question) + anchor)


@bp.post("/named-themes/<int:named_id>")
@requires(Role.analyst)
def name_named_theme(named_id: int):
    named, run = _named_or_404(named_id)
    form = _theme_form(named, formdata=request.form)
    if form.validate_on_submit():
        try:
            name_theme(named, form.name.data, form.translations(), form.hidden.data, current_user())
        except ReviewError as error:
            form.name.errors = [str(error)]
        else:
            flash(_("The theme is saved."), "success")
            return _back(run, named.question, f"#theme-{named.id}")
    return _question_page(run, named.question, failed=named, theme_form=form, status=422)


@bp.post("/named-themes/<int:named_id>/merge")
@requires(Role.analyst)
def merge_named_theme(named_id: int):
    named, run = _named_or_404(named_id)
    others = question_review(run, named.question).named
    form = _merge_form(named, others, formdata=request.form)
    into = {str(other.id): other for other in others}.get(form.into.data or "")
    merged = _merged(named, into, form) if form.validate_on_submit() else None
    if merged is not None:
        flash(_("The themes are merged."), "success")
        return _back(run, merged.question, f"#theme-{merged.id}")
    return _question_page(run, named.question, failed=named, merge_form=form, status=422)


def _merged(named: NamedTheme, into: NamedTheme | None, form: MergeThemeForm) -> NamedTheme | None:
    """Merge the theme into the one the form chose and return that one; None with the reason on the form."""
    if into is None:
        form.into.errors = [_("Choose another theme of the same question.")]
        return None
    try:
        merge_themes(named, into, current_user())
    except ReviewError as error:
        form.into.errors = [str(error)]
        return None
    return into


@bp.post("/themes/<int:theme_id>/split")
@requires(Role.analyst)
def split_named_theme(theme_id: int):
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        abort(404)
    run = _run_or_404(theme.run_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("This page was open too long. Try again."), "error")
        return _back(run, theme.question)
    try:
        alone = split_theme(theme, current_user())
    except ReviewError as error:
        return _question_page(run, theme.question, problems=(str(error),), status=422)
    flash(_("The theme is split off. Give it a name."), "success")
    return _back(run, theme.question, f"#theme-{alone.id}")


_READY = {
    True: _l("The themes are ready: the council sees them."),
    False: _l("The themes are withdrawn: the council no longer sees them."),
}


@bp.post("/runs/<int:run_id>/themes/<question>/ready")
@requires(Role.analyst)
def themes_ready(run_id: int, question: str):
    run = _run_or_404(run_id)
    if question not in questions_of(run):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        flash(_("This page was open too long. Try again."), "error")
        return _back(run, question)
    ready = request.form.get("decision") == "ready"
    try:
        set_ready(run, question, ready, current_user())
    except ReviewError as error:
        return _question_page(run, question, problems=(str(error),), status=422)
    flash(str(_READY[ready]), "success")
    return _back(run, question)
