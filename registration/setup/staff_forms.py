"""Forms of the staff accounts page (shape only; the password policy is a service rule)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import Email, InputRequired, Length, Optional

from registration.auth.models import Role

ROLE_LABELS = {
    Role.ADMIN: _l("Admin: everything, including setup and staff accounts"),
    Role.REGISTRAR: _l("Registrar: registrations, delegations, mail"),
    Role.CHECKIN: _l("Check-in desk only"),
    Role.VIEWER: _l("Viewer: read-only lists and reports"),
}


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class StaffForm(FlaskForm):
    """A new staff account: invited by email, or given a password to change at first sign-in."""

    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(
        _l("Role"),
        choices=_role_choices(),
        default=Role.VIEWER.value,  # the least power until the admin chooses otherwise
    )
    password = PasswordField(
        _l("Initial password (optional: leave empty to send an invitation by email instead)"),
        validators=[Optional(), Length(max=200)],
    )


class RoleForm(FlaskForm):
    """Another role for an account."""

    role = SelectField(_l("Role"), choices=_role_choices())


class ConfirmForm(FlaskForm):
    """A CSRF-protected button (deactivate, reactivate, resend the invitation)."""
