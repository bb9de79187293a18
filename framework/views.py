"""Staff pages under /staff/framework: outcomes, indicators and targets, with their history.

Analysts and administrators keep the framework; council members read it in their own views. The rules live in
framework/service.py; these views parse the forms, call it and render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from accounts.auth import chosen_municipality, current_user, requires, staff_municipalities, staff_user
from accounts.forms import ConfirmForm
from extensions import db
from framework import measurables, service
from framework.errors import FrameworkError
from framework.forms import IndicatorForm, OutcomeForm, TargetForm
from framework.history import HistoryEntry, framework_history, history_count
from framework.service import IndicatorSpec
from models import Direction, Indicator, IndicatorKind, Municipality, Outcome, Role, Target
from surveys.instruments import localise
from surveys.registry import current_instruments

bp = Blueprint("framework", __name__, url_prefix="/staff/framework", template_folder="templates")
EDITORS = (Role.admin, Role.analyst)
HISTORY_PAGE_SIZE = 50
KIND_LABELS = {
    IndicatorKind.scale_mean: _l("Mean of a scale"),
    IndicatorKind.band_share: _l("Share in a band"),
    IndicatorKind.improved_share: _l("Share improved since intake"),
}
DIRECTION_LABELS = {
    Direction.higher_is_better: _l("Higher is better"),
    Direction.lower_is_better: _l("Lower is better"),
}
FIELD_LABELS = {
    "name": _l("Name"),
    "description": _l("Description"),
    "outcome": _l("Outcome"),
    "indicator": _l("Indicator"),
    "kind": _l("Kind"),
    "instrument": _l("Questionnaire"),
    "measure": _l("Measure"),
    "direction": _l("Direction"),
    "population": _l("For whom"),
    "year": _l("Year"),
    "area": _l("Area"),
    "value": _l("Target value"),
    "indicators": _l("Indicators"),
    "action": _l("What the municipality will do"),
    "outputs": _l("Output measures"),
}
VERB_LABELS = {"created": _l("added"), "changed": _l("changed"), "deleted": _l("deleted")}
SUBJECT_LABELS = {"outcome": _l("Outcome"), "indicator": _l("Indicator"), "target": _l("Target")}


# --- scope and formatting -----------------------------------------------------------------------------------------


def _scope(municipality: Municipality) -> None:
    user = staff_user()
    if user.municipality_id not in (None, municipality.id):
        abort(404)


def _outcome_or_404(outcome_id: int) -> Outcome:
    outcome = db.session.get(Outcome, outcome_id)
    if outcome is None:
        abort(404)
    _scope(outcome.municipality)
    return outcome


def _indicator_or_404(indicator_id: int) -> Indicator:
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        abort(404)
    _scope(indicator.outcome.municipality)
    return indicator


def _target_or_404(target_id: int) -> Target:
    target = db.session.get(Target, target_id)
    if target is None:
        abort(404)
    _scope(target.indicator.outcome.municipality)
    return target


def _home(municipality: Municipality, anchor: str = "") -> str:
    query: dict[str, Any] = {"municipality": municipality.id} if len(staff_municipalities()) > 1 else {}
    return url_for("framework.index", **query) + anchor


def format_target(kind: IndicatorKind, value: float | None) -> str:
    """A target as pages show it: a share as a percentage, a mean as a number."""
    if value is None:
        return ""
    if kind.is_share:
        return format_percent(value, "#,##0.#%")
    return format_decimal(value, "#,##0.##")


def _measure_label(indicator: Indicator) -> str:
    measurable = measurables.measurable_of(indicator)
    if measurable is None:
        return _("%(measure)s (no longer offered by the questionnaires)", measure=indicator.measure)
    return measurable.label(g.lang)


def _instrument_label(slug: str) -> str:
    instrument = current_instruments().get(slug)
    if slug == measurables.WIJKTEAM:
        return _("Wijkteam interviews: change since intake (%(slug)s)", slug=slug)
    return f"{localise(instrument.title, g.lang)} ({slug})" if instrument else slug


@bp.context_processor
def _helpers():
    return {
        "format_target": format_target,
        "measure_label": _measure_label,
        "instrument_label": _instrument_label,
        "kind_labels": KIND_LABELS,
        "direction_labels": DIRECTION_LABELS,
    }


def _show_errors(form, error: FrameworkError) -> None:
    """Put the framework's messages on the fields they are about (the error summary links to them); a field the
    form itself refused keeps its own message."""
    for name, messages in error.errors.items():
        if name and name in form:
            if not form[name].errors:
                form[name].errors = list(messages)
        else:
            form.form_errors.extend(messages)


def _csrf_failed(form) -> bool:
    return bool(form.meta.csrf and form.csrf_token.errors)


T = TypeVar("T")


def _saved(form, save: Callable[[], T], refused: Callable[[], None] | None = None) -> T | None:
    """What `save` returned, when the posted form is valid and the framework takes it; None when either refused it,
    with the messages on the form. `refused` runs for a form that is not valid (the framework's checks as well, so
    one answer names every problem)."""
    if not form.validate_on_submit():
        if refused is not None:
            refused()
        return None
    try:
        return save()
    except FrameworkError as error:
        _show_errors(form, error)
        return None


# --- outcomes -----------------------------------------------------------------------------------------------------


@bp.get("/")
@requires(*EDITORS, menu=_l("Outcome framework"))
def index():
    municipality = chosen_municipality()
    outcomes = service.outcomes_of(municipality) if municipality else []
    areas = service.area_names(municipality) if municipality else {}
    return render_template(
        "framework/index.html",
        municipality=municipality,
        municipalities=staff_municipalities(),
        outcomes=outcomes,
        areas=areas,
    )


def _municipality_or_404() -> Municipality:
    """The municipality the editor works on (accounts.auth.chosen_municipality); 404 when there is none."""
    municipality = chosen_municipality()
    if municipality is None:
        abort(404)
    return municipality


def _outcome_form(municipality: Municipality, **kwargs) -> OutcomeForm:
    form = OutcomeForm(**kwargs)
    form.outputs.choices = [
        SelectChoice(code, f"{measure.name} ({code})")
        for code, measure in service.output_measures(municipality).items()
    ]
    return form


def _outcome_fields(form: OutcomeForm) -> dict[str, Any]:
    """What the outcome form gives the framework besides the name and description."""
    return {"action": form.action.data, "outputs": form.outputs.data or [], "actor": current_user()}


def _outcome_page(form: OutcomeForm, outcome: Outcome | None, municipality: Municipality, status: int = 200):
    return render_template("framework/outcome.html", form=form, outcome=outcome, municipality=municipality), status


@bp.route("/outcomes/new", methods=["GET", "POST"])
@requires(*EDITORS)
def new_outcome():
    municipality = _municipality_or_404()
    form = _outcome_form(municipality)
    if request.method == "GET":
        return _outcome_page(form, None, municipality)
    outcome = _saved(
        form,
        lambda: service.create_outcome(municipality, form.name.data, form.description.data, **_outcome_fields(form)),
    )
    if outcome is None:
        return _outcome_page(form, None, municipality, 422)
    flash(_("The outcome has been added. Now add its indicators."), "success")
    return redirect(_home(municipality, f"#outcome-{outcome.id}"))


@bp.route("/outcomes/<int:outcome_id>", methods=["GET", "POST"])
@requires(*EDITORS)
def edit_outcome(outcome_id: int):
    outcome = _outcome_or_404(outcome_id)
    if request.method == "GET":
        return _outcome_page(_stored_outcome_form(outcome), outcome, outcome.municipality)
    form = _outcome_form(outcome.municipality)
    changed = _saved(
        form, lambda: service.update_outcome(outcome, form.name.data, form.description.data, **_outcome_fields(form))
    )
    if changed is None:
        return _outcome_page(form, outcome, outcome.municipality, 422)
    flash(_("The changes are saved.") if changed else _("Nothing was changed."), "success")
    return redirect(_home(outcome.municipality, f"#outcome-{outcome.id}"))


def _stored_outcome_form(outcome: Outcome) -> OutcomeForm:
    """The outcome form filled in with the outcome as it is stored."""
    return _outcome_form(
        outcome.municipality,
        formdata=None,
        data={
            "name": outcome.name,
            "description": outcome.description,
            "action": outcome.action,
            "outputs": [measure.code for measure in outcome.outputs],
        },
    )


@bp.route("/outcomes/<int:outcome_id>/delete", methods=["GET", "POST"])
@requires(*EDITORS)
def delete_outcome(outcome_id: int):
    outcome = _outcome_or_404(outcome_id)
    form = ConfirmForm()
    if request.method == "POST":
        if form.validate_on_submit():
            municipality = outcome.municipality
            service.delete_outcome(outcome, actor=current_user())
            flash(_("The outcome has been deleted, with its indicators and targets."), "success")
            return redirect(_home(municipality))
        return _confirm_page(form, outcome, "outcome", 422)
    return _confirm_page(form, outcome, "outcome")


def _confirm_page(form: ConfirmForm, subject: Outcome | Indicator | Target, kind: str, status: int = 200):
    if isinstance(subject, Target):
        municipality = subject.indicator.outcome.municipality
    elif isinstance(subject, Indicator):
        municipality = subject.outcome.municipality
    else:
        municipality = subject.municipality
    return render_template(
        "framework/confirm_delete.html", form=form, subject=subject, kind=kind, areas=service.area_names(municipality)
    ), status


# --- indicators ---------------------------------------------------------------------------------------------------


def _measure_choices() -> list[SelectChoice]:
    """What an indicator can measure, grouped per questionnaire (an <optgroup> each)."""
    return [
        SelectChoice(measurable.key, measurable.label(g.lang), optgroup=_instrument_label(measurable.instrument))
        for measurable in measurables.measurables().values()
    ]


def _indicator_form(**kwargs) -> IndicatorForm:
    form = IndicatorForm(**kwargs)
    form.measure.choices = [SelectChoice("", _("Choose…")), *_measure_choices()]
    return form


def _check_indicator_too(form: IndicatorForm, outcome: Outcome, indicator: Indicator | None = None) -> None:
    """With the form refused, the framework's messages as well, so one answer names every problem."""
    if _csrf_failed(form):
        return
    try:
        service.check_indicator(outcome, _indicator_spec(form), indicator)
    except FrameworkError as error:
        _show_errors(form, error)


def _indicator_spec(form: IndicatorForm) -> IndicatorSpec:
    """The entered indicator; FrameworkError when the measure or direction is no choice the form offered."""
    kind, instrument, measure = measurables.parse_key(form.measure.data)
    direction = Direction.__members__.get(form.direction.data or "")
    if direction is None:
        raise FrameworkError({"direction": [_("Choose whether a higher or a lower value is better.")]})
    return IndicatorSpec(
        name=form.name.data,
        kind=kind,
        instrument=instrument,
        measure=measure,
        direction=direction,
        population=form.population.data,
    )


@bp.route("/outcomes/<int:outcome_id>/indicators/new", methods=["GET", "POST"])
@requires(*EDITORS)
def new_indicator(outcome_id: int):
    outcome = _outcome_or_404(outcome_id)
    form = _indicator_form()
    if request.method == "GET":
        return render_template("framework/indicator_new.html", form=form, outcome=outcome)
    indicator = _saved(
        form,
        lambda: service.create_indicator(outcome, _indicator_spec(form), actor=current_user()),
        refused=lambda: _check_indicator_too(form, outcome),
    )
    if indicator is not None:
        flash(_("The indicator has been added. Now give it targets."), "success")
        return redirect(url_for("framework.edit_indicator", indicator_id=indicator.id) + "#targets")
    return render_template("framework/indicator_new.html", form=form, outcome=outcome), 422


def _target_form(indicator: Indicator, **kwargs) -> TargetForm:
    form = TargetForm(**kwargs)
    areas = service.area_names(indicator.outcome.municipality)
    form.area.choices = [
        SelectChoice("", _("Choose…")),
        *(SelectChoice(code, f"{name} ({code})") for code, name in areas.items()),
    ]
    measurable = measurables.measurable_of(indicator)
    if measurable is not None:
        low, high = measurables.shown_range(measurable)
        form.value.description = (
            _("A percentage from %(low)s to %(high)s.", low=format_decimal(low), high=format_decimal(high))
            if measurable.is_share
            else _("A value from %(low)s to %(high)s.", low=format_decimal(low), high=format_decimal(high))
        )
    return form


def _indicator_page(
    indicator: Indicator, form: IndicatorForm | None = None, target_form: TargetForm | None = None, status: int = 200
):
    if form is None:
        form = _indicator_form(
            formdata=None,
            data={
                "name": indicator.name,
                "measure": f"{indicator.kind.name}/{indicator.instrument}/{indicator.measure}",
                "direction": indicator.direction.name,
                "population": indicator.population,
            },
        )
    target_form = target_form or _target_form(indicator, formdata=None)
    return render_template(
        "framework/indicator.html",
        indicator=indicator,
        form=form,
        target_form=target_form,
        areas=service.area_names(indicator.outcome.municipality),
    ), status


@bp.route("/indicators/<int:indicator_id>", methods=["GET", "POST"])
@requires(*EDITORS)
def edit_indicator(indicator_id: int):
    indicator = _indicator_or_404(indicator_id)
    if request.method == "GET":
        return _indicator_page(indicator)
    form = _indicator_form()
    changed = _saved(
        form,
        lambda: service.update_indicator(indicator, _indicator_spec(form), actor=current_user()),
        refused=lambda: _check_indicator_too(form, indicator.outcome, indicator),
    )
    if changed is not None:
        flash(_("The changes are saved.") if changed else _("Nothing was changed."), "success")
        return redirect(_home(indicator.outcome.municipality, f"#outcome-{indicator.outcome_id}"))
    return _indicator_page(indicator, form=form, status=422)


@bp.route("/indicators/<int:indicator_id>/delete", methods=["GET", "POST"])
@requires(*EDITORS)
def delete_indicator(indicator_id: int):
    indicator = _indicator_or_404(indicator_id)
    form = ConfirmForm()
    if request.method == "POST":
        if form.validate_on_submit():
            outcome = indicator.outcome
            service.delete_indicator(indicator, actor=current_user())
            flash(_("The indicator has been deleted, with its targets."), "success")
            return redirect(_home(outcome.municipality, f"#outcome-{outcome.id}"))
        return _confirm_page(form, indicator, "indicator", 422)
    return _confirm_page(form, indicator, "indicator")


# --- targets ------------------------------------------------------------------------------------------------------


def _save_target(form: TargetForm, indicator: Indicator, target: Target | None) -> bool:
    """Add or change a target from the form (percentages for shares); False with messages on the form."""
    valid = form.validate_on_submit()
    stored = None if form.value.data is None else measurables.to_stored(indicator.kind, form.value.data)
    year = form.year.data
    if not valid or stored is None or year is None:  # a valid form has both (InputRequired)
        if not _csrf_failed(form):  # the framework's messages as well, so one answer names every problem
            try:
                service.check_target(indicator, form.year.data, form.area.data, stored, target)
            except FrameworkError as error:
                _show_errors(form, error)
        return False
    try:
        if target is None:
            service.create_target(indicator, year, form.area.data, stored, actor=current_user())
            message = _("The target has been added.")
        else:
            changed = service.update_target(target, year, form.area.data, stored, actor=current_user())
            message = _("The changes are saved.") if changed else _("Nothing was changed.")
    except FrameworkError as error:
        _show_errors(form, error)
        return False
    flash(message, "success")
    return True


@bp.post("/indicators/<int:indicator_id>/targets")
@requires(*EDITORS)
def new_target(indicator_id: int):
    indicator = _indicator_or_404(indicator_id)
    form = _target_form(indicator)
    if _save_target(form, indicator, None):
        return redirect(url_for("framework.edit_indicator", indicator_id=indicator.id) + "#targets")
    return _indicator_page(indicator, target_form=form, status=422)


def _stored_target(target: Target) -> dict[str, Any]:
    """The target form's data for the target as it is stored."""
    return {
        "year": target.year,
        "area": target.area_code,
        "value": measurables.to_shown(target.indicator.kind, target.value),
    }


@bp.route("/targets/<int:target_id>", methods=["GET", "POST"])
@requires(*EDITORS)
def edit_target(target_id: int):
    target = _target_or_404(target_id)
    indicator = target.indicator
    if request.method == "GET":
        form = _target_form(indicator, formdata=None, data=_stored_target(target))
        return render_template("framework/target.html", form=form, target=target, indicator=indicator)
    form = _target_form(indicator)
    if _save_target(form, indicator, target):
        return redirect(url_for("framework.edit_indicator", indicator_id=indicator.id) + "#targets")
    return render_template("framework/target.html", form=form, target=target, indicator=indicator), 422


@bp.route("/targets/<int:target_id>/delete", methods=["GET", "POST"])
@requires(*EDITORS)
def delete_target(target_id: int):
    target = _target_or_404(target_id)
    form = ConfirmForm()
    if request.method == "POST":
        if form.validate_on_submit():
            indicator = target.indicator
            service.delete_target(target, actor=current_user())
            flash(_("The target has been deleted."), "success")
            return redirect(url_for("framework.edit_indicator", indicator_id=indicator.id) + "#targets")
        return _confirm_page(form, target, "target", 422)
    return _confirm_page(form, target, "target")


# --- history ------------------------------------------------------------------------------------------------------


def _history_value(entry: HistoryEntry, name: str, value, areas: dict[str, str]) -> str:
    """A value of the history as people read it: names for codes, percentages for shares."""
    if value is None or value == "":
        return "–"
    if name == "area" and value in areas:
        return f"{areas[value]} ({value})"
    if name == "kind" and value in IndicatorKind.__members__:
        return str(KIND_LABELS[IndicatorKind[value]])
    if name == "direction" and value in Direction.__members__:
        return str(DIRECTION_LABELS[Direction[value]])
    if name == "value" and isinstance(value, (int, float)):
        return format_percent(value, "#,##0.#%") if entry.unit == "share" else format_decimal(value, "#,##0.##")
    return str(value)


@bp.get("/history")
@requires(*EDITORS)
def history():
    municipality = _municipality_or_404()
    page = max(request.args.get("page", 1, type=int), 1)
    total = history_count(municipality)
    entries = framework_history(municipality, limit=HISTORY_PAGE_SIZE, offset=(page - 1) * HISTORY_PAGE_SIZE)
    areas = service.area_names(municipality)
    return render_template(
        "framework/history.html",
        municipality=municipality,
        entries=entries,
        page=page,
        pages=max(1, -(-total // HISTORY_PAGE_SIZE)),
        total=total,
        show=lambda entry, name, value: _history_value(entry, name, value, areas),
        field_labels=FIELD_LABELS,
        verb_labels=VERB_LABELS,
        subject_labels=SUBJECT_LABELS,
        areas=areas,
        multiple=len(staff_municipalities()) > 1,
    )
