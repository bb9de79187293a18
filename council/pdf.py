"""The printable report as a PDF, rendered on the server by WeasyPrint from the same HTML as the report page."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path

from flask import current_app
from markupsafe import escape

# DejaVu Sans covers Latin, Turkish, Polish, Cyrillic and Arabic (WeasyPrint shapes Arabic with HarfBuzz), so one
# font serves every language; the page's own font stack may name fonts this server does not have.
# The NL Design System gives list items a "●" ::marker; in a list without list style (the quotes) WeasyPrint cannot
# place it ("min-content width for TextBox not handled yet"), so such lists (the quotes, a map's key) have no
# marker at all on paper.
# These are user rules: !important is what lets them win over the page's own stylesheet.
PDF_CSS = """
.lw-theme, .lw-theme * { font-family: "DejaVu Sans", sans-serif !important; }
.lw-theme .lw-quote-list > li::marker, .lw-theme .lw-map-key > li::marker { content: none !important; }
.lw-theme .lw-report-summary li { list-style-position: inside !important; }
"""
# The browser stylesheet holds much that paper ignores (hover, input placeholders, SVG paint properties outside
# SVG); WeasyPrint would log a hundred lines about it for every report.
logging.getLogger("weasyprint").setLevel(logging.ERROR)

# Chart rules of the stylesheet, which WeasyPrint does not carry into inline SVG (it styles an SVG from its own
# <style> elements only). The browser never gets these <style> elements: the Content-Security-Policy forbids them.
_SVG_SELECTORS = ("lw-chart", "lw-status-icon", "lw-map")
_OPEN_SVG = re.compile(r"(<svg\b[^>]*>)")


@lru_cache(maxsize=8)
def svg_css(stylesheet: str, kind: str | None = None) -> str:
    """The stylesheet's rules for charts, icons and maps (or for one `kind` of them), written for the inside of an
    SVG: without the .lw-theme ancestor (an SVG is styled on its own) and with the theme's custom properties filled
    in."""
    import tinycss2  # installed with WeasyPrint

    variables = dict(re.findall(r"--(lw-[a-z-]+):\s*([^;]+);", stylesheet))
    rules = []
    for rule in tinycss2.parse_stylesheet(stylesheet, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        prelude = tinycss2.serialize(rule.prelude).strip()
        if not any(name in prelude for name in ((kind,) if kind else _SVG_SELECTORS)):
            continue
        selectors = [selector.strip().removeprefix(".lw-theme").strip() for selector in prelude.split(",")]
        body = tinycss2.serialize(rule.content)
        body = re.sub(r"var\(--(lw-[a-z-]+)\)", lambda match: variables.get(match[1], "#1a1a1a").strip(), body)
        rules.append(f"{', '.join(selectors)} {{{body}}}")
    return "\n".join(rules)


def _fetcher(stylesheet: bytes):
    """Only the app's own stylesheet and the report's own symbols (written into their address by _symbol_image)
    are fetched; nothing else (no file, no network) is reached from a PDF."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StylesheetOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if "/assets/site-" in url and url.endswith(".css"):
                return URLFetcherResponse(url, stylesheet, {"Content-Type": "text/css; charset=utf-8"})
            if url.startswith(_SYMBOL_URL):
                body = base64.b64decode(url.removeprefix(_SYMBOL_URL), validate=True)
                return URLFetcherResponse(url, body, {"Content-Type": "image/svg+xml"})
            raise ValueError(f"not fetched for a PDF: {url}")

    return StylesheetOnly()


# --- the PDF on paper: per-language page footer, tagged PDF ---------------------------------------------------------

# WeasyPrint's grid and flex layout are slow (the trends' grid took 4.6 s of a report's 20 s under the profiler),
# and paper needs neither:
# two trends side by side as floats, chart keys and a status's shape and words as inline items (as flex items
# WeasyPrint put a status's words on a line under its shape). The NL Design System's blockquote is a flex column:
# WeasyPrint laid out every quote's text twice, a tenth of a wijk report's time; as a flow root (which, like the
# flex container, keeps its paragraph's margins inside) it lays out the same, to the point.
PRINT_LAYOUT_CSS = """
.lw-theme .lw-council-trends { display: block !important; }
.lw-theme .lw-council-trends::after { content: ""; display: block; clear: both; }
.lw-theme .lw-council-trend { float: left !important; width: 48% !important; margin-inline-end: 2% !important; }
.lw-theme .lw-council-trend:nth-child(2n + 1) { clear: left !important; }
.lw-theme .lw-chart-legend { display: block !important; }
.lw-theme .lw-status { display: inline !important; }
.lw-theme .lw-chart-legend > li { display: inline !important; margin-inline-end: 1.5em !important; }
.lw-theme .lw-map-figure { display: block !important; }
.lw-theme .lw-map-figure::after { content: ""; display: block; clear: both; }
.lw-theme .lw-map-figure .lw-map { float: left !important; width: 52% !important; max-width: none !important; }
.lw-theme .lw-map-key { margin-left: 55% !important; font-size: 9.5pt; }
.lw-theme blockquote { display: flow-root !important; }
"""


def page_css(direction: str) -> str:
    """The page footer "page / pages": in a right-to-left language it reads from the right, so the page number
    stands right of the slash and the total left of it."""
    first, second = ("counter(pages)", "counter(page)") if direction == "rtl" else ("counter(page)", "counter(pages)")
    return (
        f'@page {{ @bottom-center {{ content: {first} " / " {second} !important; direction: ltr !important; '
        f'font-family: "DejaVu Sans", sans-serif !important; font-size: 9pt; }} }}'
    )


def _svg_style(stylesheet: str, svg_tag: str) -> str:
    """Only the rules the kind of SVG needs (a status icon needs a dozen, not the map's and charts' hundred): WeasyPrint
    parses the <style> of every inline SVG on its own."""
    kind = next((name for name in _SVG_SELECTORS if name in svg_tag), None)
    if kind is None:
        return ""
    return svg_css(stylesheet, kind)


_STYLESHEET_LINK = re.compile(r'<link rel="stylesheet" href="[^"]*/assets/site-[^"]*\.css">')


# The stylesheet sets box-sizing on every element's ::before and ::after; WeasyPrint then computes a style for both
# at each of a report's four thousand elements, while no rule gives them content (so no box) on paper.
_EVERY_PSEUDO_ELEMENT = "*, *::before, *::after {"


@lru_cache(maxsize=2)
def _parsed_stylesheet(stylesheet: bytes):
    """The app's stylesheet parsed once per process, not once per report (that saved 0.8 s CPU of each)."""
    from weasyprint import CSS

    return CSS(string=stylesheet.decode("utf-8").replace(_EVERY_PSEUDO_ELEMENT, "* {"), media_type="print")


def _decorative_text(svg_tag: str) -> str:
    """The text of an SVG that the page hides from screen readers as decoration (a status shape next to the status
    in words, a chart key's line and marker): PDF/UA tags every image as a figure, and a figure needs a text."""
    from flask_babel import gettext as _

    from council.indicators import Status
    from council.maps import status_label

    found = re.search(r"lw-status-icon--(\w+)", svg_tag)
    if found and found[1] in Status._value2member_map_:
        return status_label(Status(found[1]))
    return _("Symbol of the key")


_DECORATIVE_SVG = re.compile(r'(<svg\b[^>]*\baria-hidden="true"[^>]*>)(.*?)</svg>', re.DOTALL)
_SYMBOL_URL = "data:image/svg+xml;base64,"
_SVG_NAMESPACE = 'xmlns="http://www.w3.org/2000/svg"'


def _symbol_image(svg_tag: str, content: str, style: str) -> str:
    """A decorative SVG as an image of the same classes (so the same size and place): a wijk report repeats a few
    symbols (a status's shape, a chart key) some 170 times, and WeasyPrint parses and styles an inline SVG at every
    place, an image once per address (a sixth of a report's time)."""
    root = svg_tag if "xmlns=" in svg_tag else svg_tag.replace("<svg", f"<svg {_SVG_NAMESPACE}", 1)
    document = f"{root}<style>{style}</style>{content}</svg>" if style else f"{root}{content}</svg>"
    address = _SYMBOL_URL + base64.b64encode(document.encode("utf-8")).decode("ascii")
    classes = re.search(r'class="([^"]*)"', svg_tag)
    class_attribute = f' class="{classes[1]}"' if classes else ""
    return f'<img{class_attribute} src="{address}" alt="{escape(_decorative_text(svg_tag))}">'


def render_pdf(html: str, base_url: str, direction: str = "ltr") -> bytes:
    """The tagged PDF (PDF/UA-1: language, headings, table headers, alternative texts of the charts) of a report
    page's HTML, laid out with the print rules of the app's stylesheet."""
    from weasyprint import CSS, HTML

    stylesheet = current_app.extensions["stylesheet"]
    text = stylesheet.decode("utf-8")

    def with_style(match: re.Match) -> str:
        style = _svg_style(text, match[1])
        return match[1] + (f"<style>{style}</style>" if style else "")

    html = _STYLESHEET_LINK.sub("", html)
    html = _DECORATIVE_SVG.sub(lambda match: _symbol_image(match[1], match[2], _svg_style(text, match[1])), html)
    html = _OPEN_SVG.sub(with_style, html)
    fetcher = _fetcher(stylesheet)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher, media_type="print")
    own = CSS(string=PDF_CSS + PRINT_LAYOUT_CSS + page_css(direction), url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[_parsed_stylesheet(stylesheet), own], pdf_variant="pdf/ua-1")


# --- built once, then served from the instance folder ----------------------------------------------------------------

FORMAT_VERSION = "report-4"  # raise when the report's template or layout changes, so no older file is served


def _columns(row) -> tuple:
    return tuple(getattr(row, column.key) for column in row.__table__.columns)


def report_fingerprint(run, area, lang: str) -> str:
    """What the report of one area in one run and language shows, apart from the run's stored figures: the approved
    quotes, the named and ready themes, the outcome framework and its targets, the released runs of earlier waves
    (the trends), the output figures beside the outcomes, the names of the wave and the areas, and the stylesheet.
    Any change gives another fingerprint."""
    from sqlalchemy import func, select

    from council.areas import areas_of
    from council.profile import framework
    from council.snapshots import analysed_waves
    from extensions import db
    from models import NamedTheme, ProfileSnapshot, Quote, QuoteStatus, Theme, ThemeReview
    from runs.releases import released_run

    wave = run.wave
    municipality = wave.municipality
    digest = hashlib.sha256()

    def feed(*values) -> None:
        digest.update(repr(values).encode("utf-8"))
        digest.update(b"\x00")

    feed(
        FORMAT_VERSION,
        run.id,
        wave.id,
        wave.name,
        area.code,
        lang,
        hashlib.sha256(current_app.extensions["stylesheet"]).hexdigest(),
    )
    feed(*((one.code, one.name) for one in areas_of(municipality)))
    # a run's figures are stored once; their number and sum guard against a run stored again under the same id
    feed(
        *db.session.execute(
            select(func.count(), func.sum(ProfileSnapshot.value), func.sum(ProfileSnapshot.n)).where(
                ProfileSnapshot.run_id == run.id
            )
        ).one(),
        run.finished_at,
    )
    feed(*((one.id, getattr(released_run(one), "id", None)) for one in analysed_waves(municipality)))
    for quote in db.session.execute(
        select(Quote.id, Quote.theme_id, Quote.area_code, Quote.text)
        .join(Theme)
        .where(Theme.run_id == run.id, Quote.status == QuoteStatus.approved)
        .order_by(Quote.id)
    ):
        feed("quote", *quote)
    for named in db.session.execute(
        select(NamedTheme.id, NamedTheme.question, NamedTheme.name, NamedTheme.translations, NamedTheme.hidden)
        .where(NamedTheme.run_id == run.id)
        .order_by(NamedTheme.id)
    ):
        feed("named", *named)
    for theme in db.session.execute(select(Theme.id, Theme.named_id).where(Theme.run_id == run.id).order_by(Theme.id)):
        feed("theme", *theme)
    for review in db.session.execute(
        select(ThemeReview.question, ThemeReview.ready)
        .where(ThemeReview.run_id == run.id)
        .order_by(ThemeReview.question)
    ):
        feed("review", *review)
    for indicator in framework(municipality):
        feed("outcome", *_columns(indicator.outcome))
        feed("indicator", *_columns(indicator))
        for target in sorted(indicator.targets, key=lambda one: one.id):
            feed("target", *_columns(target))
    # output beside outcome: which output measures serve which outcome, and their figures
    outcomes = {indicator.outcome.id: indicator.outcome for indicator in framework(municipality)}
    for outcome_id, outcome in sorted(outcomes.items()):
        for measure in outcome.outputs:
            feed("output", outcome_id, *_columns(measure))
            for figure in measure.figures:
                feed("output_figure", *_columns(figure))
    return digest.hexdigest()


def report_folder() -> Path:
    return Path(current_app.instance_path) / "reports"


def stored_report(wave_id: int, area_code: str, lang: str, fingerprint: str) -> Path:
    return report_folder() / f"{wave_id}-{area_code}-{lang}-{fingerprint[:40]}.pdf"


def store_report(path: Path, body: bytes) -> None:
    """Keep a built report, and drop the older ones of the same wave, area and language: they show quotes or themes
    as they were, and may carry a quote that was withdrawn since."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part", delete=False) as partial:
        partial.write(body)
    os.replace(partial.name, path)  # atomic: a request at the same moment reads no half-written file
    prefix = path.name.rsplit("-", 1)[0] + "-"
    for other in path.parent.glob(f"{prefix}*.pdf"):
        if other != path:
            other.unlink(missing_ok=True)
