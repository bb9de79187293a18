"""Double clicks and parallel sends against a real threaded server: every post gets a page, never an error, and
what is stored is what the residents were told was saved."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Response, ResponseStatus, SubmissionKey
from surveys import flow
from surveys.registry import get_instrument
from tests.forms import ResidentClient, main_form
from tests.live import Reply, all_at_once, post_form, serving, session_cookie

RESIDENTS = 4
CLICKS = 6  # posts per resident per burst: a double (or sextuple) click, several tabs, a flaky connection
PAGES = 3


@pytest.fixture
def live(app):
    with serving(app) as address:
        yield address


def _fill(form, instrument, round_: int) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Valid values for every question on the page, and what each should be stored as."""
    fields = {name: list(values) for name, values in form.fields.items()}
    expected: dict[str, Any] = {}
    for name, options in form.radios.items():
        choice = options[round_ % len(options)]
        fields[name] = [choice]
        expected[name] = {str(code): code for code in instrument.item(name).codes}[choice]
    for name, options in form.checkboxes.items():
        fields[name] = options[:2]
        codes = {str(code): code for code in instrument.item(name).codes}
        expected[name] = [codes[option] for option in options[:2]]
    for name in form.fields:
        if name in ("csrf_token", "submit_key") or name in expected:
            continue
        item = instrument.item(name)
        if item.type == "number":
            fields[name], expected[name] = [str(item.min + 1)], item.min + 1
        else:
            fields[name], expected[name] = [f"antwoord {round_} {name}"], f"antwoord {round_} {name}"
    fields["action"] = ["next"]
    return fields, expected


def _token(resident: ResidentClient) -> str:
    with resident.client.session_transaction() as session:
        return session["response"]


def _stored(resident: ResidentClient) -> Response:
    db.session.expire_all()
    response = flow.find_response(_token(resident))
    assert response is not None
    return response


def test_parallel_page_posts_and_final_sends_never_fail_and_store_what_was_acknowledged(app, demo_wave, live):
    adult = get_instrument("adult")
    residents = [ResidentClient(app.test_client(), demo_wave) for _ in range(RESIDENTS)]
    for resident in residents:
        resident.start()
        resident.choose_buurt()
    replies: list[Reply] = []
    posted: set[str] = set()
    acknowledged: set[str] = set()
    expected: list[dict[str, Any]] = [{} for _ in residents]
    outcomes: list[set[tuple[int, str | None]]] = []

    def burst(posts: list[tuple[int, str, dict[str, list[str]]]]) -> list[Reply]:
        """Send every post at once; posts are (resident, path, fields)."""
        sent = all_at_once(
            [
                # mypy infers no lambda with default arguments (they bind the loop's values)
                lambda who=who, path=path, fields=fields: post_form(  # type: ignore[misc]
                    live, path, session_cookie(residents[who].client), fields
                )
                for who, path, fields in posts
            ]
        )
        replies.extend(sent)
        for (_, _, fields), reply in zip(posts, sent, strict=True):
            posted.add(fields["submit_key"][0])
            if reply.status == 302:
                acknowledged.add(fields["submit_key"][0])
        return sent

    for round_ in range(PAGES):
        posts, keys = [], []
        for who, resident in enumerate(residents):
            form = main_form(resident.html)
            fields, values = _fill(form, adult, round_)
            expected[who].update(values)
            keys.append(fields["submit_key"][0])
            path = resident.last.request.path
            # the same page sent again and again with its own key (double clicks) ...
            posts += [(who, path, fields)] * (CLICKS // 2)
            # ... and resent from other tabs, each with a key of its own
            posts += [(who, path, {**fields, "submit_key": [uuid.uuid4().hex]}) for _ in range(CLICKS // 2)]
        sent = burst(posts)
        for who, resident in enumerate(residents):
            mine = [
                reply
                for (poster, _, fields), reply in zip(posts, sent, strict=True)
                if poster == who and fields["submit_key"][0] == keys[who]
            ]
            # every click leads where the first one did
            outcomes.append({(reply.status, reply.location) for reply in mine})
            resident.get(next((reply.location for reply in mine if reply.status == 302), resident.last.request.path))

    for resident in residents:
        resident.get("/r/review")
    sends = [
        (who, "/r/review", {**{name: list(values) for name, values in main_form(resident.html).fields.items()}})
        for who, resident in enumerate(residents)
    ] * CLICKS
    sent = burst(sends)

    errors = [reply for reply in replies if reply.status >= 500]
    # the figures for the closing notes (run with -s)
    print(f"{db.engine.dialect.name}: {len(replies)} posts, {len(errors)} server errors")
    assert not errors, f"{len(errors)} of {len(replies)} posts gave a server error"
    assert all(len(outcome) == 1 and next(iter(outcome))[0] == 302 for outcome in outcomes), outcomes
    assert {(reply.status, reply.location) for reply in sent} == {(302, "/r/done")}
    for who, resident in enumerate(residents):
        response = _stored(resident)
        assert response.status is ResponseStatus.submitted
        stored = response.answer_values()
        assert {name: stored.get(name) for name in expected[who]} == expected[who]
    assert db.session.scalar(select(func.count()).select_from(Response)) == RESIDENTS
    # a post that was told its page was saved was saved, once, under its own key
    assert set(db.session.scalars(select(SubmissionKey.key).where(SubmissionKey.key.in_(posted)))) == acknowledged
