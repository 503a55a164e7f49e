"""Forms of the erasure request and of the secretariat's answer."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import InputRequired, Length

NOTE_MAX = 2000


class ErasureRequestForm(FlaskForm):
    """The delegate confirms that they want their data erased."""

    confirm = BooleanField(
        _l("I understand that my registration and its data will be erased"),
        validators=[InputRequired(message=_l("Tick the box to confirm."))],
    )


class ConfirmErasureForm(FlaskForm):
    """The secretariat erases the data of a request (CSRF-protected, no fields)."""


class DeclineErasureForm(FlaskForm):
    """The secretariat keeps the data, with a reason the delegate reads."""

    note = TextAreaField(
        _l("Reason (the delegate reads it)"),
        validators=[InputRequired(), Length(max=NOTE_MAX)],
    )
