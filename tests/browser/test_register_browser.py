"""A young person on a phone in real Chromium finishes the youth questionnaire: the start, neighbourhood and review
pages and the thank-you page speak to them informally, the thank-you page names the Kindertelefoon as their help line
with a phone link, and every page passes the axe-core audit."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import audit
from tests.browser.test_resident_browser import answer_page_with_mouse, finish, no_horizontal_scroll


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


@pytest.mark.parametrize(
    ("lang", "where", "problem", "check"),
    [
        ("nl", "Waar woon je?", "Kies je buurt uit de lijst", "Controleer je antwoorden"),
        ("uk", "Де ти живеш?", "Обери свій район зі списку", "Перевір свої відповіді"),
    ],
)
def test_the_youth_questionnaires_shared_pages_speak_to_young_people_on_a_phone(
    phone, live_server, lang, where, problem, check
):
    """The start, neighbourhood (with its error summary) and review pages in the youth register, audited by axe."""
    phone.goto(f"{live_server.base_url}/w/{live_server.wave_id}/youth/start?lang={lang}")
    assert audit(phone, "youth start", lang) == []
    phone.locator("main form button[type=submit]").click()
    assert phone.locator("h1").inner_text().strip() == where
    phone.locator("button[value=next]").click()  # nothing chosen
    summary = phone.locator("#error-summary")
    assert summary.is_visible() and problem in summary.inner_text()
    assert no_horizontal_scroll(phone)
    assert audit(phone, "youth area with an error", lang) == []
    phone.locator("select[name=buurt]").select_option("BU90010101")
    phone.locator("button[value=next]").click()
    for _ in range(20):
        if "/r/review" in phone.url:
            break
        answer_page_with_mouse(phone)
        phone.locator("button[value=next]").click()
    assert phone.locator("h1").inner_text().strip() == check
    assert audit(phone, "youth review", lang) == []


@pytest.mark.parametrize(
    ("lang", "confirm", "erased"),
    [
        ("nl", "Wil je deze antwoorden wissen?", "Je antwoorden zijn gewist"),
        ("uk", "Хочеш видалити ці відповіді?", "Твої відповіді видалено"),
    ],
)
def test_a_young_person_deletes_their_answers_on_pages_that_speak_to_them(phone, live_server, lang, confirm, erased):
    """From the youth thank-you page's link: the code page, the page showing what will be deleted and the page
    saying it is done speak to the young person informally, and pass the axe-core audit."""
    phone.goto(f"{live_server.base_url}/w/{live_server.wave_id}/youth/start?lang={lang}")
    phone.locator("main form button[type=submit]").click()
    phone.locator("select[name=buurt]").select_option("BU90010101")
    phone.locator("button[value=next]").click()
    finish(phone)
    code = phone.locator(".lw-code").inner_text().strip()
    phone.locator("main a[href*='/erase']").click()
    assert audit(phone, "youth erase", lang) == []
    phone.locator("input[name=code]").fill(code)
    with phone.expect_navigation():
        phone.locator("main form button[type=submit]").click()
    assert phone.locator("h1").inner_text().strip() == confirm
    assert no_horizontal_scroll(phone)
    assert audit(phone, "youth erase confirmation", lang) == []
    with phone.expect_navigation():
        phone.locator("main form button[type=submit]").click()
    assert phone.locator("h1").inner_text().strip() == erased
    assert audit(phone, "youth erased", lang) == []


def test_a_young_persons_progress_line_counts_up_one_page_at_a_time_on_a_phone(phone, live_server):
    """The youth questionnaire skips a page after some answers ("3 van 5" then "4 van 6" was seen): the position
    never jumps, the number of pages never grows, and the last page says it is the last."""
    phone.goto(f"{live_server.base_url}/w/{live_server.wave_id}/youth/start?lang=nl")
    phone.locator("main form button[type=submit]").click()
    phone.locator("select[name=buurt]").select_option("BU90010101")
    phone.locator("button[value=next]").click()
    seen = []
    for _ in range(20):
        if "/r/review" in phone.url:
            break
        found = re.search(r"Pagina (\d+) van (\d+)", phone.locator("#progress").inner_text())
        assert found is not None
        seen.append((int(found.group(1)), int(found.group(2))))
        for group in phone.locator("fieldset").all():  # the last option everywhere: it rules a later page out
            options = group.locator("label")
            if options.count():
                options.last.click()
        phone.locator("button[value=next]").click()
    positions, totals = [p for p, _ in seen], [t for _, t in seen]
    assert positions == list(range(1, len(seen) + 1)), seen
    assert totals == sorted(totals, reverse=True) and totals[-1] == positions[-1], seen
    assert totals[0] > totals[-1], seen  # a page was ruled out on the way
