"""The council's pages: overview, wijk profile, comparison and report (HTML and PDF), read from stored snapshots.

Figures are planted into the stored snapshots of a real analysis, so each test knows exactly what a page must show.
Pages are read in English (?lang=en) with its number format: a mean of 7.26 reads 7.3, a share of 0.25 reads 25%.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import cast

import pytest
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import CursorResult, select, update

from council.areas import areas_of
from council.indicators import evaluate
from council.maps import status_label
from council.resident_types import type_name
from council.snapshots import WEIGHTED_STATISTICS, WaveProfile
from exchange.waves import create_wave
from extensions import db
from models import (
    AnalysisRun,
    Indicator,
    NamedTheme,
    Neighbourhood,
    ProfileSnapshot,
    Quote,
    QuoteStatus,
    Role,
    RunStatus,
    Theme,
    ThemeCount,
)
from runs.themes import name_from_suggestions
from tests.backends import one_database
from tests.staff import log_in, make_staff

CENTRUM, OUD_WEST, HAVERLAND = "WK900100", "WK900101", "WK900102"
INDICATOR = "Samenhang (raadstest)"
SHARE_INDICATOR = "Niet eenzaam (raadstest)"


class Tables(HTMLParser):
    """Every <table> of a page by its caption: rows of cell texts (header cells included)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: list[str] | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows = []
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            self._name = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._name] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def row(table: list[list[str]], heading: str) -> list[str]:
    return next(cells for cells in table if cells and cells[0].startswith(heading))


def plant(
    run: AnalysisRun,
    area: str,
    instrument: str,
    measure: str,
    statistic: str,
    value: float | None,
    lower: float | None = None,
    upper: float | None = None,
    n: int | None = None,
    flags: str = "",
) -> None:
    """Overwrite (or add) one stored figure of the run. A mean or share is planted as the council reads it: its
    weighted figure (council.snapshots.WaveProfile), where the run has one, gets the same values."""

    def overwrite(stored_as: str) -> int:
        return cast(
            CursorResult,
            db.session.execute(
                update(ProfileSnapshot)
                .where(
                    ProfileSnapshot.run_id == run.id,
                    ProfileSnapshot.area_code == area,
                    ProfileSnapshot.instrument == instrument,
                    ProfileSnapshot.measure == measure,
                    ProfileSnapshot.statistic == stored_as,
                )
                .values(value=value, lower=lower, upper=upper, n=n, flags=flags)
            ),
        ).rowcount

    if statistic in WEIGHTED_STATISTICS:
        overwrite(WEIGHTED_STATISTICS[statistic])
    changed = overwrite(statistic)
    if not changed:
        db.session.add(
            ProfileSnapshot(
                run_id=run.id,
                area_code=area,
                area_level="municipality" if area.startswith("GM") else "wijk",
                instrument=instrument,
                measure=measure,
                statistic=statistic,
                value=value,
                lower=lower,
                upper=upper,
                n=n,
                flags=flags,
            )
        )
    db.session.commit()


def council_client(app, role: Role = Role.council):
    client = app.test_client()
    log_in(client, make_staff(role))
    return client


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url + ("&" if "?" in url else "?") + "lang=en")
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.council, Role.analyst, Role.admin])
def test_every_council_page_renders_for_every_role_allowed(app, planted, role):
    client = council_client(app, role)
    for url in (
        "/council/",
        f"/council/wijk/{CENTRUM}",
        f"/council/compare?area={CENTRUM}&area={HAVERLAND}",
        f"/council/compare?area={CENTRUM}&waves=all",
        f"/council/report/{CENTRUM}",
        "/council/report/GM9001",
    ):
        response = client.get(url)
        assert response.status_code == 200, (role, url)
        # quotes are residents' words: no shared cache keeps these pages
        assert response.headers["Cache-Control"] == "no-store"


def test_overview_shows_each_area_with_respondents_and_the_status_of_each_indicator(app, planted, demo_wave):
    client = council_client(app)
    found = tables(page(client, "/council/"))
    respondents = found["Respondents and response rate per area"]
    profile = WaveProfile.load(demo_wave)
    for area in areas_of(demo_wave.municipality):
        count = profile.get(area.code, "adult", "respondents", "n")
        assert row(respondents, area.name)[1].startswith(str(int(count.value)))
    indicator = db.session.scalar(select(Indicator).filter_by(name=INDICATOR))
    table = found[f"{INDICATOR} per area"]
    with force_locale("en"):  # the page is read in English
        expected = {
            area.name: status_label(evaluate(indicator, profile, area.code).status)
            for area in areas_of(demo_wave.municipality)
        }
    for name, label in expected.items():
        assert row(table, name)[3] == label
    assert row(table, "Centrum")[1:3] == ["7.3 (6.8–7.7)", "6.0 in 2026"]
    assert row(table, "Centrum")[3] == "Clearly on target"
    # at a glance: every indicator of every area in one table, its status told in words to a screen reader
    glance = found["Indicators per area at a glance"]
    column = glance[0].index(INDICATOR)
    assert row(glance, "Centrum")[column] == "Clearly on target: 7.3"
    for name, label in expected.items():
        assert row(glance, name)[column].startswith(label)
    # the map is drawn from the demo boundaries, for the chosen indicator, with the table as its equivalent
    chosen = page(client, f"/council/?indicator={indicator.id}")
    assert 'class="lw-map"' in chosen and f"Map of the wijken: {INDICATOR}" in chosen


def test_suppressed_figures_show_as_suppressed_never_as_zero_in_every_view(app, planted):
    client = council_client(app)

    def suppressed(cell: str) -> None:
        assert "suppressed" in cell and not re.search(r"\d", cell), cell

    overview = tables(page(client, "/council/"))
    suppressed(row(overview[f"{INDICATOR} per area"], "Oud-West")[1])
    assert row(overview[f"{INDICATOR} per area"], "Oud-West")[3] == "Suppressed: too few respondents"
    suppressed(row(overview[f"{SHARE_INDICATOR} per area"], "Oud-West")[1])

    wijk_html = page(client, f"/council/wijk/{OUD_WEST}")
    wijk = tables(wijk_html)
    suppressed(row(wijk["Indicators in Oud-West, wave Leefwereld demo 2026"], INDICATOR)[1])
    suppressed(row(wijk["Scales of Adults: mean (95% interval)"], "Social cohesion")[2])
    assert "It is not zero" in wijk_html  # the explanation

    compared = tables(page(client, f"/council/compare?area={CENTRUM}&area={OUD_WEST}"))
    indicator_row = row(compared["Indicators against their targets"], INDICATOR)
    assert indicator_row[1].startswith("7.3 (6.8–7.7)")
    assert "suppressed" in indicator_row[2] and not re.search(r"\d", indicator_row[2].split("Target")[0])
    suppressed(row(compared["Scales: mean (95% interval)"], "Social cohesion")[2])

    report = tables(page(client, f"/council/report/{OUD_WEST}"))
    suppressed(row(report["Indicators in Oud-West, wave Leefwereld demo 2026"], INDICATOR)[1])
    municipal = tables(page(client, "/council/report/GM9001"))
    suppressed(row(municipal[f"{INDICATOR} per area (higher is better)"], "Oud-West")[1])


def test_a_figure_hidden_to_protect_a_small_group_says_so_in_every_view(app, planted):
    plant(planted, OUD_WEST, "adult", "cohesion", "mean", None, flags="suppressed suppressed_complementary")
    client = council_client(app)

    def protected(cell: str) -> None:
        assert "protects a small group" in cell and "too few" not in cell and not re.search(r"\d", cell), cell

    overview = tables(page(client, "/council/"))
    protected(row(overview[f"{INDICATOR} per area"], "Oud-West")[1])
    assert row(overview[f"{INDICATOR} per area"], "Oud-West")[3] == "Suppressed: protects a small group elsewhere"
    wijk_html = page(client, f"/council/wijk/{OUD_WEST}")
    protected(row(tables(wijk_html)["Scales of Adults: mean (95% interval)"], "Social cohesion")[2])
    assert "someone could work out a group of fewer than 10 residents elsewhere" in wijk_html
    assert "hidden so that a small group cannot be worked out from them" in wijk_html
    # the band share planted as plain "suppressed" (a run from before the reason was stored) reads as too few
    assert "suppressed: too few residents" in wijk_html
    report = tables(page(client, f"/council/report/{OUD_WEST}"))
    protected(row(report["Indicators in Oud-West, wave Leefwereld demo 2026"], INDICATOR)[1])
    dutch = client.get(f"/council/wijk/{OUD_WEST}?lang=nl").get_data(as_text=True)
    assert "verborgen: beschermt een kleine groep" in dutch and "verborgen: te weinig deelnemers" in dutch


def test_wijk_page_shows_planted_figures_spider_web_types_themes_and_trend(app, planted, demo_wave):
    client = council_client(app)
    html = page(client, f"/council/wijk/{CENTRUM}")
    found = tables(html)
    assert row(found["Scales of Adults: mean (95% interval)"], "Social cohesion")[2] == "7.3 (6.8–7.7)"
    indicators = found["Indicators in Centrum, wave Leefwereld demo 2026"]
    assert row(indicators, INDICATOR)[1:] == ["7.3 (6.8–7.7)", "6.0 in 2026", "Clearly on target"]
    # the spider web and its table: the six dimensions of the wijk and of the municipality
    assert 'aria-labelledby="chart-spider-title chart-spider-desc"' in html
    spider = found["Positive Health: mean per dimension (0 to 10)"]
    assert [cells[0] for cells in spider[1:]] == [
        "Body",
        "Mind and feelings",
        "Meaning",
        "Quality of life",
        "Taking part",
        "Daily life",
    ]
    assert spider[0] == ["Dimension", "Centrum", "Leefdam"]
    # the demo's answers form no distinct types (the synthetic residents differ in level only): none are shown
    assert "Types among adults" not in found and not planted.types["adult"]["types"]
    # a type named by what sets it apart, with its share here from the snapshots
    stored = dict(planted.types)
    stored["adult"] = {
        **stored["adult"],
        "k": 1,
        "note": "",
        "types": [
            {
                "id": "T1",
                "size": 120,
                "share": 0.4,
                "centre": {},
                "centre_z": {},
                "profile": [],
                "level": 0.1,
                "shape": {},
                "name": [["belonging_score", "better"], ["brs_score", "worse"]],
            }
        ],
    }
    planted.types = stored
    plant(planted, CENTRUM, "adult", "type:T1", "share", 0.42, 0.3, 0.5, 60)
    found = tables(page(client, f"/council/wijk/{CENTRUM}"))
    assert row(found["Types among adults"], "Type T1")[1:3] == ["feels at home, little resilience", "42% (30%–50%)"]
    # themes of the open answers reach the council only once named and ready
    assert not [name for name in found if name.startswith("Themes and how often")]
    name_from_suggestions(planted)
    db.session.commit()
    found = tables(page(client, f"/council/wijk/{CENTRUM}"))
    named = set(db.session.scalars(select(NamedTheme.name).where(NamedTheme.run_id == planted.id)))
    shown = [cells[0] for table in found for cells in found[table][1:] if table.startswith("Themes and how often")]
    assert shown and set(shown) <= named  # the themes common enough in Centrum, each by the name it was given
    # the trend table lists the waves analysed so far
    assert [cells[0] for cells in found[f"{INDICATOR} per wave"][1:]] == ["Leefwereld demo 2026"]


def test_a_type_is_named_by_what_sets_it_apart_in_the_reader_s_language(app):
    with app.app_context(), force_locale("nl"):
        assert (
            type_name("parent", {"name": [["support_network_score", "better"], ["djg_score", "worse"]]}, "nl")
            == "sterk netwerk, vaak eenzaam"
        )
        # nothing stands out: named by its level; an unknown scale by its name or id
        assert type_name("adult", {"name": [], "level": -0.8}, "nl") == "op alles minder dan gemiddeld"
        assert type_name("adult", {"name": [], "level": 0.1}, "nl") == "rond het gemiddelde, niets springt eruit"
        assert type_name("adult", {"name": [["new_scale_score", "better"]]}, "nl") == (
            "new_scale: hoger dan hun andere scores"
        )
    with app.app_context(), force_locale("en"):
        # a type stored before types were named by their shape keeps its description by profile
        assert (
            type_name("adult", {"profile": [["who5_score", "high"], ["djg_score", "average"]]}, "en")
            == "Higher than average: Well-being (WHO-5)."
        )


def test_wijk_page_follows_an_indicator_over_waves(app, planted, demo_wave):
    earlier = create_wave("Raadstest 2024", ["adult"], demo_wave.municipality, date(2024, 3, 1))
    run = AnalysisRun(wave=earlier, status=RunStatus.succeeded, released_at=datetime(2024, 6, 1, tzinfo=UTC))
    db.session.add(run)
    db.session.commit()
    plant(run, CENTRUM, "adult", "cohesion", "mean", 5.12, 4.61, 5.58, 50)
    client = council_client(app)
    found = tables(page(client, f"/council/wijk/{CENTRUM}"))
    trend = found[f"{INDICATOR} per wave"]
    assert [cells[:2] for cells in trend[1:]] == [
        ["Raadstest 2024", "5.1 (4.6–5.6)"],
        ["Leefwereld demo 2026", "7.3 (6.8–7.7)"],
    ]
    over_waves = tables(page(client, f"/council/compare?area={CENTRUM}&waves=all"))
    scales = over_waves["Scales: mean (95% interval)"]
    assert scales[0][1:] == ["Raadstest 2024", "Leefwereld demo 2026"]
    assert row(scales, "Social cohesion")[1:] == ["5.1 (4.6–5.6)", "7.3 (6.8–7.7)"]


def test_only_approved_quotes_of_the_wijk_itself_reach_the_council(app, planted):
    name_from_suggestions(planted)  # the analyst has named the themes and marked them ready
    for named in db.session.scalars(select(NamedTheme).where(NamedTheme.run_id == planted.id)):
        named.name = f"Raadsthema {named.id}"  # not a resident's words, which a quote may repeat
    db.session.commit()
    quotes = db.session.scalars(select(Quote).join(Theme).where(Theme.run_id == planted.id)).all()
    assert quotes and all(quote.status is QuoteStatus.proposed for quote in quotes)
    client = council_client(app)
    html = page(client, f"/council/wijk/{CENTRUM}")
    assert not [quote.id for quote in quotes if str(escape(quote.text)) in html]

    chosen = next(quote for quote in quotes if quote.area_code == CENTRUM)
    rejected = next(quote for quote in quotes if quote.area_code == CENTRUM and quote.text != chosen.text)
    chosen.status, rejected.status = QuoteStatus.approved, QuoteStatus.rejected
    db.session.commit()
    shown = str(escape(chosen.text))
    assert shown in page(client, f"/council/wijk/{CENTRUM}")
    assert shown in page(client, f"/council/report/{CENTRUM}")
    hidden = [quote for quote in quotes if quote.text != chosen.text]
    for url in (
        f"/council/wijk/{CENTRUM}",
        f"/council/report/{CENTRUM}",
        f"/council/wijk/{HAVERLAND}",
        "/council/report/GM9001",
        "/council/",
    ):
        html = page(client, url)
        assert not [quote.id for quote in hidden if str(escape(quote.text)) in html], url
    # the quote belongs to Centrum: another wijk's page does not show it
    if not any(quote.text == chosen.text and quote.area_code == HAVERLAND for quote in quotes):
        assert shown not in page(client, f"/council/wijk/{HAVERLAND}")


def test_wijkteam_outcome_shows_shares_better_same_and_worse(app, planted):
    for change, value in (("improved", 0.55), ("same", 0.3), ("worse", 0.15)):
        plant(planted, CENTRUM, "wijkteam", f"overall:{change}", "share", value, value - 0.1, value + 0.1, 40)
    plant(planted, CENTRUM, "wijkteam", "respondents", "n", 40, n=40)
    plant(planted, CENTRUM, "wijkteam", "sr_finances:improved", "share", None, flags="suppressed")
    found = tables(page(council_client(app), f"/council/wijk/{CENTRUM}"))
    table = found["Change since the first interview in Centrum"]
    assert row(table, "All areas of life together")[1:] == ["55% (45%–65%)", "30% (20%–40%)", "15% (5%–25%)"]
    assert "suppressed" in row(table, "Money and bills")[1]
    assert "Worker rated otherwise" not in table[0]  # no worker's ratings in this run: no column


def test_wijkteam_outcome_shows_how_often_the_worker_rated_otherwise(app, planted):
    for change, value in (("improved", 0.55), ("same", 0.3), ("worse", 0.15)):
        plant(planted, CENTRUM, "wijkteam", f"overall:{change}", "share", value, value - 0.1, value + 0.1, 40)
    plant(planted, CENTRUM, "wijkteam", "overall:worker_differs", "share", 0.25, 0.14, 0.4, 40)
    plant(planted, CENTRUM, "wijkteam", "respondents", "n", 40, n=40)
    html = page(council_client(app), f"/council/wijk/{CENTRUM}")
    table = tables(html)["Change since the first interview in Centrum"]
    assert table[0][-1] == "Worker rated otherwise"
    assert row(table, "All areas of life together")[-1] == "25% (14%–40%)"
    assert "The change since the start always uses the resident's own rating." in html


def test_unknown_areas_and_waves_are_not_found(app, planted):
    client = council_client(app)
    for url in (
        "/council/wijk/WK999999",
        "/council/wijk/BU99999999",  # buurten have pages (issue 16), unknown ones do not
        "/council/wijk/BU90019900",  # a buurt code in a wijk that does not exist
        "/council/report/WK999999",
        "/council/report/WK999999.pdf",
        "/council/?wave=999999",
        f"/council/wijk/{CENTRUM}?wave=abc",
    ):
        assert client.get(url).status_code == 404, url


def test_overview_without_an_analysed_wave_says_so_plainly(app, demo_wave):
    client = council_client(app)
    assert "There are no figures yet" in page(client, "/council/")
    assert "There are no figures yet" in page(client, f"/council/wijk/{CENTRUM}", status=404)


def test_a_theme_raised_by_few_residents_shows_no_exact_count(app, planted):
    name_from_suggestions(planted)
    theme = db.session.scalars(select(Theme).where(Theme.run_id == planted.id).order_by(Theme.id)).first()
    count = db.session.scalar(
        select(ThemeCount).where(ThemeCount.theme_id == theme.id, ThemeCount.area_code == CENTRUM)
    )
    count.answers = 3
    db.session.commit()
    found = tables(page(council_client(app), f"/council/wijk/{CENTRUM}"))
    theme_rows = [cells for name, rows in found.items() if name.startswith("Themes and how often") for cells in rows]
    cells = row(theme_rows, theme.named.name)
    assert "suppressed" in cells[1] and "suppressed" in cells[2] and ">3<" not in cells[1]


def test_downloading_a_report_is_written_to_the_audit_log(app, planted):
    from models import AuditEvent

    council_client(app).get(f"/council/report/{CENTRUM}.pdf")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report_downloaded")).one()
    assert event.details == {"area": CENTRUM, "format": "pdf"}


@pytest.mark.parametrize(
    "query, message",
    [
        (f"area={CENTRUM}&show=1", "Choose at least two areas to compare."),
        ("show=1", "Choose at least two areas to compare."),
        (f"area={CENTRUM}&area=WK999999", "Choose areas from the list."),
        (f"area={CENTRUM}&area={HAVERLAND}&waves=all", "To follow an area over the waves, choose exactly one area."),
    ],
)
def test_compare_explains_what_to_choose(app, planted, query, message):
    html = page(council_client(app), f"/council/compare?{query}", status=422)
    assert message in html and 'id="error-summary"' in html


def test_compare_shows_two_wijken_side_by_side(app, planted):
    found = tables(page(council_client(app), f"/council/compare?area={CENTRUM}&area={HAVERLAND}"))
    assert found["Respondents"][0] == ["Questionnaire", "Centrum", "Haverland"]
    assert row(found["Indicators against their targets"], INDICATOR)[1].startswith("7.3 (6.8–7.7)")


@one_database
def test_report_pdf_contains_the_wijk_and_its_figures(app, planted, demo_wave):
    from pypdf import PdfReader

    client = council_client(app)
    response = client.get(f"/council/report/{CENTRUM}.pdf?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"{CENTRUM}-Leefwereld-demo-2026.pdf" in disposition
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = " ".join(text.split())
    respondents = WaveProfile.load(demo_wave).get(CENTRUM, "adult", "respondents", "n")
    assert "Report: Centrum" in text
    assert f"Adults {int(respondents.value)}" in text
    assert "7.3 (6.8–7.7)" in text


def test_report_pdf_carries_the_approved_quotes(app, planted):
    from pypdf import PdfReader

    name_from_suggestions(planted)
    quote = db.session.scalars(
        select(Quote).join(Theme).where(Theme.run_id == planted.id, Quote.area_code == CENTRUM)
    ).first()
    quote.status = QuoteStatus.approved
    db.session.commit()
    response = council_client(app).get(f"/council/report/{CENTRUM}.pdf?lang=en")
    assert response.status_code == 200
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split())
    assert " ".join(quote.text.split())[:40] in text


@one_database
def test_report_pdf_of_a_suppressed_wijk_says_suppressed(app, planted):
    from pypdf import PdfReader

    response = council_client(app).get(f"/council/report/{OUD_WEST}.pdf?lang=en")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split())
    assert f"{INDICATOR} Raadstest: verbonden · higher is better suppressed" in text


def test_every_buurt_page_shows_a_marked_model_estimate_beside_its_direct_figure(app, analysed, demo_wave):
    """The real analysis gives every buurt a model estimate for each scale; its page shows it in a column of its own,
    marked in words, next to the survey's own figure (suppressed or not), never in its place; the report too."""
    from models import Neighbourhood

    buurten = db.session.scalars(select(Neighbourhood.code).order_by(Neighbourhood.code)).all()
    stored = {
        figure.area_code: figure
        for figure in db.session.scalars(
            select(ProfileSnapshot).where(
                ProfileSnapshot.run_id == analysed.id,
                ProfileSnapshot.instrument == "adult",
                ProfileSnapshot.measure == "cohesion",
                ProfileSnapshot.statistic == "mean_model",
            )
        )
    }
    assert sorted(stored) == sorted(buurten)
    assert all("model" in figure.flags.split() for figure in stored.values())
    client = council_client(app)
    marking = "model estimate: based on the survey and neighbourhood figures"
    synthetic = [code for code, figure in stored.items() if "synthetic" in figure.flags.split()]
    composite = [code for code, figure in stored.items() if "synthetic" not in figure.flags.split()]
    assert synthetic and composite, "the demo wave has small and large buurten"
    for code, kind in ((composite[0], "composite"), (synthetic[0], "synthetic")):
        figure = stored[code]
        name = db.session.scalar(select(Neighbourhood.name).where(Neighbourhood.code == code))
        html = page(client, f"/council/wijk/{code}")
        scales = tables(html)["Scales of Adults: mean (95% interval)"]
        assert scales[0][:4] == ["Scale", "Range", name, f"Model estimate for {name}"]
        direct, model = row(scales, "Social cohesion")[2:4]
        expected = f"{figure.value:.1f} ({figure.lower:.1f}–{figure.upper:.1f}) {marking}"
        assert model.startswith(expected), model
        if kind == "synthetic":
            assert model.endswith("(without answers from this buurt)")
            assert "suppressed" in direct and not re.search(r"\d", direct)
        else:
            assert re.match(r"\d+\.\d \(", direct), direct  # the survey's own figure stays in its own column
        assert 'id="about-model"' in html and "never in its place" in html
        report = tables(page(client, f"/council/report/{code}"))
        assert row(report["Scales of Adults: mean (95% interval)"], "Social cohesion")[3].startswith(expected)
    # a wijk's page leads to its buurten; a wijk has no model estimate of its own
    wijk_code = "WK" + composite[0][2:8]
    wijk_html = page(client, f"/council/wijk/{wijk_code}")
    assert f'href="/council/wijk/{composite[0]}' in wijk_html
    assert marking not in wijk_html


MODEL_WORDS = "model estimate: based on the survey and neighbourhood figures"


def _buurt_evaluations(demo_wave, indicator: Indicator) -> dict:
    profile = WaveProfile.load(demo_wave)
    assert profile is not None
    buurten = sorted({code for code, *_ in profile.figures if code.startswith("BU")})
    return {code: evaluate(indicator, profile, code) for code in buurten}


def _interval(figure, share: bool = False) -> str:
    if share:
        return f"{figure.value:.0%} ({figure.lower:.0%}–{figure.upper:.0%})"
    return f"{figure.value:.1f} ({figure.lower:.1f}–{figure.upper:.1f})"


def test_the_buurt_map_shows_a_model_estimate_where_a_buurt_has_no_figure_of_its_own_outlined_and_in_words(
    app, planted, demo_wave
):
    indicator = db.session.scalar(select(Indicator).filter_by(name=INDICATOR))
    evaluations = _buurt_evaluations(demo_wave, indicator)
    hidden = {code for code, found in evaluations.items() if found.figure is None or found.figure.suppressed}
    assert hidden and set(evaluations) - hidden, "the demo wave has buurten with and without a figure of their own"
    assert all(evaluations[code].model is not None and evaluations[code].model.synthetic for code in hidden)
    html = page(council_client(app), f"/council/?wave={demo_wave.id}&indicator={indicator.id}")
    section = html[html.index('id="buurt-map-title"') :]
    svg, key = section[: section.index("</svg>")], section[section.index("</svg>") : section.index("</ol>")]
    drawn = dict(re.findall(r'data-code="(BU\d+)"><path class="([^"]+)"', svg))
    assert set(drawn) == set(evaluations)
    for code, found in evaluations.items():
        classes = drawn[code].split()
        if code in hidden:
            # filled by the status of its model estimate, with a dashed outline of its own
            assert "lw-map__area--model" in classes and f"lw-map__area--{found.model_status.value}" in classes
        else:
            assert "lw-map__area--model" not in classes and f"lw-map__area--{found.status.value}" in classes
    assert f"Dashed outline: {MODEL_WORDS}" in " ".join(re.sub(r"<[^>]+>", " ", svg).split())
    # the key beside the map: every model-based buurt in words, with its interval; the others without
    entries = [" ".join(re.sub(r"<[^>]+>", "", entry).split()) for entry in key.split("<li>")[1:]]
    names = dict(db.session.execute(select(Neighbourhood.code, Neighbourhood.name)).all())
    for code, found in evaluations.items():
        entry = next(entry for entry in entries if entry.split(" ", 1)[1].startswith(names[code] + ":"))
        if code in hidden:
            model = found.model
            expected = f"{model.value:.1f} (95% interval {model.lower:.1f} to {model.upper:.1f})"
            assert f"{expected}, {MODEL_WORDS} (without answers from this buurt)" in entry, entry
        else:
            assert MODEL_WORDS not in entry, entry
    assert 'id="about-model"' in html


def test_a_buurt_s_indicators_show_its_model_estimate_beside_a_suppressed_or_indicative_figure(app, planted, demo_wave):
    client = council_client(app)
    names = dict(db.session.execute(select(Neighbourhood.code, Neighbourhood.name)).all())
    seen, modelled = set(), set()
    for name, share in ((INDICATOR, False), (SHARE_INDICATOR, True)):
        indicator = db.session.scalar(select(Indicator).filter_by(name=name))
        for code, found in _buurt_evaluations(demo_wave, indicator).items():
            figure = found.figure
            kind = "hidden" if figure is None or figure.suppressed else "indicative" if figure.indicative else "solid"
            if (name, kind) in seen:
                continue
            seen.add((name, kind))
            html = page(client, f"/council/wijk/{code}?wave={demo_wave.id}")
            caption = f"Indicators in {names[code]}, wave {demo_wave.name}"
            cells = row(tables(html)[caption], name)
            over_waves = row(tables(html)[f"{name} per wave"], demo_wave.name)
            for value in (cells[1], over_waves[1]):
                if found.model is None:  # a solid figure; or too few buurten with a band's share for a model
                    assert kind == "solid" or name == SHARE_INDICATOR
                    assert MODEL_WORDS not in value, value
                    continue
                # the survey's own figure (or why it is hidden) first, the marked model estimate beside it
                assert value.index(_interval(found.model, share)) > 0, value
                assert f"{_interval(found.model, share)} {MODEL_WORDS}" in value, value
                if kind == "hidden":
                    assert value.startswith("suppressed") and value.endswith("(without answers from this buurt)")
                else:
                    assert value.startswith(_interval(figure, share) + " indicative"), value
                    assert "without answers from this buurt" not in value
            # the status is the survey figure's; the model estimate never takes its place
            with app.test_request_context(), force_locale("en"):
                assert cells[3].endswith(status_label(found.status)), cells
            if found.model is not None:
                assert 'id="about-model"' in html
                modelled.add(kind)
    assert modelled == {"hidden", "indicative"}, seen


def test_output_beside_outcome_on_a_buurt_page_marks_its_model_estimate(app, planted, demo_wave):
    from models import OutputMeasure

    indicator = db.session.scalar(select(Indicator).filter_by(name=INDICATOR))
    indicator.outcome.outputs.append(db.session.scalars(select(OutputMeasure)).first())
    db.session.commit()
    evaluations = _buurt_evaluations(demo_wave, indicator)
    client = council_client(app)
    year = str(demo_wave.opens_on.year)
    kinds = set()
    for code, found in evaluations.items():
        hidden = found.figure is None or found.figure.suppressed
        kind = "hidden" if hidden else "indicative" if found.figure.indicative else "solid"
        if kind in kinds:
            continue
        kinds.add(kind)
        name = db.session.scalar(select(Neighbourhood.name).where(Neighbourhood.code == code))
        table = tables(page(client, f"/council/wijk/{code}?wave={demo_wave.id}"))[
            f"{indicator.outcome.name} in {name}: indicators and output per year"
        ]
        value = row(table, indicator.name)[table[0].index(year)]
        if kind == "solid":
            assert MODEL_WORDS not in value, value
        else:
            assert value.startswith("suppressed" if hidden else _interval(found.figure)), value
            assert f"{_interval(found.model)} {MODEL_WORDS}" in value, value
    assert {"hidden", "indicative"} <= kinds
