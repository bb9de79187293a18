"""Council members in real Chromium on a tablet: the overview, a wijk and a buurt profile, a comparison and a report
pass the axe-core audit in every language, Arabic pages run right to left, and nothing but a table's own box scrolls
sideways."""

from __future__ import annotations

import pytest

from config import LANGUAGES
from models import Role
from tests.browser.conftest import AXE, audit
from tests.browser.test_interview_browser import log_in

COUNCIL = "council-browser@leefdam.example"
CENTRUM, HAVERLAND = "WK900100", "WK900102"
BINNENSTAD = "BU90010000"  # a buurt of Centrum: its page shows model estimates beside the survey's figures


@pytest.fixture(scope="module")
def analysed_wave(live_server) -> int:
    """A wave of its own with synthetic respondents, analysed by the real analysis, its themes named and released;
    an approved quote for Centrum."""
    from sqlalchemy import select

    from demo.cli import add_synthetic_respondents
    from exchange.waves import create_wave
    from extensions import db
    from models import Quote, QuoteStatus, Theme, Wave
    from runs.snapshots import latest_run
    from runs.themes import name_from_suggestions
    from tests.staff import make_staff

    with live_server.app.app_context():
        make_staff(Role.council, COUNCIL)
        demo = db.session.get_one(Wave, live_server.wave_id)
        wave = create_wave("Raadstest browser 2026", ["adult", "youth", "parent"], demo.municipality, demo.opens_on)
        add_synthetic_respondents(wave, 300, seed=31)
        result = live_server.app.test_cli_runner().invoke(args=["analyse", "--wave", wave.name, "--seed", "3"])
        assert result.exit_code == 0, result.output
        run = latest_run(wave)
        assert run is not None
        name_from_suggestions(run)
        quote = db.session.scalars(
            select(Quote).join(Theme).where(Theme.run_id == run.id, Quote.area_code == CENTRUM)
        ).first()
        if quote is not None:
            quote.status = QuoteStatus.approved
        db.session.commit()
        return wave.id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_council_pages_pass_axe_in_every_language_on_a_tablet(browser, live_server, analysed_wave, lang):
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    context.add_init_script(path=str(AXE))
    page, base, problems = context.new_page(), live_server.base_url, []
    log_in(page, live_server, COUNCIL, lang)
    wave = f"wave={analysed_wave}&lang={lang}"  # logging in starts a new session: the language goes along
    pages = [
        (f"/council/?{wave}", "overview"),
        (f"/council/wijk/{CENTRUM}?{wave}", "wijk profile"),
        (f"/council/wijk/{BINNENSTAD}?{wave}", "buurt profile"),
        (f"/council/compare?{wave}&area={CENTRUM}&area={HAVERLAND}", "comparison"),
        (f"/council/compare?{wave}&area={CENTRUM}&waves=all", "wijk over waves"),
        (f"/council/compare?{wave}&area={CENTRUM}&show=1", "comparison with an error"),
        (f"/council/report/GM9001?{wave}", "report"),
        (f"/council/output?{wave}", "output beside outcome across wijken"),
    ]
    for path, name in pages:
        response = page.goto(f"{base}{path}")
        assert response.status in (200, 422), (name, lang)
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        assert page.locator("html").get_attribute("lang") == lang
        problems += audit(page, name, lang)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (name, lang, overflow)
    context.close()
    assert problems == []


def test_a_council_member_reaches_a_wijk_and_a_comparison_from_the_overview(browser, live_server, analysed_wave):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page, base = context.new_page(), live_server.base_url
    log_in(page, live_server, COUNCIL, "nl")
    page.goto(f"{base}/council/?wave={analysed_wave}")
    assert page.locator("main svg.lw-map").count() == 2  # the demo ships wijk and buurt boundaries: a map of each
    page.locator("main a", has_text="Centrum").first.click()
    assert page.locator("h1").inner_text() == "Centrum"
    charts = page.locator("main svg.lw-chart")
    assert charts.count() >= 3  # spider web, scales, trends
    for index in range(charts.count()):
        labelled = charts.nth(index).get_attribute("aria-labelledby").split()
        assert all(page.locator(f"[id='{name}']").count() == 1 for name in labelled)
    page.goto(f"{base}/council/compare?wave={analysed_wave}")
    page.locator("main input[value='WK900100']").check()
    page.locator("main input[value='WK900102']").check()
    page.locator("main button[type=submit][name=show]").click()
    header = page.locator("table:has(#table-compare-respondents) thead").inner_text()
    assert "Centrum" in header and "Haverland" in header
    context.close()


@pytest.mark.parametrize("lang", ["nl", "ar"])
def test_the_report_opens_with_its_summary_and_the_map_names_every_wijk(browser, live_server, analysed_wave, lang):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.add_init_script(path=str(AXE))
    page, base = context.new_page(), live_server.base_url
    log_in(page, live_server, COUNCIL, lang)
    page.goto(f"{base}/council/report/{CENTRUM}?wave={analysed_wave}&lang={lang}")
    summary = page.locator("section.lw-report-summary")
    # the summary comes first, before the detail, and holds the status of every indicator
    assert page.locator("main h2").first.get_attribute("id") == "summary-title"
    assert summary.locator("table tbody tr").count() >= 1 and summary.locator(".lw-status").count() >= 1
    problems = audit(page, "report summary", lang)

    page.goto(f"{base}/council/?wave={analysed_wave}&lang={lang}")
    figure = page.locator("main figure.lw-map-figure").first
    numbers = figure.locator("svg.lw-map .lw-map__number")
    key = figure.locator("ol.lw-map-key > li")
    assert numbers.count() == key.count() == 5  # the demo's five wijken, each numbered on the map and in the key
    names = [item.locator("strong").inner_text() for item in key.all()]
    assert names == ["Centrum", "Oud-West", "Haverland", "Molenwijk", "De Polder"]
    svg_box = figure.locator("svg.lw-map").bounding_box()
    for index in range(numbers.count()):  # every number stands inside the drawing, readable without a mouse
        box = numbers.nth(index).bounding_box()
        assert box["width"] > 0 and svg_box["x"] <= box["x"]
        assert box["x"] + box["width"] <= svg_box["x"] + svg_box["width"]
    assert [numbers.nth(index).text_content() for index in range(numbers.count())] == ["1", "2", "3", "4", "5"]
    problems += audit(page, "overview map", lang)
    # on paper, the municipality's report carries a map of every indicator with its key
    page.emulate_media(media="print")
    page.goto(f"{base}/council/report/GM9001?wave={analysed_wave}&lang={lang}")
    assert page.locator("#maps-title").is_visible()
    assert page.locator("figure.lw-map-figure").count() >= 1
    assert page.locator("figure.lw-map-figure ol.lw-map-key > li").first.is_visible()
    context.close()
    assert problems == []


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_output_beside_outcome_draws_each_wijk_as_a_point_beside_its_table(browser, live_server, analysed_wave, lang):
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    context.add_init_script(path=str(AXE))
    page, base = context.new_page(), live_server.base_url
    log_in(page, live_server, COUNCIL, lang)
    page.goto(f"{base}/council/?wave={analysed_wave}&lang={lang}")
    page.locator(f"main a[href='/council/output?wave={analysed_wave}']").click()
    chart = page.locator("main svg.lw-chart--scatter")
    rows = page.locator("#table-across").locator("xpath=..").locator("tbody tr")
    assert rows.count() == 5  # every wijk in the table, a suppressed one included with its note
    shown = rows.filter(has_not=page.locator(".lw-suppressed")).filter(has_not=page.locator(".lw-missing"))
    if chart.count():
        assert chart.locator("circle.lw-chart__marker").count() == shown.count()
        assert chart.get_attribute("role") == "img" and chart.locator("title").text_content()
        box = chart.bounding_box()
        assert box["width"] > 300 and box["x"] >= 0 and box["x"] + box["width"] <= 768
    assert page.locator("#association").count() == 1
    if lang == "en":
        assert "not the effect of the service" in page.locator("#association").inner_text()
    assert page.locator("#change-title").count() == 1
    problems = audit(page, "output beside outcome", lang)
    context.close()
    assert problems == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pages_that_wait_for_a_reports_pdf_pass_axe_in_every_language(browser, live_server, analysed_wave, lang):
    from sqlalchemy import select

    from extensions import db
    from models import Job, JobStatus

    context = browser.new_context(viewport={"width": 768, "height": 1024})
    context.add_init_script(path=str(AXE))
    page, base = context.new_page(), live_server.base_url
    log_in(page, live_server, COUNCIL, lang)
    url = f"{base}/council/report/{HAVERLAND}.pdf?wave={analysed_wave}&lang={lang}"
    response = page.goto(url)  # no worker here: the build waits in the queue
    assert response is not None and response.status == 202
    assert page.locator("meta[http-equiv=refresh]").count() == 0 and page.locator("[role=status]").count() == 1
    assert page.locator("#job-watch-auto").is_visible()  # the script offers to stop its updates (WCAG 2.2.1)
    problems = audit(page, "report's PDF being made", lang)
    with live_server.app.app_context():
        job = db.session.scalars(select(Job).where(Job.params["lang"].as_string() == lang).order_by(Job.id)).all()[-1]
        job.status, job.active_key, job.error = JobStatus.failed, None, "the worker stopped during the job"
        db.session.commit()
    response = page.goto(url)
    assert response is not None and response.status == 200 and page.locator("#error-summary").count() == 1
    problems += audit(page, "report's PDF failed", lang)
    context.close()
    assert problems == []


def test_a_page_that_waits_for_a_job_updates_in_place_until_the_job_ends_unless_the_reader_stops_it(
    browser, live_server, analysed_wave
):
    """Without a timed refresh (WCAG 2.2.1): the script asks again every few seconds, puts the progress in place and
    opens the outcome when the job has ended; a reader who switches the updates off keeps the page as it is."""
    from sqlalchemy import select

    from extensions import db
    from models import Job, JobStatus

    def change_job(**values) -> None:
        with live_server.app.app_context():
            job = db.session.scalars(select(Job).where(Job.params["lang"].as_string() == "en")).all()[-1]
            for name, value in values.items():
                setattr(job, name, value)
            db.session.commit()

    context = browser.new_context()
    page, base = context.new_page(), live_server.base_url
    log_in(page, live_server, COUNCIL, "en")
    url = f"{base}/council/report/{HAVERLAND}.pdf?wave={analysed_wave}&lang=en"
    page.goto(f"{url}&again=1")  # a build (even if an earlier one failed) that waits in the queue: no worker here
    page.locator("#job-watch-auto").uncheck()
    change_job(progress=40)
    page.wait_for_timeout(4000)  # longer than the script waits between two looks
    assert page.locator("progress").evaluate("bar => bar.value") == 0, "updated although switched off"
    page.reload()
    assert not page.locator("#job-watch-auto").is_checked()  # the choice is remembered
    page.locator("#job-watch-auto").check()
    page.wait_for_function("() => document.querySelector('progress').value === 40")
    assert page.locator("#job-watch-auto").evaluate("box => box === document.activeElement")  # focus stays put
    change_job(status=JobStatus.failed, active_key=None, error="the worker stopped during the job")
    page.wait_for_selector("#error-summary")
    assert "the worker stopped during the job" in page.locator("main").inner_text()
    context.close()
