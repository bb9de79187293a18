"""The interview form: who and where (as codes), every item of the instrument on one page, and notes."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from accounts.forms import StaffForm
from interviews.clients import MAX_LENGTH as CLIENT_CODE_MAX
from surveys.forms import field_for, has_control_characters
from surveys.instruments import Instrument, Item, localise

NOTES_MAX = 5000


def _notes_check(form, field) -> None:
    # refused with a message the tablet's outbox shows, rather than a database error it would retry for ever
    if has_control_characters(field.data or ""):
        raise ValidationError(_l("The notes have characters we cannot save. Remove them and save again."))


class InterviewFormBase(StaffForm):
    sync_key = HiddenField()
    # the wijkteam the page was made for: an interview kept on the tablet may be sent after its worker moved team
    team = HiddenField(_l("Wijkteam"))
    buurt = SelectField(_l("Neighbourhood where the resident lives"), validate_choice=False)
    client_code = StringField(
        _l("Client code"),
        description=_l("The code your team already uses for this resident. Never a name, date of birth or BSN."),
        render_kw={
            "autocomplete": "off",
            "spellcheck": "false",
            "autocapitalize": "characters",
            "maxlength": CLIENT_CODE_MAX,
        },
    )
    conducted_on = DateField(
        _l("Date of the conversation"), validators=[Optional()], format="%Y-%m-%d", render_kw={"type": "date"}
    )
    notes = TextAreaField(
        _l("Notes"),
        description=_l(
            "Only your wijkteam and the municipality's analysts can read these. Write nothing that "
            "identifies the resident."
        ),
        validators=[Length(max=NOTES_MAX, message=_l("Use at most %(max)d characters.")), _notes_check],
        render_kw={"maxlength": NOTES_MAX, "spellcheck": "true"},
    )


SETUP_FIELDS = frozenset(name for name in dir(InterviewFormBase) if not name.startswith("_"))


WORKER_PREFIX = "worker_"  # the field of the worker's own rating of item X is "worker_X"


def _worker_check(codes: set[str]):
    def check(form, field) -> None:
        if field.data and field.data not in codes:
            raise ValidationError(_l("Choose one of the options."))

    return check


def worker_field(item: Item, locale: str) -> SelectField:
    """The worker's own rating beside the client's, as the Outcome Star has it: left empty when they agree."""
    if item.type == "scale_0_10":
        options = [SelectChoice(str(code)) for code in item.codes]
    else:
        options = [
            SelectChoice(str(option.code), f"{option.code}: {localise(option.label, locale)}")
            for option in item.options
        ]
    return SelectField(
        _l("%(area)s: your own rating as the worker, if it differs", area=localise(item.text, locale)),
        choices=[SelectChoice("", _l("The same as the client")), *options],
        validate_choice=False,
        validators=[_worker_check({str(code) for code in item.codes})],
    )


def build_interview_form(
    instrument: Instrument, locale: str, formdata: Any = None, data: dict[str, Any] | None = None
) -> InterviewFormBase:
    clash = SETUP_FIELDS & instrument.item_ids
    clash |= {item_id for item_id in instrument.item_ids if item_id.startswith(WORKER_PREFIX)}
    if clash:
        raise ValueError(f"instrument {instrument.slug} has item ids that the interview form uses: {sorted(clash)}")
    fields = {item.id: field_for(item, locale) for item in instrument.items}
    fields.update({WORKER_PREFIX + item.id: worker_field(item, locale) for item in instrument.rated_items()})
    form_class = type(f"InterviewForm_{instrument.slug}", (InterviewFormBase,), fields)
    if formdata is not None:
        return form_class(formdata=formdata)
    return form_class(formdata=None, data=data or {})


class FindClientForm(StaffForm):
    """A worker types a client code to find that client's conversations in their own wijkteam."""

    client_code = StringField(
        _l("Client code"),
        description=_l(
            "The code your team uses for this client. It is not stored: we look it up the same way as "
            "when the interview was saved."
        ),
        render_kw={
            "autocomplete": "off",
            "spellcheck": "false",
            "autocapitalize": "characters",
            "maxlength": CLIENT_CODE_MAX,
        },
    )
