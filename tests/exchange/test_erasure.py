"""A resident erases their own response with the code from the thank-you page: really deleted, nothing else touched."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from extensions import db
from models import Answer, AuditEvent, Response, SubmissionKey
from surveys.registry import get_instrument
from tests.forms import ResidentClient, main_form
from tests.surveys.test_flow import answer_everything


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def shown_code(html: str) -> str | None:
    if 'class="lw-code"' not in html:
        return None
    return html.split('class="lw-code"', 1)[1].split(">", 1)[1].split("<", 1)[0]


def complete(resident: ResidentClient, buurt: str = "BU90010001") -> Response:
    resident.start("adult")
    resident.choose_buurt(buurt)
    answer_everything(resident, get_instrument("adult"), {"open_better": "Mijn buurman Jan op nummer 12"})
    resident.submit(action=None)
    assert "/r/done" in resident.last.request.path
    return db.session.scalars(select(Response).order_by(Response.id.desc()).limit(1)).one()


def erase_with(client: ResidentClient, code: str):
    client.get("/erase")
    return client.submit({"code": code}, action=None)


def test_the_code_on_the_thank_you_page_erases_that_response_and_nothing_else(app, resident, demo_wave):
    neighbour = ResidentClient(app.test_client(), demo_wave)
    kept = complete(neighbour, "BU90010002").id
    kept_answers = count(Answer)
    mine = complete(resident).id
    code = shown_code(resident.html)
    assert code and len(code.replace("-", "")) == 12
    assert "/erase" in resident.html
    other_device = ResidentClient(app.test_client(), demo_wave)
    erase_with(other_device, code.lower())
    assert "/erase/confirm" in other_device.last.request.path
    page = other_device.html
    assert "Stationskwartier" in page and get_instrument("adult").item("ph_body").text["nl"] in page
    assert "Mijn buurman Jan" in page  # what will be deleted, in full
    assert count(Response) == 2  # looking deletes nothing
    other_device.submit(action=None)
    assert "/erase/done" in other_device.last.request.path
    assert set(db.session.scalars(select(Response.id))) == {kept}
    assert count(Answer) == kept_answers
    assert (
        db.session.scalar(select(func.count()).select_from(SubmissionKey).where(SubmissionKey.response_id == mine)) == 0
    )
    event = db.session.scalars(select(AuditEvent).filter_by(action="response_erased_by_resident")).one()
    assert event.target_id == str(mine) and event.actor_id is None
    assert "Jan" not in json.dumps(event.details) and "BU9001" not in json.dumps(event.details)
    again = erase_with(ResidentClient(app.test_client(), demo_wave), code)
    assert again.status_code == 422 and 'class="lw-error-summary"' in again.get_data(as_text=True)


def test_the_code_is_shown_once_and_a_new_one_replaces_it(app, resident, demo_wave):
    complete(resident)
    first = shown_code(resident.html)
    resident.get("/r/done")
    assert shown_code(resident.html) is None
    resident.submit(action=None)  # "Make a code"
    second = shown_code(resident.html)
    assert second and second != first
    assert erase_with(ResidentClient(app.test_client(), demo_wave), first).status_code == 422
    stranger = ResidentClient(app.test_client(), demo_wave)
    erase_with(stranger, second)
    assert "/erase/confirm" in stranger.last.request.path


def test_a_resume_code_of_a_sent_response_leads_to_the_erase_page(app, resident, demo_wave):
    complete(resident)
    code = shown_code(resident.html)
    other = ResidentClient(app.test_client(), demo_wave)
    other.get("/resume")
    other.submit({"code": code}, action=None)
    assert "/erase/confirm" in other.last.request.path
    assert count(Response) == 1


def test_an_unfinished_response_can_be_erased_with_its_pause_code(app, resident, demo_wave):
    resident.start("adult")
    resident.choose_buurt()
    resident.submit({}, action="pause")
    code = shown_code(resident.html)
    other = ResidentClient(app.test_client(), demo_wave)
    erase_with(other, code)
    other.submit(action=None)
    assert "/erase/done" in other.last.request.path and count(Response) == 0


def test_wrong_codes_and_old_pages_get_messages_and_delete_nothing(app, resident, demo_wave):
    complete(resident)
    visitor = ResidentClient(app.test_client(), demo_wave)
    response = erase_with(visitor, "AAAA-BBBB-CCCC")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'href="#code"' in html and 'aria-invalid="true"' in html
    visitor.get("/erase")
    assert visitor.submit({"code": shown_code(resident.html)}, action=None, drop=("csrf_token",)).status_code == 422
    erase_with(visitor, shown_code(resident.html))
    assert visitor.submit(action=None, drop=("csrf_token",)).status_code == 422
    assert count(Response) == 1
    assert app.test_client().get("/erase/confirm").status_code == 302  # no code typed: back to the code page


def test_typing_codes_is_rate_limited(app, demo_wave, rate_limited):
    visitor = ResidentClient(app.test_client(), demo_wave)
    statuses = []
    for _ in range(11):
        visitor.get("/erase")
        form = main_form(visitor.html) if visitor.last.status_code == 200 else None
        data = {"csrf_token": form.fields["csrf_token"][0] if form else "", "code": "AAAA-BBBB-CCCC"}
        statuses.append(visitor.client.post("/erase", data=data).status_code)
    assert statuses[:10] == [422] * 10 and statuses[10] == 429


def test_the_erase_pages_work_without_javascript_and_are_not_cached(client, demo_wave):
    page = client.get("/erase")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<script" not in html
    assert '<label class="lw-label" for="code"' in html
    assert page.headers["Cache-Control"] == "no-store"
