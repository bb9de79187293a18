"""Staff pages under /staff/coding: codebooks for open answers, labelling answers, coding a whole wave.

Analysts only: these pages show residents' own words (every look at them is written to the audit log).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from accounts import audit
from accounts.auth import current_user, requires, staff_user
from accounts.forms import ConfirmForm
from accounts.service import only_municipality
from coding.forms import CodebookForm, CodeForm, DeleteCodeForm, ThemesForm
from coding.jobs import as_job, cancel_coding, start_coding
from coding.service import (
    LOW_CONFIDENCE,
    SHOW_CHOICES,
    TRANSLATION_LANGUAGES,
    CodingError,
    CodingSummary,
    add_code,
    answer_count,
    answer_page,
    code_wave,
    codebook_for,
    codebooks_for,
    codes_from_themes,
    coding_summary,
    create_codebook,
    delete_code,
    delete_codebook,
    label_counts,
    runs_with_themes,
    save_labels,
    update_code,
    wave_states,
    waves_for_codebook,
)
from exchange.waves import wave_for
from extensions import db
from models import AnalysisRun, Codebook, CodebookCode, Job, JobKind, Role, User, Wave
from models.jobs import ACTIVE
from surveys.instruments import localise
from surveys.questions import open_questions, question_text
from surveys.registry import current_instruments

bp = Blueprint("coding", __name__, url_prefix="/staff/coding", template_folder="templates")
LABEL_FIELD = "label-"  # a label select is named label-<response id>


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"  # residents' answers
    return response


@bp.context_processor
def _formatting():
    return {
        "number": format_decimal,
        "percent": lambda value: format_percent(value, "#,##0%"),
        "low_confidence": LOW_CONFIDENCE,
    }


def _codebook_or_404(codebook_id: int) -> Codebook:
    codebook = codebook_for(staff_user(), codebook_id)
    if codebook is None:
        abort(404)
    return codebook


def _code_or_404(codebook: Codebook, code_id: int) -> CodebookCode:
    code = db.session.get(CodebookCode, code_id)
    if code is None or code.codebook_id != codebook.id:
        abort(404)
    return code


def _wave_or_404(codebook: Codebook, wave_id: int) -> Wave:
    wave = wave_for(current_user(), wave_id)
    if wave is None or wave.municipality.code != codebook.municipality.code:
        abort(404)
    return wave


def _loads(view: Callable) -> Callable:
    """Hand the view the codebook of the URL (and its wave and code) instead of their ids, or answer 404 when the
    analyst may not see one of them: every page here starts so."""

    @wraps(view)
    def load(codebook_id: int, **ids: int):
        codebook = _codebook_or_404(codebook_id)
        loaded: dict = {"codebook": codebook}
        if "wave_id" in ids:
            loaded["wave"] = _wave_or_404(codebook, ids.pop("wave_id"))
        if "code_id" in ids:
            loaded["code"] = _code_or_404(codebook, ids.pop("code_id"))
        return view(**loaded, **ids)

    return load


def _question_text(key: str) -> str:
    """The question in the page's language with the questionnaire that asks it: questionnaires word one topic each
    in their own way ("Adults: What would make ...")."""
    question = open_questions().get(key)
    if question is None:
        return question_text(key, g.lang)
    instrument = current_instruments()[question.instrument]  # open_questions() are the current instruments' own
    return _(
        "%(questionnaire)s: %(question)s",
        questionnaire=localise(instrument.title, g.lang),
        question=localise(question.text, g.lang),
    )


# --- codebooks ----------------------------------------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@requires(Role.analyst, menu=_l("Coding open answers"))
def codebooks():
    user = staff_user()
    form = _codebook_form()
    if request.method == "POST":
        codebook = _created_codebook(form, user)
        if codebook is not None:
            flash(_("The codebook has been made. Add codes, or start from the themes of an analysis."), "success")
            return redirect(url_for("coding.codebook", codebook_id=codebook.id))
    listed = codebooks_for(user)
    return render_template(
        "coding/codebooks.html",
        form=form,
        codebooks=listed,
        question_texts={codebook.question: _question_text(codebook.question) for codebook in listed},
    ), (422 if request.method == "POST" else 200)


def _codebook_form() -> CodebookForm:
    form = CodebookForm()
    form.question.choices = [SelectChoice(key, _question_text(key)) for key in open_questions()]
    return form


def _created_codebook(form: CodebookForm, user: User) -> Codebook | None:
    """The codebook the posted form asks for, or None with the reasons on the form."""
    valid = form.validate_on_submit()
    if form.question.data and form.question.data not in open_questions():
        form.question.errors = [_("Choose one of the open questions shown.")]
    municipality = user.municipality or only_municipality()
    if municipality is None:
        form.form_errors.append(_("Your account has no municipality. Ask an administrator."))
    elif valid and not form.question.errors:
        try:
            return create_codebook(form.name.data, form.question.data, municipality, actor=user)
        except CodingError as error:
            form.name.errors = [str(error)]
    return None


def _translation_labels(form: CodeForm) -> dict[str, str]:
    """Label the fields per language in the page's language; the language names for the legends."""
    names = {}
    for lang in TRANSLATION_LANGUAGES:
        name = get_locale().languages.get(lang, lang)
        names[lang] = name[:1].upper() + name[1:]
        form[f"name_{lang}"].label.text = _("Name (%(language)s)", language=name)
        form[f"description_{lang}"].label.text = _("Description (%(language)s)", language=name)
    return names


def _codebook_page(
    codebook: Codebook, *, code_form: CodeForm | None = None, themes_form: ThemesForm | None = None, status: int = 200
):
    user = staff_user()
    code_form = code_form or CodeForm(formdata=None)
    themes_form = themes_form or ThemesForm(formdata=None)
    runs = runs_with_themes(user, codebook)
    themes_form.run.choices = [
        SelectChoice(str(run.id), _("Analysis %(number)s of %(wave)s", number=run.id, wave=run.wave.name))
        for run in runs
    ]
    return render_template(
        "coding/codebook.html",
        codebook=codebook,
        question=_question_text(codebook.question),
        code_form=code_form,
        themes_form=themes_form,
        translation_languages=_translation_labels(code_form),
        labels=label_counts(codebook),
        states=wave_states(codebook, waves_for_codebook(user, codebook)),
        code_wave_form=ConfirmForm(),
        delete_form=ConfirmForm(prefix="delete"),
    ), status


@bp.get("/<int:codebook_id>")
@requires(Role.analyst)
@_loads
def codebook(codebook: Codebook):
    return _codebook_page(codebook)


@bp.post("/<int:codebook_id>/codes")
@requires(Role.analyst)
@_loads
def new_code(codebook: Codebook):
    form = CodeForm()
    if form.validate_on_submit():
        try:
            add_code(codebook, form.name.data, form.description.data, form.translations(), actor=current_user())
        except CodingError as error:
            form.name.errors = [str(error)]
        else:
            flash(_("The code has been added."), "success")
            return redirect(url_for("coding.codebook", codebook_id=codebook.id) + "#codes")
    return _codebook_page(codebook, code_form=form, status=422)


@bp.post("/<int:codebook_id>/themes")
@requires(Role.analyst)
@_loads
def from_themes(codebook: Codebook):
    form = ThemesForm()
    added = _codes_from_themes(codebook, form)
    if added is None:
        return _codebook_page(codebook, themes_form=form, status=422)
    flash(_themes_added(added), "success")
    return redirect(url_for("coding.codebook", codebook_id=codebook.id) + "#codes")


def _themes_added(added: list[CodebookCode]) -> str:
    if not added:
        return _("The codebook already has a code for each theme of this analysis.")
    return ngettext(
        "%(count)s code has been added from the themes. Check its name and description.",
        "%(count)s codes have been added from the themes. Check their names and descriptions.",
        len(added),
        count=len(added),
    )


def _codes_from_themes(codebook: Codebook, form: ThemesForm) -> list[CodebookCode] | None:
    """The codes added from the themes of the analysis the posted form chose, or None with the reason on the form."""
    runs = {str(run.id): run for run in runs_with_themes(staff_user(), codebook)}
    run: AnalysisRun | None = runs.get(form.run.data or "")
    valid = form.validate_on_submit()
    if run is None:
        form.run.errors = [_("Choose one of the analyses shown.")]
    elif valid:
        try:
            return codes_from_themes(codebook, run, actor=current_user())
        except CodingError as error:
            form.run.errors = [str(error)]
    return None


@bp.post("/<int:codebook_id>/delete")
@requires(Role.analyst)
@_loads
def delete(codebook: Codebook):
    if not ConfirmForm(prefix="delete").validate_on_submit():
        flash(_("This page was open too long. Send it again."), "error")
        return redirect(url_for("coding.codebook", codebook_id=codebook.id))
    delete_codebook(codebook, actor=current_user())
    flash(_("The codebook has been deleted. The answers themselves are kept."), "success")
    return redirect(url_for("coding.codebooks"))


# --- codes --------------------------------------------------------------------------------------------------------


def _stored_code_form(code: CodebookCode) -> CodeForm:
    """The code form filled in with the code as it is stored."""
    data = {"name": code.name, "description": code.description}
    for lang in TRANSLATION_LANGUAGES:
        entry = (code.translations or {}).get(lang, {})
        data[f"name_{lang}"], data[f"description_{lang}"] = entry.get("name", ""), entry.get("description", "")
    return CodeForm(formdata=None, data=data)


def _delete_form(codebook: Codebook, code: CodebookCode, **kwargs) -> DeleteCodeForm:
    form = DeleteCodeForm(prefix="delete", **kwargs)
    form.move_to.choices = [SelectChoice("", _("Delete the labels too"))] + [
        SelectChoice(str(other.id), _("Move them to: %(code)s", code=other.name_in(g.lang)))
        for other in codebook.codes
        if other.id != code.id
    ]
    return form


def _code_page(codebook: Codebook, code: CodebookCode, form: CodeForm, delete_form: DeleteCodeForm, status: int = 200):
    return render_template(
        "coding/code.html",
        codebook=codebook,
        code=code,
        form=form,
        delete_form=delete_form,
        translation_languages=_translation_labels(form),
        labelled=label_counts(codebook).get(code.id, 0),
    ), status


@bp.route("/<int:codebook_id>/codes/<int:code_id>", methods=["GET", "POST"])
@requires(Role.analyst)
@_loads
def edit_code(codebook: Codebook, code: CodebookCode):
    delete_form = _delete_form(codebook, code, formdata=None)
    if request.method == "GET":
        return _code_page(codebook, code, _stored_code_form(code), delete_form)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            update_code(code, form.name.data, form.description.data, form.translations(), actor=current_user())
        except CodingError as error:
            form.name.errors = [str(error)]
        else:
            flash(_("The changes are saved."), "success")
            return redirect(url_for("coding.codebook", codebook_id=codebook.id) + "#codes")
    return _code_page(codebook, code, form, delete_form, 422)


@bp.post("/<int:codebook_id>/codes/<int:code_id>/delete")
@requires(Role.analyst)
@_loads
def remove_code(codebook: Codebook, code: CodebookCode):
    form = _delete_form(codebook, code)
    targets = {str(other.id): other for other in codebook.codes if other.id != code.id}
    valid = form.validate_on_submit()
    if form.move_to.data and form.move_to.data not in targets:
        form.move_to.errors = [_("Choose one of the codes shown.")]
    elif valid:
        target = targets.get(form.move_to.data or "")
        flash(_code_deleted(delete_code(code, actor=current_user(), move_to=target), target), "success")
        return redirect(url_for("coding.codebook", codebook_id=codebook.id) + "#codes")
    return _code_page(codebook, code, _stored_code_form(code), form, 422)


def _code_deleted(moved: int, target: CodebookCode | None) -> str:
    if target is None:
        return _("The code has been deleted. Code the answers again.")
    return ngettext(
        "The code has been deleted and %(count)s label has been moved. Code the answers again.",
        "The code has been deleted and %(count)s labels have been moved. Code the answers again.",
        moved,
        count=moved,
    )


# --- labelling and coding answers ---------------------------------------------------------------------------------


def _parse_labels(form_data) -> tuple[dict[int, int | None], bool]:
    """The label choices of a labelling form: response id -> code id or None; False when a value is malformed."""
    choices: dict[int, int | None] = {}
    well_formed = True
    for key, value in form_data.items():
        if not key.startswith(LABEL_FIELD):
            continue
        response_id, value = key[len(LABEL_FIELD) :], value.strip()
        if not response_id.isdigit() or (value and not value.isdigit()):
            well_formed = False
            continue
        choices[int(response_id)] = int(value) if value else None
    return choices, well_formed


def _page_args() -> tuple[str, int]:
    show = request.args.get("show", SHOW_CHOICES[0])
    return (show if show in SHOW_CHOICES else SHOW_CHOICES[0]), max(request.args.get("page", 1, type=int), 1)


@bp.route("/<int:codebook_id>/waves/<int:wave_id>", methods=["GET", "POST"])
@requires(Role.analyst)
@_loads
def answers(codebook: Codebook, wave: Wave):
    show, page_number = _page_args()
    form = ConfirmForm()
    if request.method == "GET":
        return _answers_page(codebook, wave, form, show, page_number)
    chosen, well_formed = _parse_labels(request.form)
    problems = _label_problems(form, well_formed) or _saved_labels(codebook, wave, chosen)
    if problems:
        return _answers_page(codebook, wave, form, show, page_number, problems=problems, chosen=chosen, status=422)
    return redirect(url_for("coding.answers", codebook_id=codebook.id, wave_id=wave.id, show=show, page=page_number))


def _label_problems(form: ConfirmForm, well_formed: bool) -> list[str]:
    if not form.validate_on_submit():
        return list(form.csrf_token.errors) or [_("This page was open too long. Send it again.")]
    if not well_formed:
        return [_("Choose one of the codes shown.")]
    return []


def _saved_labels(codebook: Codebook, wave: Wave, chosen: dict[int, int | None]) -> list[str]:
    """Save the labels and say so; the reason as a problem when they cannot be saved."""
    try:
        changes = save_labels(codebook, wave, chosen, actor=current_user())
    except CodingError as error:
        return [str(error)]
    flash(
        ngettext(
            "%(count)s label has been saved.", "%(count)s labels have been saved.", changes.total, count=changes.total
        ),
        "success",
    )
    return []


def _answers_page(
    codebook: Codebook,
    wave: Wave,
    form: ConfirmForm,
    show: str,
    page_number: int,
    *,
    problems: list[str] | None = None,
    chosen: dict[int, int | None] | None = None,
    status: int = 200,
):
    page = answer_page(codebook, wave, show=show, page=page_number)
    # residents' own words on screen: an access to raw answers, logged with counts only
    audit.record(
        "open_answers_viewed",
        current_user(),
        "codebook",
        codebook.id,
        wave=wave.id,
        count=len(page.rows),
        page=page.page,
        show=page.show,
    )
    return render_template(
        "coding/answers.html",
        codebook=codebook,
        wave=wave,
        page=page,
        codes={code.id: code for code in codebook.codes},
        question=_question_text(codebook.question),
        form=form,
        problems=problems or [],
        chosen=chosen or {},
        summary=coding_summary(codebook, wave),
        code_wave_form=ConfirmForm(),
        labelled=sum(label_counts(codebook).values()),
    ), status


@bp.post("/<int:codebook_id>/waves/<int:wave_id>/code")
@requires(Role.analyst)
@_loads
def code_all(codebook: Codebook, wave: Wave):
    target = _back_to(codebook, wave)
    if not ConfirmForm().validate_on_submit():
        flash(_("This page was open too long. Send it again."), "error")
        return redirect(target)
    if as_job(answer_count(codebook, wave)):
        job = start_coding(codebook, wave, current_user(), locale=g.lang)
        return redirect(url_for("coding.coding_job", codebook_id=codebook.id, wave_id=wave.id, job_id=job.id))
    try:
        summary = code_wave(codebook, wave, actor=current_user(), via="web")
    except CodingError as error:  # refused before anything was written
        flash(str(error), "error")
        return redirect(target)
    return _coded(codebook, wave, summary)


def _back_to(codebook: Codebook, wave: Wave) -> str:
    """Where a refused coding sends the analyst back to: the page the button was on."""
    if request.form.get("back") == "codebook":
        return url_for("coding.codebook", codebook_id=codebook.id) + "#waves"
    return url_for("coding.answers", codebook_id=codebook.id, wave_id=wave.id)


def _coded(codebook: Codebook, wave: Wave, summary: CodingSummary):
    flash(
        _(
            "%(total)s answers have been coded. %(uncertain)s of them are uncertain: they are shown first.",
            total=summary.total,
            uncertain=summary.low_confidence,
        ),
        "success",
    )
    return redirect(url_for("coding.answers", codebook_id=codebook.id, wave_id=wave.id) + "#summary")


def _coding_job_or_404(codebook: Codebook, wave: Wave, job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if (
        job is None
        or job.kind is not JobKind.wave_coding
        or job.wave_id != wave.id
        or job.params.get("codebook_id") != codebook.id
    ):
        abort(404)
    return job


@bp.get("/<int:codebook_id>/waves/<int:wave_id>/coding/<int:job_id>")
@requires(Role.analyst)
@_loads
def coding_job(codebook: Codebook, wave: Wave, job_id: int):
    """A wave's coding as a job: its progress (its script asks again every few seconds), a button to stop it, and its
    outcome."""
    job = _coding_job_or_404(codebook, wave, job_id)
    working = job.status in ACTIVE
    return render_template(
        "coding/job.html",
        codebook=codebook,
        wave=wave,
        job=job,
        working=working,
        cancel=ConfirmForm() if working and job.cancel_requested_at is None else None,
    )


@bp.post("/<int:codebook_id>/waves/<int:wave_id>/coding/<int:job_id>/cancel")
@requires(Role.analyst)
@_loads
def cancel_coding_job(codebook: Codebook, wave: Wave, job_id: int):
    job = _coding_job_or_404(codebook, wave, job_id)
    page = url_for("coding.coding_job", codebook_id=codebook.id, wave_id=wave.id, job_id=job.id)
    if not ConfirmForm().validate_on_submit():
        flash(_("This page was open too long. Send it again."), "error")
    elif not cancel_coding(job, current_user()):
        flash(_("This coding is no longer working: there is nothing to stop."), "error")
    return redirect(page)
