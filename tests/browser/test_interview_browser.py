"""Wijkteam workers in real Chromium: an interview taken without a connection reaches the server exactly once, and
every staff page passes the axe-core audit in every language."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Interview, Role
from tests.browser.conftest import STAFF_AUDIT_LANGUAGES, audit
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
        return db.session.execute(select(func.count()).select_from(Interview)).scalar_one()


def wait_until(page, predicate: str, arg=None, attempts: int = 600) -> None:
    """Until the (async) predicate holds in the page. page.wait_for_function does not wait for a promise: an async
    predicate returns a promise, which counts as true at once."""
    for _ in range(attempts):
        if page.evaluate(predicate, arg):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"never true: {predicate}")


def wait_for_kept_pages(page, team: str | None = None) -> None:
    """Until the interview pages and their assets are in the device's cache (one per wijkteam)."""
    wait_until(
        page,
        """async (team) => {
            const name = (await caches.keys()).find((n) => n.startsWith('leefwereld-interviews:'));
            return !!name && (team === null || name === 'leefwereld-interviews:' + team) &&
                (await (await caches.open(name)).keys()).length >= 3;
        }""",
        team,
    )


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
    wait_for_kept_pages(page)
    before = interviews_stored(live_server)
    page.locator("a[data-offline-page]").first.click()
    page.wait_for_load_state()
    # the page, its stylesheet and its script are on the device before the connection drops
    wait_until(
        page,
        """async () => {
            const name = (await caches.keys()).find((n) => n.startsWith('leefwereld-interviews:'));
            const cache = await caches.open(name);
            const urls = [location.href, ...Array.from(document.querySelectorAll('script[src], link[rel=stylesheet]'),
                                                       (el) => el.src || el.href)];
            return (await Promise.all(urls.map((url) => cache.match(url)))).every(Boolean);
        }""",
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


def test_after_a_move_the_old_teams_pages_leave_the_device_and_its_unsent_interview_is_not_lost(
    browser, live_server, staff_accounts
):
    from accounts.service import update_user
    from models import Team, User
    from tests.staff import make_staff, team_named

    with live_server.app.app_context():
        noord, zuid = team_named("Wijkteam Noord"), team_named("Wijkteam Zuid")
        email = make_staff(Role.interviewer, "verhuist@leefdam.example", team=noord).email
        noord, zuid = noord.id, zuid.id
    context = browser.new_context(viewport={"width": 800, "height": 1100})
    page = context.new_page()
    log_in(page, live_server, email)
    page.goto(f"{live_server.base_url}/staff/interviews")
    wait_for_kept_pages(page, str(noord))
    page.locator("a[data-offline-page]").first.click()
    page.wait_for_load_state()
    before = interviews_stored(live_server)
    context.set_offline(True)  # taken at the kitchen table for Noord, not sent yet
    fill_interview(page)
    page.locator("form[data-offline-form] button[type=submit]").click()
    page.locator("#saved-offline").wait_for(state="visible")

    with live_server.app.app_context():  # the administrator moves the worker to Zuid
        worker = db.session.scalar(select(User).filter_by(email=email))
        admin = db.session.scalar(select(User).filter_by(email=staff_accounts["admin"]))
        update_user(worker, role=worker.role, team=db.session.get(Team, zuid), active=True, actor=admin)
        db.session.commit()
    context.set_offline(False)
    log_in(page, live_server, email)
    page.goto(f"{live_server.base_url}/staff/interviews")
    wait_for_kept_pages(page, str(zuid))
    # the outbox is sent, and emptied once the server has stored the interview
    wait_until(
        page,
        """() => new Promise((resolve) => {
            const request = indexedDB.open('leefwereld-outbox', 1);
            request.onsuccess = () => {
                const count = request.result.transaction('interviews').objectStore('interviews').count();
                count.onsuccess = () => { request.result.close(); resolve(count.result === 0); };
            };
        })""",
    )

    assert page.evaluate("async () => (await caches.keys()).filter((n) => n.startsWith('leefwereld-interviews'))") == [
        f"leefwereld-interviews:{zuid}"
    ]
    assert interviews_stored(live_server) == before + 1
    with live_server.app.app_context():
        interview = db.session.scalars(select(Interview).order_by(Interview.id.desc())).first()
        assert interview.team_id == noord and interview.response.answer_values()["goal"] == "Zelf de post weer openen"
    context.close()


def test_logging_out_removes_what_the_device_kept(browser, live_server, staff_accounts):
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server, staff_accounts["interviewer"])
    page.goto(f"{live_server.base_url}/staff/interviews")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    wait_for_kept_pages(page)
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(".lw-staff-nav button[type=submit]").click()
    page.wait_for_url("**/staff/login**")
    assert page.evaluate("async () => (await caches.keys()).length") == 0
    assert page.evaluate("async () => (await navigator.serviceWorker.getRegistrations()).length") == 0
    context.close()


@pytest.mark.parametrize("lang", STAFF_AUDIT_LANGUAGES)
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
