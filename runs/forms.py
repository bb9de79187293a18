"""Staff forms for analysis runs and quote review."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from accounts.forms import StaffForm

MAX_SEED = 2**31 - 1


class StartRunForm(StaffForm):
    wave = SelectField(_l("Wave"), coerce=str, validate_choice=False)
    seed = IntegerField(_l("Seed"), default=0,
                        validators=[InputRequired(_l("Fill in a whole number.")),
                                    NumberRange(0, MAX_SEED, _l("Use a whole number from 0 to %(max)s.",
                                                                max=MAX_SEED))],
                        description=_l("The same wave and seed give exactly the same results. Keep 0 unless you "
                                       "want to check how stable the results are."))
