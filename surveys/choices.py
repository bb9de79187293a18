"""Radio buttons and checkboxes drawn from cached markup, and hidden inputs drawn directly: the same bytes WTForms'
widgets write, without a field object and an html_params call per option, or a look-up of a field's flags, on every
page."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Flask
from markupsafe import Markup, escape
from wtforms import Field
from wtforms.widgets import HiddenInput

INPUT_CLASS = "lw-option__input"
CACHE_SIZE = 4096  # distinct choice lists (field, choices, language): every question of every page in six languages


@dataclass(frozen=True)
class ChoiceOption:
    """One option of a choice field as the macro draws it."""

    id: str
    label: Markup
    input: Markup  # the <input> with the class the macros give it


@dataclass(frozen=True)
class _Drawn:
    id: str
    label: Markup
    unchecked: Markup
    checked: Markup


_cache: dict[tuple, tuple[_Drawn, ...]] = {}
_lock = threading.Lock()


def _input(kind: str, name: str, option_id: str, value: str, checked: bool) -> Markup:
    # WTForms' html_params sorts the attributes by name: checked, class, id, name, type, value
    return Markup('<input {checked}class="{cls}" id="{id}" name="{name}" type="{kind}" value="{value}">').format(
        checked=Markup("checked ") if checked else Markup(""),
        cls=INPUT_CLASS,
        id=option_id,
        name=name,
        kind=kind,
        value=value,
    )


def _draw(field: Field, kind: str, choices: tuple[tuple[str, str], ...]) -> tuple[_Drawn, ...]:
    drawn = []
    for index, (value, label) in enumerate(choices):
        option_id = f"{field.id}-{index}"
        drawn.append(
            _Drawn(
                option_id,
                escape(label),
                _input(kind, field.name, option_id, value, False),
                _input(kind, field.name, option_id, value, True),
            )
        )
    return tuple(drawn)


def choice_options(field: Field) -> list[ChoiceOption]:
    """The options of a RadioField or a SelectMultipleField drawn as checkboxes, as `{{ option(class_=...) }}` and
    `{{ option.label.text }}` of WTForms would draw them. Fields with attributes of their own (render_kw) or per
    option, or with flags that add attributes, are drawn by WTForms itself."""
    choices = field.iter_choices()
    kind = field.option_widget.input_type
    if field.render_kw or any(choice.render_kw for choice in choices) or field.flags.required or field.flags.disabled:
        return [ChoiceOption(option.id, escape(option.label.text), option(class_=INPUT_CLASS)) for option in field]
    # WTForms labels an option by its value when it has no label, and writes the value with str()
    key = (field.id, field.name, kind, tuple((str(c.value), str(c.label or c.value)) for c in choices))
    drawn = _cache.get(key)
    if drawn is None:
        drawn = _draw(field, kind, key[3])
        with _lock:
            if len(_cache) >= CACHE_SIZE:
                _cache.clear()
            _cache[key] = drawn
    return [
        ChoiceOption(d.id, d.label, d.checked if choice.selected else d.unchecked)
        for d, choice in zip(drawn, choices, strict=True)
    ]


def hidden_input(field: Field) -> Markup:
    """`{{ field }}` of a hidden field (the CSRF token, a page's submit key) as WTForms' HiddenInput draws it. Its
    widget looks up the field's flags (dir() of them) and formats every attribute through Markup.format: two on
    every resident page cost more than the rest of the page's inputs. A field with attributes of its own
    (render_kw), a flag that adds one or another widget is drawn by WTForms itself."""
    if type(field.widget) is not HiddenInput or field.render_kw or field.flags.disabled:
        return Markup(field())
    # html_params sorts the attributes by name: id, name, type, value
    return Markup('<input id="%s" name="%s" type="hidden" value="%s">') % (field.id, field.name, field._value())


def init_form_rendering(app: Flask) -> None:
    app.jinja_env.globals["choice_options"] = choice_options
    app.jinja_env.globals["hidden_input"] = hidden_input
