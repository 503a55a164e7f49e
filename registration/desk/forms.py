"""Desk forms (shape only; the rules live in services)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from registration.delegates.forms import RegistrationForm


class WalkInForm(RegistrationForm):
    """The registration form as staff fill it in at the desk: no photo upload."""

    on_behalf = True

    photo = None
    uploaded_photo = None
    #: A webcam picture taken at the desk, as a JPEG data URL (re-encoded like an upload).
    captured_photo = HiddenField(validators=[Length(max=3_000_000)])
    privacy = BooleanField(
        _l("The participant has read the privacy notice and agrees to it"),
        validators=[InputRequired(message=_l("Ask the participant to accept the privacy notice."))],
    )


class DeviceForm(FlaskForm):
    """A new device token for a named desk of one meeting."""

    event = SelectField(_l("Meeting"), coerce=int, validators=[InputRequired()])
    name = StringField(
        _l("Name of the desk or device"), validators=[InputRequired(), Length(max=120)]
    )


class RevokeForm(FlaskForm):
    """Confirms revoking a device token (CSRF only)."""


class AdmitForm(FlaskForm):
    """Checks in the registration a walk-in already has (CSRF only)."""
