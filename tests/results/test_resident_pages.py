"""The public results pages per wijk: shown only once an analyst publishes a released run, with the six parts of
Positive Health, a few scales in plain words, named themes, approved quotes and what the municipality will do; never
anything suppressed, unreviewed, unapproved or of an unpublished run."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from config import LANGUAGES
from extensions import db
from framework import loader, service
from models import AuditEvent, Outcome, Role
from results.publication import NotReleased, publish, published_run, withdraw
from surveys.registry import get_instrument
from tests.results.conftest import APPROVED, CENTRUM, NEVER, NEVER_THEMES, OUD_WEST, TRAP, store_run
from tests.staff import log_in, make_staff
from tests.surveys.test_flow import answer_everything

ACTION = "We leggen drempels aan in de Dorpsstraat en praten elk kwartaal met de buurt."


def published(stored) -> None:
    publish(stored.run, None)
    db.session.commit()


def text_of(client, url: str, status: int = 200) -> str:
    reply = client.get(url)
    assert reply.status_code == status, (url, reply.status_code)
    return reply.get_data(as_text=True)


def test_a_wijk_is_shown_to_residents_only_once_an_analyst_publishes_the_released_run(app, stored, demo_wave):
    client = app.test_client()
    assert "No results yet" in text_of(client, f"/results/wijk/{CENTRUM}?lang=en", 404)
    text_of(client, f"/results/{demo_wave.id}/{CENTRUM}", 404)
    analyst = make_staff(Role.analyst)
    staff = app.test_client()
    log_in(staff, analyst)
    page = text_of(staff, f"/staff/analysis/runs/{stored.run.id}?lang=en")
    assert "Publish for residents" in page
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    reply = staff.post(f"/staff/analysis/runs/{stored.run.id}/publish", data={"csrf_token": token, "action": "publish"})
    assert reply.status_code == 302
    assert published_run(demo_wave).id == stored.run.id
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "run_published"))
    html = text_of(client, f"/results/wijk/{CENTRUM}?lang=en")  # no login
    assert "What residents of Centrum said" in html
    assert f"/results/{demo_wave.id}/{CENTRUM}" in text_of(client, "/results/?lang=en")


def test_a_run_that_the_council_may_not_read_cannot_be_published(app, demo_wave):
    held = store_run(demo_wave, released=False)
    with pytest.raises(NotReleased):
        publish(held.run, None)
    assert published_run(demo_wave) is None


def test_the_wijk_page_shows_health_scales_themes_quotes_and_plans_in_plain_words(app, stored, demo_wave):
    outcome = service.create_outcome(demo_wave.municipality, "Veilig verkeer", action=ACTION)
    service.create_outcome(demo_wave.municipality, "Zonder plan")  # no text for residents: not listed
    published(stored)
    html = text_of(app.test_client(), f"/results/{demo_wave.id}/{CENTRUM}?lang=en")
    assert "Six parts of health and life" in html and 'id="results-spider-title"' in html
    assert "60 adults from Centrum took part." in html
    assert "On average 7.6 on a scale from 0 to 10." in html and "In all of Leefdam: 7.1." in html
    assert "That is clearly higher than in the rest of Leefdam." in html
    assert "72% of the residents of Centrum who answered." in html
    assert "Too much traffic (60% of the answers)" in html  # 30 of 50 answers, in the reader's language
    assert str(escape(APPROVED)) in html
    assert outcome.name in html and ACTION in html and "Zonder plan" not in html
    assert 'lang="nl"' in html  # the quote keeps its own language
    dutch = text_of(app.test_client(), f"/results/{demo_wave.id}/{CENTRUM}?lang=nl")
    assert "Verkeer is te druk" in dutch and "Wat de gemeente gaat doen" in dutch


@pytest.mark.parametrize("lang", LANGUAGES)
def test_nothing_suppressed_unreviewed_or_unapproved_reaches_a_public_page(app, stored, demo_wave, lang):
    published(stored)
    client = app.test_client()
    pages = [text_of(client, f"/results/{demo_wave.id}/{code}?lang={lang}") for code in (CENTRUM, OUD_WEST)]
    pages.append(text_of(client, f"/results/?lang={lang}"))
    for html in pages:
        for text in (*NEVER.values(), *NEVER_THEMES):
            if text == NEVER["other_wijk"] and html is pages[1]:
                continue  # Oud-West's own approved quote
            assert str(escape(text)) not in html, text
        words = re.sub(r"<[^>]+>", " ", html)  # the text people and screen readers get, not drawing coordinates
        assert not re.search(r"(?<![\d.,])9[.,]9", words), TRAP
        assert "٩" not in words
    oud_west = pages[1]
    assert str(escape(NEVER["other_wijk"])) in oud_west and str(escape(APPROVED)) not in oud_west
    assert 'role="note"' in oud_west  # says that some results are not shown


def test_a_newer_release_stays_off_the_public_pages_until_it_is_published(app, stored, demo_wave):
    published(stored)
    newer = store_run(demo_wave, theme_name="Nieuwer thema van de raad")
    client = app.test_client()
    html = text_of(client, f"/results/{demo_wave.id}/{CENTRUM}")
    assert "Verkeer is te druk" in html and "Nieuwer thema van de raad" not in html
    published(newer)
    assert "Nieuwer thema van de raad" in text_of(client, f"/results/{demo_wave.id}/{CENTRUM}")
    withdraw(newer.run, None)
    withdraw(stored.run, None)
    db.session.commit()
    text_of(client, f"/results/{demo_wave.id}/{CENTRUM}", 404)
    assert "No results yet" in text_of(client, f"/results/wijk/{CENTRUM}?lang=en", 404)


def test_only_wijken_of_the_wave_have_a_page(app, stored, demo_wave):
    published(stored)
    client = app.test_client()
    for code in ("GM9001", "WK999999", "BU90010001", "<script>"):
        text_of(client, f"/results/{demo_wave.id}/{code}", 404)
    text_of(client, f"/results/{demo_wave.id + 1}/{CENTRUM}", 404)


def test_the_outcome_editor_keeps_what_the_municipality_will_do_with_its_history(app, demo_wave):
    outcome = service.create_outcome(demo_wave.municipality, "Veilig verkeer", action=f"  {ACTION}  ")
    assert outcome.action == ACTION
    admin = make_staff(Role.admin)
    staff = app.test_client()
    log_in(staff, admin)
    page = text_of(staff, f"/staff/framework/outcomes/{outcome.id}?lang=en")
    assert "What the municipality will do" in page and ACTION in page
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    reply = staff.post(
        f"/staff/framework/outcomes/{outcome.id}",
        data={"csrf_token": token, "name": "Veilig verkeer", "description": "", "action": "x" * 1001},
    )
    assert reply.status_code == 422 and "Use at most 1000 characters." in reply.get_data(as_text=True)
    reply = staff.post(
        f"/staff/framework/outcomes/{outcome.id}",
        data={"csrf_token": token, "name": "Veilig verkeer", "description": "", "action": "Wij doen iets anders."},
    )
    assert reply.status_code == 302
    db.session.refresh(outcome)
    assert outcome.action == "Wij doen iets anders."
    history = text_of(staff, "/staff/framework/history?lang=en")
    assert "What the municipality will do" in history and "Wij doen iets anders." in history


def test_loading_a_framework_file_keeps_the_action_unless_the_file_gives_one(app, demo_wave, tmp_path):
    municipality = demo_wave.municipality
    service.create_outcome(municipality, "Veilig verkeer", action=ACTION)
    path = tmp_path / "framework.yaml"
    path.write_text("outcomes:\n  - name: Veilig verkeer\n", encoding="utf-8")
    loader.load_framework(municipality, path)
    outcome = db.session.scalars(select(Outcome).where(Outcome.name == "Veilig verkeer")).one()
    assert outcome.action == ACTION
    path.write_text("outcomes:\n  - name: Veilig verkeer\n    action: Nieuwe aanpak.\n", encoding="utf-8")
    loader.load_framework(municipality, path)
    db.session.refresh(outcome)
    assert outcome.action == "Nieuwe aanpak."


def test_the_thank_you_page_tells_residents_where_and_when_to_find_their_wijk(app, resident, demo_wave):
    demo_wave.closes_on = demo_wave.opens_on.replace(year=demo_wave.opens_on.year + 1)
    db.session.commit()
    resident.start("adult", lang="en")
    resident.choose_buurt("BU90010001")
    answer_everything(resident, get_instrument("adult"))
    resident.submit(action=None)
    html = resident.html
    assert "What comes of it" in html
    assert f"The survey closes on {demo_wave.closes_on.strftime('%B')}" in html
    assert f"/results/wijk/{CENTRUM}" in html


def test_the_thank_you_page_sets_the_resident_s_web_beside_the_wijk_s_once_it_is_published(
    app, resident, stored, demo_wave
):
    resident.start("adult", lang="en")
    resident.choose_buurt("BU90010001")
    answer_everything(resident, get_instrument("adult"), {"ph_body": "3"})
    resident.submit(action=None)
    assert "Average in Centrum" not in resident.html  # released to the council, not published
    published(stored)
    html = resident.get("/r/done").get_data(as_text=True)
    ratings = html[html.index("<caption>Your ratings</caption>") : html.index("</table>", html.index("Your ratings"))]
    assert "Average in Centrum" in ratings
    assert re.search(r"Body</th><td>3</td><td>6\.5</td>", ratings)


def test_theme_figures_are_worked_out_once_per_run_and_naming_and_again_after_a_change(
    app, stored, demo_wave, monkeypatch
):
    import council.themes
    from models import NamedTheme

    published(stored)
    calls = []
    original = council.themes.apply_disclosure
    monkeypatch.setattr(council.themes, "apply_disclosure", lambda *a, **k: calls.append(1) or original(*a, **k))
    client = app.test_client()
    first = text_of(client, f"/results/{demo_wave.id}/{CENTRUM}?lang=nl")
    text_of(client, f"/results/{demo_wave.id}/{OUD_WEST}?lang=nl")
    client.get(f"/open-data/v1/waves/{demo_wave.id}/figures")
    assert len(calls) == 1 and "Verkeer is te druk" in first
    stored.named.hidden = True  # the analyst hides the theme: worked out again, and gone
    db.session.commit()
    assert "Verkeer is te druk" not in text_of(client, f"/results/{demo_wave.id}/{CENTRUM}?lang=nl")
    assert len(calls) == 2
    db.session.get(NamedTheme, stored.named.id).hidden = False
    db.session.commit()
    assert "Verkeer is te druk" in text_of(client, f"/results/{demo_wave.id}/{CENTRUM}?lang=nl")
    assert len(calls) == 2  # the earlier naming again: from the cache
