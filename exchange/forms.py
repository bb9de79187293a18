"""Staff forms for waves, importing, exporting and retention."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from accounts.forms import REQUIRED, StaffForm
from exchange.tables import ENCODINGS
from surveys.forms import MultiCheckboxField

DATE_MESSAGE = _l("Enter a date like 2026-03-01.")


class DayField(DateField):
    """A date (an HTML date input, typed as YYYY-MM-DD where a browser has no date picker), with our message."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = datetime.strptime(valuelist[0].strip(), "%Y-%m-%d").date()
        except ValueError as error:
            self.data = None
            raise ValueError(str(DATE_MESSAGE)) from error


class WaveForm(StaffForm):
    name = StringField(
        _l("Name of the wave"),
        validators=[DataRequired(REQUIRED), Length(max=80)],
        description=_l("For example: Leefwereld autumn 2026."),
    )
    municipality = SelectField(_l("Municipality"), coerce=str, validate_choice=False)
    opens_on = DayField(_l("First day"), validators=[DataRequired(REQUIRED)], default=date.today)
    closes_on = DayField(
        _l("Last day"), validators=[Optional()], description=_l("Leave empty to keep the wave open until you close it.")
    )
    instruments = MultiCheckboxField(_l("Questionnaires"), validate_choice=False)


class ImportForm(StaffForm):
    wave = SelectField(_l("Wave"), coerce=str, validate_choice=False)
    instrument = SelectField(_l("Questionnaire"), coerce=str, validate_choice=False)
    file = FileField(
        _l("File"),
        description=_l(
            "A .csv or .xlsx file. Columns: the item ids of the questionnaire, "
            "buurt_code, and if you have them age_band, mode, locale, "
            "submitted_at and external_id."
        ),
    )
    encoding = SelectField(
        _l("Encoding of a CSV file"),
        choices=[SelectChoice(code, name) for code, name in ENCODINGS.items()],
        default="utf-8",
        validators=[AnyOf(list(ENCODINGS), _l("Choose one of the encodings."))],
        validate_choice=False,
        description=_l(
            "Keep UTF-8 unless you know the file has another encoding. Excel on "
            "Windows often saves CSV files as Windows-1252."
        ),
    )
    skip_invalid = BooleanField(_l("Import the good rows and leave out rows with problems"))

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        megabytes = max_bytes // (1024 * 1024)
        self.file.validators = [
            FileRequired(_l("Choose a file.")),
            FileAllowed(["csv", "xlsx"], _l("Use a .csv or .xlsx file.")),
            FileSize(max_bytes, message=_l("The file is larger than %(size)s MB.", size=megabytes)),
        ]


EXPORT_FORMATS = [
    SelectChoice("csv", _l("CSV (for R, Python or any program)")),
    SelectChoice("xlsx", _l("Excel (.xlsx), with a sheet describing every column")),
    SelectChoice("sav", _l("SPSS (.sav), with labels for questions and answers")),
]


class ExportForm(StaffForm):
    wave = SelectField(_l("Wave"), coerce=str, validate_choice=False)
    instrument = SelectField(_l("Questionnaire"), coerce=str, validate_choice=False)
    format = RadioField(
        _l("Kind of file"),
        choices=EXPORT_FORMATS,
        default="csv",
        validate_choice=False,
        validators=[AnyOf([choice.value for choice in EXPORT_FORMATS], _l("Choose a kind of file."))],
    )
