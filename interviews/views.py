"""Interview pages for wijkteam workers and analysts, the sync endpoint of the offline outbox, and the PWA files."""

from __future__ import annotations

import json
from functools import lru_cache

from flask import (
    Blueprint,
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
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from accounts import audit
from accounts.auth import requires, staff_user
from extensions import db
from geography.areas import buurt_choices
from interviews.forms import FindClientForm, build_interview_form
from interviews.service import (
    INTERVIEW_INSTRUMENTS,
    SyncConflict,
    changes_between,
    client_history,
    client_timeline,
    find_client,
    may_open,
    new_sync_key,
    own_team,
    rating_differences,
    save_interview,
    visible_interviews,
)
from models import Interview, Role
from surveys.instruments import Instrument, localise
from surveys.navigation import Navigator
from surveys.registry import get_instrument, instrument_of

bp = Blueprint("interviews", __name__, url_prefix="/staff/interviews", template_folder="templates")


def _instrument(slug: str | None) -> Instrument | None:
    return get_instrument(slug) if slug in INTERVIEW_INSTRUMENTS else None


def _form_for(instrument: Instrument, formdata=None, sync_key: str | None = None):
    form = build_interview_form(instrument, g.lang, formdata=formdata)
    if formdata is None:
        form.team.data = str(staff_user().team_id)
    if sync_key is not None:
        form.sync_key.data = sync_key
    municipality_id = own_team(staff_user()).municipality_id
    form.buurt.choices = [SelectChoice("", _("Choose the neighbourhood")), *buurt_choices(municipality_id)]
    return form


@bp.get("")
@requires(Role.interviewer, Role.analyst, menu=_l("Interviews"))
def index(find_form: FindClientForm | None = None):
    user = staff_user()
    return render_template(
        "interviews/index.html",
        interviews=visible_interviews(user),
        instruments=[get_instrument(slug) for slug in INTERVIEW_INSTRUMENTS],
        can_interview=user.role is Role.interviewer,
        localise=localise,
        titles={
            slug: instrument.title for slug in INTERVIEW_INSTRUMENTS if (instrument := get_instrument(slug)) is not None
        },
        find_form=find_form or FindClientForm(),
    )


@bp.post("/find")
@requires(Role.interviewer)
def find():
    """A client's conversations by the code the team uses (posted, so the code stays out of addresses and logs)."""
    user, form = staff_user(), FindClientForm()
    if form.validate_on_submit():
        found = find_client(user, form.client_code.data or "", current_app.config["CLIENT_CODE_SECRET"])
        audit.record("client_searched", user, "team", user.team_id, found=found is not None)
        if found is not None:
            return redirect(url_for("interviews.timeline", interview_id=found.id))
        form.client_code.errors.append(
            _("Your wijkteam has no interviews with this client code. Check the code, or start an intake.")
        )
    return index(form), 422


def _opened(interview_id: int, action: str) -> Interview:
    """The interview, if the worker may open it (the team rule); either way the attempt is in the audit log."""
    user = staff_user()
    interview = db.get_or_404(Interview, interview_id)
    if not may_open(user, interview):
        audit.record("forbidden", user, "interview", interview.id)
        abort(403)
    audit.record(action, user, "interview", interview.id)
    return interview


@bp.get("/<int:interview_id>/timeline")
@requires(Role.interviewer, Role.analyst)
def timeline(interview_id: int):
    """Every conversation with the client of this interview, and their ratings per area of life over time."""
    user, interview = staff_user(), _opened(interview_id, "client_timeline_viewed")
    history = client_history(interview)
    titles = [instrument_of(item.response.instrument_version).title for item in history]
    return render_template(
        "interviews/timeline.html",
        interview=interview,
        history=history,
        titles=titles,
        rows=client_timeline(history),
        localise=localise,
        show_interviewer=user.role is Role.analyst,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Role.interviewer)
def new():
    instrument = _instrument(request.values.get("instrument"))
    if instrument is None:
        return redirect(url_for("interviews.index"))
    if request.method == "GET":
        return _form_page(_form_for(instrument, sync_key=new_sync_key()), instrument)
    form = _form_for(instrument, formdata=request.form)
    try:
        saved = _save(instrument, form)
    except SyncConflict:
        abort(409)
    if saved is None:
        return _form_page(form, instrument, 422)
    return redirect(_next_page(saved.interview))


def _form_page(form, instrument: Instrument, status: int = 200):
    return render_template(
        "interviews/form.html", form=form, instrument=instrument, localise=localise, keep_key=request.method == "POST"
    ), status


def _save(instrument: Instrument, form):
    """Store the interview of the posted form (or find it stored already); None when the form is not valid."""
    return save_interview(staff_user(), instrument, form, g.lang, current_app.config["CLIENT_CODE_SECRET"])


def _next_page(interview: Interview) -> str:
    """The stored interview, or the list when it went to a team its worker has since left."""
    if may_open(staff_user(), interview):
        return url_for("interviews.show", interview_id=interview.id)
    flash(
        _(
            "The interview is saved for %(team)s, the wijkteam you were in on the date of the conversation. You "
            "can no longer open it.",
            team=interview.team.name,
        ),
        "success",
    )
    return url_for("interviews.index")


def _readable(text: str) -> str:
    """The text as UTF-8 can carry it: each half of a character (a lone surrogate) becomes a question mark."""
    return text.encode(errors="replace").decode()


def _unsavable_text(form, fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Fields whose text holds half a character (a lone surrogate, which only JSON can carry): no database stores
    it and no check can read it. Refused with a message the outbox shows, which then keeps the interview; a 500
    would have it retry for ever."""
    errors: dict[str, list[str]] = {}
    for name, value in fields:
        if _readable(name) != name or _readable(value) != value:
            field = form[name].label.text if name in form else _readable(name)
            errors[_readable(name)] = [
                _("The interview has characters we cannot save (%(field)s). Remove them and save again.", field=field)
            ]
    return errors


@bp.route("/sync", methods=["GET", "POST"])
@requires(Role.interviewer)
def sync():
    """The offline outbox sends each stored interview here as the form's fields, once or many times."""
    if request.method == "GET":  # a fresh CSRF token: a page from the tablet's cache may hold an old one
        return jsonify(csrf_token=generate_csrf())
    fields = _posted_fields(request.get_json(silent=True))
    if fields is None:
        return jsonify(status="invalid", errors={"": [_("This is not an interview we can read.")]}), 400
    instrument = _instrument(MultiDict(fields).get("instrument"))
    if instrument is None:
        return jsonify(status="invalid", errors={"instrument": [_("Unknown questionnaire.")]}), 422
    form = _form_for(instrument, formdata=MultiDict(fields))
    if errors := _unsavable_text(form, fields):
        return jsonify(status="invalid", errors=errors), 422
    return _synced(instrument, form)


def _posted_fields(payload: object) -> list[tuple[str, str]] | None:
    """The form's fields the outbox sent, as [name, value] pairs; None when that is not what came."""
    fields = payload.get("fields") if isinstance(payload, dict) else None
    if not isinstance(fields, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair) for pair in fields
    ):
        return None
    return [(name, value) for name, value in fields]


def _synced(instrument: Instrument, form):
    """The outbox's answer: stored (or stored before), or why not."""
    try:
        saved = _save(instrument, form)
    except SyncConflict:
        return jsonify(status="conflict", errors={"": [_("This interview belongs to someone else.")]}), 409
    if saved is None:
        errors = {name: [str(error) for error in field_errors] for name, field_errors in form.errors.items()}
        return jsonify(status="invalid", errors=errors), 422
    url = _next_page(saved.interview)
    return jsonify(status="stored" if saved.created else "duplicate", url=url), 201 if saved.created else 200


@bp.get("/<int:interview_id>")
@requires(Role.interviewer, Role.analyst)
def show(interview_id: int):
    user, interview = staff_user(), _opened(interview_id, "interview_viewed")
    instrument = instrument_of(interview.response.instrument_version)
    history = client_history(interview)
    intake = history[0]
    changes = changes_between(intake, interview) if intake.id != interview.id else []
    summary = Navigator(instrument, interview.response.answer_values()).summary(g.lang)
    return render_template(
        "interviews/show.html",
        interview=interview,
        instrument=instrument,
        history=history,
        intake=intake,
        changes=changes,
        summary=summary,
        localise=localise,
        differences=rating_differences(interview, instrument),
        show_interviewer=user.role is Role.analyst,
    )


def service_worker():
    """The service worker, served from /staff/ so that it may cache the interview pages (scope /staff/)."""
    response = current_app.send_static_file("js/sw.js")
    response.headers["Service-Worker-Allowed"] = "/staff/"
    response.headers["Cache-Control"] = "no-cache"
    return response


def manifest():
    data = {
        "name": _("Leefwereld interviews"),
        "short_name": _("Interviews"),
        "start_url": url_for("interviews.index"),
        "scope": "/staff/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": current_app.config["THEME_PRIMARY"],
        "lang": g.lang,
        "icons": [{"src": url_for("static", filename="icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = jsonify(data)
    response.mimetype = "application/manifest+json"
    return response


def unsent_warnings() -> str:
    """The warning before logging out with interviews still on the device, as JSON: per CLDR plural category of the
    page's language ("one", "few", "many", "other", ...) the message with "%(n)s" for the number. The script picks
    the form with Intl.PluralRules, so Polish, Ukrainian and Arabic get their own forms. Every staff page carries
    it: worked out once per language."""
    return _unsent_warnings(str(get_locale()))


@lru_cache(maxsize=16)
def _unsent_warnings(locale_name: str) -> str:
    locale = get_locale()  # the request's, of which locale_name is the key
    forms: dict[str, str] = {}
    for n in range(200):  # every category shows up below 200 (Arabic's "many" from 11)
        forms.setdefault(
            locale.plural_form(n),
            ngettext(
                "%(n)s interview on this device is not sent yet. When you log out it is deleted. Log out anyway?",
                "%(n)s interviews on this device are not sent yet. When you log out they are deleted. Log out anyway?",
                n,
                n="%(n)s",
            ),
        )
    return json.dumps(forms, ensure_ascii=False)


def init_views(app) -> None:
    app.register_blueprint(bp)
    app.add_template_global(unsent_warnings)
    app.add_url_rule("/staff/sw.js", endpoint="service_worker", view_func=service_worker)
    app.add_url_rule("/staff/manifest.webmanifest", endpoint="manifest", view_func=manifest)
