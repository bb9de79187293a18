"""Waves made, opened and closed from the command line and the staff pages; response counts with small groups hidden."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from exchange.importer import import_responses
from exchange.waves import response_counts
from extensions import db
from models import AuditEvent, Municipality, Wave
from surveys.flow import municipal_today
from surveys.registry import get_instrument
from tests.exchange.conftest import SPARSE, csv_bytes
from tests.forms import main_form


def wave_named(name: str) -> Wave | None:
    return db.session.scalar(select(Wave).filter_by(name=name))


def test_waves_command_creates_lists_closes_and_reopens(demo_wave, runner):
    result = runner.invoke(
        args=[
            "waves",
            "create",
            "Najaar 2026",
            "--instruments",
            "adult,parent",
            "--opens",
            "2026-09-01",
            "--closes",
            "2026-10-31",
        ]
    )
    assert result.exit_code == 0, result.output
    wave = wave_named("Najaar 2026")
    assert wave.instrument_slugs == ["adult", "parent"] and wave.municipality == demo_wave.municipality
    assert (wave.opens_on, wave.closes_on) == (date(2026, 9, 1), date(2026, 10, 31))
    listing = runner.invoke(args=["waves", "list"]).output
    assert "Najaar 2026" in listing and "adult,parent" in listing and demo_wave.name in listing
    runner.invoke(args=["waves", "open", "Najaar 2026"])
    assert wave_named("Najaar 2026").is_open(municipal_today())
    assert runner.invoke(args=["waves", "close", "Najaar 2026"]).exit_code == 0
    closed = wave_named("Najaar 2026")
    assert not closed.is_open(municipal_today()) and closed.closes_on == municipal_today() - timedelta(days=1)
    actions = [
        event.action
        for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        if event.action.startswith("wave_")
    ]
    assert actions == ["wave_created", "wave_opened", "wave_closed"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Leefwereld demo 2026", "--instruments", "adult"], "already"),
        (["Nieuw", "--instruments", "adult,horoscope"], "horoscope"),
        (["Nieuw", "--instruments", "adult", "--opens", "2026-05-01", "--closes", "2026-04-01"], "before"),
        (["Nieuw", "--instruments", "adult", "--municipality", "GM0000"], "GM0000"),
    ],
)
def test_waves_command_refuses_bad_waves(demo_wave, runner, args, message):
    result = runner.invoke(args=["waves", "create", *args])
    assert result.exit_code != 0 and message in result.output
    assert wave_named("Nieuw") is None


def test_an_analyst_makes_a_wave_in_the_staff_pages(analyst_client, demo_wave):
    page = analyst_client.get("/staff/data/waves/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<fieldset" in html and "<legend" in html and 'type="date"' in html
    form = main_form(html)
    data = {
        "csrf_token": form.fields["csrf_token"][0],
        "name": "Voorjaar 2027",
        "municipality": form.fields["municipality"][0],
        "opens_on": "2027-03-01",
        "closes_on": "",
        "instruments": ["adult", "youth"],
    }
    response = analyst_client.post("/staff/data/waves/new", data=data)
    assert response.status_code == 302
    wave = wave_named("Voorjaar 2027")
    assert wave.instrument_slugs == ["adult", "youth"] and wave.closes_on is None
    assert response.headers["Location"].endswith(f"/staff/data/waves/{wave.id}")


def test_a_bad_wave_form_keeps_what_was_typed_and_names_each_problem(analyst_client, demo_wave):
    form = main_form(analyst_client.get("/staff/data/waves/new").get_data(as_text=True))
    data = {
        "csrf_token": form.fields["csrf_token"][0],
        "name": "Zomer",
        "municipality": "999",
        "opens_on": "1 maart",
        "closes_on": "",
    }
    response = analyst_client.post("/staff/data/waves/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="lw-error-summary"' in html
    for field_id in ("opens_on", "instruments-0"):
        assert f'href="#{field_id}"' in html
    assert 'value="Zomer"' in html
    assert wave_named("Zomer") is None


def test_closing_and_opening_from_the_wave_page(analyst_client, demo_wave):
    page = analyst_client.get(f"/staff/data/waves/{demo_wave.id}")
    token = re.search(r'name="close-csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
    assert token, page.get_data(as_text=True)
    analyst_client.post(f"/staff/data/waves/{demo_wave.id}/close", data={"close-csrf_token": token.group(1)})
    assert not wave_named(demo_wave.name).is_open(municipal_today())
    page = analyst_client.get(f"/staff/data/waves/{demo_wave.id}")
    token = re.search(r'name="open-csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
    analyst_client.post(f"/staff/data/waves/{demo_wave.id}/open", data={"open-csrf_token": token.group(1)})
    assert wave_named(demo_wave.name).is_open(municipal_today())
    # without the token nothing changes
    analyst_client.post(f"/staff/data/waves/{demo_wave.id}/close")
    assert wave_named(demo_wave.name).is_open(municipal_today())


def _responses(wave, buurt: str, count: int, start: int = 0) -> None:
    rows = [{**SPARSE, "external_id": f"{buurt}-{start + n}", "buurt_code": buurt} for n in range(count)]
    instrument = get_instrument("adult")
    assert instrument is not None
    assert import_responses(csv_bytes(rows), "x.csv", wave, instrument).imported == count
    db.session.commit()  # as the import command does: the pages read in transactions of their own


def test_response_counts_hide_small_groups_and_what_would_give_them_away(app, demo_wave):
    app.config["SUPPRESSION_MIN_N"] = 5
    try:
        _responses(demo_wave, "BU90010000", 12)  # Centrum: Binnenstad 12, Stationskwartier 2, Havenkwartier 7
        _responses(demo_wave, "BU90010001", 2)
        _responses(demo_wave, "BU90010002", 7)
        _responses(demo_wave, "BU90010100", 6)  # Oud-West: Vogelbuurt only
        counts = response_counts(demo_wave, 5)
        centrum = counts.districts[0]
        buurten = {b.code: b for b in centrum.buurten}
        assert not buurten["BU90010000"].hidden and buurten["BU90010000"].count == 12
        assert buurten["BU90010001"].hidden  # 2 < 5
        assert buurten["BU90010002"].hidden  # else 21 - 12 - 7 gives the 2 away
        assert centrum.count == 21 and not centrum.hidden
        assert counts.total.count == 27 and counts.districts[1].count == 6
        assert buurten["BU90010000"].rate == pytest.approx(100 * 12 / 3796)
        assert buurten["BU90010001"].rate is None
    finally:
        app.config["SUPPRESSION_MIN_N"] = 10


def test_the_wave_page_never_shows_a_small_count(analyst_client, demo_wave, app):
    _responses(demo_wave, "BU90010000", 12)
    _responses(demo_wave, "BU90010001", 3)
    html = analyst_client.get(f"/staff/data/waves/{demo_wave.id}").get_data(as_text=True)
    min_n = app.config["SUPPRESSION_MIN_N"]
    binnenstad = html.split("Binnenstad", 1)[1].split("</tr>", 1)[0]
    assert "<td>12</td>" in binnenstad
    stationskwartier = html.split("Stationskwartier", 1)[1].split("</tr>", 1)[0]
    assert "<td>3</td>" not in stationskwartier and f"{min_n}" in stationskwartier
    assert "<strong>15</strong>" in html  # the municipality total
    # questionnaires by their names and rates in the reader's number format, not slugs and "0.3%"
    assert "Hoe gaat het met u en uw buurt?" in html and "adult, " not in html
    assert re.search(r"<td>0,\d%</td>", binnenstad), binnenstad
    listing = analyst_client.get("/staff/data/waves").get_data(as_text=True)
    assert demo_wave.name in listing and "<td>15</td>" in listing


def test_staff_of_one_municipality_see_only_its_waves(analyst_client, demo_wave):
    other = Municipality(code="GM0001", name="Elders", reference_year=2026)
    wave = Wave(name="Elders 2026", municipality=other, opens_on=demo_wave.opens_on)
    db.session.add_all([other, wave])
    db.session.commit()
    assert "Elders 2026" not in analyst_client.get("/staff/data/waves").get_data(as_text=True)
    assert analyst_client.get(f"/staff/data/waves/{wave.id}").status_code == 404
