"""Analysts in real Chromium: the outcome framework's pages and the output figures page pass the axe-core audit in
every language, also with errors on them."""

from __future__ import annotations

import pytest

from models import Role
from tests.browser.conftest import AXE, STAFF_AUDIT_LANGUAGES, audit
from tests.browser.test_interview_browser import log_in

ANALYST = "framework-analyst@leefdam.example"


@pytest.fixture(scope="module")
def framework_ids(live_server):
    from sqlalchemy import select

    from extensions import db
    from models import Outcome
    from tests.staff import make_staff

    with live_server.app.app_context():
        make_staff(Role.analyst, ANALYST)
        outcome = db.session.scalar(select(Outcome).order_by(Outcome.position))
        indicator = outcome.indicators[0]
        return {"outcome": outcome.id, "indicator": indicator.id, "target": indicator.targets[0].id}


@pytest.mark.parametrize("lang", STAFF_AUDIT_LANGUAGES)
def test_every_framework_page_passes_axe(browser, live_server, framework_ids, lang):
    context = browser.new_context(viewport={"width": 360, "height": 640})
    context.add_init_script(path=str(AXE))
    page, base, problems = context.new_page(), live_server.base_url, []
    log_in(page, live_server, ANALYST, lang)
    ids = framework_ids
    pages = [
        ("/staff/framework/", "framework"),
        ("/staff/framework/outcomes/new", "new outcome"),
        (f"/staff/framework/outcomes/{ids['outcome']}", "outcome"),
        (f"/staff/framework/outcomes/{ids['outcome']}/delete", "delete outcome"),
        (f"/staff/framework/outcomes/{ids['outcome']}/indicators/new", "new indicator"),
        (f"/staff/framework/indicators/{ids['indicator']}", "indicator"),
        (f"/staff/framework/indicators/{ids['indicator']}/delete", "delete indicator"),
        (f"/staff/framework/targets/{ids['target']}", "target"),
        (f"/staff/framework/targets/{ids['target']}/delete", "delete target"),
        ("/staff/framework/history", "history"),
        ("/staff/outputs/", "output figures"),
    ]
    for path, name in pages:
        page.goto(f"{base}{path}")
        assert page.locator("h1").count() == 1, name
        problems += audit(page, name, lang)
    page.goto(f"{base}/staff/framework/outcomes/{ids['outcome']}/indicators/new")
    page.locator("main form button[type=submit]").first.click()
    assert page.locator("#error-summary").count() == 1
    problems += audit(page, "new indicator with errors", lang)
    page.goto(f"{base}/staff/framework/indicators/{ids['indicator']}")
    page.locator("input[name=year]").fill("20x6")
    page.locator("input[name=value]").fill("999")  # and no area chosen: three problems in one answer
    page.locator(f"main form[action='/staff/framework/indicators/{ids['indicator']}/targets'] button").click()
    assert page.locator("#error-summary").count() == 1
    problems += audit(page, "target with errors", lang)
    page.goto(f"{base}/staff/outputs/")
    page.locator("input[name=file]").set_input_files(
        files=[
            {
                "name": "bad.csv",
                "mimeType": "text/csv",
                "buffer": b"measure,unit,area_code,year,value\nx,litres,WK1,20,-1\n",
            }
        ]
    )
    page.locator("main form button[type=submit]").click()
    assert page.locator("#error-summary li").count() == 4  # unit, area, year and value of row 2
    problems += audit(page, "output figures with errors", lang)
    context.close()
    assert problems == []
