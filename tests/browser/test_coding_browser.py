"""Analysts in real Chromium: the pages for coding open answers pass the axe-core audit in every language, also with
errors on them, and answers can be labelled and coded with the keyboard alone."""

from __future__ import annotations

import pytest

from models import Role
from tests.browser.conftest import AXE, STAFF_AUDIT_LANGUAGES, audit
from tests.browser.test_interview_browser import log_in

ANALYST = "coding-analyst@leefdam.example"


@pytest.fixture(scope="module")
def coded(live_server):
    """A wave of its own with synthetic open answers, a codebook with four codes, a few labels and a coding, and a
    finished analysis with themes to start codes from."""
    from sqlalchemy import select

    from coding.jobs import start_coding
    from coding.service import add_code, code_wave, create_codebook, save_labels
    from demo.cli import add_synthetic_respondents
    from demo.synthetic import OPEN_ANSWERS
    from exchange.waves import create_wave
    from extensions import db
    from models import AnalysisRun, Answer, JobStatus, Response, RunStatus, Theme, Wave
    from tests.staff import make_staff

    truth = {phrase: theme for phrases in OPEN_ANSWERS.values() for theme, texts in phrases.items() for phrase in texts}
    with live_server.app.app_context():
        analyst = make_staff(Role.analyst, ANALYST)
        demo = db.session.get(Wave, live_server.wave_id)
        wave = create_wave("Codeertest 2026", ["adult"], demo.municipality, demo.opens_on, actor=analyst)
        add_synthetic_respondents(wave, 80, seed=21)
        codebook = create_codebook("Wat beter kan", "adult.open_better", wave.municipality, actor=analyst)
        codes = {
            theme: add_code(codebook, theme, f"{theme} in de buurt", actor=analyst).id
            for theme in ("contact", "green", "litter", "traffic")
        }
        answers = db.session.execute(
            select(Answer.response_id, Answer.value)
            .join(Response)
            .where(Answer.item_id == "open_better", Response.wave_id == wave.id)
            .order_by(Answer.response_id)
        ).all()
        save_labels(
            codebook, wave, {response_id: codes[truth[text]] for response_id, text in answers[:12]}, actor=analyst
        )
        code_wave(codebook, wave, actor=analyst)
        run = AnalysisRun(wave=wave, status=RunStatus.succeeded)
        db.session.add(run)
        db.session.add(
            Theme(
                run=run,
                question="adult.open_better",
                key="nl-1",
                language="nl",
                label="verkeer / snel / drempels",
                terms=["verkeer", "snel", "drempels"],
                answers=9,
            )
        )
        db.session.commit()
        # two codings as jobs on the queue (no worker here): one that failed, one that waits
        failed = start_coding(codebook, wave, analyst)
        failed.status, failed.active_key, failed.error = JobStatus.failed, None, "the worker stopped during the job"
        db.session.commit()
        waiting = start_coding(codebook, wave, analyst)
        return {"codebook": codebook.id, "wave": wave.id, "code": codes["green"], "jobs": (failed.id, waiting.id)}


@pytest.mark.parametrize("lang", STAFF_AUDIT_LANGUAGES)
def test_every_coding_page_passes_axe(browser, live_server, coded, lang):
    context = browser.new_context(viewport={"width": 360, "height": 640})
    context.add_init_script(path=str(AXE))
    page, base, problems = context.new_page(), live_server.base_url, []
    log_in(page, live_server, ANALYST, lang)
    book = f"/staff/coding/{coded['codebook']}"
    pages = [
        ("/staff/coding/", "codebooks"),
        (book, "codebook"),
        (f"{book}/codes/{coded['code']}", "code"),
        (f"{book}/waves/{coded['wave']}", "answers"),
        (f"{book}/waves/{coded['wave']}?show=all&page=2", "answers, page 2"),
    ]
    for path, name in pages:
        page.goto(f"{base}{path}")
        problems += audit(page, name, lang)
    failed, waiting = coded["jobs"]
    page.goto(f"{base}{book}/waves/{coded['wave']}/coding/{failed}")
    assert page.locator("#error-summary").count() == 1
    problems += audit(page, "coding job that failed", lang)
    page.goto(f"{base}{book}/waves/{coded['wave']}/coding/{waiting}")
    assert page.locator("meta[http-equiv=refresh]").count() == 0 and page.locator("#job-watch-auto").is_visible()
    problems += audit(page, "coding job that waits", lang)
    page.goto(f"{base}/staff/coding/")
    page.locator("main form[action='/staff/coding/'] button[type=submit]").click()
    assert page.locator("#error-summary").count() == 1, "new codebook with errors"
    problems += audit(page, "new codebook with errors", lang)
    page.goto(f"{base}{book}")
    page.locator(f"main form[action='{book}/codes'] input[name=name_tr]").evaluate(
        "element => { element.closest('details').open = true; element.value = 'x'.repeat(121); }"
    )
    page.locator(f"main form[action='{book}/codes'] button[type=submit]").click()
    assert page.locator("#error-summary").count() == 1, "new code with errors"
    problems += audit(page, "new code with errors", lang)
    page.goto(f"{base}{book}/waves/{coded['wave']}")
    page.locator("main select[name^='label-']").first.evaluate(
        "element => { element.options[1].value = '999999'; element.selectedIndex = 1; }"
    )
    page.locator(f"main form[action*='/waves/{coded['wave']}?'] button[type=submit]").click()
    assert page.locator("#error-summary").count() == 1, "labels with errors"
    problems += audit(page, "labels with errors", lang)
    context.close()
    assert problems == []


def test_an_analyst_labels_an_answer_and_codes_the_wave_with_the_keyboard(browser, live_server, coded):
    from sqlalchemy import func, select

    from extensions import db
    from models import CodeLabel

    with live_server.app.app_context():
        before = db.session.scalar(select(func.count()).select_from(CodeLabel))
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    log_in(page, live_server, ANALYST)
    page.goto(f"{live_server.base_url}/staff/coding/{coded['codebook']}/waves/{coded['wave']}")
    select_box = page.locator("main select[name^='label-']").first
    select_box.focus()
    page.keyboard.press("ArrowDown")  # the first code, chosen without a mouse
    page.locator(f"main form[action*='/waves/{coded['wave']}?'] button[type=submit]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".lw-alert--success").count() == 1
    code_all = page.locator(f"main form[action$='/waves/{coded['wave']}/code'] button")
    code_all.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".lw-alert--success").count() == 1 and page.locator("#summary-caption").count() == 1
    context.close()
    with live_server.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CodeLabel)) == before + 1
