"""Configuration from the environment, security headers and friendly error pages."""

from __future__ import annotations

import pytest

from config import Settings
from tests.backends import BACKENDS


def test_secret_key_is_generated_once_and_kept_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = Settings.from_environment(tmp_path).secret_key
    assert len(first) == 64 and (tmp_path / "secret_key").read_text().strip() == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert Settings.from_environment(tmp_path).secret_key == first
    assert Settings.from_environment(tmp_path / "other").secret_key != first


def test_settings_come_from_the_environment_with_safe_defaults(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "SUPPRESSION_MIN_N", "SESSION_COOKIE_SECURE", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_environment(tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'leefwereld.sqlite'}"
    assert settings.suppression_min_n == 10 and settings.session_cookie_secure is True
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/leefwereld")
    monkeypatch.setenv("SUPPRESSION_MIN_N", "15")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    settings = Settings.from_environment(tmp_path)
    assert (settings.database_url, settings.suppression_min_n, settings.secret_key) == (
        "postgresql+psycopg://db/leefwereld",
        15,
        "from-env",
    )


def test_security_headers_on_every_page(client):
    response = client.get("/resume")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_session_cookie_is_secure_httponly_and_samesite(migrated_app, database_url):
    from tests.conftest import make_app

    app = make_app(database_url, SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    response = client.get("/resume?lang=en", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    ("path", "status", "dutch"), [("/nowhere", 404, "bestaat niet"), ("/w/999/", 404, "bestaat niet")]
)
def test_unknown_pages_get_a_translated_page(client, path, status, dutch):
    response = client.get(path)
    assert response.status_code == status
    assert dutch in response.get_data(as_text=True)


def test_pages_are_compressed_for_weak_connections(client):
    response = client.get("/resume", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"


def test_stylesheet_is_served_with_a_content_hash_and_long_caching(client):
    html = client.get("/resume").get_data(as_text=True)
    href = html.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    response = client.get(href)
    assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
    css = response.get_data(as_text=True)
    assert "--utrecht-" in css and "--lw-primary: #00689e" in css
    assert client.get("/assets/site-000000000000.css").status_code == 404


def test_resident_pages_count_posts_per_address_and_never_page_reads(client, demo_wave, rate_limited):
    start = f"/w/{demo_wave.id}/adult/start"
    reads = [client.get(start).status_code for _ in range(70)]  # more than the 60 posts a minute allowed
    assert reads == [200] * 70
    posts = [client.post(start, data={}).status_code for _ in range(61)]  # without a CSRF token: shown again (422)
    assert posts[:60] == [422] * 60 and posts[60] == 429
    assert client.get(start).status_code == 200  # reading the page still works


def test_resume_code_guessing_is_rate_limited_with_a_translated_page(client, rate_limited):
    statuses = [client.post("/resume", data={"code": "AAAA-BBBB-CCCC"}).status_code for _ in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429
    limited = client.post("/resume", data={"code": "AAAA-BBBB-CCCC"})
    assert limited.status_code == 429 and "Wacht even" in limited.get_data(as_text=True)


@pytest.mark.parametrize("database_url", [name for name in BACKENDS if name == "postgresql"], indirect=True)
def test_a_connection_the_database_server_closed_is_replaced_before_a_request_uses_it(resident, database_url):
    """PostgreSQL may close a pooled connection (a restart, a failover, an idle timeout): the next request tests it
    and takes a new one instead of failing. (A SQLite file has no server to close it, and no test round trip.)"""
    import psycopg
    from sqlalchemy import make_url

    from extensions import db

    resident.start()
    db.session.remove()  # the test's own connection goes back to the pool too
    server = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as admin:
        closed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert closed is not None and closed[0] >= 1
    resident.choose_buurt()  # reads and writes the response
    assert resident.last.status_code == 200
    assert resident.current_page_title() != ""


def test_a_process_forked_from_the_app_opens_its_own_database_connections(app):
    """gunicorn forks its workers from the master that loaded the app (gunicorn.conf.py: preload_app). A worker must
    not use a connection its parent holds in a pool: both would talk over one socket or SQLite handle."""
    import os

    from sqlalchemy import text

    from extensions import db

    engine = db.engine
    identify = text("SELECT pg_backend_pid()" if engine.dialect.name == "postgresql" else "SELECT 1")
    with engine.connect() as one, engine.connect() as two:  # at least two connections in the pool from now on
        one.execute(identify)
        two.execute(identify)
    with engine.connect() as held:  # the parent works on one while the child starts; another waits in the pool
        parents = held.execute(identify).scalar()
        assert engine.pool.checkedin() >= 1
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # the worker: report what its pool held and whose connection it used; never back to pytest
            try:
                inherited = engine.pool.checkedin()
                with engine.connect() as connection:
                    own = connection.execute(identify).scalar()
                os.write(write, f"{inherited} {own}".encode())
            finally:
                os._exit(0)
        os.close(write)
        _, status = os.waitpid(child, 0)
        with os.fdopen(read) as report:
            inherited, own = report.read().split()
        assert os.waitstatus_to_exitcode(status) == 0
        assert inherited == "0"
        if engine.dialect.name == "postgresql":
            assert own != str(parents)  # a server process of its own
        assert held.execute(identify).scalar() == parents  # and the parent's connection still serves the parent
