"""WTForms built from instrument definitions, with translated messages for every kind of bad input."""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable
from typing import Any

from babel import support
from flask import current_app
from flask_babel import LazyString, get_locale, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from geography.areas import find_neighbourhood
from models import Municipality, Neighbourhood
from surveys.instruments import Instrument, Item, Page, localise
from surveys.register import addressed

YES_NO_LABELS = {"yes": _l("Yes"), "no": _l("No")}
# Messages and labels that address the person are made when the page is (surveys.register): informal to young people.


def _csrf_message() -> str:
    return addressed(
        _(
            "This page was open too long or was sent twice. Your answers are still here: check them and send the page "
            "again."
        ),
        pgettext(
            "youth",
            "This page was open too long or was sent twice. Your answers are still here: check them and send the page "
            "again.",
        ),
    )


def _tampered_message() -> str:
    return addressed(
        _("Something in this page was changed. Your answers are still here: check them and send the page again."),
        pgettext(
            "youth",
            "Something in this page was changed. Your answers are still here: check them and send the page again.",
        ),
    )


def _clean_text(value: str) -> str:
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()


def has_control_characters(value: str) -> bool:
    """Characters no one types and the database may refuse: NUL and other controls, lone surrogates (which only
    JSON can carry), private use. Browsers send line breaks in a textarea as \\r\\n, and tabs are typed text."""
    return any(unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in "\r\n\t" for ch in value)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choice_check(codes: dict[str, Any]):
    def check(form, field: Field) -> None:
        raw = field.data if isinstance(field.data, list) else [field.data]
        if any(value not in codes for value in raw if value not in (None, "")):
            raise ValidationError(
                addressed(_("Choose one of the answers shown."), pgettext("youth", "Choose one of the answers shown."))
            )

    return check


def _number_check(item: Item):
    def check(form, field: Field) -> None:
        value = (field.data or "").strip()
        if not value:
            return
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not item.bounds[0] <= number <= item.bounds[1]:
            raise ValidationError(
                addressed(
                    _("Enter a whole number from %(min)s to %(max)s.", min=item.min, max=item.max),
                    pgettext("youth", "Enter a whole number from %(min)s to %(max)s.", min=item.min, max=item.max),
                )
            )

    return check


def _text_check(item: Item):
    def check(form, field: Field) -> None:
        value = field.data or ""
        if has_control_characters(value):
            raise ValidationError(
                addressed(
                    _("Your answer has characters we cannot save. Remove them and send again."),
                    pgettext("youth", "Your answer has characters we cannot save. Remove them and send again."),
                )
            )
        count = len(_clean_text(value))
        if count > item.text_limit:
            raise ValidationError(
                addressed(
                    _("Use at most %(max)s characters. You now have %(count)s.", max=item.max_length, count=count),
                    pgettext(
                        "youth",
                        "Use at most %(max)s characters. You now have %(count)s.",
                        max=item.max_length,
                        count=count,
                    ),
                )
            )

    return check


def field_for(item: Item, locale: str) -> Field:
    label = localise(item.text, locale)
    description = localise(item.help, locale) if item.help else ""
    if item.type in ("scale_0_10", "likert", "single", "yesno"):
        if item.type == "yesno":
            choices = [SelectChoice(code, YES_NO_LABELS[code]) for code in item.codes]
        elif item.type == "scale_0_10":
            choices = [SelectChoice(str(code)) for code in item.codes]
        else:
            choices = [SelectChoice(str(option.code), localise(option.label, locale)) for option in item.options]
        codes = {str(code): code for code in item.codes}
        return RadioField(
            label, choices=choices, validators=[_choice_check(codes)], validate_choice=False, description=description
        )
    if item.type == "multiple":
        codes = {str(option.code): option.code for option in item.options}
        choices = [SelectChoice(str(o.code), localise(o.label, locale)) for o in item.options]
        return MultiCheckboxField(
            label, choices=choices, validators=[_choice_check(codes)], validate_choice=False, description=description
        )
    if item.type == "number":
        return StringField(
            label,
            validators=[_number_check(item)],
            description=description,
            render_kw={"inputmode": "numeric", "autocomplete": "off", "size": 6},
        )
    field_class = TextAreaField if item.type == "long_text" else StringField
    return field_class(
        label,
        validators=[_text_check(item)],
        description=description,
        render_kw={"autocomplete": "off", "spellcheck": "true"},
    )


_wtforms_translations: dict[str, support.NullTranslations] = {}


class _DrawnToken:
    """A form's signed CSRF token, signed when a page draws it: a post that is stored and answered with a redirect
    shows no token, and signing one for it cost about 2% of a page submit's CPU."""

    __slots__ = ("_sign", "_token")

    def __init__(self, sign: Callable[[], str]):
        self._sign = sign
        self._token: str | None = None

    def __str__(self) -> str:
        if self._token is None:
            self._token = self._sign()
        return self._token


class _CSRFWhenDrawn(FlaskForm.Meta.csrf_class):  # Flask-WTF's CSRF of its forms
    def generate_csrf_token(self, csrf_token_field):
        return _DrawnToken(lambda: super(_CSRFWhenDrawn, self).generate_csrf_token(csrf_token_field))


class ResidentForm(FlaskForm):
    """A form of the resident pages. WTForms' own messages come from its catalogue, read once per language and
    process (Flask-WTF reads it again for every request)."""

    class Meta(FlaskForm.Meta):
        csrf_class = _CSRFWhenDrawn

        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            locale = str(get_locale())
            translations = _wtforms_translations.get(locale)
            if translations is None:
                translations = support.Translations.load(messages_path(), [locale], domain="wtforms")
                _wtforms_translations[locale] = translations
            return translations


class PageFormBase(ResidentForm):
    submit_key = HiddenField()


# Form classes per page of an instrument, the questions shown on it and the language: built once per process, since
# building the fields of a page costs more than filling them. The content hash tells instrument versions apart.
_page_forms: dict[tuple[str, str, str, tuple[str, ...], str], type[PageFormBase]] = {}
_page_forms_lock = threading.Lock()
PAGE_FORM_CACHE_SIZE = 2048


def page_form_class(instrument: Instrument, page: Page, items: tuple[Item, ...], locale: str) -> type[PageFormBase]:
    key = (instrument.slug, instrument.content_hash, page.id, tuple(item.id for item in items), locale)
    form_class = _page_forms.get(key)
    if form_class is None:
        form_class = type(f"PageForm_{page.id}", (PageFormBase,), {item.id: field_for(item, locale) for item in items})
        with _page_forms_lock:
            if len(_page_forms) >= PAGE_FORM_CACHE_SIZE:
                _page_forms.clear()
            _page_forms[key] = form_class
    return form_class


def build_page_form(
    instrument: Instrument,
    page: Page,
    items: tuple[Item, ...],
    locale: str,
    formdata: Any = None,
    stored: dict[str, Any] | None = None,
) -> PageFormBase:
    """A form for the visible items of one page; filled from the post, or else from the stored answers."""
    form_class = page_form_class(instrument, page, items, locale)
    data = {}
    for item in items:
        value = (stored or {}).get(item.id)
        if value is None:
            continue
        data[item.id] = [str(v) for v in value] if isinstance(value, list) else str(value)
    if formdata is not None:
        return form_class(formdata=formdata)
    return form_class(formdata=None, data=data)


def answer_values(form: PageFormBase, items: tuple[Item, ...]) -> dict[str, Any]:
    """The valid answers of a validated form, as stored values; items with errors are left out."""
    values: dict[str, Any] = {}
    for item in items:
        field = form[item.id]
        if field.errors:
            continue
        raw = field.data
        if item.type in ("scale_0_10", "likert", "single", "yesno"):
            codes = {str(code): code for code in item.codes}
            values[item.id] = codes.get(raw) if raw not in (None, "") else None
        elif item.type == "multiple":
            codes = {str(code): code for code in item.codes}
            # a code sent twice (a doubled checkbox, a crafted post) is one choice
            values[item.id] = [codes[v] for v in dict.fromkeys(raw or []) if v in codes]
        elif item.type == "number":
            values[item.id] = int(raw.strip()) if raw and raw.strip() else None
        else:
            values[item.id] = _clean_text(raw or "") or None
    return values


def mark_form_problems(form: FlaskForm, valid_key: bool) -> None:
    """Translate the CSRF error and flag a tampered submit key as a page-level problem."""
    if "csrf_token" in form.errors:
        form.csrf_token.errors = [_csrf_message()]
    if not valid_key:
        form.submit_key.errors = [_tampered_message()]


class AreaForm(ResidentForm):
    submit_key = HiddenField()
    buurt = SelectField(
        LazyString(lambda: addressed(_("Your neighbourhood"), pgettext("youth", "Your neighbourhood"))),
        validate_choice=False,
    )
    postcode = StringField(
        LazyString(lambda: addressed(_("Or type your postcode"), pgettext("youth", "Or type your postcode"))),
        render_kw={"autocomplete": "postal-code", "size": 8},
    )


def chosen_neighbourhood(form: AreaForm, municipality: Municipality, show_postcode: bool) -> Neighbourhood | None:
    """The buurt a posted area form names: chosen from the list, or else (`show_postcode`) lying at the typed
    postcode; None with the problem on the form's field when it names none."""
    postcode_text = (form.postcode.data or "").strip() if show_postcode else ""
    code = (form.buurt.data or "").strip()
    found = find_neighbourhood(municipality, code, postcode_text, show_postcode)
    if found.buurt_error:
        form.buurt.errors = [found.buurt_error]
    if found.postcode_error:
        form.postcode.errors = [found.postcode_error]
    return found.neighbourhood


class StartForm(ResidentForm):
    pass


class ResumeForm(ResidentForm):
    code = StringField(
        LazyString(lambda: addressed(_("Your code"), pgettext("youth", "Your code"))),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "size": 16},
    )
