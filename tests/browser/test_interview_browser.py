"""Wijkteam workers in real Chromium: an interview taken without a connection reaches the server exactly once, and
every staff page passes the axe-core audit in every language."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from config import LANGUAGES
from extensions import db
from models import Interview, Role
from tests.browser.conftest import audit
from tests.staff import PASSWORD


@pytest.fixture(scope="module")
def staff_accounts(live_server):
    from tests.staff import make_staff, team_named

    with live_server.app.app_context():
        team = team_named("Wijkteam Noord")
        accounts = {
            "interviewer": make_staff(Role.interviewer, "tablet@leefdam.example", team=team).email,
            "admin": make_staff(Role.admin, "beheer@leefdam.example").email,
            "analyst": make_staff(Role.analyst, "onderzoek@leefdam.example").email,
        }
    return accounts


def log_in(page, server, email: str, lang: str = "nl") -> None:
    page.goto(f"{server.base_url}/staff/login?lang={lang}")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/staff/")


def interviews_stored(server) -> int:
    with server.app.app_context():
        return db.session.scalar(select(func.count()).select_from(Interview))


def fill_interview(page) -> None:
    page.locator("select[name=buurt]").select_option("BU90010101")
    page.locator("input[name=client_code]").fill("NRD-7")
    for group in page.locator("fieldset").all()[:8]:
        group.locator("label").nth(1).click()
    page.locator("textarea[name=goal]").fill("Zelf de post weer openen")


def test_an_interview_taken_offline_is_sent_once_when_the_connection_returns(browser, live_server, staff_accounts):
    context = browser.new_context(viewport={"width": 800, "height": 1100})
    page = context.new_page()
    log_in(page, live_server, staff_accounts["interviewer"])
    page.goto(f"{live_server.base_url}/staff/interviews")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_function("async () => (await caches.open('leefwereld-interviews').then(c => c.keys())).length >= 3")
    before = interviews_stored(live_server)
    page.locator("a[data-offline-page]").first.click()
    page.wait_for_load_state()
    # the page, its stylesheet and its script are on the device before the connection drops
    page.wait_for_function(
        """async () => {
            const cache = await caches.open('leefwereld-interviews');
            const urls = [location.href, ...Array.from(document.querySelectorAll('script[src], link[rel=stylesheet]'),
                                                       (el) => el.src || el.href)];
            return (await Promise.all(urls.map((url) => cache.match(url)))).every(Boolean);
        }"""
    )

    context.set_offline(True)
    page.reload()  # the service worker serves the interview page from the device's cache
    assert page.locator("form[data-offline-form]").count() == 1
    fill_interview(page)
    page.locator("form[data-offline-form] button[type=submit]").click()
    page.locator("#saved-offline").wait_for(state="visible")
    assert page.locator("#outbox li").count() == 1
    assert interviews_stored(live_server) == before

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => document.querySelectorAll('#outbox li').length === 0")
    assert interviews_stored(live_server) == before + 1
    # a resend of the same interview (a second "online" event) is no duplicate
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(300)
    assert interviews_stored(live_server) == before + 1
    with live_server.app.app_context():
        interview = db.session.scalars(select(Interview).order_by(Interview.id.desc())).first()
        assert interview.response.answer_values()["goal"] == "Zelf de post weer openen"
        assert len(interview.response.answers) >= 9
    context.close()


def test_logging_out_removes_what_the_device_kept(browser, live_server, staff_accounts):
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server, staff_accounts["interviewer"])
    page.goto(f"{live_server.base_url}/staff/interviews")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_function("async () => (await caches.open('leefwereld-interviews').then(c => c.keys())).length >= 3")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(".lw-staff-nav button[type=submit]").click()
    page.wait_for_url("**/staff/login**")
    assert page.evaluate("async () => (await caches.keys()).length") == 0
    assert page.evaluate("async () => (await navigator.serviceWorker.getRegistrations()).length") == 0
    context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_staff_page_type_passes_axe(browser, live_server, staff_accounts, lang):
    context = browser.new_context(viewport={"width": 360, "height": 640})
    from tests.browser.conftest import AXE

    context.add_init_script(path=str(AXE))
    page, base, problems = context.new_page(), live_server.base_url, []
    page.goto(f"{base}/staff/login?lang={lang}")
    problems += audit(page, "login", lang)
    page.locator("main form button[type=submit]").click()
    problems += audit(page, "login with errors", lang)
    log_in(page, live_server, staff_accounts["interviewer"], lang)
    problems += audit(page, "staff home", lang)
    page.goto(f"{base}/staff/interviews")
    problems += audit(page, "interviews", lang)
    page.goto(f"{base}/staff/interviews/new?instrument=interview")
    problems += audit(page, "interview form", lang)
    with page.expect_navigation():  # online with remarks: the outbox lets the server show them on the page
        page.locator("form[data-offline-form] button[type=submit]").click()
    problems += audit(page, "interview form with errors", lang)
    for visit in ("intake", "follow-up with the change chart"):
        page.goto(f"{base}/staff/interviews/new?instrument=interview")
        fill_interview(page)
        page.locator("form[data-offline-form] button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/staff/interviews/\d+$"))
        problems += audit(page, visit, lang)
    assert page.locator("svg[role=img]").count() == 1
    page.goto(f"{base}/staff/account")
    problems += audit(page, "my account", lang)
    page.context.clear_cookies()
    log_in(page, live_server, staff_accounts["admin"], lang)
    for path, name in (("/staff/users", "accounts"), ("/staff/users/new", "new account"), ("/staff/audit", "audit")):
        page.goto(f"{base}{path}")
        problems += audit(page, name, lang)
    context.close()
    assert problems == []
