"""Analysts and administrators in real Chromium: the data and analysis pages (theme review included) pass the
axe-core audit in every language, and a finished analysis can be read and its quotes reviewed with the keyboard."""

from __future__ import annotations

import pytest

from models import Role
from tests.browser.conftest import AXE, STAFF_AUDIT_LANGUAGES, audit
from tests.browser.test_interview_browser import log_in


@pytest.fixture(scope="module")
def analysed_run(live_server):
    """Data staff and one finished analysis of the live server's demo wave."""
    from demo.cli import add_synthetic_respondents
    from extensions import db
    from models import Wave
    from runs.service import create_run, execute_run
    from tests.staff import make_staff

    with live_server.app.app_context():
        make_staff(Role.analyst, "data-analyst@leefdam.example")
        make_staff(Role.admin, "data-admin@leefdam.example")
        wave = db.session.get(Wave, live_server.wave_id)
        add_synthetic_respondents(wave, 150, seed=4)
        run = execute_run(create_run(wave, 0, None))
        return run.id


@pytest.mark.parametrize("lang", STAFF_AUDIT_LANGUAGES)
def test_every_data_and_analysis_page_passes_axe(browser, live_server, analysed_run, lang):
    context = browser.new_context(viewport={"width": 360, "height": 640})
    context.add_init_script(path=str(AXE))
    page, base, problems = context.new_page(), live_server.base_url, []
    log_in(page, live_server, "data-analyst@leefdam.example", lang)
    pages = [
        ("/staff/data/waves", "waves"),
        ("/staff/data/waves/new", "new wave"),
        (f"/staff/data/waves/{live_server.wave_id}", "wave"),
        ("/staff/data/import", "import"),
        ("/staff/data/export", "export"),
        ("/staff/data/codebooks", "codebooks"),
        ("/staff/analysis/", "analyses"),
        (f"/staff/analysis/runs/{analysed_run}", "analysis"),
        (f"/staff/analysis/runs/{analysed_run}/quotes", "quotes"),
        (f"/staff/analysis/runs/{analysed_run}/themes", "themes"),
        (f"/staff/analysis/runs/{analysed_run}/themes/adult.open_better", "themes of a question"),
    ]
    for path, name in pages:
        page.goto(f"{base}{path}")
        problems += audit(page, name, lang)
    # marking themes ready before every theme has a name: the page with its error summary
    page.locator("main form[action$='/ready'] button").click()
    problems += audit(page, "themes of a question with an error", lang)
    page.goto(f"{base}/staff/data/waves/new")
    page.locator("main form button[type=submit]").click()
    problems += audit(page, "new wave with errors", lang)
    page.goto(f"{base}/staff/data/codebooks")
    page.locator("main a[href*='/staff/data/codebooks/']").first.click()
    problems += audit(page, "codebook", lang)
    page.context.clear_cookies()
    log_in(page, live_server, "data-admin@leefdam.example", lang)
    page.goto(f"{base}/staff/data/retention")
    problems += audit(page, "retention", lang)
    context.close()
    assert problems == []


def approved_quotes(live_server) -> int:
    from sqlalchemy import func, select

    from extensions import db
    from models import Quote, QuoteStatus

    with live_server.app.app_context():
        return db.session.execute(
            select(func.count()).select_from(Quote).where(Quote.status == QuoteStatus.approved)
        ).scalar_one()


def test_an_analyst_approves_a_quote_with_the_keyboard(browser, live_server, analysed_run):
    approved = approved_quotes(live_server)  # the live server is shared: other tests may have approved some
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    log_in(page, live_server, "data-analyst@leefdam.example")
    page.goto(f"{live_server.base_url}/staff/analysis/runs/{analysed_run}/quotes")
    waiting = page.locator(".lw-quote--proposed").first
    quote_id = waiting.get_attribute("id")
    before = waiting.locator(".lw-quote-status").inner_text()
    waiting.locator("button[value=approve]").focus()
    page.keyboard.press("Enter")
    # with JavaScript the page stays: the status is written out, announced, and the next quote has the focus
    page.wait_for_function("() => document.getElementById('quote-announce').textContent !== ''")
    assert page.locator(f"#{quote_id}.lw-quote--approved .lw-quote-status").inner_text() not in ("", before)
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith("quote-") and focused != quote_id
    context.close()
    assert approved_quotes(live_server) == approved + 1


def test_without_javascript_a_decision_returns_to_the_next_quote(browser, live_server, analysed_run):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, "data-analyst@leefdam.example")
    page.goto(f"{live_server.base_url}/staff/analysis/runs/{analysed_run}/quotes")
    quote_id = page.locator(".lw-quote--proposed").first.get_attribute("id")
    with page.expect_navigation():
        page.locator(f"#{quote_id} button[value=reject]").click()
    assert "#quote-" in page.url and not page.url.endswith(f"#{quote_id}")
    assert page.locator(f"#{quote_id}.lw-quote--rejected .lw-quote-status").count() == 1
    context.close()
