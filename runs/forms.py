"""Staff forms for analysis runs, quote review and theme review."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from accounts.forms import StaffForm
from runs.themes import NAME_LENGTH, TRANSLATION_LANGUAGES

MAX_SEED = 2**31 - 1
NAME_TOO_LONG = _l("Use at most %(max)s characters for the name.", max=NAME_LENGTH)


class StartRunForm(StaffForm):
    wave = SelectField(_l("Wave"), coerce=str, validate_choice=False)
    seed = IntegerField(
        _l("Seed"),
        default=0,
        validators=[
            InputRequired(_l("Fill in a whole number.")),
            NumberRange(0, MAX_SEED, _l("Use a whole number from 0 to %(max)s.", max=MAX_SEED)),
        ],
        description=_l(
            "The same wave and seed give exactly the same results. Keep 0 unless you "
            "want to check how stable the results are."
        ),
    )


class NamedThemeForm(StaffForm):
    """A named theme's Dutch name, its name in each other language (the view sets those labels), and whether the
    council sees it."""

    name = StringField(
        _l("Name in Dutch"),
        validators=[Optional(), Length(max=NAME_LENGTH, message=NAME_TOO_LONG)],
        description=_l(
            "A few plain words that a council member understands at once, for example: "
            "Cars drive too fast. The suggestion is a typical answer: shorten it."
        ),
    )
    hidden = BooleanField(
        _l("Hide this theme from the council"),
        description=_l("For example when the answers are about nothing in particular."),
    )

    def translations(self) -> dict[str, str]:
        return {lang: self[f"name_{lang}"].data for lang in TRANSLATION_LANGUAGES}


for _lang in TRANSLATION_LANGUAGES:
    setattr(
        NamedThemeForm,
        f"name_{_lang}",
        StringField(_l("Name"), validators=[Optional(), Length(max=NAME_LENGTH, message=NAME_TOO_LONG)]),
    )


class MergeThemeForm(StaffForm):
    into = SelectField(
        _l("Merge with"),
        coerce=str,
        validate_choice=False,
        description=_l("The answers of both count together, in every language, under one name."),
    )
