"""The edges of a unit of work: a request, a command and a job commit (or roll back) once, at their end.

Services add and flush and never commit. A request commits when it answers with a success or a redirect (status
below 400) and rolls back on an error response or an exception: a page that shows a form again with its errors
answers 422, so nothing of a half-made change is stored. A command commits when it ends without an error. Jobs
(jobs/tasks.py, exchange/jobs.py) commit at the steps a page shows.

The few commits elsewhere are part of the behaviour and say why where they are (the resident's page saves,
jobs.queue.enqueue). Audit events of a kind in accounts.audit.LASTING (a staff access to raw data, a refused login or
page) are written again after a rollback: they are not lost with the request or command that failed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click
from flask import Flask, Response
from flask.cli import AppGroup
from sqlalchemy import event
from sqlalchemy.orm import Session

from extensions import db

F = TypeVar("F", bound=Callable[..., Any])
LASTING_KEY = "lasting_audit_events"  # Session.info: events to write again if the unit of work is rolled back


def keep_after_rollback(values: dict[str, Any]) -> None:
    """Write an audit event with these column values again should the session's transaction be rolled back."""
    db.session.info.setdefault(LASTING_KEY, []).append(values)


@event.listens_for(Session, "after_commit")
def _forget_lasting(session: Session) -> None:
    session.info.pop(LASTING_KEY, None)  # committed with the rest


def roll_back() -> None:
    """Roll back the unit of work, then commit on their own the audit events that must outlive it."""
    lasting = db.session.info.pop(LASTING_KEY, [])
    db.session.rollback()
    if lasting:
        from models import AuditEvent

        db.session.add_all(AuditEvent(**values) for values in lasting)
        db.session.commit()


def commit() -> None:
    db.session.commit()


def init_app(app: Flask) -> None:
    """The request's edge. Registered before every other hook: Flask runs `after_request` hooks in reverse order, so
    this one runs last, and a commit that fails becomes a server error instead of a silent loss."""

    @app.after_request
    def _end_unit_of_work(response: Response) -> Response:
        if response.status_code < 400:
            commit()
        else:
            roll_back()
        return response

    @app.teardown_request
    def _roll_back_after_exception(error: BaseException | None) -> None:
        # an exception that no error page caught (with PROPAGATE_EXCEPTIONS, as in tests) skipped the hook above
        if error is not None:
            try:
                roll_back()
            except Exception:  # the database itself may be what failed: the request's own error is the one to see
                app.logger.exception("could not roll back after %r", error)


def unit_of_work(command: F) -> F:
    """A command's edge: commit when it ends without an error (or exits with code 0), roll back otherwise."""

    @wraps(command)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            result = command(*args, **kwargs)
        except (click.exceptions.Exit, SystemExit) as done:
            code = done.exit_code if isinstance(done, click.exceptions.Exit) else done.code
            if code in (0, None):
                commit()
            else:
                roll_back()
            raise
        except BaseException:
            roll_back()
            raise
        commit()
        return result

    return wrapped  # type: ignore[return-value]


class CommandGroup(AppGroup):
    """An AppGroup whose every command is one unit of work (see unit_of_work)."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], click.Command]:  # type: ignore[override]
        register = super().command(*args, **kwargs)

        def decorator(function: Callable[..., Any]) -> click.Command:
            return register(unit_of_work(function))

        return decorator
