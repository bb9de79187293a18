"""Residents read the results of their wijk on a phone, in real Chromium: the public page (no login), the list of
wijken and the "not yet" page pass the axe-core audit in every language, Arabic runs right to left, and nothing but
a table's own box scrolls sideways at 360 px."""

from __future__ import annotations

import pytest

from config import LANGUAGES
from tests.browser.conftest import audit

CENTRUM, NOT_PUBLISHED = "WK900100", "WK999901"
ACTION = "We leggen drempels aan in de Dorpsstraat en praten elk kwartaal met de buurt."


@pytest.fixture(scope="module")
def published_wave(live_server) -> int:
    """A wave of its own with a released run stored by hand (tests.results.conftest), published, and an outcome
    with what the municipality will do."""
    from exchange.waves import create_wave
    from extensions import db
    from framework import service
    from models import Wave
    from results.publication import publish
    from tests.results.conftest import store_run

    with live_server.app.app_context():
        demo = db.session.get_one(Wave, live_server.wave_id)
        wave = create_wave("Uitkomsten browser 2026", ["adult"], demo.municipality, demo.opens_on)
        stored = store_run(wave)
        publish(stored.run, None)
        service.create_outcome(demo.municipality, "Veilig verkeer (browsertest)", action=ACTION)
        db.session.commit()
        return wave.id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_public_results_pages_pass_axe_in_every_language_on_a_phone(phone, live_server, published_wave, lang):
    base, problems = live_server.base_url, []
    pages = [
        (f"/results/{published_wave}/{CENTRUM}?lang={lang}", "wijk results", 200),
        (f"/results/?lang={lang}", "results per wijk", 200),
        (f"/results/wijk/{NOT_PUBLISHED}?lang={lang}", "no results yet", 404),
    ]
    for path, name, status in pages:
        response = phone.goto(f"{base}{path}")
        assert response.status == status, (name, lang)
        assert phone.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        assert phone.locator("html").get_attribute("lang") == lang
        problems += audit(phone, name, lang)
        overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (name, lang, overflow)
    assert problems == []


def test_a_resident_reads_the_spider_web_the_themes_and_the_plans_of_their_wijk(phone, live_server, published_wave):
    phone.goto(f"{live_server.base_url}/results/{published_wave}/{CENTRUM}?lang=nl")
    assert phone.get_by_role("heading", level=1).inner_text() == "Wat bewoners van Centrum zeiden"
    assert phone.locator("svg[role=img] #results-spider-title").count() == 1
    assert phone.get_by_role("table", name="Gemiddeld cijfer per deel (0 tot 10)").is_visible()
    assert phone.get_by_text(ACTION).is_visible()
    assert phone.get_by_text("Er wordt te hard gereden in de Dorpsstraat").is_visible()
    spider = phone.locator("svg[role=img]").first.bounding_box()
    assert spider["width"] <= 360
