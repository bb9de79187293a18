"""The council's report as a PDF to attach to a council letter: a first page that summarises the area, a tagged PDF
(PDF/UA) in the reader's language, built once per run, area, language and approval state and then served from the
stored file."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import weasyprint.html
import weasyprint.images
from pypdf import PdfReader
from sqlalchemy import select

import council.pdf
from extensions import db
from models import NamedTheme, Quote, QuoteStatus, Theme
from runs.themes import name_from_suggestions
from tests.backends import one_database
from tests.council.test_views import CENTRUM, INDICATOR, SHARE_INDICATOR, council_client, plant


def pdf_of(client, url: str) -> PdfReader:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.data))


def text_of(page) -> str:
    return " ".join(page.extract_text().split())


def structure(reader: PdfReader) -> list[tuple[str, str]]:
    """The tagged structure of a PDF in reading order: each element's kind (/H1, /Table, /Figure...) and its
    alternative text."""
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not hasattr(node, "get"):
            return
        if "/S" in node:
            found.append((str(node["/S"]), str(node.get("/Alt", ""))))
        if "/K" in node:
            walk(node["/K"])

    walk(reader.root_object["/StructTreeRoot"])
    return found


@pytest.fixture
def builds(monkeypatch):
    """How often a report is laid out by WeasyPrint (not served from the store)."""
    counted = []
    render = council.pdf.render_pdf

    def counting(*args, **kwargs):
        counted.append(args[0])
        return render(*args, **kwargs)

    monkeypatch.setattr(council.pdf, "render_pdf", counting)
    return counted


def test_first_page_summarises_the_area_and_the_detail_follows(app, planted):
    plant(planted, CENTRUM, "adult", "cohesion", "mean", 7.26, 6.81, 7.74, 68)
    reader = pdf_of(council_client(app), f"/council/report/{CENTRUM}.pdf?lang=en")
    first = text_of(reader.pages[0])
    assert "Report: Centrum" in first and "Summary" in first
    assert "Indicators in Centrum against the target for 2026" in first
    # every indicator with its status against its own year's target, on the first page
    assert re.search(rf"{re.escape(INDICATOR)} 7\.3 \(6\.8–7\.7\) 6\.0 Clearly on target", first), first
    assert SHARE_INDICATOR in first
    assert "Largest differences from the municipality" in first
    assert "What residents write: the named themes" in first
    # the detail starts on a later page
    assert "Who answered" not in first and len(reader.pages) > 2
    assert "Who answered" in text_of(reader.pages[1])


def test_the_summary_names_a_clear_difference_from_the_municipality(app, planted):
    gm = planted.wave.municipality.code
    plant(planted, CENTRUM, "adult", "cohesion", "mean", 7.26, 6.81, 7.74, 68)
    # far below the wijk: on a 0-10 scale the largest difference of all, whatever the other scales show
    plant(planted, gm, "adult", "cohesion", "mean", 2.0, 1.9, 2.1, 400)
    html = council_client(app).get(f"/council/report/{CENTRUM}?lang=en").get_data(as_text=True)
    summary = html.split('id="summary-title"', 1)[1].split("</section>", 1)[0]
    assert re.search(
        r"Social cohesion[^<]*\(Adults\): <span[^>]*>7\.3</span>, higher than in Leefdam as a whole "
        r"\(<span[^>]*>2\.0</span>\)",
        summary,
    ), summary


def test_only_named_themes_reach_the_summary(app, planted):
    client = council_client(app)
    html = client.get(f"/council/report/{CENTRUM}?lang=en").get_data(as_text=True)
    assert "An analyst has not named any themes for this area yet." in html
    name_from_suggestions(planted)
    db.session.commit()
    named = db.session.scalars(select(NamedTheme).where(NamedTheme.run_id == planted.id)).first()
    html = client.get(f"/council/report/{CENTRUM}?lang=en").get_data(as_text=True)
    summary = html.split('id="summary-themes"', 1)[1].split("</section>", 1)[0]
    assert "An analyst has not named" not in summary and named.name_in("en") in html


@pytest.mark.parametrize("lang", ["en", "ar"])
@one_database
def test_the_pdf_is_tagged_in_the_readers_language(app, planted, lang):
    reader = pdf_of(council_client(app), f"/council/report/{CENTRUM}.pdf?lang={lang}")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == lang and root["/MarkInfo"]["/Marked"]
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()  # declared PDF/UA-1
    tagged = structure(reader)
    kinds = [kind for kind, _alt in tagged]
    alts = [alt for kind, alt in tagged if kind == "/Figure"]
    for kind in ("/H1", "/H2", "/Table", "/TH", "/TD", "/Figure"):
        assert kind in kinds, kind
    # every chart and map is a figure with its title as alternative text
    assert alts and all(alts)


@one_database
def test_every_status_symbol_is_a_figure_named_by_its_status_though_read_once(app, planted, monkeypatch):
    """The report repeats a few decorative symbols (a status's shape, a chart key) at many places; the PDF reads each
    one once, and still tags every place as a figure with the status in words."""
    read = []
    svg_image = weasyprint.images.SVGImage

    class CountedSVGImage(svg_image):
        def __init__(self, *args, **kwargs):
            read.append(args[1])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(weasyprint.images, "SVGImage", CountedSVGImage)
    monkeypatch.setattr(weasyprint.html, "SVGImage", CountedSVGImage)
    client = council_client(app)
    html = client.get(f"/council/report/{CENTRUM}?lang=en").get_data(as_text=True)
    symbols = re.findall(r'<svg\b[^>]*aria-hidden="true"[^>]*>.*?</svg>', html, re.DOTALL)
    charts = len(re.findall(r"<svg\b", html)) - len(symbols)
    assert len(symbols) > len(set(symbols)) > 0  # the same symbol at several places
    reader = pdf_of(client, f"/council/report/{CENTRUM}.pdf?lang=en")
    assert len(read) == charts + len(set(symbols))
    alts = [alt for kind, alt in structure(reader) if kind == "/Figure"]
    suppressed = sum('lw-status-icon--suppressed"' in symbol for symbol in symbols)
    assert suppressed and alts.count("Suppressed: too few respondents") == suppressed
    assert alts.count("Symbol of the key") == sum("lw-chart__key" in symbol for symbol in symbols)


@one_database
def test_the_arabic_footer_reads_page_then_pages_from_the_right(app, planted):
    client = council_client(app)
    reader = pdf_of(client, f"/council/report/{CENTRUM}.pdf?lang=ar")
    pages = len(reader.pages)
    assert f"{pages} / 1" in text_of(reader.pages[0])
    english = pdf_of(client, f"/council/report/{CENTRUM}.pdf?lang=en")
    assert f"1 / {len(english.pages)}" in text_of(english.pages[0])


def test_trend_charts_name_the_waves_by_year(app, planted):
    html = council_client(app).get(f"/council/report/{CENTRUM}?lang=en").get_data(as_text=True)
    ticks = re.findall(r'<text class="lw-chart__tick"[^>]*><tspan[^>]*>([^<]*)</tspan></text>', html)
    trends = html.split('id="indicators-title"', 1)[1].split('id="scales-title"', 1)[0]
    assert ticks and set(ticks) == {"2026"} and "…" not in trends


def test_a_repeat_request_is_served_from_the_stored_file(app, planted, builds):
    client = council_client(app)
    first = client.get(f"/council/report/{CENTRUM}.pdf?lang=en")
    stored = list((Path(app.instance_path) / "reports").glob("*.pdf"))
    assert len(builds) == 1 and len(stored) == 1 and stored[0].read_bytes() == first.data
    again = client.get(f"/council/report/{CENTRUM}.pdf?lang=en")
    assert len(builds) == 1 and again.data == first.data
    # another language is another report
    client.get(f"/council/report/{CENTRUM}.pdf?lang=nl")
    assert len(builds) == 2


def test_approving_a_quote_makes_a_fresh_report_and_drops_the_old_one(app, planted, builds):
    name_from_suggestions(planted)
    db.session.commit()
    client = council_client(app)
    before = client.get(f"/council/report/{CENTRUM}.pdf?lang=en").data
    quote = db.session.scalars(
        select(Quote).join(Theme).where(Theme.run_id == planted.id, Quote.area_code == CENTRUM)
    ).first()
    quote.status = QuoteStatus.approved
    db.session.commit()
    after = client.get(f"/council/report/{CENTRUM}.pdf?lang=en")
    assert len(builds) == 2 and after.data != before
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(after.data)).pages).split())
    assert " ".join(quote.text.split())[:40] in text
    assert len(list((Path(app.instance_path) / "reports").glob("*.pdf"))) == 1
    # withdrawing it again makes yet another; the report with the quote is not kept
    quote.status = QuoteStatus.rejected
    db.session.commit()
    client.get(f"/council/report/{CENTRUM}.pdf?lang=en")
    assert len(builds) == 3
    stored = list((Path(app.instance_path) / "reports").glob("*.pdf"))
    assert len(stored) == 1 and stored[0].read_bytes() != after.data


def test_naming_a_theme_makes_a_fresh_report(app, planted, builds):
    name_from_suggestions(planted)
    db.session.commit()
    client = council_client(app)
    client.get(f"/council/report/{CENTRUM}.pdf?lang=en")
    named = db.session.scalars(select(NamedTheme).where(NamedTheme.run_id == planted.id)).first()
    named.translations = {**(named.translations or {}), "en": "Safe cycling to school"}
    db.session.commit()
    reader = pdf_of(client, f"/council/report/{CENTRUM}.pdf?lang=en")
    assert len(builds) == 2
    assert "Safe cycling to school" in " ".join(text_of(page) for page in reader.pages)
