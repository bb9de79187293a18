"""Radio buttons and checkboxes drawn from cached markup, and hidden inputs drawn directly: the same bytes WTForms'
widgets write, without a field object and an html_params call per option, or a look-up of a field's flags, on every
page."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from markupsafe import Markup, escape
from wtforms import Field
from wtforms.widgets import HiddenInput

from surveys.instruments import Item, localise

INPUT_CLASS = "lw-option__input"
CACHE_SIZE = 4096  # distinct choice lists (field, choices, language): every question of every page in six languages
GROUP_CACHE_SIZE = 4096  # drawn choice groups: a question in a language with each of its answers chosen


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
    choices = list(field.iter_choices())  # read twice below: a list whatever WTForms returns
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


_groups: dict[tuple, Markup] = {}


def choice_group_key(field: Field, item: Item, lang: str) -> tuple | None:
    """Everything the markup of the choice_group macro (templates/macros/forms.html) depends on: the field's name,
    label and help, its choices with the chosen ones, the question's kind and a scale's anchors in `lang`. None for
    a group that is drawn every time: one with errors (their messages), or one that choice_options leaves to
    WTForms."""
    choices = list(field.iter_choices())  # read twice below: a list whatever WTForms returns
    if (
        field.errors
        or field.render_kw
        or field.flags.required
        or field.flags.disabled
        or any(choice.render_kw for choice in choices)
    ):
        return None
    anchors = None
    if item.type == "scale_0_10" and item.anchors is not None:  # the macro shows them on a scale
        anchors = (localise(item.anchors["low"], lang), localise(item.anchors["high"], lang))
    label, description = field.label.text, field.description
    return (
        field.type,
        field.id,
        field.name,
        field.option_widget.input_type,
        (type(label), str(label)),
        (type(description), str(description)),
        item.type,
        anchors,
        tuple((str(c.value), str(c.label or c.value), bool(c.selected)) for c in choices),
    )


def drawn_once(key: tuple | None, caller: Callable[[], Any]) -> Markup:
    """The markup of a `{% call drawn_once(key) %}` block: drawn the first time, then taken from a cache (a question
    page draws each of its choice groups again with every request). `key` must name everything the markup depends
    on; None draws it every time."""
    if key is None:
        return Markup(caller())
    drawn = _groups.get(key)
    if drawn is None:
        drawn = Markup(caller())
        with _lock:
            if len(_groups) >= GROUP_CACHE_SIZE:
                _groups.clear()
            _groups[key] = drawn
    return drawn


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
    app.jinja_env.globals["choice_group_key"] = choice_group_key
    app.jinja_env.globals["drawn_once"] = drawn_once
