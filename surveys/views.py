"""The resident flow: landing, privacy, neighbourhood, one page per question group, review, thank-you, resume."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from config import LANGUAGES
from extensions import db, limiter, rate_limit
from geography.areas import buurt_choices, has_postcodes
from models import Response, ResponseStatus, Wave
from results.residents import wijk_web
from surveys import flow, messages
from surveys.forms import (
    AreaForm,
    PageFormBase,
    ResumeForm,
    StartForm,
    answer_values,
    build_page_form,
    chosen_neighbourhood,
    mark_form_problems,
)
from surveys.instruments import Instrument, Item, localise
from surveys.navigation import Navigator
from surveys.registry import instrument_of, offered_instrument, offered_instruments
from surveys.spiderweb import spider_web

bp = Blueprint("surveys", __name__, template_folder="templates")
SESSION_KEY = "response"
# Per address, generous enough for a community centre where many residents share one connection.
START_LIMIT = rate_limit("60 per minute")
PAGE_LIMIT = rate_limit("300 per minute")
RESUME_LIMIT = rate_limit("10 per minute")
ERASE_CODE_KEY = "erase_code"  # the code shown once on the thank-you page
ERASE_KEY = "erase"  # the response a resident's code opened for erasure
YOUTH_AUDIENCE = "youth"  # ?audience= on links from pages for young people (surveys.register)


@limiter.request_filter
def _resident_read() -> bool:
    # The resident pages limit posts only (rate_limit); no other limit applies to them. A page read then skips
    # Flask-Limiter's look-up of limits, twice per request, which costs more than a small page's database work.
    return request.method != "POST" and request.blueprint == bp.name


@bp.context_processor
def _instrument_texts() -> dict:
    # every resident page shows texts of a questionnaire in the reader's language
    return {"localise": localise}


def _expiry_days() -> int:
    return current_app.config["RESPONSE_EXPIRY_DAYS"]


def _reached_by_a_young_person() -> bool:
    """Whether the link to this page came from a page for young people (`?audience=youth`): the resume and erase
    pages are reached with a code, before the code says whose answers they are."""
    return request.args.get("audience") == YOUTH_AUDIENCE


def _audience_of(instrument: Instrument) -> str | None:
    """The `?audience=` for a link from this questionnaire's pages to a page reached with a code."""
    return YOUTH_AUDIENCE if instrument.for_young_people else None


def _closed(wave: Wave | flow.WaveTerm) -> bool:
    """Whether the wave takes no answers today; the page then says why (and answers 409)."""
    if wave.is_open(flow.municipal_today()):
        return False
    flash(messages.closed(wave), "error")
    return True


def _open_in_session(response: Response) -> None:
    """This session answers (or erases) the response from now on, also after the browser was closed."""
    session[SESSION_KEY] = response.token
    session.permanent = True


def _load_response(for_update: bool, as_row: bool = False):
    """The resident's response and its instrument, or the page to show instead; `as_row`: see with_response."""
    token = session.get(SESSION_KEY)
    response: Response | flow.PageResponse | None = (
        flow.find_page_response(token, for_update=for_update)
        if as_row
        else flow.find_response(token, for_update=for_update)
    )
    if response is None:
        return None, (render_template("surveys/no_session.html"), 404)
    if flow.is_expired(response):
        session.pop(SESSION_KEY, None)
        g.instrument = instrument_of(response.instrument_version)  # the message speaks as its questionnaire did
        youth = g.instrument.for_young_people
        return None, (render_template("surveys/no_session.html", expired=True, youth=youth), 410)
    if response.status is ResponseStatus.submitted and request.endpoint != "surveys.done":
        return None, redirect(url_for("surveys.done"))
    g.response = response
    g.instrument = instrument_of(response.instrument_version)
    if request.endpoint == "surveys.done" and response.status is not ResponseStatus.submitted:
        return None, redirect(url_for("surveys.review"))  # nothing sent yet: nothing to thank for
    return response, None


def with_response(view=None, *, read_first: bool = False, as_row: bool = False):
    """Load the resident's response from the session; send them to the right place when there is none.

    With `as_row` the view gets a flow.PageResponse (one row read with Core) instead of the ORM object: for a view that
    writes with flow.save_answers and flow.issue_resume_code only.

    A post holds the response from the start (flow.find_response with `for_update`): posts of one response wait for
    each other, and a double click then finds the first click's submit key. With `read_first` a post reads without
    holding it and claims it only to write (flow.save_answers); when another post stored something meanwhile, it is done
    again from the start, holding the response."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            posting = request.method == "POST"
            if posting and read_first:
                response, instead = _load_response(for_update=False, as_row=as_row)
                if instead is not None:
                    return instead
                try:
                    return view(response, g.instrument, *args, **kwargs)
                except flow.ResponseChanged:
                    db.session.rollback()
            response, instead = _load_response(for_update=posting, as_row=as_row)
            if instead is not None:
                return instead
            return view(response, g.instrument, *args, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate


@dataclass(frozen=True)
class PostedKey:
    """The submit key a page was posted with, and whether it may be stored (flow.KeyCheck.usable)."""

    key: str | None
    usable: bool


def checks_submit_key(view):
    """On a post, check the page's submit key first: a key this response used before repeats where its first submit
    led, and stores nothing again. The view gets the PostedKey (None for a GET) after the response and instrument."""

    @wraps(view)
    def wrapped(response: Response | flow.PageResponse, instrument: Instrument, *args, **kwargs):
        posted = None
        if request.method == "POST":
            key = request.form.get("submit_key")
            check = flow.check_submit_key(response, key)
            if check.outcome:
                return redirect(check.outcome)
            posted = PostedKey(key, check.usable)
        return view(response, instrument, posted, *args, **kwargs)

    return wrapped


def requires_area(view):
    """Send a resident who has not yet said where they live to the area page first; after checks_submit_key."""

    @wraps(view)
    def wrapped(response: Response | flow.PageResponse, *args, **kwargs):
        if not response.area_given:
            return redirect(url_for("surveys.area"))
        return view(response, *args, **kwargs)

    return wrapped


def erasing(view):
    """Hand the view the response a resident's code opened for erasure (and its instrument), or send them to type
    the code when there is none."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        response = flow.find_response(session.get(ERASE_KEY))
        if response is None:
            return redirect(url_for("surveys.erase"))
        # the code said whose answers these are: the register of their questionnaire
        g.instrument = instrument_of(response.instrument_version)
        return view(response, g.instrument, *args, **kwargs)

    return wrapped


@bp.get("/")
def index():
    today = flow.municipal_today()
    waves = [wave for wave in db.session.scalars(select(Wave).order_by(Wave.opens_on.desc())) if wave.is_open(today)]
    if len(waves) == 1:
        return redirect(url_for("surveys.landing", wave_id=waves[0].id))
    return render_template("surveys/index.html", waves=waves)


@bp.get("/w/<int:wave_id>/")
def landing(wave_id: int):
    wave = db.get_or_404(Wave, wave_id)
    instruments = offered_instruments(wave)
    is_open = wave.is_open(flow.municipal_today())
    # a wave that offers only questionnaires for young people (say, at a school) speaks to them from the start
    g.young_reader = bool(instruments) and all(instrument.for_young_people for instrument in instruments)
    return render_template(
        "surveys/landing.html",
        wave=wave,
        instruments=instruments,
        youth=g.young_reader,
        is_open=is_open,
        closed_message=None if is_open else messages.closed(wave),
    )


@bp.route("/w/<int:wave_id>/<slug>/start", methods=["GET", "POST"])
@START_LIMIT
def start(wave_id: int, slug: str):
    wave = db.get_or_404(Wave, wave_id)
    instrument = offered_instrument(wave, slug)
    if instrument is None:
        abort(404)
    g.instrument = instrument  # the register of this page and its messages (surveys.register)
    form = StartForm()
    status = 409 if _closed(wave) else 200
    if status == 200 and request.method == "POST":
        if form.validate_on_submit():
            _open_in_session(flow.start_response(wave, instrument, g.lang, _expiry_days()))
            return redirect(url_for("surveys.area"))
        flash(messages.open_too_long_at_start(), "error")
        status = 422
    return render_template("surveys/start.html", wave=wave, instrument=instrument, form=form), status


@bp.route("/r/area", methods=["GET", "POST"])
@PAGE_LIMIT
@with_response
@checks_submit_key
def area(response: Response, instrument: Instrument, posted: PostedKey | None):
    form = AreaForm(
        formdata=request.form if posted is not None else None,
        data={"buurt": response.neighbourhood.code if response.neighbourhood else ""},
    )
    show_postcode = has_postcodes(response.wave.municipality_id)
    if posted is not None:
        return _post_area(response, instrument, form, posted, show_postcode)
    return _area_page(form, instrument, response.wave, show_postcode)


def _post_area(
    response: Response, instrument: Instrument, form: AreaForm, posted: PostedKey, show_postcode: bool
) -> ResponseReturnValue:
    """Store the buurt a posted area form names and go on to the first question page; or show the form again."""
    wave = response.wave
    form.validate()
    mark_form_problems(form, posted.usable)
    unknown = request.form.get("action") == "unknown"  # "I don't know": the municipality only
    neighbourhood = None if unknown else chosen_neighbourhood(form, wave.municipality, show_postcode)
    if _closed(wave):
        return _area_page(form, instrument, wave, show_postcode, 409)
    if not (unknown or neighbourhood is not None) or form.errors or posted.key is None:  # None: no usable key
        return _area_page(form, instrument, wave, show_postcode, 422)
    target = url_for("surveys.page", index=Navigator(instrument, response.answer_values()).first_index())
    try:
        chosen = neighbourhood.id if neighbourhood is not None else None
        flow.set_neighbourhood(response, chosen, posted.key, target, _expiry_days())
    except flow.SubmitKeyTaken as taken:
        if taken.outcome:
            return redirect(taken.outcome)
        mark_form_problems(form, valid_key=False)
        return _area_page(form, instrument, wave, show_postcode, 422)
    return redirect(target)


def _area_page(
    form: AreaForm, instrument: Instrument, wave: Wave, show_postcode: bool, status: int = 200
) -> ResponseReturnValue:
    # the options only for the page shown: a post is checked against the buurten by find_neighbourhood
    form.buurt.choices = [SelectChoice("", messages.choose_neighbourhood()), *buurt_choices(wave.municipality_id)]
    form.submit_key.data = flow.new_submit_key()
    return render_template(
        "surveys/area.html", form=form, instrument=instrument, show_postcode=show_postcode, wave=wave
    ), status


def _target_after(action: str, navigator: Navigator, index: int, before: dict | None = None) -> tuple[str, int]:
    """Where a page submit leads, and the page index to remember. A page opened from the review page to change an
    answer (`before`: the answers until then) leads back to it, by way of the pages with questions the change
    opened."""
    if action == "back":
        previous = navigator.previous_index(index)
        if previous is None:
            return url_for("surveys.area"), index
        return url_for("surveys.page", index=previous), previous
    if action == "pause":
        return url_for("surveys.pause"), index
    if action.startswith("lang_") and action[5:] in LANGUAGES:
        return url_for("surveys.page", index=index, lang=action[5:], review=1 if before is not None else None), index
    if before is not None:
        opened = navigator.next_opened_index(index, before)
        if opened is None:
            return url_for("surveys.review"), index
        return url_for("surveys.page", index=opened, review=1), opened
    following = navigator.next_index(index)
    if following is None:
        return url_for("surveys.review"), index
    return url_for("surveys.page", index=following), following


@bp.route("/r/page/<int:index>", methods=["GET", "POST"])
@PAGE_LIMIT
@with_response(read_first=True, as_row=True)
@checks_submit_key
@requires_area
def page(response: flow.PageResponse, instrument: Instrument, posted: PostedKey | None, index: int):
    if not 0 <= index < len(instrument.pages):
        abort(404)
    stored = flow.stored_answers(response)
    navigator = Navigator(instrument, stored)
    items = navigator.shown[index]
    if not items:  # every question here depends on an earlier answer that rules it out
        following = navigator.next_index(index)
        return redirect(
            url_for("surveys.page", index=following) if following is not None else url_for("surveys.review")
        )
    if posted is not None:
        return _post_page(response, navigator, index, posted)
    form = build_page_form(instrument, instrument.pages[index], items, g.lang, stored=stored)
    return _question_page(form, items, navigator, index)


def _post_page(response: flow.PageResponse, navigator: Navigator, index: int, posted: PostedKey) -> ResponseReturnValue:
    """Store a posted question page and go where its button leads; or show it again with its problems, keeping
    every valid answer. `navigator`: of the answers stored before this post."""
    instrument, stored = navigator.instrument, navigator.answers
    current, items = instrument.pages[index], navigator.shown[index]
    form = build_page_form(instrument, current, items, g.lang, formdata=request.form)
    form.validate()
    mark_form_problems(form, posted.usable)
    trusted = "csrf_token" not in form.errors and posted.usable
    values = answer_values(form, items) if trusted else {}
    if _closed(response.wave):
        return _question_page(form, items, navigator, index, 409)
    if form.errors:
        if values:  # keep what was valid; the rest stays on the page for the resident to correct
            flow.save_answers(response, current, values, None, "", _expiry_days(), locale=g.lang, stored=stored)
        return _question_page(form, items, navigator, index, 422)
    action = request.form.get("action", "next")
    navigator = Navigator(instrument, {**stored, **values})
    target, remembered = _target_after(
        action, navigator, index, before=stored if request.args.get("review") == "1" else None
    )
    try:
        flow.save_answers(
            response,
            current,
            values,
            posted.key,
            target,
            _expiry_days(),
            page_index=remembered,
            locale=g.lang,
            stored=stored,
        )
    except flow.SubmitKeyTaken as taken:
        if taken.outcome:
            return redirect(taken.outcome)
        mark_form_problems(form, valid_key=False)
        return _question_page(form, items, navigator, index, 422)
    if action == "pause":  # after the answers: a repeated click must not replace the code shown
        session["resume_code"] = flow.issue_resume_code(response, current_app.config["SECRET_KEY"])
    return redirect(target)


def _question_page(
    form: PageFormBase, items: tuple[Item, ...], navigator: Navigator, index: int, status: int = 200
) -> ResponseReturnValue:
    """The question page `index` with these questions; its progress as the navigator counts it."""
    form.submit_key.data = flow.new_submit_key()
    return render_template(
        "surveys/page.html",
        form=form,
        page=navigator.instrument.pages[index],
        items=items,
        instrument=navigator.instrument,
        progress=navigator.progress(index),
        is_first=navigator.previous_index(index) is None,
    ), status


@bp.route("/r/review", methods=["GET", "POST"])
@PAGE_LIMIT
@with_response
@checks_submit_key
@requires_area
def review(response: Response, instrument: Instrument, posted: PostedKey | None):
    if posted is not None:
        return _send(response, instrument, posted)
    return _review_page(response, instrument, StartForm())


def _send(response: Response, instrument: Instrument, posted: PostedKey) -> ResponseReturnValue:
    """Send the answers from the review page and go on to the thank-you page; or show the review page again with
    why not."""
    form = StartForm()
    if not form.validate_on_submit() or not posted.usable or posted.key is None:  # a usable key is there
        flash(messages.open_too_long_at_review(), "error")
        return _review_page(response, instrument, form, 422)
    try:
        flow.submit_response(response, instrument, posted.key, url_for("surveys.done"))
    except flow.WaveClosed:
        flash(messages.closed(response.wave), "error")
        return _review_page(response, instrument, form, 409)
    except flow.NothingAnswered:
        db.session.rollback()  # the answers hidden by a later change stay until something is answered
        flash(messages.nothing_answered(), "error")
        return _review_page(response, instrument, form, 422)
    except flow.SubmitKeyTaken as taken:
        if taken.outcome:
            return redirect(taken.outcome)
        flash(messages.open_too_long_at_review(), "error")
        return _review_page(response, instrument, form, 422)
    # a code to erase the answers later, shown once on the thank-you page
    session[ERASE_CODE_KEY] = flow.issue_resume_code(response, current_app.config["SECRET_KEY"])
    return redirect(url_for("surveys.done"))


def _review_page(response: Response, instrument: Instrument, form: StartForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "surveys/review.html",
        form=form,
        instrument=instrument,
        summary=Navigator(instrument, flow.stored_answers(response)).summary(g.lang),
        submit_key=flow.new_submit_key(),
        neighbourhood=response.neighbourhood,
    ), status


@bp.route("/r/done", methods=["GET", "POST"])
@PAGE_LIMIT
@with_response
def done(response: Response, instrument: Instrument):
    form, code = _code_to_show(response, ERASE_CODE_KEY)
    web = spider_web(response.answer_values(), g.lang)
    wijk_code = response.neighbourhood.district.code if response.neighbourhood is not None else None
    return render_template(
        "surveys/done.html",
        web=web,
        municipality=response.wave.municipality,
        instrument=instrument,
        code=code,
        form=form,
        wijk_code=wijk_code,
        wijk_web=wijk_web(wijk_code) if web and wijk_code else None,
        closes_on=format_date(response.wave.closes_on, "long") if response.wave.closes_on else None,
    )


@bp.route("/r/pause", methods=["GET", "POST"])
@PAGE_LIMIT
@with_response
def pause(response: Response, instrument: Instrument):
    form, code = _code_to_show(response, "resume_code")
    return render_template(
        "surveys/pause.html",
        code=code,
        form=form,
        response=response,
        instrument=instrument,
        expiry_days=_expiry_days(),
        continue_index=response.page_index,
    )


def _code_to_show(response: Response, key: str) -> tuple[StartForm, str | None]:
    """The form of the page's button for a new code, and the code to show: the one issued with the step before (kept
    in the session under `key` to be shown once), or a new one the resident asked for (an earlier one then stops
    working)."""
    form = StartForm()
    code = session.pop(key, None)
    if request.method == "POST" and form.validate_on_submit():
        code = flow.issue_resume_code(response, current_app.config["SECRET_KEY"])
    return form, code


@bp.route("/resume", methods=["GET", "POST"])
@RESUME_LIMIT
def resume():
    # reached from the landing page of a wave for young people: speak to them as its pages do
    g.young_reader = _reached_by_a_young_person()
    form = ResumeForm()
    code = _posted_code(form)
    if code is not None:
        result = flow.find_by_resume_code(code, current_app.config["SECRET_KEY"])
        if result.response is not None:  # the code says whose answers these are: speak as their pages do
            g.young_reader = instrument_of(result.response.instrument_version).for_young_people
        if result.response is not None and result.problem in (None, "submitted"):
            return redirect(_reopen(result.response))
        expired = result.problem == "expired"
        form.code.errors = [messages.expired_code(_expiry_days()) if expired else messages.unknown_code()]
    return render_template("surveys/resume.html", form=form, youth=g.young_reader), _shown_status()


def _posted_code(form: ResumeForm) -> str | None:
    """The code a resident posted; None on a GET, and None with the problem on the form when the page was open too
    long (CSRF)."""
    if request.method != "POST":
        return None
    if not form.validate_on_submit():
        form.code.errors = [messages.type_code_again()]
        return None
    return form.code.data or ""


def _shown_status() -> int:
    """A page shown again after a post did not lead on answers 422."""
    return 422 if request.method == "POST" else 200


def _reopen(response: Response) -> str:
    """Open the response a resident's code found in this session, in the language it was answered in until another
    is picked; where they go on."""
    _open_in_session(response)
    if response.locale in LANGUAGES:
        session["lang"] = response.locale
    if response.status is ResponseStatus.submitted:  # sent answers cannot change; the code can still erase them
        session[ERASE_KEY] = response.token
        return url_for("surveys.erase_confirm")
    if not response.area_given:
        return url_for("surveys.area")
    return url_for("surveys.page", index=response.page_index)


@bp.route("/erase", methods=["GET", "POST"])
@RESUME_LIMIT
def erase():
    """A resident types the code from the thank-you page (or a resume code) to have their answers deleted."""
    g.young_reader = _reached_by_a_young_person()  # from a young person's thank-you page
    form = ResumeForm()
    code = _posted_code(form)
    if code is not None:
        response = flow.find_for_erasure(code, current_app.config["SECRET_KEY"])
        if response is not None:
            session[ERASE_KEY] = response.token
            return redirect(url_for("surveys.erase_confirm"))
        form.code.errors = [messages.unknown_code()]
    return render_template("surveys/erase.html", form=form, youth=g.young_reader), _shown_status()


@bp.route("/erase/confirm", methods=["GET", "POST"])
@PAGE_LIMIT
@erasing
def erase_confirm(response: Response, instrument: Instrument):
    """What will be deleted, and the button that deletes it for good."""
    form = StartForm()
    posting = request.method == "POST"
    if posting and form.validate_on_submit():
        return redirect(_erase(response, instrument))
    if posting:
        flash(messages.open_too_long_at_erase(), "error")
    return render_template(
        "surveys/erase_confirm.html",
        form=form,
        response=response,
        instrument=instrument,
        summary=Navigator(instrument, response.answer_values()).summary(g.lang),
    ), 422 if posting else 200


def _erase(response: Response, instrument: Instrument) -> str:
    """Delete the response for good and forget it in this session; where the resident goes on."""
    token = response.token
    flow.erase_response(response)
    session.pop(ERASE_KEY, None)
    if session.get(SESSION_KEY) == token:
        session.pop(SESSION_KEY, None)
    return url_for("surveys.erased", audience=_audience_of(instrument))


@bp.get("/erase/done")
def erased():
    g.young_reader = _reached_by_a_young_person()  # the answers are gone; the link still says whose they were
    return render_template("surveys/erased.html", youth=g.young_reader)
