"""Catalogues are complete for every shipped language, and pages render in each with the right direction."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from config import LANGUAGES

TRANSLATIONS = Path(__file__).parents[1] / "translations"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_complete_and_has_no_fuzzy_entries(lang):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale=lang)
    template = read_po((TRANSLATIONS / "messages.pot").open("rb"))
    ids = {message.id for message in catalogue if message.id}
    assert {m.id for m in template if m.id} <= ids, "catalogue is behind messages.pot: run make extract-messages"
    untranslated = [
        m.id for m in catalogue if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []
    problems = [(m.id, errors) for m in catalogue if m.id for errors in [list(m.check(catalogue))] if errors]
    assert problems == []  # placeholders in every translation match the source


# The folders `make extract-messages` skips (BABEL_IGNORE in the Makefile); everything else is scanned.
NOT_SCANNED = {
    "node_modules",
    "static",
    "tests",
    "migrations",
    "benchmarks",
    "build",
    "dist",
    "instance",
    "translations",
}


def test_template_is_up_to_date_with_the_code():
    """Every translatable string in the code is in messages.pot (so no string escapes translation)."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = Path(__file__).parents[1]
    with (root / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)

    def scanned(path: str) -> bool:
        name = Path(path).name
        return not (name.startswith((".", "_")) or (Path(path).parent == root and name in NOT_SCANNED))

    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(
            root, method_map, options_map, keywords=keywords, directory_filter=scanned
        )
    }
    assert "Go to the content" in found  # the shared layout is scanned too
    template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po((TRANSLATIONS / "messages.pot").open("rb"))}
    assert found - template == set()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_resident_page_type_renders_in_every_language(resident, lang):
    resident.get(f"/w/{resident.wave.id}/?lang={lang}")
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in resident.html
    resident.start()
    assert resident.last.status_code == 200 and f'lang="{lang}"' in resident.html
    resident.choose_buurt()
    assert resident.last.status_code == 200
    resident.get("/resume")
    assert resident.last.status_code == 200


def test_a_template_speaks_a_forced_language_and_the_request_language_again_after_it(app):
    from flask import render_template_string
    from flask_babel import force_locale

    page = '{{ _("Next") }} {{ pgettext("youth", "Check your answers") }}'
    with app.test_request_context("/?lang=tr"):
        app.preprocess_request()
        turkish = render_template_string(page)
        assert turkish.startswith("İleri ")
        with force_locale("en"):
            assert render_template_string(page) == "Next Check your answers"
            with force_locale("nl"):
                assert render_template_string(page).startswith("Volgende ")
            assert render_template_string(page) == "Next Check your answers"
        assert render_template_string(page) == turkish
