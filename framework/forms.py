"""Staff forms for the outcome framework: outcomes, indicators and targets (framework/service.py checks the rest)."""

from __future__ import annotations

import re

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from accounts.forms import REQUIRED, StaffForm
from framework.service import ACTION_LENGTH, DESCRIPTION_LENGTH, FIRST_YEAR, LAST_YEAR, NAME_LENGTH, POPULATION_LENGTH
from surveys.forms import MultiCheckboxField

TOO_LONG = _l("Use at most %(max)s characters.", max=NAME_LENGTH)
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


class NumberField(StringField):
    """A decimal number typed as people write it: 6,5 or 6.5 (and 20% for a percentage). What was typed is shown
    again as typed when it is refused."""

    def process_formdata(self, valuelist):
        self.raw_text = valuelist[0] if valuelist else ""
        text = self.raw_text.strip().removesuffix("%").strip()
        if not text:
            self.data = None
            return
        if not _NUMBER.match(text):
            self.data = None
            raise ValueError(str(_l("Give a number, for example 6.5.")))
        self.data = float(text.replace(",", "."))

    def _value(self) -> str:
        if getattr(self, "raw_text", None) is not None:
            return self.raw_text
        # the locale's decimal sign, which the field reads back
        return "" if self.data is None else format_decimal(self.data, format="0.########")


class YearField(StringField):
    def process_formdata(self, valuelist):
        self.raw_text = valuelist[0] if valuelist else ""
        text = self.raw_text.strip()
        self.data = int(text) if text.isdigit() and len(text) <= 4 else None
        if text and self.data is None:
            raise ValueError(str(_l("Give a year from %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)))

    def _value(self) -> str:
        if getattr(self, "raw_text", None) is not None:
            return self.raw_text
        return "" if self.data is None else str(self.data)


class OutcomeForm(StaffForm):
    name = StringField(
        _l("Name of the outcome"),
        validators=[DataRequired(REQUIRED), Length(max=NAME_LENGTH, message=TOO_LONG)],
        description=_l("A result for all residents, for example: Residents feel connected."),
    )
    description = TextAreaField(
        _l("Description"),
        validators=[
            Optional(),
            Length(max=DESCRIPTION_LENGTH, message=_l("Use at most %(max)s characters.", max=DESCRIPTION_LENGTH)),
        ],
        description=_l("What the council wants to reach, in a few plain sentences."),
    )
    action = TextAreaField(
        _l("What the municipality will do"),
        validators=[
            Optional(),
            Length(max=ACTION_LENGTH, message=_l("Use at most %(max)s characters.", max=ACTION_LENGTH)),
        ],
        description=_l(
            "Residents read this on the results page of their wijk once a wave is published. Write a "
            "few short, plain sentences."
        ),
    )
    # the view offers the municipality's output measures; framework/service.py checks the choice
    outputs = MultiCheckboxField(
        _l("Output measures that serve this outcome"),
        validate_choice=False,
        description=_l(
            "What the municipality delivers for this outcome, such as youth care or wijkteam trajectories. The "
            "council sees these figures beside the indicators."
        ),
    )


class IndicatorForm(StaffForm):
    """The view fills in the measures the questionnaires offer; framework/service.py checks the choice."""

    name = StringField(
        _l("Name of the indicator"),
        validators=[DataRequired(REQUIRED), Length(max=NAME_LENGTH, message=TOO_LONG)],
        description=_l("What it shows, in words, for example: Residents who do not feel lonely."),
    )
    measure = SelectField(
        _l("What it measures"),
        validate_choice=False,
        validators=[InputRequired(_l("Choose what the indicator measures."))],
        description=_l(
            "The mean of a scale, the share of respondents in a band, or the share of "
            "wijkteam clients who are better off than at intake."
        ),
    )
    direction = RadioField(
        _l("Which way is better?"),
        validate_choice=False,
        choices=[
            SelectChoice("higher_is_better", _l("A higher value is better")),
            SelectChoice("lower_is_better", _l("A lower value is better")),
        ],
        validators=[InputRequired(_l("Choose whether a higher or a lower value is better."))],
    )
    population = StringField(
        _l("For whom"),
        validators=[
            Optional(),
            Length(max=POPULATION_LENGTH, message=_l("Use at most %(max)s characters.", max=POPULATION_LENGTH)),
        ],
        description=_l("The residents it is about, in words, for example: residents aged 18 and over."),
    )


class TargetForm(StaffForm):
    year = YearField(
        _l("Year"),
        validators=[InputRequired(_l("Give a year from %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    area = SelectField(
        _l("Area"),
        validate_choice=False,
        validators=[InputRequired(_l("Choose the municipality or one of its wijken."))],
    )
    value = NumberField(
        _l("Target value"),
        validators=[InputRequired(_l("Give a number, for example 6.5."))],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
