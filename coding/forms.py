"""Staff forms for codebooks and their codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from accounts.forms import REQUIRED, StaffForm
from coding.service import DESCRIPTION_LENGTH, NAME_LENGTH, TRANSLATION_LANGUAGES

NAME_TOO_LONG = _l("Use at most %(max)s characters for the name.", max=NAME_LENGTH)
DESCRIPTION_TOO_LONG = _l("Use at most %(max)s characters for the description.", max=DESCRIPTION_LENGTH)


class CodebookForm(StaffForm):
    name = StringField(
        _l("Name of the codebook"),
        validators=[DataRequired(REQUIRED), Length(max=NAME_LENGTH, message=NAME_TOO_LONG)],
        description=_l("For example: What residents want to see improved."),
    )
    question = RadioField(
        _l("Open question"),
        validate_choice=False,
        validators=[InputRequired(_l("Choose one of the open questions shown."))],
    )


class CodeForm(StaffForm):
    """A code's name and description, and the same in each other language (the view sets those labels)."""

    name = StringField(
        _l("Name of the code"),
        validators=[DataRequired(REQUIRED), Length(max=NAME_LENGTH, message=NAME_TOO_LONG)],
        description=_l("A few words, for example: Traffic safety."),
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=DESCRIPTION_LENGTH, message=DESCRIPTION_TOO_LONG)],
        description=_l(
            "What answers with this code are about. The computer also learns "
            "from this text, so use words that residents use."
        ),
    )

    def translations(self) -> dict[str, dict[str, str]]:
        return {
            lang: {"name": self[f"name_{lang}"].data, "description": self[f"description_{lang}"].data}
            for lang in TRANSLATION_LANGUAGES
        }

    def has_translation_errors(self) -> bool:
        return any(self[f"{part}_{lang}"].errors for lang in TRANSLATION_LANGUAGES for part in ("name", "description"))


for _lang in TRANSLATION_LANGUAGES:
    setattr(
        CodeForm,
        f"name_{_lang}",
        StringField(_l("Name"), validators=[Optional(), Length(max=NAME_LENGTH, message=NAME_TOO_LONG)]),
    )
    setattr(
        CodeForm,
        f"description_{_lang}",
        TextAreaField(
            _l("Description"), validators=[Optional(), Length(max=DESCRIPTION_LENGTH, message=DESCRIPTION_TOO_LONG)]
        ),
    )


class DeleteCodeForm(StaffForm):
    move_to = SelectField(_l("What happens to the answers labelled with this code?"), coerce=str, validate_choice=False)


class ThemesForm(StaffForm):
    run = SelectField(_l("Analysis"), coerce=str, validate_choice=False)
