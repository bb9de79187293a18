"""A young person on a phone in real Chromium finishes the youth questionnaire: the thank-you page speaks to them
informally, names the Kindertelefoon as their help line with a phone link, and passes the axe-core audit."""

from __future__ import annotations

import pytest

from tests.browser.conftest import audit
from tests.browser.test_resident_browser import finish, no_horizontal_scroll


@pytest.mark.parametrize(("lang", "thanks"), [("nl", "Bedankt voor je antwoorden!"), ("ar", "شكراً على إجاباتك!")])
def test_the_youth_thank_you_page_on_a_phone(phone, live_server, lang, thanks):
    phone.goto(f"{live_server.base_url}/w/{live_server.wave_id}/youth/start?lang={lang}")
    phone.locator("main form button[type=submit]").click()
    phone.locator("select[name=buurt]").select_option("BU90010101")
    phone.locator("button[value=next]").click()
    finish(phone)
    assert phone.locator("h1").inner_text().strip() == thanks
    help_line = phone.locator("main li", has_text="Kindertelefoon")
    assert help_line.count() == 1 and help_line.is_visible()
    assert help_line.locator("a[href='tel:08000432']").inner_text() == "0800-0432"
    assert help_line.locator("a[href='https://www.kindertelefoon.nl']").is_visible()
    assert no_horizontal_scroll(phone)
    assert audit(phone, "youth thank you", lang) == []
