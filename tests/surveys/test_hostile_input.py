"""Property-based: random and hostile values on every resident form page give a stored valid answer or a translated
message on the page, never a server error, and never lose an answer given before."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys import flow
from surveys.registry import get_instrument
from tests.forms import ResidentClient, main_form
from tests.hostile import BATTERY, form_body, hostile_text, is_valid_answer, values_for

RESIDENT_INSTRUMENTS = ["adult", "youth", "parent"]
FIELD_ERROR = re.compile(r'id="([a-z0-9_]+)-error"')
TRANSLATED_SUMMARY = "Kijk dit na"  # the error summary's heading in Dutch, the default language


def _answers(resident: ResidentClient) -> dict:
    with resident.client.session_transaction() as session:
        token = session["response"]
    from extensions import db

    db.session.expire_all()
    response = flow.find_response(token)
    assert response is not None
    return response.answer_values()


def _post(resident: ResidentClient, fields: dict[str, list[str]]):
    form = main_form(resident.html)
    return resident.client.post(form.action, data=form_body(fields), content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("slug", RESIDENT_INSTRUMENTS)
@settings(BATTERY, max_examples=80)
@given(data=st.data())
def test_hostile_values_on_any_page_are_stored_valid_or_answered_with_a_message(resident, slug, data):
    instrument = get_instrument(slug)
    if resident.last is None:
        resident.start(slug)
        resident.choose_buurt()
    # everything is drawn before the page is opened: which questions it shows depends on earlier examples' answers,
    # and Hypothesis needs the same choices to lead to the same draws
    index = data.draw(st.integers(0, len(instrument.pages) - 1), label="page")
    drawn = {item.id: data.draw(values_for(item), label=item.id) for item in instrument.pages[index].items}
    action = data.draw(st.one_of(st.sampled_from(["next", "back", "pause", "lang_en"]), hostile_text()), label="action")
    if resident.get(f"/r/page/{index}").status_code != 200:
        return  # every question on it depends on an answer that rules it out
    form = main_form(resident.html)
    names = [
        *form.radios,
        *form.checkboxes,
        *(name for name in form.fields if name not in ("csrf_token", "submit_key")),
    ]
    fields = {name: drawn[name] for name in names}
    fields.update(csrf_token=form.fields["csrf_token"], submit_key=[flow.new_submit_key()], action=[action])
    before = _answers(resident)

    reply = _post(resident, fields)

    assert reply.status_code in (302, 413, 422), reply.status_code
    after = _answers(resident)
    html = reply.get_data(as_text=True)
    refused = {302: set(), 413: set(names)}.get(reply.status_code) or set(FIELD_ERROR.findall(html))
    if reply.status_code != 302:
        assert TRANSLATED_SUMMARY in html or "te veel tekst" in html.lower()
    for item_id in set(before) | set(after):
        if item_id not in names or item_id in refused:  # not on this page, or refused: as it was
            assert after.get(item_id) == before.get(item_id), item_id
        elif item_id in after:
            assert is_valid_answer(instrument.item(item_id), after[item_id]), (item_id, after[item_id])


@BATTERY
@given(data=st.data())
def test_hostile_neighbourhood_and_postcode_get_a_message_or_a_known_neighbourhood(resident, data):
    if resident.last is None:
        resident.start()
    resident.get("/r/area")
    form = main_form(resident.html)
    fields = {
        "buurt": data.draw(values_for(None), label="buurt"),
        "postcode": data.draw(values_for(None), label="postcode"),
        "csrf_token": form.fields["csrf_token"],
        "submit_key": [flow.new_submit_key()],
    }
    reply = _post(resident, fields)
    assert reply.status_code in (302, 413, 422), reply.status_code
    if reply.status_code == 422:
        assert TRANSLATED_SUMMARY in reply.get_data(as_text=True)
