"""Where a named theme stands out: the wijk profile and the report say where a theme is raised clearly more or less
often than in the rest of the municipality, and never where the theme's figure in the wijk is suppressed.

Counts of a question's named themes are planted into a real analysis, so each test knows what must stand out:
"Verkeer" is raised four times as often in Centrum; "Groen" as often everywhere; "Afval" by only 3 residents in
Oud-West, whose figure is hidden (and by complementary suppression others with it).
"""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale
from sqlalchemy import delete, select

from analysis.theme_contrast import theme_contrasts
from council.themes import shown_themes
from council.views import number, points
from extensions import db
from models import AnalysisRun, NamedTheme, Role, Theme, ThemeCount, ThemeReview
from runs.themes import name_from_suggestions
from tests.council.test_views import Tables, council_client, page, row, tables

GM, CENTRUM, OUD_WEST, HAVERLAND = "GM9001", "WK900100", "WK900101", "WK900102"
TOTALS = {CENTRUM: 200, OUD_WEST: 400, HAVERLAND: 400}
PLANTED = {"Verkeer": {CENTRUM: 80, OUD_WEST: 40, HAVERLAND: 40}, "Groen": {CENTRUM: 20, OUD_WEST: 40, HAVERLAND: 40}}
WASTE = {CENTRUM: 30, OUD_WEST: 3, HAVERLAND: 60}
MORE = "Raised more often here than in the rest of the municipality"
LESS = "Raised less often here than in the rest of the municipality"


def plant(run: AnalysisRun, planted: dict[str, dict[str, int]]) -> tuple[AnalysisRun, str, dict[str, NamedTheme]]:
    """The analysed run with its themes named and ready; of the first question only the planted themes are shown."""
    name_from_suggestions(run)
    question = db.session.scalars(
        select(ThemeReview.question)
        .where(ThemeReview.run_id == run.id, ThemeReview.ready.is_(True))
        .order_by(ThemeReview.question)
        .limit(1)
    ).one()
    for named in db.session.scalars(
        select(NamedTheme).where(NamedTheme.run_id == run.id, NamedTheme.question == question)
    ):
        named.hidden = True
    db.session.execute(delete(ThemeCount).where(ThemeCount.run_id == run.id, ThemeCount.question == question))
    for area, n in {GM: sum(TOTALS.values()), **TOTALS}.items():
        db.session.add(ThemeCount(run_id=run.id, question=question, theme_id=None, area_code=area, answers=n))
    groups = {}
    for name, counts in planted.items():
        named = NamedTheme(run=run, question=question, name=name, translations={"en": name})
        theme = Theme(
            run=run,
            question=question,
            key=f"nl-plant-{name}",
            language="nl",
            label=name,
            terms=[name],
            answers=sum(counts.values()),
            suggestion=name,
            named=named,
        )
        db.session.add(theme)
        db.session.flush()
        for area, k in {GM: sum(counts.values()), **counts}.items():
            db.session.add(ThemeCount(run_id=run.id, question=question, theme_id=theme.id, area_code=area, answers=k))
        groups[name] = named
    db.session.commit()
    return run, question, groups


@pytest.fixture
def planted(analysed) -> tuple[AnalysisRun, str, dict[str, NamedTheme]]:
    return plant(analysed, PLANTED)


class AllTables(Tables):
    """Every table of a page, also those with the same caption (one theme table per question)."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, list[list[str]]]] = []

    def handle_endtag(self, tag):
        rows = self._rows
        super().handle_endtag(tag)
        if tag == "table" and rows is not None:
            self.found.append((self._name, rows))


def theme_cells(html: str) -> dict[str, list[str]]:
    """The rows of the page's theme tables by theme name."""
    parser = AllTables()
    parser.feed(html)
    return {
        cells[0]: cells for name, rows in parser.found if name.startswith("Themes and how often") for cells in rows[1:]
    }


def expected_sentence(contrast, start: str) -> str:
    near, far = sorted((abs(contrast.lower), abs(contrast.upper)))
    with force_locale("en"):
        return (
            f"{start}: {number(contrast.share, True)} against {number(contrast.rest_share, True)} "
            f"(difference {points(near)} to {points(far)} percentage points)"
        )


def test_a_theme_raised_clearly_more_often_in_one_wijk_is_said_so_on_its_profile_and_report(app, planted):
    run, _question, groups = planted
    shown = shown_themes(db.session.get(AnalysisRun, run.id))
    traffic = shown.contrasts[(groups["Verkeer"].id, CENTRUM)]
    assert traffic.direction == "higher" and 0 < traffic.lower < traffic.upper
    assert shown.contrasts[(groups["Groen"].id, CENTRUM)].direction is None
    client = council_client(app)
    for url in (f"/council/wijk/{CENTRUM}", f"/council/report/{CENTRUM}"):
        html = page(client, url)
        cells = theme_cells(html)
        assert cells["Verkeer"][-1] == expected_sentence(traffic, MORE)
        assert cells["Groen"][-1] == "Not clearly different"
        assert "compared with the rest of the municipality: all other wijken together" in html
    # a wijk without a difference in a theme is not said to differ in it
    haverland = theme_cells(page(client, f"/council/wijk/{HAVERLAND}"))
    assert haverland["Groen"][-1] == "Not clearly different"
    # in Dutch, in plain words, with the numbers as Dutch writes them
    dutch = client.get(f"/council/wijk/{CENTRUM}?lang=nl").get_data(as_text=True)
    assert "Hier vaker genoemd dan in de rest van de gemeente:" in dutch
    assert '<span class="lw-number" dir="ltr">40%</span> tegen <span class="lw-number" dir="ltr">10%</span>' in dutch
    # the PDF is the report's HTML
    from pypdf import PdfReader

    response = client.get(f"/council/report/{CENTRUM}.pdf?lang=en")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "Raised more often here than in the rest of" in text


def test_the_municipality_report_lists_the_wijken_where_a_theme_stands_out(app, planted):
    client = council_client(app, Role.council)
    for url in (f"/council/report/{GM}", f"/council/wijk/{GM}"):
        html = page(client, url)
        table = tables(html)[
            "Wijken where a theme is raised clearly more or less often than in the rest of the municipality"
        ]
        assert row(table, "Verkeer")[1] == "Centrum"
        assert "Centrum" not in row(table, "Verkeer")[2]
        assert not [cells for cells in table if cells[0] == "Groen"]  # stands out nowhere
        assert MORE not in html  # the municipality is not compared with itself


def test_a_suppressed_theme_figure_gets_no_comparison(app, analysed):
    run, _question, groups = plant(analysed, {**PLANTED, "Afval": WASTE})
    shown = shown_themes(db.session.get(AnalysisRun, run.id))
    count, share = shown.figures[(groups["Afval"].id, OUD_WEST)]
    assert count.suppressed and share.suppressed
    # the statistics alone would declare Oud-West's 3 of 400 clearly lower: the page must not tell it
    codes, themes = [], []
    for wijk, n in TOTALS.items():
        codes += [wijk] * n
        themes += ["afval"] * WASTE[wijk] + [None] * (n - WASTE[wijk])
    assert {one.wijk_code: one for one in theme_contrasts(codes, themes)}[OUD_WEST].direction == "lower"
    client = council_client(app)
    hidden = [
        (name, code)
        for name, named in groups.items()
        for code in TOTALS
        if shown.figures[(named.id, code)][0].suppressed
    ]
    assert ("Afval", OUD_WEST) in hidden and len(hidden) >= 2  # complementary suppression hides more
    for name, code in hidden:
        assert (groups[name].id, code) not in shown.contrasts
        for url in (f"/council/wijk/{code}", f"/council/report/{code}"):
            cells = theme_cells(page(client, url))[name]
            assert "suppressed" in cells[1] and cells[-1] == "no comparison", (name, code, url)
    # every shown figure of a wijk with enough answers is compared
    assert {(name, code) for name in groups for code in TOTALS} - set(hidden) == {
        (name, code) for name, named in groups.items() for code in TOTALS if (named.id, code) in shown.contrasts
    }
    # nor does the municipality's list of wijken give a hidden one away
    html = page(client, f"/council/report/{GM}")
    for name, code in hidden:
        listed = tables(html).get(
            "Wijken where a theme is raised clearly more or less often than in the rest of the municipality", []
        )
        wijk = {CENTRUM: "Centrum", OUD_WEST: "Oud-West", HAVERLAND: "Haverland"}[code]
        assert not [cells for cells in listed if cells[0] == name and wijk in " ".join(cells[1:])]
