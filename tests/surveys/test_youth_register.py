"""The shared resident pages speak to a young person (the youth questionnaire) informally and to an adult formally:
translations/README.md, surveys/register.py."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models import Response, WaveInstrument
from models.types import utcnow
from surveys import flow
from surveys.instruments import load_instruments
from surveys.registry import get_instrument
from tests.exchange.test_erasure import shown_code
from tests.forms import ResidentClient, main_form
from tests.surveys.test_flow import answer_everything
from tests.test_register import FORMAL, INFORMAL


def main_text(html: str) -> str:
    """The words of the page's <main>, without markup (the layout around it is the same for everyone)."""
    found = re.search(r"<main.*?</main>", html, re.S)
    assert found is not None, "the page has no <main>"
    main = found.group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def formal(text: str) -> list[str]:
    return re.findall(FORMAL["nl"], text, re.IGNORECASE)


def informal(text: str) -> list[str]:
    return re.findall(INFORMAL["nl"], text, re.IGNORECASE)


def tampered_page(resident) -> str:
    """A question page sent back with a submit key of someone else's page: the page-level message is shown."""
    form = main_form(resident.html)
    data = {name: list(values) for name, values in form.fields.items()}
    data.update(submit_key=[flow.new_submit_key() + "x"], action=["next"])
    resident.last = resident.client.post(form.action, data=data)
    assert resident.last.status_code == 422
    return main_text(resident.html)


def walk_to_review_answering_nothing(resident) -> None:
    for _ in range(30):
        if "/r/review" in resident.last.request.path:
            return
        resident.submit({})
    raise AssertionError("never reached the review page")


def test_instrument_knows_whether_it_is_for_young_people():
    instruments = load_instruments()
    assert instruments["youth"].for_young_people
    assert not any(instruments[slug].for_young_people for slug in ("adult", "parent", "interview"))


def test_a_young_person_reads_je_on_the_start_area_question_and_review_pages(resident):
    resident.get(f"/w/{resident.wave.id}/youth/start")
    start = main_text(resident.html)
    assert "Voordat je begint" in start and "Je kunt altijd stoppen" in start
    assert formal(start) == []

    resident.submit(action=None)
    area = main_text(resident.html)
    assert "Waar woon je?" in area and "Kies je buurt" in area
    assert formal(area) == []
    resident.submit({"buurt": ""})  # nothing chosen: the message on the page speaks informally too
    assert resident.last.status_code == 422
    area_error = main_text(resident.html)
    assert "Kies je buurt uit de lijst" in area_error and "Kijk dit na" in area_error
    assert formal(area_error) == []

    resident.choose_buurt()
    assert "/r/page/" in resident.last.request.path
    question = main_text(resident.html)
    assert informal(question) and formal(question) == []
    problem = tampered_page(resident)
    assert "Je antwoorden staan er nog" in problem
    assert formal(problem) == []

    answer_everything(resident, get_instrument("youth"))
    review = main_text(resident.html)
    assert "Controleer je antwoorden" in review and "Je buurt" in review
    assert formal(review) == []


def test_an_adult_reads_u_on_the_same_pages(resident):
    resident.get(f"/w/{resident.wave.id}/adult/start")
    start = main_text(resident.html)
    assert "Voordat u begint" in start and informal(start) == []

    resident.submit(action=None)
    area = main_text(resident.html)
    assert "Waar woont u?" in area and informal(area) == []
    resident.submit({"buurt": ""})
    area_error = main_text(resident.html)
    assert "Kies uw buurt uit de lijst" in area_error and informal(area_error) == []

    resident.choose_buurt()
    problem = tampered_page(resident)
    assert "Uw antwoorden staan er nog" in problem
    assert formal(problem) and informal(problem) == []

    answer_everything(resident, get_instrument("adult"))
    review = main_text(resident.html)
    assert "Controleer de antwoorden" in review
    assert formal(review) and informal(review) == []


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("youth", "Je hebt nog geen vraag over je leven beantwoord."),
        ("adult", "U heeft nog geen vraag over uw leven beantwoord."),
    ],
)
def test_the_nothing_answered_message_follows_the_register(resident, slug, expected):
    resident.start(slug)
    resident.choose_buurt()
    walk_to_review_answering_nothing(resident)
    resident.submit(action=None)
    assert resident.last.status_code == 422
    assert expected in main_text(resident.html)


def test_the_pause_page_of_a_young_person_says_je(resident):
    resident.start("youth")
    resident.choose_buurt()
    resident.submit(action="pause")
    assert "/r/pause" in resident.last.request.path
    pause = main_text(resident.html)
    assert "Je antwoorden zijn opgeslagen." in pause and "kun je verder" in pause
    assert formal(pause) == []


def test_a_wave_only_for_young_people_speaks_to_them_from_the_landing_page_to_the_resume_page(resident):
    wave = resident.wave
    wave.instruments = [WaveInstrument(instrument_slug="youth", position=0)]
    db.session.commit()

    resident.get(f"/w/{wave.id}/")
    landing = main_text(resident.html)
    assert "Hoe is het leven in jouw buurt?" in landing and "Ben je al eerder begonnen?" in landing
    assert formal(landing) == []

    resume_link = re.search(r'href="([^"]*/resume[^"]*)"', resident.html).group(1).replace("&amp;", "&")
    resident.get(resume_link)
    resident.submit({"code": "AAAA-BBBB-CCCC"}, action=None)
    assert resident.last.status_code == 422
    resume = main_text(resident.html)
    assert "Verder met een code" in resume and "Je code" in resume and "Controleer je code" in resume
    assert formal(resume) == []


def test_a_wave_for_everyone_keeps_the_adult_register_on_its_landing_and_resume_pages(resident):
    resident.get(f"/w/{resident.wave.id}/")
    landing = main_text(resident.html)
    assert "Hoe is het leven in uw buurt?" in landing and "Bent u al eerder begonnen?" in landing
    resident.get("/resume")
    resume = main_text(resident.html)
    assert "Uw code" in resume and informal(resume) == []


def link_text(html: str, href_part: str) -> str:
    found = re.search(rf'<a href="[^"]*{re.escape(href_part)}[^"]*">(.*?)</a>', html, re.S)
    assert found is not None, f"no link to {href_part}"
    return found.group(1).strip()


def quoted_label(text: str) -> str:
    found = re.search(r"kies '([^']+)'", html.unescape(text))
    assert found is not None, "the pause page names no link"
    return found.group(1)


@pytest.mark.parametrize("slug", ["youth", "adult"])
def test_the_pause_page_names_the_resume_link_of_a_wave_for_everyone_as_it_reads(resident, slug):
    """A wave offering adult and youth questionnaires cannot know on its landing page who reads it, so the link to
    the resume page says "Verder met een code" to both; the pause page of each questionnaire names that label."""
    resident.start(slug)
    resident.choose_buurt()
    resident.submit(action="pause")
    label = quoted_label(main_text(resident.html))
    resident.get(f"/w/{resident.wave.id}/")
    assert link_text(resident.html, "/resume") == label == "Verder met een code"
    resident.get("/resume")
    assert re.search(r"<h1>(.*?)</h1>", resident.html).group(1) == label


def send(resident, slug: str) -> str:
    """Answer the whole questionnaire and send it; the erase code shown on the thank-you page."""
    resident.start(slug)
    resident.choose_buurt()
    answer_everything(resident, get_instrument(slug))
    resident.submit(action=None)
    assert "/r/done" in resident.last.request.path
    code = shown_code(resident.html)
    assert code
    return code


def erase_link(thank_you: str) -> str:
    found = re.search(r'href="([^"]*/erase[^"]*)"', thank_you)
    assert found is not None, "the thank-you page has no link to the erase page"
    return html.unescape(found.group(1))


@pytest.mark.parametrize(
    ("slug", "expected", "other_register"),
    [
        (
            "youth",
            ("Wis je antwoorden", "Controleer je code", "Wil je deze antwoorden wissen?", "Je antwoorden zijn gewist"),
            formal,
        ),
        (
            "adult",
            ("Wis uw antwoorden", "Controleer de code", "Wilt u deze antwoorden wissen?", "Uw antwoorden zijn gewist"),
            informal,
        ),
    ],
)
def test_the_erase_pages_speak_in_the_register_of_the_answers_being_erased(
    app, resident, demo_wave, slug, expected, other_register
):
    """From the thank-you page's link: the code page, its message for a wrong code, what will be deleted, done."""
    code = send(resident, slug)
    visitor = ResidentClient(app.test_client(), demo_wave)
    visitor.get(erase_link(resident.html))
    pages = [main_text(visitor.html)]
    visitor.submit({"code": "AAAA-BBBB-CCCC"}, action=None)
    assert visitor.last.status_code == 422
    pages.append(main_text(visitor.html))
    visitor.submit({"code": code}, action=None)
    assert "/erase/confirm" in visitor.last.request.path
    pages.append(main_text(visitor.html))
    visitor.submit(action=None)
    assert "/erase/done" in visitor.last.request.path
    pages.append(main_text(visitor.html))
    for page, sentence in zip(pages, expected, strict=True):
        assert sentence in page
        assert other_register(page) == [], page
    assert db.session.scalars(select(Response)).first() is None


def test_a_young_persons_code_typed_on_a_page_for_everyone_shows_the_erase_page_informally(app, resident, demo_wave):
    """The resume page of a wave for everyone speaks formally; once the code says the sent answers are a young
    person's, the page that offers to delete them speaks to them informally."""
    code = send(resident, "youth")
    visitor = ResidentClient(app.test_client(), demo_wave)
    visitor.get("/resume")
    visitor.submit({"code": code}, action=None)
    assert "/erase/confirm" in visitor.last.request.path
    confirm = main_text(visitor.html)
    assert "Wil je deze antwoorden wissen?" in confirm and "Je hebt ze verstuurd op" in confirm
    assert formal(confirm) == []


def test_an_expired_code_of_a_young_person_gets_its_message_informally(app, resident, demo_wave):
    resident.start("youth")
    resident.choose_buurt()
    resident.submit(action="pause")
    code = shown_code(resident.html)
    response = db.session.scalars(select(Response)).one()
    response.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    visitor = ResidentClient(app.test_client(), demo_wave)
    visitor.get("/resume")
    visitor.submit({"code": code}, action=None)
    assert visitor.last.status_code == 422
    page = main_text(visitor.html)
    assert "Deze code is verlopen" in page and "Je code" in page
    assert formal(page) == []


@pytest.mark.parametrize(
    ("slug", "expected", "other_register"),
    [("youth", "Je kunt opnieuw beginnen.", formal), ("adult", "U kunt opnieuw beginnen.", informal)],
)
def test_the_page_for_answers_kept_too_long_speaks_as_their_questionnaire_did(resident, slug, expected, other_register):
    resident.start(slug)
    resident.choose_buurt()
    response = db.session.scalars(select(Response)).one()
    response.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    resident.get("/r/page/0")
    assert resident.last.status_code == 410
    page = main_text(resident.html)
    assert expected in page and other_register(page) == []


def layout_text(html_page: str) -> str:
    """What the layout around <main> says to the person: the language menu's name and the footer."""
    label = re.search(r'<nav class="lw-languages" aria-label="([^"]*)"', html_page)
    footer = re.search(r"<footer.*?</footer>", html_page, re.S)
    assert footer is not None
    return " ".join([label.group(1) if label else "", re.sub(r"<[^>]+>", " ", footer.group(0))])


@pytest.mark.parametrize(
    ("slug", "expected", "other_register"),
    [
        ("youth", "We bewaren je antwoorden zonder je naam.", formal),
        ("adult", "We bewaren uw antwoorden zonder uw naam.", informal),
    ],
)
def test_the_layout_around_the_pages_speaks_as_the_pages_do(resident, slug, expected, other_register):
    resident.get(f"/w/{resident.wave.id}/{slug}/start")
    pages = [resident.html]
    resident.submit(action=None)
    pages.append(resident.html)
    resident.choose_buurt()
    pages.append(resident.html)
    resident.submit(action="pause")
    pages.append(resident.html)
    for page in pages:
        words = layout_text(page)
        assert expected in words and other_register(words) == [], words
    assert ("Kies je taal" if slug == "youth" else "Kies uw taal") in layout_text(pages[0])


def test_changing_the_language_keeps_a_page_for_young_people_for_young_people(client):
    page = client.get("/erase?audience=youth&lang=en").get_data(as_text=True)
    link = re.search(r'<a href="([^"]*)" lang="nl"', page)
    assert link is not None
    dutch = client.get(html.unescape(link.group(1))).get_data(as_text=True)
    assert "Wis je antwoorden" in main_text(dutch) and "Kies je taal" in layout_text(dutch)
