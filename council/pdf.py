"""The printable report as a PDF, rendered on the server by WeasyPrint from the same HTML as the report page."""
from __future__ import annotations

import logging
import re
from functools import lru_cache

from flask import current_app

# DejaVu Sans covers Latin, Turkish, Polish, Cyrillic and Arabic (WeasyPrint shapes Arabic with HarfBuzz), so one
# font serves every language; the page's own font stack may name fonts this server does not have.
# The NL Design System gives list items a "●" ::marker; in a list without list style (the quotes) WeasyPrint cannot
# place it ("min-content width for TextBox not handled yet"), so that list has no marker at all on paper.
# These are user rules: !important is what lets them win over the page's own stylesheet.
PDF_CSS = """
.lw-theme, .lw-theme * { font-family: "DejaVu Sans", sans-serif !important; }
.lw-theme .lw-quote-list > li::marker { content: none !important; }
"""
# The browser stylesheet holds much that paper ignores (hover, input placeholders, SVG paint properties outside
# SVG); WeasyPrint would log a hundred lines about it for every report.
logging.getLogger("weasyprint").setLevel(logging.ERROR)

# Chart rules of the stylesheet, which WeasyPrint does not carry into inline SVG (it styles an SVG from its own
# <style> elements only). The browser never gets these <style> elements: the Content-Security-Policy forbids them.
_SVG_SELECTORS = ("lw-chart", "lw-status-icon", "lw-map")
_OPEN_SVG = re.compile(r"(<svg\b[^>]*>)")


@lru_cache(maxsize=4)
def svg_css(stylesheet: str) -> str:
    """The stylesheet's rules for charts, icons and maps, written for the inside of an SVG: without the .lw-theme
    ancestor (an SVG is styled on its own) and with the theme's custom properties filled in."""
    import tinycss2  # installed with WeasyPrint

    variables = dict(re.findall(r"--(lw-[a-z-]+):\s*([^;]+);", stylesheet))
    rules = []
    for rule in tinycss2.parse_stylesheet(stylesheet, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        prelude = tinycss2.serialize(rule.prelude).strip()
        if not any(name in prelude for name in _SVG_SELECTORS):
            continue
        selectors = [selector.strip().removeprefix(".lw-theme").strip() for selector in prelude.split(",")]
        body = tinycss2.serialize(rule.content)
        body = re.sub(r"var\(--(lw-[a-z-]+)\)", lambda match: variables.get(match[1], "#1a1a1a").strip(), body)
        rules.append(f"{', '.join(selectors)} {{{body}}}")
    return "\n".join(rules)


def _fetcher(stylesheet: bytes):
    """Only the app's own stylesheet is fetched; nothing else (no file, no network) is reached from a PDF."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StylesheetOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if "/assets/site-" in url and url.endswith(".css"):
                return URLFetcherResponse(url, stylesheet, {"Content-Type": "text/css; charset=utf-8"})
            raise ValueError(f"not fetched for a PDF: {url}")

    return StylesheetOnly()


def render_pdf(html: str, base_url: str) -> bytes:
    """The PDF of a report page's HTML, laid out with the print rules of the app's stylesheet."""
    from weasyprint import CSS, HTML

    stylesheet = current_app.extensions["stylesheet"]
    style = f"<style>{svg_css(stylesheet.decode('utf-8'))}</style>"
    html = _OPEN_SVG.sub(lambda match: match[1] + style, html)
    fetcher = _fetcher(stylesheet)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher, media_type="print")
    return document.write_pdf(stylesheets=[CSS(string=PDF_CSS, url_fetcher=fetcher)])
