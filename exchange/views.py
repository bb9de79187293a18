"""Staff pages under /staff/data: waves and response rates, import, export, codebooks, retention."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from accounts.auth import current_user, requires, staff_user
from accounts.forms import ConfirmForm
from exchange.codebook import codebook_columns, write_codebook_csv
from exchange.exporter import MEDIA_TYPES, ExportRefused, export_filename, export_wave
from exchange.forms import ExportForm, ImportForm, WaveForm
from exchange.importer import ImportRefused
from exchange.jobs import JobReport, cancel_import, create_import_job, start_import
from exchange.retention import apply_retention, retention_plan
from exchange.uploads import too_large
from exchange.waves import (
    WaveError,
    close_wave,
    create_wave,
    open_wave,
    response_counts,
    submitted_counts,
    wave_for,
    waves_for,
)
from extensions import db
from models import ImportJob, ImportStatus, InstrumentVersion, Municipality, Role, User, Wave
from surveys.flow import municipal_today
from surveys.instruments import Instrument, localise
from surveys.registry import current_instruments, get_instrument, instrument_of

bp = Blueprint("exchange", __name__, url_prefix="/staff/data", template_folder="templates")
DATA_ROLES = (Role.admin, Role.analyst)


@bp.after_request
def _no_store(response: Response) -> Response:
    # response counts, files of answers: no shared cache may keep them
    response.headers["Cache-Control"] = "no-store"
    return response


def _wave_or_404(wave_id: int) -> Wave:
    wave = wave_for(current_user(), wave_id)
    if wave is None:
        abort(404)
    return wave


def _instrument_choices() -> list[SelectChoice]:
    return [
        SelectChoice(slug, f"{localise(instrument.title, g.lang)} ({slug})")
        for slug, instrument in current_instruments().items()
    ]


def _municipalities() -> list[Municipality]:
    user = staff_user()
    query = select(Municipality).order_by(Municipality.name, Municipality.reference_year.desc())
    if user.municipality_id is not None:
        query = query.where(Municipality.id == user.municipality_id)
    return list(db.session.scalars(query))


# --- waves --------------------------------------------------------------------------------------------------------


@bp.get("/waves")
@requires(*DATA_ROLES, menu=_l("Waves"))
def waves():
    listed = waves_for(current_user())
    return render_template(
        "exchange/waves.html",
        waves=listed,
        counts=submitted_counts(listed),
        today=municipal_today(),
        min_n=current_app.config["SUPPRESSION_MIN_N"],
    )


@bp.route("/waves/new", methods=["GET", "POST"])
@requires(*DATA_ROLES)
def new_wave():
    municipalities = _municipalities()
    form = _wave_form(municipalities)
    if request.method == "GET":
        if len(municipalities) == 1:
            form.municipality.data = str(municipalities[0].id)
        return render_template("exchange/wave_form.html", form=form)
    wave = _created_wave(form, municipalities)
    if wave is None:
        return render_template("exchange/wave_form.html", form=form), 422
    flash(_("The wave has been made."), "success")
    return redirect(url_for("exchange.wave", wave_id=wave.id))


def _wave_form(municipalities: list[Municipality]) -> WaveForm:
    form = WaveForm()
    form.municipality.choices = [
        SelectChoice(str(m.id), f"{m.name} ({m.code}, {m.reference_year})") for m in municipalities
    ]
    form.instruments.choices = _instrument_choices()
    return form


def _created_wave(form: WaveForm, municipalities: list[Municipality]) -> Wave | None:
    """The wave the posted form asks for; None with every reason on the form at once."""
    valid = form.validate_on_submit()
    chosen = {str(m.id): m for m in municipalities}.get(form.municipality.data or "")
    if chosen is None:
        form.municipality.errors = [_("Choose one of the municipalities shown.")]
    instruments = current_instruments()
    slugs = [slug for slug in form.instruments.data or [] if slug in instruments]
    if not slugs:
        form.instruments.errors = [_("Choose at least one questionnaire.")]
    if not valid or chosen is None or not slugs or form.opens_on.data is None:  # a valid form has its date
        return None
    try:
        return create_wave(form.name.data, slugs, chosen, form.opens_on.data, form.closes_on.data, actor=current_user())
    except WaveError as error:
        form.form_errors.append(str(error))
        return None


@bp.get("/waves/<int:wave_id>")
@requires(*DATA_ROLES)
def wave(wave_id: int):
    wave = _wave_or_404(wave_id)
    min_n = current_app.config["SUPPRESSION_MIN_N"]
    return render_template(
        "exchange/wave.html",
        wave=wave,
        counts=response_counts(wave, min_n),
        today=municipal_today(),
        open_form=ConfirmForm(prefix="open"),
        close_form=ConfirmForm(prefix="close"),
        min_n=min_n,
    )


@bp.post("/waves/<int:wave_id>/open")
@requires(*DATA_ROLES)
def open_wave_view(wave_id: int):
    wave = _wave_or_404(wave_id)
    if ConfirmForm(prefix="open").validate_on_submit():
        open_wave(wave, actor=current_user())
        flash(_("The wave is open. Residents can answer from today."), "success")
    else:
        flash(_("This page was open too long. Send it again."), "error")
    return redirect(url_for("exchange.wave", wave_id=wave.id))


@bp.post("/waves/<int:wave_id>/close")
@requires(*DATA_ROLES)
def close_wave_view(wave_id: int):
    wave = _wave_or_404(wave_id)
    if ConfirmForm(prefix="close").validate_on_submit():
        close_wave(wave, actor=current_user())
        flash(_("The wave is closed. Answers already sent are kept."), "success")
    else:
        flash(_("This page was open too long. Send it again."), "error")
    return redirect(url_for("exchange.wave", wave_id=wave.id))


# --- import and export --------------------------------------------------------------------------------------------


def _wave_choices(user) -> list[SelectChoice]:
    return [SelectChoice("", _("Choose a wave"))] + [SelectChoice(str(w.id), w.name) for w in waves_for(user)]


def _chosen_wave(form) -> Wave | None:
    wave = wave_for(current_user(), int(form.wave.data)) if (form.wave.data or "").isdigit() else None
    if wave is None:
        form.wave.errors = [_("Choose one of the waves shown.")]
    return wave


def _chosen_instrument(form: ImportForm | ExportForm, wave: Wave | None, *, required: bool) -> Instrument | None:
    """The questionnaire the form chose, which the wave (when chosen) must offer; the reason on the form if not."""
    slug = form.instrument.data or None
    instrument = get_instrument(slug) if slug is not None else None
    if instrument is None and (slug is not None or required):
        form.instrument.errors = [_("Choose one of the questionnaires shown.")]
    elif wave is not None and instrument is not None and instrument.slug not in wave.instrument_slugs:
        form.instrument.errors = [_("This wave does not offer this questionnaire.")]
    return instrument


def _import_form(user, limit: int, **kwargs) -> ImportForm:
    form = ImportForm(max_bytes=limit, **kwargs)
    form.wave.choices = _wave_choices(user)
    form.instrument.choices = [SelectChoice("", _("Choose a questionnaire")), *_instrument_choices()]
    return form


def _import_page(form: ImportForm, status: int):
    return render_template(
        "exchange/import.html", form=form, max_megabytes=current_app.config["IMPORT_MAX_BYTES"] // (1024 * 1024)
    ), status


@bp.route("/import", methods=["GET", "POST"])
@requires(*DATA_ROLES, menu=_l("Import"))
def import_view():
    user = staff_user()
    limit = current_app.config["IMPORT_MAX_BYTES"]
    if request.method == "POST" and (refused := too_large(limit)) is not None:
        form = _import_form(user, limit, formdata=None)
        form.file.errors = [refused]
        return _import_page(form, 413)
    form = _import_form(user, limit)
    if request.method == "GET":
        return _import_page(form, 200)
    job = _created_import(form, user)
    if job is None:
        return _import_page(form, 422)
    start_import(job)
    return redirect(url_for("exchange.import_job", job_id=job.id))


def _created_import(form: ImportForm, user: User) -> ImportJob | None:
    """The import job for the posted file; None with every reason on the form at once."""
    valid = form.validate_on_submit()
    wave = _chosen_wave(form)  # checked also when something else is wrong: every problem shows at once
    instrument = _chosen_instrument(form, wave, required=True)
    if not valid or wave is None or instrument is None or form.instrument.errors:
        return None
    upload = form.file.data
    try:
        return create_import_job(
            upload.stream,
            upload.filename,
            wave,
            instrument,
            encoding=form.encoding.data,
            skip_invalid=form.skip_invalid.data,
            user=user,
            locale=g.lang,
        )
    except ImportRefused as error:
        form.form_errors.append(str(error))
        return None


def _import_job_or_404(job_id: int) -> ImportJob:
    """The import job, when it is of a wave the member may see."""
    job = db.session.get(ImportJob, job_id)
    if job is None or wave_for(current_user(), job.wave_id) is None:
        abort(404)
    return job


@bp.get("/import/<int:job_id>")
@requires(*DATA_ROLES)
def import_job(job_id: int):
    job = _import_job_or_404(job_id)
    working = job.status in (ImportStatus.queued, ImportStatus.running)
    cancel = ConfirmForm() if working and job.cancel_requested_at is None else None
    return render_template(
        "exchange/import_job.html", job=job, report=JobReport.stored(job), working=working, cancel=cancel
    )


@bp.post("/import/<int:job_id>/cancel")
@requires(*DATA_ROLES)
def cancel_import_job(job_id: int):
    job = _import_job_or_404(job_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("This page was open too long. Send it again."), "error")
    elif not cancel_import(job, current_user()):
        flash(_("This import is no longer working: there is nothing to stop."), "error")
    return redirect(url_for("exchange.import_job", job_id=job.id))


@bp.route("/export", methods=["GET", "POST"])
@requires(*DATA_ROLES, menu=_l("Export"))
def export():
    user = staff_user()
    form = ExportForm()
    form.wave.choices = _wave_choices(user)
    form.instrument.choices = [SelectChoice("", _("All questionnaires of the wave")), *_instrument_choices()]
    if request.method == "GET" and request.args.get("wave", "").isdigit():
        form.wave.data = request.args["wave"]
    free_text = user.role is Role.analyst  # open answers leave the platform only with an analyst
    if request.method == "POST" and (sent := _exported(form, free_text, user)) is not None:
        return sent
    return render_template("exchange/export.html", form=form, free_text=free_text), (
        422 if request.method == "POST" else 200
    )


def _exported(form: ExportForm, free_text: bool, user: User) -> Response | None:
    """The download the posted form asks for; None with every reason on the form at once."""
    valid = form.validate_on_submit()
    wave = _chosen_wave(form)  # checked also when something else is wrong: every problem shows at once
    instrument = _chosen_instrument(form, wave, required=False)
    if not valid or wave is None or form.instrument.errors:
        return None
    try:
        return _send_export(wave, form.format.data, instrument.slug if instrument else None, free_text, user)
    except ExportRefused as error:
        form.form_errors.append(str(error))
        return None


def _send_export(wave: Wave, fmt: str, slug: str | None, free_text: bool, user) -> Response:
    descriptor, name = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(descriptor)
    path = Path(name)
    try:
        export_wave(wave, fmt, path, slug, include_free_text=free_text, actor=user)
        handle = path.open("rb")
    finally:
        path.unlink(missing_ok=True)  # the open handle keeps the data until the download is sent; no copy stays
    response = send_file(
        handle, mimetype=MEDIA_TYPES[fmt], as_attachment=True, download_name=export_filename(wave, fmt, slug)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- codebooks ----------------------------------------------------------------------------------------------------


@bp.get("/codebooks")
@requires(*DATA_ROLES, menu=_l("Codebooks"))
def codebooks():
    versions = db.session.scalars(
        select(InstrumentVersion).order_by(InstrumentVersion.slug, InstrumentVersion.version.desc())
    ).all()
    return render_template(
        "exchange/codebooks.html",
        versions=versions,
        titles={v.id: localise(instrument_of(v).title, g.lang) for v in versions},
    )


def _version_or_404(version_id: int) -> InstrumentVersion:
    version = db.session.get(InstrumentVersion, version_id)
    if version is None:
        abort(404)
    return version


@bp.get("/codebooks/<int:version_id>")
@requires(*DATA_ROLES)
def codebook(version_id: int):
    version = _version_or_404(version_id)
    instrument = instrument_of(version)
    return render_template(
        "exchange/codebook.html",
        version=version,
        instrument=instrument,
        title=localise(instrument.title, g.lang),
        columns=codebook_columns(instrument),
    )


@bp.get("/codebooks/<int:version_id>.csv")
@requires(*DATA_ROLES)
def codebook_csv(version_id: int):
    version = _version_or_404(version_id)
    text = io.StringIO()
    write_codebook_csv(codebook_columns(instrument_of(version)), text)
    return Response(
        text.getvalue(),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="codebook-{version.slug}-v{version.version}.csv"'},
    )


# --- retention ----------------------------------------------------------------------------------------------------


@bp.route("/retention", methods=["GET", "POST"])
@requires(Role.admin, menu=_l("Retention"))
def retention():
    form = ConfirmForm()
    if request.method == "POST":
        _apply_retention(form)
        return redirect(url_for("exchange.retention"))
    plan = retention_plan(current_app.config)
    return render_template("exchange/retention.html", plan=plan, form=form, due=sum(line.due for line in plan))


def _apply_retention(form: ConfirmForm) -> None:
    if not form.validate_on_submit():
        flash(_("This page was open too long. Send it again."), "error")
        return
    deleted = sum(apply_retention(current_app.config, actor=current_user(), via="web").values())
    flash(
        ngettext(
            "%(count)s response has been deleted.", "%(count)s responses have been deleted.", deleted, count=deleted
        ),
        "success",
    )
