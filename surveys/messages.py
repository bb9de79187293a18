"""The resident flow's messages, each in the register of whoever reads the page (surveys.register)."""

from __future__ import annotations

from flask_babel import format_date, pgettext
from flask_babel import gettext as _

from models import Wave
from surveys import flow
from surveys.register import addressed


def closed(wave: Wave | flow.WaveTerm) -> str:
    """Why this wave takes no answers now: it closed, or it has not opened yet."""
    if wave.closes_on and flow.municipal_today() > wave.closes_on:
        return _(
            "This survey closed on %(date)s. We can no longer save answers.", date=format_date(wave.closes_on, "long")
        )
    opens_on = format_date(wave.opens_on, "long")
    return addressed(
        _("This survey opens on %(date)s. Come back then.", date=opens_on),
        pgettext("youth", "This survey opens on %(date)s. Come back then.", date=opens_on),
    )


def open_too_long_at_start() -> str:
    return addressed(
        _("This page was open too long. Press the button again to start."),
        pgettext("youth", "This page was open too long. Press the button again to start."),
    )


def open_too_long_at_review() -> str:
    return addressed(
        _("This page was open too long. Check your answers and press Send again."),
        pgettext("youth", "This page was open too long. Check your answers and press Send again."),
    )


def open_too_long_at_erase() -> str:
    return addressed(
        _("This page was open too long. Press the button again to delete your answers."),
        pgettext("youth", "This page was open too long. Press the button again to delete your answers."),
    )


def nothing_answered() -> str:
    return addressed(
        _(
            "You have not answered any question about your life yet. Answer at least one question "
            "and send again. Do you not want to take part? Then you can simply close this page."
        ),
        pgettext(
            "youth",
            "You have not answered any question about your life yet. Answer at least one question "
            "and send again. Do you not want to take part? Then you can simply close this page.",
        ),
    )


def choose_neighbourhood() -> str:
    return addressed(_("Choose your neighbourhood"), pgettext("youth", "Choose your neighbourhood"))


def type_code_again() -> str:
    return addressed(
        _("This page was open too long. Type your code again."),
        pgettext("youth", "This page was open too long. Type your code again."),
    )


def unknown_code() -> str:
    return addressed(
        _("We do not know this code. Check it and try again."),
        pgettext("youth", "We do not know this code. Check it and try again."),
    )


def expired_code(days: int) -> str:
    return addressed(
        _("This code has expired. Unfinished answers are kept for %(days)s days.", days=days),
        pgettext("youth", "This code has expired. Unfinished answers are kept for %(days)s days.", days=days),
    )
