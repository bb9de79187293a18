"""A live server on a fresh SQLite database with the demo loaded, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
# The staff-only pages (interviews, data and analysis, framework, coding) are audited in the default language,
# right-to-left Arabic and Ukrainian (Cyrillic, the longest words): their markup is the same in every language, and
# tests/test_i18n.py checks that every string is translated into all six. The pages residents and the council read
# are audited in all six languages.
STAFF_AUDIT_LANGUAGES = ("nl", "ar", "uk")
AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Chromium as root, headless, and without calls home (this machine has no network beyond loopback).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from flask_migrate import upgrade

    from demo.cli import load_demo
    from extensions import db
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.sqlite'}", SESSION_COOKIE_SECURE=False)
    with app.app_context():
        upgrade()
        wave = load_demo()
        wave_id = wave.id
        db.session.commit()  # the fixture is load_demo's edge, as `flask demo` is
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.base_url = f"http://127.0.0.1:{server.server_port}"
    server.wave_id = wave_id
    server.app = app
    yield server
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A fresh browser context at a small phone's size, with axe-core available on every page."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page, minimum=("serious", "critical")) -> list[dict]:
    from playwright.sync_api import Error

    # a click that submits a form may return while the next page is still arriving: audit the page that arrives
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            break
        except Error:
            if attempt == 2:
                raise
            page.wait_for_timeout(200)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in minimum
    ]


def audit(page, name: str, lang: str) -> list[dict]:
    """The serious and critical violations on the page, each labelled with the page's name and language."""
    return [{"page": name, "lang": lang, **violation} for violation in axe_violations(page)]
