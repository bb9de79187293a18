"""Output beside outcome: the staff page that loads output figures (/staff/outputs) and the council's page across
wijken (/council/output). The rules live in council/outputs.py and council/beside.py."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup

from accounts import audit
from accounts.auth import chosen_municipality, current_user, requires, staff_municipalities
from accounts.forms import StaffForm
from council import charts, outputs
from council.beside import Movement, Progress, across_wijken, chosen_pair
from council.blueprint import COUNCIL_ROLES
from council.blueprint import bp as council_bp
from council.profile import framework
from council.views import LEVELS, figure_words, tick, wave_profile_or_404, with_wave
from exchange.uploads import too_large
from framework.forms import YearField
from framework.service import outcomes_of as framework_outcomes
from framework.views import EDITORS
from models import OutputUnit, Wave

bp = Blueprint("outputs", __name__, url_prefix="/staff/outputs", template_folder="templates")


def _max_bytes() -> int:
    """As for an import of responses (IMPORT_MAX_BYTES): the Kerncijfers file of the whole country fits in it."""
    return int(current_app.config["IMPORT_MAX_BYTES"])


def output_number(value: float | None, unit: OutputUnit) -> str:
    """An output figure as the page's language writes it, with its unit."""
    if value is None:
        return "–"
    if outputs.is_hidden(value):
        return _("suppressed: too few residents")
    if unit is OutputUnit.percent:
        return format_percent(value / 100, "#,##0.#%")
    if unit is OutputUnit.euro:
        return _("€ %(amount)s", amount=format_decimal(value, "#,##0"))
    if unit is OutputUnit.per_1000:
        return _("%(value)s per 1,000", value=format_decimal(value, "#,##0.#"))
    return format_decimal(value, "#,##0.#")


MOVEMENT_LABELS = {
    Movement.up: _l("rose"),
    Movement.down: _l("fell"),
    Movement.same: _l("the same"),
    Movement.unknown: _l("not known"),
}
PROGRESS_LABELS = {
    Progress.improved: _l("Yes, clearly better off"),
    Progress.worsened: _l("No, clearly worse off"),
    Progress.unclear: _l("Not clearly changed"),
    Progress.unknown: _l("Not known: a figure is missing or suppressed"),
}


def format_r(value: float) -> str:
    """A correlation with two decimals, in the page's language."""
    return format_decimal(value, "0.00")


def signed(value: float, share: bool) -> str:
    """A change with its sign: in percentage points for a share."""
    text = format_decimal(abs(value) * (100 if share else 1), "#,##0.0")
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return _("%(change)s points", change=sign + text) if share else sign + text


def _output_formatting():
    return {
        "output_number": output_number,
        "unit_labels": outputs.UNIT_LABELS,
        "format_r": format_r,
        "signed": signed,
        "movement_label": lambda movement: MOVEMENT_LABELS[movement],
        "progress_label": lambda progress: PROGRESS_LABELS[progress],
    }


council_bp.context_processor(_output_formatting)


bp.context_processor(_output_formatting)


# --- staff: loading output figures ----------------------------------------------------------------------------------


class OutputFileForm(StaffForm):
    file = FileField(
        _l("File"),
        validators=[FileRequired(_l("Choose a file."))],
        description=_l(
            "A .csv file in UTF-8: a Kerncijfers wijken en buurten file of CBS, or the plain layout described above."
        ),
    )
    year = YearField(
        _l("Year of a Kerncijfers file"),
        description=_l("Only for a Kerncijfers file, which has no column with the year."),
    )


def _outputs_page(form: OutputFileForm, municipality, problems: list[str], status: int = 200):
    measures = outputs.measures_of(municipality) if municipality else []
    return render_template(
        "outputs/index.html",
        form=form,
        municipality=municipality,
        municipalities=staff_municipalities(),
        measures=measures,
        problems=problems,
        kwb_columns=outputs.KWB_COLUMNS,
        outcomes_of_measure=lambda measure: [
            outcome.name for outcome in framework_outcomes(municipality) if measure in outcome.outputs
        ],
    ), status


@bp.route("/", methods=["GET", "POST"])
@requires(*EDITORS, menu=_l("Output figures"))
def index():
    municipality = chosen_municipality()
    if request.method == "POST" and (refused := _refuse_too_large(municipality)) is not None:
        return refused
    form = OutputFileForm()
    if request.method == "GET" or municipality is None:
        return _outputs_page(form, municipality, [], 200 if request.method == "GET" else 404)
    text = _file_text(form) if form.validate_on_submit() else None
    report = None if text is None else outputs.load_outputs(municipality, text, form.year.data)
    if report is None or report.errors:
        return _outputs_page(form, municipality, report.errors if report else [], 422)
    return _loaded(municipality, form, report)


def _refuse_too_large(municipality):
    """The page with the reason when the upload is larger than allowed; else None, with the limit set for reading
    the request."""
    reason = too_large(_max_bytes())
    if reason is None:
        return None
    form = OutputFileForm(formdata=None)
    form.file.errors = [reason]
    return _outputs_page(form, municipality, [], 413)


def _file_text(form: OutputFileForm) -> str | None:
    try:
        return form.file.data.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors = [_("The file is not in UTF-8. Save it as CSV UTF-8 and try again.")]
        return None


def _loaded(municipality, form: OutputFileForm, report: outputs.LoadReport):
    audit.record(
        "outputs_loaded",
        current_user(),
        "municipality",
        municipality.id,
        file=form.file.data.filename,
        created=report.created,
        updated=report.updated,
    )
    flash(
        _(
            "The file is loaded: %(created)s figures added, %(updated)s changed, %(unchanged)s unchanged.",
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
        ),
        "success",
    )
    query = {"municipality": municipality.id} if len(staff_municipalities()) > 1 else {}
    return redirect(url_for("outputs.index", **query))


# --- council: output beside outcome across wijken ------------------------------------------------------------------


def _scatter(result, share: bool) -> Markup | None:
    usable = [point for point in result.points if point.usable]
    if not usable:
        return None
    numbers = {point.area.code: index for index, point in enumerate(result.points, start=1)}
    unit = result.measure.unit
    described = "; ".join(
        _(
            "%(area)s: output %(output)s, %(indicator)s",
            area=point.area.name,
            output=output_number(point.output, unit),
            indicator=figure_words(point.evaluation.figure, share),
        )
        for point in usable
    )
    return charts.scatter(
        [
            charts.ScatterPoint(str(numbers[point.area.code]), point.output, point.evaluation.figure.value)
            for point in usable
        ],
        chart_id="chart-output",
        title=_(
            "%(indicator)s against %(measure)s per wijk", indicator=result.indicator.name, measure=result.measure.name
        ),
        description=_(
            "Each wijk is a point, marked with its number in the table: across its output, up its indicator. "
            "%(figures)s.",
            figures=described,
        ),
        x_label=_("%(measure)s (%(unit)s)", measure=result.measure.name, unit=outputs.UNIT_LABELS[unit]),
        y_label=result.indicator.name,
        fmt_x=lambda value: format_decimal(value, "#,##0.#"),
        fmt_y=(lambda value: format_percent(value, "#,##0%")) if share else tick,
    )


@council_bp.get("/output")
@requires(*COUNCIL_ROLES)
@with_wave
def output(waves: list[Wave], wave: Wave):
    indicators = framework(wave.municipality)
    measures = outputs.measures_of(wave.municipality)
    indicator, measure = chosen_pair(indicators, measures, request.args.get("indicator"), request.args.get("measure"))
    profile = wave_profile_or_404(wave)
    beside = None if indicator is None or measure is None else across_wijken(profile, indicator, measure, LEVELS)
    return render_template(
        "council/output.html",
        wave=wave,
        waves=waves,
        indicators=indicators,
        measures=measures,
        indicator=indicator,
        measure=measure,
        result=beside[0] if beside else None,
        change=beside[1] if beside else None,
        chart=None if beside is None or indicator is None else _scatter(beside[0], indicator.kind.is_share),
        params=profile.run.params or {},
    )
