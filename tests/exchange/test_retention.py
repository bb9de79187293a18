"""Retention deletes exactly the submitted responses past their period, with answers and interview notes; no more."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from exchange.retention import apply_retention, retention_plan
from extensions import db
from models import (
    Answer,
    AuditEvent,
    Interview,
    Response,
    ResponseMode,
    ResponseStatus,
    SubmissionKey,
    Wave,
)
from models.types import utcnow
from surveys.registry import current_instruments, ensure_version
from tests.staff import team_named


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def make_response(
    wave: Wave, slug: str, days_ago: float | None, status=ResponseStatus.submitted, interview: bool = False
) -> Response:
    """A response sent `days_ago` days ago (or started then, when not submitted), with answers and a submit key."""
    when = utcnow() - timedelta(days=days_ago or 0)
    response = Response(
        token=uuid.uuid4().hex,
        wave=wave,
        instrument_version=ensure_version(current_instruments()[slug]),
        locale="nl",
        mode=ResponseMode.interview if interview else ResponseMode.self_completed,
        status=status,
        created_at=when,
        updated_at=when,
        submitted_at=when if status is ResponseStatus.submitted else None,
        expires_at=None if status is ResponseStatus.submitted else utcnow() + timedelta(days=1),
        answers=[Answer(item_id="life_satisfaction", value=7), Answer(item_id="ph_body", value=5)],
    )
    db.session.add(response)
    db.session.flush()
    db.session.add(SubmissionKey(key=uuid.uuid4().hex, response_id=response.id, outcome="/r/done"))
    if interview:
        db.session.add(
            Interview(
                response=response,
                team=team_named(),
                client_key="k" * 64,
                notes="vertrouwelijk",
                conducted_at=when,
                sync_key=str(uuid.uuid4()),
            )
        )
    db.session.commit()
    return response


@pytest.fixture
def stored(app, demo_wave):
    """Adult responses on both sides of the 730-day line, a youth one with a shorter period, and unfinished ones."""
    return {
        "adult_old": make_response(demo_wave, "adult", 800).id,
        "adult_old_interview": make_response(demo_wave, "adult", 731, interview=True).id,
        "adult_recent": make_response(demo_wave, "adult", 729).id,
        "adult_recent_interview": make_response(demo_wave, "adult", 10, interview=True).id,
        "youth_old": make_response(demo_wave, "youth", 400).id,
        "youth_recent": make_response(demo_wave, "youth", 100).id,
        "unfinished_old": make_response(demo_wave, "adult", 900, status=ResponseStatus.in_progress).id,
    }


@pytest.fixture
def short_youth_period(app):
    app.config["RETENTION_DAYS_YOUTH"] = 365
    yield
    del app.config["RETENTION_DAYS_YOUTH"]


def remaining() -> set[int]:
    return set(db.session.scalars(select(Response.id)))


def test_retention_deletes_exactly_the_responses_past_their_period(app, stored, short_youth_period):
    removed = apply_retention(app.config)
    assert removed == {"adult": 2, "youth": 1, "parent": 0, "interview": 0}
    assert remaining() == {
        stored["adult_recent"],
        stored["adult_recent_interview"],
        stored["youth_recent"],
        stored["unfinished_old"],
    }  # unfinished responses are purge-expired's business
    assert count(Answer) == 2 * 4 and count(SubmissionKey) == 4
    assert set(db.session.scalars(select(Interview.response_id))) == {stored["adult_recent_interview"]}
    event = db.session.scalars(select(AuditEvent).filter_by(action="retention_applied")).one()
    assert event.details["removed"]["adult"] == 2 and "vertrouwelijk" not in str(event.details)


def test_retention_is_idempotent_and_works_in_batches(app, stored):
    assert sum(apply_retention(app.config, batch_size=1).values()) == 2
    assert sum(apply_retention(app.config).values()) == 0
    assert len(remaining()) == 5


def test_the_dry_run_counts_without_deleting(app, stored, short_youth_period, runner):
    plan = {line.instrument: line for line in retention_plan(app.config)}
    assert (plan["adult"].due, plan["adult"].days, plan["youth"].due, plan["youth"].days) == (2, 730, 1, 365)
    result = runner.invoke(args=["retention", "apply", "--dry-run"])
    assert result.exit_code == 0 and "adult: 2 response(s)" in result.output
    assert len(remaining()) == 7
    result = runner.invoke(args=["retention", "apply"])
    assert result.exit_code == 0 and "adult: 2 response(s) deleted" in result.output
    assert "deleted 3 response(s) in total" in result.output
    assert len(remaining()) == 4


def test_the_purge_command_deletes_only_unfinished_responses_past_their_expiry(app, stored, runner):
    expired = db.session.get(Response, stored["unfinished_old"])
    assert expired is not None
    expired.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = runner.invoke(args=["responses", "purge-expired"])
    assert result.exit_code == 0 and "deleted 1 expired unfinished response(s)" in result.output
    assert stored["unfinished_old"] not in remaining() and len(remaining()) == 6


def test_the_retention_period_comes_from_the_environment(monkeypatch, tmp_path):
    from config import Settings

    monkeypatch.setenv("RETENTION_DAYS", "1000")
    monkeypatch.setenv("RETENTION_DAYS_PARENT", "90")
    config = Settings.from_environment(tmp_path).flask_config()
    assert config["RETENTION_DAYS"] == 1000 and config["RETENTION_DAYS_PARENT"] == 90


def test_an_administrator_previews_and_applies_retention(app, stored, admin, admin_client):
    page = admin_client.get("/staff/data/retention")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<caption id=" in html
    # the questionnaire by its title, not its slug
    adult = re.escape('<th scope="row">Hoe gaat het met u en uw buurt?</th>')
    assert re.search(adult + r"<td>730</td><td>[^<]+</td><td>2</td>", html)
    assert len(remaining()) == 7  # looking deletes nothing
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    assert admin_client.post("/staff/data/retention").status_code == 302  # without the token: nothing happens
    assert len(remaining()) == 7
    response = admin_client.post("/staff/data/retention", data={"csrf_token": token})
    assert response.status_code == 302
    assert len(remaining()) == 5
    event = db.session.scalars(select(AuditEvent).filter_by(action="retention_applied")).one()
    assert event.actor_id == admin.id


def test_analysts_cannot_apply_retention(app, stored, analyst_client):
    assert analyst_client.get("/staff/data/retention").status_code == 403
    assert analyst_client.post("/staff/data/retention").status_code == 403
    assert len(remaining()) == 7


@pytest.mark.parametrize(
    ("due", "button", "message"),
    [
        (2, "Delete these 2 responses now", "2 responses have been deleted."),
        (1, "Delete 1 response now", "1 response has been deleted."),
    ],
)
def test_the_retention_page_counts_in_words_that_fit_the_number(app, stored, admin_client, due, button, message):
    if due == 1:
        db.session.delete(db.session.get(Response, stored["adult_old_interview"]))
        db.session.commit()
    html = admin_client.get("/staff/data/retention?lang=en").get_data(as_text=True)
    assert button in html
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    done = admin_client.post("/staff/data/retention", data={"csrf_token": token}, follow_redirects=True)
    assert message in done.get_data(as_text=True)
