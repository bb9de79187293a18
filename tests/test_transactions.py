"""One unit of work per request and per command: committed at its end when it succeeds, nothing of it kept otherwise."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import transactions
from accounts import audit
from extensions import db
from framework import service
from framework.errors import FrameworkError
from models import AuditEvent, Outcome, Role, User
from tests.forms import parse_forms
from tests.staff import log_in, make_staff

NEW_OUTCOME = "/staff/framework/outcomes/new"


class Broken(Exception):
    pass


def outcomes_named(name: str) -> int:
    return db.session.execute(select(func.count()).select_from(Outcome).filter_by(name=name)).scalar_one()


def post_new_outcome(client, name: str):
    page = client.get(NEW_OUTCOME)
    form = next(form for form in parse_forms(page.get_data(as_text=True)) if form.action.startswith(NEW_OUTCOME))
    data = {key: list(value) for key, value in form.fields.items()}
    data["name"] = [name]
    return client.post(NEW_OUTCOME, data=data)


def fail_second_write(monkeypatch) -> None:
    """create_outcome adds the outcome and flushes it, then writes its history: that second write fails."""

    def broken(*args, **kwargs):
        raise Broken("the second write of the service")

    monkeypatch.setattr(service, "record_change", broken)


def test_a_request_that_fails_half_way_through_a_service_leaves_nothing_behind(app, analyst_client, monkeypatch):
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    fail_second_write(monkeypatch)
    with pytest.raises(Broken):  # the test app lets exceptions through (TESTING)
        post_new_outcome(analyst_client, "Half gemaakt")
    assert outcomes_named("Half gemaakt") == 0

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production: the error page
    response = post_new_outcome(analyst_client, "Half gemaakt")
    assert response.status_code == 500
    assert outcomes_named("Half gemaakt") == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_form_shown_again_with_its_errors_stores_nothing_of_the_change(app, analyst_client, monkeypatch):
    # a service that has written before it refuses: the page answers 422 with the message, and the edge rolls back
    def refuses_after_writing(municipality, name, *args, **kwargs):
        db.session.add(Outcome(municipality=municipality, name=name, position=99))
        db.session.flush()
        raise FrameworkError({"name": ["refused after a write"]})

    monkeypatch.setattr(service, "create_outcome", refuses_after_writing)
    response = post_new_outcome(analyst_client, "Geweigerd")
    assert response.status_code == 422 and "refused after a write" in response.get_data(as_text=True)
    assert outcomes_named("Geweigerd") == 0


def test_a_successful_request_is_committed_at_its_end(app, analyst_client):
    response = post_new_outcome(analyst_client, "Bewaard")
    assert response.status_code == 302
    db.session.rollback()  # nothing of the test's own session: the request's commit is what is read
    assert outcomes_named("Bewaard") == 1


def test_a_command_that_fails_half_way_through_a_service_leaves_nothing_behind(app, demo_wave, monkeypatch):
    from accounts import service as accounts_service

    def broken(*args, **kwargs):  # create_user adds and flushes the account, then writes the audit log
        raise Broken("the second write of the service")

    monkeypatch.setattr(accounts_service.audit, "record", broken)
    result = app.test_cli_runner().invoke(
        args=["users", "create", "half@leefdam.example", "--role", "analyst"], input="een veilig lang wachtwoord\n"
    )
    assert isinstance(result.exception, Broken)
    assert db.session.scalar(select(User).filter_by(email="half@leefdam.example")) is None

    monkeypatch.undo()
    result = app.test_cli_runner().invoke(
        args=["users", "create", "heel@leefdam.example", "--role", "analyst"], input="een veilig lang wachtwoord\n"
    )
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert db.session.scalar(select(User).filter_by(email="heel@leefdam.example")) is not None


def test_an_access_to_raw_data_stays_in_the_audit_log_when_its_unit_of_work_is_rolled_back(app, demo_wave):
    analyst = make_staff(Role.analyst)
    db.session.commit()
    audit.record("quotes_viewed", analyst, "analysis_run", 1)
    audit.record("quote_approved", analyst, "quote", 2)
    transactions.roll_back()
    kept = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == analyst.id)).all()
    assert kept == ["quotes_viewed"]


def test_a_refused_page_is_logged_though_its_request_is_rolled_back(app, demo_wave):
    interviewer = make_staff(Role.interviewer)
    client = app.test_client()
    log_in(client, interviewer)
    assert client.get(NEW_OUTCOME).status_code == 403
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent).filter_by(action="forbidden", actor_id=interviewer.id)) is not None
