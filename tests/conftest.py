"""Fixtures: the app on SQLite and (when TEST_DATABASE_URL answers) on PostgreSQL, each test on empty tables."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import make_url

from tests.backends import BACKENDS
from tests.forms import ResidentClient
from tests.workers import Worker


@pytest.fixture(scope="session", autouse=True)
def _instance_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("instance")
    os.environ["INSTANCE_PATH"] = str(path)
    os.environ.pop("DATABASE_URL", None)
    return path


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """Argon2id with argon2-cffi's cheapest parameters, as it advises for tests: nearly every staff test makes an
    account, and each hash with the real parameters costs about 0.2 s of CPU on four threads."""
    from argon2 import PasswordHasher, profiles

    from accounts import passwords

    real = passwords.hasher
    passwords.hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    yield
    passwords.hasher = real


def _postgres_database() -> tuple[str, Callable[[], None]]:
    """A brand-new database for this test session on the server of TEST_DATABASE_URL, dropped afterwards."""
    import psycopg

    base = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"leefwereld_test_{uuid.uuid4().hex[:10]}"
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but not reachable: {error}")
        pytest.skip(f"PostgreSQL not reachable at TEST_DATABASE_URL: {error}")

    def drop() -> None:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return base.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    else:
        url, drop = _postgres_database()
        yield url
        drop()


def end_tests_own_unit_of_work() -> None:
    """What a test did itself (through services, which leave the commit to their caller) is committed before a
    request or a command, as the unit of work before it would have been: they run in sessions of their own."""
    from flask import has_app_context

    from extensions import db

    if has_app_context():
        db.session.commit()


class RequestIsolatingClient(FlaskClient):
    """Each request in an application context of its own, as in production.

    The tests hold an application context open to reach the database; without this, every request of a test would
    share its `g` (the chosen locale, the CSRF token) and its database session.
    """

    def open(self, *args, **kwargs):
        from flask import has_app_context

        from extensions import db

        end_tests_own_unit_of_work()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.expire_all()  # the test's own session sees what the request wrote
        return response


class UnitOfWorkCliRunner(FlaskCliRunner):
    """A command in an application context (and database session) of its own, after the test's own work."""

    def invoke(self, *args, **kwargs):
        from flask import has_app_context

        from extensions import db

        end_tests_own_unit_of_work()
        result = super().invoke(*args, **kwargs)
        if has_app_context():
            db.session.expire_all()  # the test's own session sees what the command wrote
        return result


def make_app(database_url: str, **overrides):
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SESSION_COOKIE_SECURE": False,  # the test client speaks plain http
            "RATE_LIMITS": False,
            # a queue of its own per app (the SQLite and the PostgreSQL session share the instance folder's queue file)
            "JOB_QUEUE_NAME": f"test-{uuid.uuid4().hex[:10]}",
            **overrides,
        }
    )
    app.test_client_class = RequestIsolatingClient
    app.test_cli_runner_class = UnitOfWorkCliRunner
    return app


@pytest.fixture(scope="session")
def migrated_app(database_url):
    from flask_migrate import upgrade

    app = make_app(database_url)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        from extensions import db

        db.engine.dispose()


@pytest.fixture
def app(migrated_app):
    """The session's app, emptied after the test, with the configuration it had before the test: a setting a test
    changed and left behind would make every later test miss the kept demo and analysis (tests/snapshots.py)."""
    from extensions import db

    configuration = migrated_app.config.copy()
    with migrated_app.app_context():
        yield migrated_app
        db.session.rollback()
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
    migrated_app.config.clear()
    migrated_app.config.update(configuration)


@pytest.fixture
def worker(app, tmp_path):
    """A started worker on an empty queue (tasks left by earlier tests are flushed), stopped after the test."""
    from jobs.queue import queue

    queue().huey.flush()
    started = Worker(app, tmp_path / "worker.log").start()
    yield started
    started.stop()


@pytest.fixture
def rate_limited(app):
    """Rate limits on, with fresh counters, for one test (the suite runs with them off)."""
    from extensions import limiter

    app.config["RATE_LIMITS"] = True
    limiter.reset()
    yield
    app.config["RATE_LIMITS"] = False
    limiter.reset()


@pytest.fixture
def demo_wave(app):
    """The demo municipality with its open wave (loaded once per database, then put back: tests/snapshots.py)."""
    from demo.cli import load_demo
    from extensions import db
    from models import Wave
    from tests.snapshots import kept

    return kept("demo", load_demo, lambda wave: wave.id, lambda wave_id: db.session.get_one(Wave, wave_id))


ANALYSED_RESPONDENTS = 400


@pytest.fixture
def analysed(app, demo_wave):
    """The demo wave with ANALYSED_RESPONDENTS synthetic respondents, analysed from the command line; returns the
    run."""
    from tests.snapshots import analysed as analysed_wave

    return analysed_wave(app, demo_wave, ANALYSED_RESPONDENTS, seed=2)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def resident(app, demo_wave) -> ResidentClient:
    return ResidentClient(app.test_client(), demo_wave)


# staff members of the demo municipality, and clients logged in as them
@pytest.fixture
def admin(demo_wave):
    from models import Role
    from tests.staff import make_staff

    return make_staff(Role.admin)


@pytest.fixture
def analyst(demo_wave):
    from models import Role
    from tests.staff import make_staff

    return make_staff(Role.analyst)


@pytest.fixture
def analyst_client(app, analyst):
    from tests.staff import log_in

    client = app.test_client()
    log_in(client, analyst)
    return client


@pytest.fixture
def admin_client(app, admin):
    from tests.staff import log_in

    client = app.test_client()
    log_in(client, admin)
    return client
