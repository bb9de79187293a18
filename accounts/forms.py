"""Staff forms: login, own password, accounts and teams."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from models import Role

ROLE_LABELS = {
    Role.admin: _l("Administrator"),
    Role.analyst: _l("Analyst"),
    Role.interviewer: _l("Wijkteam worker"),
    Role.council: _l("Council member or policy staff"),
}
REQUIRED = _l("Fill this in.")


class StaffForm(FlaskForm):
    """Every staff form: a translated message when the CSRF token is missing or too old."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.meta.csrf and self.csrf_token.errors:
            self.csrf_token.errors = [str(_l("This page was open too long. Send it again."))]
        return valid


class LoginForm(StaffForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(REQUIRED), Length(max=254)],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(REQUIRED), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordChangeForm(StaffForm):
    current = PasswordField(
        _l("Your current password"), validators=[DataRequired(REQUIRED)], render_kw={"autocomplete": "current-password"}
    )
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(REQUIRED)],
        description=_l("At least 12 characters. A sentence of a few words works well."),
        render_kw={"autocomplete": "new-password"},
    )
    repeat = PasswordField(
        _l("New password again"),
        validators=[DataRequired(REQUIRED), EqualTo("new", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class UserForm(StaffForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(REQUIRED), Email(_l("This is not an e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    role = SelectField(_l("Role"), choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()])
    team = SelectField(_l("Wijkteam"), description=_l("Needed for wijkteam workers."), coerce=str)
    password = PasswordField(
        _l("First password"),
        description=_l("Give it to the person in a safe way. They can change it under My account."),
        render_kw={"autocomplete": "new-password"},
    )
    active = BooleanField(_l("Account can be used"), default=True)


class TeamForm(StaffForm):
    name = StringField(_l("Name of the wijkteam"), validators=[DataRequired(REQUIRED), Length(max=120)])
    # only for an administrator of every municipality; removed from the form for one of a single municipality
    municipality = SelectField(
        _l("Municipality"), coerce=str, validators=[DataRequired(_l("Choose the municipality of the wijkteam."))]
    )


class ConfirmForm(StaffForm):
    """A button that changes something: CSRF protection and nothing else."""
