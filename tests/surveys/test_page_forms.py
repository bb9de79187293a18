"""The resident page forms come from a cache and draw their radio buttons and checkboxes from cached markup: the
same bytes as WTForms' own widgets, for every question of every questionnaire in every language."""

from __future__ import annotations

import pytest
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from config import LANGUAGES
from surveys.choices import choice_options
from surveys.forms import build_page_form, page_form_class
from surveys.registry import current_instruments


def _wtforms_options(field) -> list[tuple[str, str, str]]:
    return [(str(option(class_="lw-option__input")), option.id, str(escape(option.label.text))) for option in field]


def _cached_options(field) -> list[tuple[str, str, str]]:
    return [(str(option.input), option.id, str(option.label)) for option in choice_options(field)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_choice_markup_is_what_wtforms_draws_for_every_question_and_answer(app, lang):
    drawn = 0
    with app.test_request_context(f"/?lang={lang}"):
        app.preprocess_request()
        for instrument in current_instruments().values():
            for page in instrument.pages:
                items = tuple(page.items)
                choice_items = [
                    item for item in items if item.type in ("scale_0_10", "likert", "single", "yesno", "multiple")
                ]
                for item in choice_items:
                    codes = [str(code) for code in item.codes]
                    # nothing chosen, the first or the last answer chosen, and (for multiple choice) both at once
                    posts = [MultiDict(), MultiDict([(item.id, codes[0])]), MultiDict([(item.id, codes[-1])])]
                    if item.type == "multiple":
                        posts.append(MultiDict([(item.id, codes[0]), (item.id, codes[-1])]))
                    for post in posts:
                        form = build_page_form(instrument, page, items, lang, formdata=post)
                        field = form[item.id]
                        assert _cached_options(field) == _wtforms_options(field), (instrument.slug, item.id, post)
                        drawn += 1
    assert drawn > 100


def test_choice_markup_escapes_values_and_labels_as_wtforms_does(app):
    from flask_wtf import FlaskForm
    from wtforms import RadioField
    from wtforms.fields.choices import SelectChoice

    class Form(FlaskForm):
        pick = RadioField(
            "Pick", choices=[SelectChoice('a"b', "<b>bold</b> & 'quoted'"), SelectChoice("x&y")], validate_choice=False
        )

    with app.test_request_context("/", method="POST", data={"pick": 'a"b'}):
        form = Form(meta={"csrf": False})
        assert _cached_options(form.pick) == _wtforms_options(form.pick)
        assert 'checked class="lw-option__input" id="pick-0"' in _cached_options(form.pick)[0][0]


def test_page_form_classes_are_built_once_per_page_questions_and_language(app):
    adult = current_instruments()["adult"]
    page = adult.pages[0]
    items = tuple(page.items)
    with app.test_request_context("/"):
        first = page_form_class(adult, page, items, "nl")
        assert page_form_class(adult, page, items, "nl") is first
        assert page_form_class(adult, page, items, "en") is not first
        assert page_form_class(adult, page, items[:1], "nl") is not first
        # each form is filled on its own: a cached class shares no data between requests
        one = build_page_form(adult, page, items, "nl", formdata=MultiDict([(items[0].id, "zzz")]))
        other = build_page_form(adult, page, items, "nl", stored={})
        one.validate()
        assert one[items[0].id].errors and not other[items[0].id].errors


def test_hidden_inputs_are_what_wtforms_draws(app):
    from flask_wtf import FlaskForm
    from wtforms import HiddenField

    from surveys.choices import hidden_input

    class Form(FlaskForm):
        submit_key = HiddenField()
        marked = HiddenField(render_kw={"data-x": "1"})

    with app.test_request_context("/", method="POST", data={"submit_key": '"><script>&', "marked": "m"}):
        form = Form()
        for field in (form.csrf_token, form.submit_key, form.marked):
            assert hidden_input(field) == str(field)
        assert "&#34;&gt;&lt;script&gt;&amp;" in hidden_input(form.submit_key)


@pytest.mark.parametrize("lang", ["nl", "ar"])
def test_a_choice_group_drawn_again_is_what_the_macro_draws_for_its_question_answers_and_language(app, lang):
    from surveys.instruments import localise

    cached = app.jinja_env.from_string(
        '{% from "macros/forms.html" import item_field %}{{ item_field(field, item, localise, lang) }}'
    )
    drawn = app.jinja_env.from_string(
        '{% from "macros/forms.html" import choice_group %}{{ choice_group(field, item, localise, lang) }}'
    )
    compared = 0
    with app.test_request_context(f"/?lang={lang}"):
        app.preprocess_request()
        for instrument in current_instruments().values():
            for page in instrument.pages:
                items = tuple(page.items)
                for item in items:
                    if item.type not in ("scale_0_10", "likert", "single", "yesno", "multiple"):
                        continue
                    codes = [str(code) for code in item.codes]
                    # nothing, the first, the last and a code that is none of them (an error) chosen; twice over, so
                    # that the second round is drawn from what the first one kept
                    posts = [MultiDict(), MultiDict([(item.id, codes[0])]), MultiDict([(item.id, codes[-1])])]
                    posts.append(MultiDict([(item.id, "zzz")]))
                    for post in posts + posts:
                        form = build_page_form(instrument, page, items, lang, formdata=post)
                        form.validate()
                        field = form[item.id]
                        context = {"field": field, "item": item, "localise": localise, "lang": lang}
                        assert cached.render(context).strip() == drawn.render(context).strip(), (item.id, post)
                        compared += 1
    assert compared > 100
