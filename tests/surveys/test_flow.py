"""The resident flow end to end through real forms: nothing lost, every bad input answered on the same page."""

from __future__ import annotations

import copy
import itertools
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Answer, Response, ResponseStatus
from models.types import utcnow
from surveys import flow
from surveys.registry import get_instrument
from tests.forms import ResidentClient, main_form


def answer_everything(resident, instrument, overrides=None):
    """Walk every page, answering each question with a valid value; return what was entered per item."""
    entered = {}
    overrides = overrides or {}
    for _ in range(len(instrument.pages) + 2):
        if "/r/review" in resident.last.request.path:
            return entered
        form = main_form(resident.html)
        values = {}
        for name, options in form.radios.items():
            values[name] = overrides.get(name, options[-1])
        for name, options in form.checkboxes.items():
            values[name] = overrides.get(name, options[:2])
        for name in form.fields:
            if name in ("csrf_token", "submit_key") or name in values:
                continue
            item = instrument.item(name)
            values[name] = overrides.get(name, str(item.min + 1) if item.type == "number" else f"antwoord {name}")
        entered.update(values)
        resident.submit(values)
        assert resident.last.status_code == 200, resident.html
    raise AssertionError("never reached the review page")


def stored_response() -> Response:
    return db.session.scalars(select(Response)).one()


def test_resident_completes_the_adult_survey_and_sees_their_spider_web(resident):
    adult = get_instrument("adult")
    resident.start("adult")
    assert "/r/area" in resident.last.request.path
    resident.choose_buurt("BU90010001")
    entered = answer_everything(resident, adult, {"ph_body": "3", "ph_mind": "7"})
    resident.submit(action=None)
    assert "/r/done" in resident.last.request.path
    response = stored_response()
    assert response.status is ResponseStatus.submitted
    assert response.neighbourhood.code == "BU90010001"
    assert response.instrument_version.slug == "adult" and response.instrument_version.version == adult.version
    answers = response.answer_values()
    assert answers["ph_body"] == 3 and answers["ph_mind"] == 7
    visible = {k for k in entered if adult.item(k).is_visible(answers)}
    assert visible <= set(answers)
    assert response.age_band == answers.get("age_band")
    assert "<svg" in resident.html and 'role="img"' in resident.html and "<table" in resident.html
    assert "0900 555 0101" in resident.html  # where to find help


def test_back_and_next_keep_every_answer(resident):
    adult = get_instrument("adult")
    resident.start()
    resident.choose_buurt()
    first = main_form(resident.html)
    choice = {name: options[0] for name, options in first.radios.items()}
    resident.submit(choice)
    second_path = resident.last.request.path
    resident.submit(action="back")
    again = main_form(resident.html)
    assert {name: again.fields[name][0] for name in choice} == choice
    resident.submit(action="next")
    assert resident.last.request.path == second_path
    assert adult.pages[0].items[0].id in stored_response().answer_values()


def test_answers_changed_or_left_empty_on_a_page_answered_before_replace_what_was_stored(resident):
    resident.start()
    resident.choose_buurt()
    first = main_form(resident.html)
    names = list(first.radios)[:2]
    resident.submit({name: first.radios[name][0] for name in names})
    resident.submit(action="back")
    resident.submit({name: first.radios[name][1] for name in names})  # both changed
    answers = stored_response().answer_values()
    assert [str(answers[name]) for name in names] == [first.radios[name][1] for name in names]
    while "open_good" not in main_form(resident.html).fields:
        resident.submit({})
    open_page = resident.last.request.path
    resident.submit({"open_good": "Meer bomen in de straat"})
    assert stored_response().answer_values()["open_good"] == "Meer bomen in de straat"
    resident.get(open_page)
    resident.submit({"open_good": ""})  # emptied
    assert "open_good" not in stored_response().answer_values()


def test_validation_error_keeps_all_answers_and_saves_the_valid_ones(resident):
    adult = get_instrument("adult")
    resident.start()
    resident.choose_buurt()
    # find the page with the volunteering hours (a number with a show-if) via the participation page
    answer_until = None
    for index, page in enumerate(adult.pages):
        if any(item.id == "part_hours_volunteer" for item in page.items):
            answer_until = index
    assert answer_until is not None
    volunteer_page = next(i for i, p in enumerate(adult.pages) if any(it.id == "part_volunteer" for it in p.items))
    for _ in range(volunteer_page):
        resident.submit({})
    resident.submit({"part_volunteer": "yes"})
    while "part_hours_volunteer" not in main_form(resident.html).fields:
        resident.submit({})
    form = main_form(resident.html)
    other = next((name for name in form.radios if name != "part_hours_volunteer"), None)
    values = {"part_hours_volunteer": "999"}
    if other:
        values[other] = form.radios[other][0]
    resident.submit(values)
    assert resident.last.status_code == 422
    assert "Vul een heel getal in van 0 tot 80" in resident.html or "0" in resident.html
    again = main_form(resident.html)
    assert again.fields["part_hours_volunteer"] == ["999"]
    if other:
        assert again.fields[other] == [form.radios[other][0]]
        assert stored_response().answer_values()[other] is not None
    assert 'href="#part_hours_volunteer"' in resident.html  # the error summary links to the field
    assert "part_hours_volunteer" not in stored_response().answer_values()


def _first_page(resident):
    resident.start()
    resident.choose_buurt()
    return main_form(resident.html)


def test_unknown_option_code_is_refused_with_a_message(resident):
    form = _first_page(resident)
    name = next(iter(form.radios))
    resident.submit({name: "hacked"})
    assert resident.last.status_code == 422
    assert 'id="error-summary"' in resident.html
    assert name not in stored_response().answer_values()


def test_tampered_submit_key_is_refused_and_answers_stay(resident):
    form = _first_page(resident)
    name, options = next(iter(form.radios.items()))
    resident.submit({name: options[0]}, submit_key="not-a-key")
    assert resident.last.status_code == 422
    assert main_form(resident.html).fields[name] == [options[0]]
    assert stored_response().answer_values() == {}


def test_a_submit_key_of_another_response_is_refused_and_answers_stay(resident, app, demo_wave):
    neighbour = ResidentClient(app.test_client(), demo_wave)
    taken = _first_page(neighbour).fields["submit_key"][0]
    neighbour.submit({})
    form = _first_page(resident)
    name, options = next(iter(form.radios.items()))
    resident.submit({name: options[0]}, submit_key=taken)
    assert resident.last.status_code == 422
    assert "Er is iets veranderd op deze pagina" in resident.html
    assert main_form(resident.html).fields[name] == [options[0]]
    with resident.client.session_transaction() as session:
        mine = flow.find_response(session["response"])
    assert mine.answer_values() == {}
    resident.submit({name: options[0]})  # the page came back with a key of its own
    assert resident.last.status_code == 200 and mine.answer_values() == {name: options[0]}


def test_a_choice_sent_twice_in_a_multiple_choice_question_is_stored_once(resident):
    resident.start("parent")
    resident.choose_buurt()
    while "par_help_where" not in main_form(resident.html).checkboxes:
        resident.submit({})
    first, second = main_form(resident.html).checkboxes["par_help_where"][:2]
    resident.submit({"par_help_where": [first, second, first, second, first]})
    codes = {str(option.code): option.code for option in get_instrument("parent").item("par_help_where").options}
    assert stored_response().answer_values()["par_help_where"] == [codes[first], codes[second]]


def test_a_submit_stored_under_a_key_already_taken_keeps_nothing_and_names_the_first_outcome(resident, app, demo_wave):
    # what a parallel twin meets when the first click committed after the twin checked its key
    adult = get_instrument("adult")
    item = adult.pages[0].items[0]
    resident.start()
    resident.choose_buurt()
    mine_id, neighbourhood_id = stored_response().id, stored_response().neighbourhood_id
    ResidentClient(app.test_client(), demo_wave).start()
    theirs_id = db.session.scalars(select(Response.id).where(Response.id != mine_id)).one()
    key = flow.new_submit_key()
    flow.save_answers(db.session.get(Response, mine_id), adult.pages[0], {item.id: item.codes[0]}, key, "/r/page/1", 30)
    db.session.expunge_all()  # the twin is a request of its own, with a session that never saw the stored key
    with pytest.raises(flow.SubmitKeyTaken) as twin:
        flow.save_answers(
            db.session.get(Response, mine_id), adult.pages[0], {item.id: item.codes[1]}, key, "/r/page/1", 30
        )
    assert twin.value.outcome == "/r/page/1"
    db.session.expunge_all()
    with pytest.raises(flow.SubmitKeyTaken) as copied:
        flow.set_neighbourhood(db.session.get(Response, theirs_id), neighbourhood_id, key, "/r/page/0", 30)
    assert copied.value.outcome is None
    db.session.expunge_all()
    assert db.session.get(Response, mine_id).answer_values() == {item.id: item.codes[0]}
    assert db.session.get(Response, theirs_id).neighbourhood_id is None


def test_a_response_begun_before_its_questionnaire_changed_keeps_the_questions_it_began_with(resident):
    """The stored copy of the version a resident began on, not the changed file, asks the questions: shown and saved."""
    _first_page(resident)
    version = stored_response().instrument_version
    earlier = copy.deepcopy(version.definition)
    earlier["pages"][0]["title"] = {lang: "Eerdere vragen" for lang in earlier["pages"][0]["title"]}
    version.definition, version.content_hash = earlier, "an earlier file"
    db.session.commit()
    resident.get("/r/page/0")
    assert "<h1>Eerdere vragen</h1>" in resident.html
    form = main_form(resident.html)
    name, options = next(iter(form.radios.items()))
    resident.submit({name: options[0]})
    assert resident.last.status_code == 200 and "/r/page/" in resident.last.request.path
    assert stored_response().answer_values()[name] == get_instrument("adult").item(name).codes[0]


def test_missing_csrf_token_gets_a_message_and_keeps_answers(resident):
    form = _first_page(resident)
    name, options = next(iter(form.radios.items()))
    resident.submit({name: options[0]}, drop=("csrf_token",))
    assert resident.last.status_code == 422
    again = main_form(resident.html)
    assert again.fields[name] == [options[0]] and again.fields["csrf_token"][0]
    resident.submit({})
    assert stored_response().answer_values()[name] is not None


def test_oversized_and_binary_text_are_refused_with_the_text_kept(resident):
    adult = get_instrument("adult")
    resident.start()
    resident.choose_buurt()
    while "open_better" not in main_form(resident.html).fields:
        resident.submit({})
    long_text = "a" * 2001
    resident.submit({"open_better": long_text, "open_good": "fijne buren"})
    assert resident.last.status_code == 422
    assert main_form(resident.html).fields["open_better"][0].strip() == long_text
    assert stored_response().answer_values()["open_good"] == "fijne buren"
    resident.submit({"open_better": "stop\x00de\x07bel"})
    assert resident.last.status_code == 422
    assert "open_better" not in stored_response().answer_values()
    assert adult.item("open_better").max_length == 2000


def test_request_too_large_gets_a_translated_page_not_a_crash(resident):
    _first_page(resident)
    form = main_form(resident.html)
    response = resident.client.post(
        form.action, data={"csrf_token": form.fields["csrf_token"][0], "open_good": "x" * (300 * 1024)}
    )
    assert response.status_code == 413
    assert "te veel tekst" in response.get_data(as_text=True).lower()


def test_double_submit_is_idempotent(resident, app):
    adult = get_instrument("adult")
    resident.start()
    resident.choose_buurt()
    answer_everything(resident, adult)
    form = main_form(resident.html)
    data = {key: value for key, value in form.fields.items()}
    first = resident.client.post(form.action, data=data)
    second = resident.client.post(form.action, data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert stored_response().status is ResponseStatus.submitted


def test_repeated_page_submit_writes_once(resident):
    form = _first_page(resident)
    name, options = next(iter(form.radios.items()))
    data = {**form.fields, name: [options[0]], "action": ["next"]}
    first = resident.client.post(form.action, data=data)
    # the resident changes their mind on a stale tab; the same key must not overwrite silently
    data[name] = [options[1]]
    second = resident.client.post(form.action, data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert (
        stored_response().answer_values()[name]
        == get_instrument("adult")
        .item(name)
        .codes[[str(c) for c in get_instrument("adult").item(name).codes].index(options[0])]
    )


def test_closed_wave_refuses_new_answers_and_says_so(resident, demo_wave):
    form = _first_page(resident)
    demo_wave.closes_on = date.today() - timedelta(days=1)
    db.session.commit()
    name, options = next(iter(form.radios.items()))
    resident.submit({name: options[0]})
    assert resident.last.status_code == 409
    assert "gesloten" in resident.html.lower()
    assert main_form(resident.html).fields[name] == [options[0]]
    resident.get(f"/w/{demo_wave.id}/adult/start")
    assert resident.last.status_code == 409


def test_resume_code_restores_all_answers_on_another_device(resident, app):
    form = _first_page(resident)
    name, options = next(iter(form.radios.items()))
    resident.submit({name: options[0]}, action="pause")
    assert "/r/pause" in resident.last.request.path
    code = resident.html.split('class="lw-code"', 1)[1].split(">", 1)[1].split("<", 1)[0]
    assert len(code.replace("-", "")) == 12
    assert stored_response().resume_code_hash != code
    other_device = type(resident)(app.test_client(), resident.wave)
    other_device.get("/resume")
    other_device.submit({"code": code.lower().replace("-", " ")}, action=None)
    assert "/r/page/" in other_device.last.request.path
    assert main_form(other_device.html).fields[name] == [options[0]]


def test_wrong_and_expired_resume_codes_get_messages(resident, app):
    form = _first_page(resident)
    resident.submit({}, action="pause")
    code = resident.html.split('class="lw-code"', 1)[1].split(">", 1)[1].split("<", 1)[0]
    resident.get("/resume")
    resident.submit({"code": "AAAA-BBBB-CCCC"}, action=None)
    assert resident.last.status_code == 422 and "kennen deze code niet" in resident.html
    response = stored_response()
    response.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    resident.submit({"code": code}, action=None)
    assert resident.last.status_code == 422 and "verlopen" in resident.html
    assert form is not None


def test_expired_unfinished_responses_are_purged_with_their_answers(resident):
    form = _first_page(resident)
    name, options = next(iter(form.radios.items()))
    resident.submit({name: options[0]})
    response = stored_response()
    response.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert flow.purge_expired() == 1
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    resident.get("/r/page/0")
    assert resident.last.status_code == 404


def test_answers_hidden_by_a_later_change_are_dropped_on_submit(resident):
    adult = get_instrument("adult")
    resident.start()
    resident.choose_buurt()
    answer_everything(resident, adult, {"part_volunteer": "yes"})
    assert "part_hours_volunteer" in stored_response().answer_values()
    volunteer_page = next(i for i, p in enumerate(adult.pages) if any(it.id == "part_volunteer" for it in p.items))
    resident.get(f"/r/page/{volunteer_page}")
    resident.submit({"part_volunteer": "no"})
    resident.get("/r/review")
    resident.submit(action=None)
    assert "part_hours_volunteer" not in stored_response().answer_values()


def test_language_choice_sets_lang_and_direction(resident):
    resident.get(f"/w/{resident.wave.id}/?lang=ar")
    assert '<html lang="ar" dir="rtl">' in resident.html
    resident.start("adult")
    resident.choose_buurt()
    assert '<html lang="ar" dir="rtl">' in resident.html
    assert stored_response().locale == "ar"
    resident.get(f"/w/{resident.wave.id}/?lang=pl")
    assert '<html lang="pl" dir="ltr">' in resident.html


def test_area_must_be_chosen_and_must_belong_to_the_municipality(resident):
    resident.start()
    resident.submit({"buurt": ""})
    assert resident.last.status_code == 422 and 'href="#buurt"' in resident.html
    resident.submit({"buurt": "BU05990110"})
    assert resident.last.status_code == 422
    assert stored_response().neighbourhood_id is None


def test_a_resident_who_does_not_know_their_neighbourhood_answers_for_the_municipality_only(resident):
    resident.start()
    assert "Ik weet mijn buurt niet" in resident.html
    resident.submit({"buurt": "", "postcode": ""}, action="unknown")
    assert resident.last.request.path == "/r/page/0"  # no error: the list may stay empty
    response = stored_response()
    assert response.area_unknown and response.neighbourhood_id is None and response.area_given
    answer_everything(resident, get_instrument("adult"))
    assert "Buurt: <strong>Weet ik niet</strong>" in resident.html
    resident.submit(action=None)
    assert "/r/done" in resident.last.request.path
    response = stored_response()
    assert response.status is ResponseStatus.submitted and response.area_unknown


def test_a_buurt_chosen_after_i_do_not_know_replaces_it(resident):
    resident.start()
    resident.submit(action="unknown")
    resident.get("/r/area")
    resident.choose_buurt()
    response = stored_response()
    assert response.neighbourhood.code == "BU90010000" and not response.area_unknown


def test_pages_need_a_session_and_say_so(client, demo_wave):
    response = client.get("/r/page/0")
    assert response.status_code == 404
    assert "code" in response.get_data(as_text=True)


def review_links(resident) -> list[str]:
    return re.findall(r'<a href="(/r/page/\d+\?review=1)">', resident.html)


def test_a_change_from_the_review_page_returns_to_it_by_way_of_the_questions_it_opened(resident):
    adult = get_instrument("adult")
    resident.start()
    resident.choose_buurt()
    answer_everything(resident, adult, {"part_volunteer": "no"})
    # a change that opens nothing: straight back to the review page, not through every later page
    resident.get(review_links(resident)[1])
    resident.submit({"who5_1": "1"})
    assert resident.last.request.path == "/r/review"
    assert stored_response().answer_values()["who5_1"] == 1
    # a change that opens a question on a later page: that page, then back to the review page
    resident.get(review_links(resident)[0])
    resident.submit({"part_volunteer": "yes"})
    volunteer_hours = next(
        i for i, p in enumerate(adult.pages) if any(it.id == "part_hours_volunteer" for it in p.items)
    )
    assert resident.last.request.path == f"/r/page/{volunteer_hours}"
    assert 'name="part_hours_volunteer"' in resident.html
    resident.submit({"part_hours_volunteer": "2"})
    assert resident.last.request.path == "/r/review"
    assert stored_response().answer_values()["part_hours_volunteer"] == 2
    # without coming from the review page, "next" goes on to the next page as before
    resident.get("/r/page/1")
    resident.submit()
    assert resident.last.request.path == "/r/page/2"


def test_a_questionnaire_with_only_background_answers_is_not_sent_and_the_resident_is_told_kindly(resident):
    resident.start()
    resident.choose_buurt()
    resident.submit({"age_band": "25_44", "gender": "woman"})  # the first page: background questions only
    resident.get("/r/review")
    resident.submit(action=None)
    assert resident.last.status_code == 422 and resident.last.request.path == "/r/review"
    assert "U heeft nog geen vraag over uw leven beantwoord." in resident.html
    response = stored_response()
    assert response.status is not ResponseStatus.submitted
    assert response.answer_values()["age_band"] == "25_44"  # nothing is lost
    # one answer about their life, and it counts
    resident.get("/r/page/8")
    resident.submit({"open_better": "Meer bankjes in het park"})
    resident.get("/r/review")
    resident.submit(action=None)
    assert "/r/done" in resident.last.request.path
    assert stored_response().status is ResponseStatus.submitted


def test_resuming_on_another_device_keeps_the_language_the_answers_were_given_in(resident, app):
    resident.start(lang="uk")
    resident.choose_buurt()
    resident.submit(action="pause")
    code = resident.html.split('class="lw-code"', 1)[1].split(">", 1)[1].split("<", 1)[0]
    other_device = type(resident)(app.test_client(), resident.wave)
    other_device.get("/resume", headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    other_device.submit({"code": code}, action=None)
    assert "/r/page/" in other_device.last.request.path
    assert '<html lang="uk"' in other_device.html
    # until the resident picks another language
    other_device.submit(action="lang_nl")
    assert '<html lang="nl"' in other_device.html


@pytest.mark.parametrize("slug", ["adult", "youth", "parent"])
@pytest.mark.parametrize("choice", [0, -1])  # the first or the last option everywhere: skip logic both ways
def test_the_progress_line_goes_up_one_page_at_a_time_and_the_number_of_pages_never_grows(resident, slug, choice):
    instrument = get_instrument(slug)
    resident.start(slug, lang="en")
    resident.choose_buurt()
    seen = []
    for _ in range(len(instrument.pages) + 2):
        if "/r/review" in resident.last.request.path:
            break
        seen.append(tuple(int(n) for n in re.search(r"Page (\d+) of (\d+)", resident.html).groups()))
        form = main_form(resident.html)
        values = {name: options[choice] for name, options in form.radios.items()}
        values |= {name: options[choice] for name, options in form.checkboxes.items()}
        resident.submit(values)
    positions, totals = [p for p, _ in seen], [t for _, t in seen]
    assert positions == list(range(1, len(seen) + 1)), seen
    assert all(later <= earlier for earlier, later in itertools.pairwise(totals)), seen
    assert totals[-1] == positions[-1], seen  # the last page says so
