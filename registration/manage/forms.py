"""Back-office forms (shape only; the rules live in the services)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from registration.delegates import placeholders
from registration.delegates.forms import RegistrationForm
from registration.delegates.workflow import BULK_ACTIONS
from registration.errors import DomainError

#: Longest reason a delegate is shown.
REASON_MAX = 1000


def _placeholders_only(form, field) -> None:
    """Refuse text with unknown {placeholders} or unbalanced braces."""
    try:
        placeholders.check(field.data or "")
    except DomainError as error:
        raise ValidationError(error.message) from error


class ActionForm(FlaskForm):
    """A confirmed action without fields (approve, reset, promote)."""


class RejectForm(FlaskForm):
    """Rejecting needs a reason the delegate will read."""

    reason = TextAreaField(
        _l("Reason (the delegate reads it)"),
        validators=[InputRequired(), Length(max=REASON_MAX)],
    )


class StaffWithdrawForm(FlaskForm):
    """Withdrawing on the delegate's behalf, with an optional reason."""

    reason = TextAreaField(
        _l("Reason (optional; the delegate reads it)"),
        validators=[Optional(), Length(max=REASON_MAX)],
    )


class BulkActionForm(FlaskForm):
    """One action on the selected registrations, or on every registration matching the filter."""

    action = SelectField(
        _l("Action"),
        choices=[
            SelectChoice("", _l("Choose an action…")),
            SelectChoice("approve", _l("Approve")),
            SelectChoice("reject", _l("Reject (with a reason)")),
            SelectChoice("reset", _l("Reset to pending")),
            SelectChoice("withdraw", _l("Withdraw")),
        ],
        validators=[InputRequired(message=_l("Choose an action."))],
    )
    reason = TextAreaField(
        _l("Reason (for rejections and withdrawals; the delegates read it)"),
        validators=[Optional(), Length(max=REASON_MAX)],
    )
    scope = SelectField(
        _l("Apply to"),
        choices=[
            SelectChoice("selected", _l("The registrations ticked")),
            SelectChoice("all", _l("Every registration matching the filter")),
        ],
    )
    ids = SelectMultipleField(coerce=int, validate_choice=False)
    #: The list's query string, so that "all matching" and the way back keep the filter.
    filter_args = HiddenField()
    #: Set by the confirmation page.
    confirmed = HiddenField()

    def validate_action(self, field) -> None:
        """Only the known actions."""
        if field.data not in BULK_ACTIONS:
            raise ValidationError(_l("Choose an action."))


class StaffRegistrationForm(RegistrationForm):
    """The public registration form, same fields and checks, without the privacy checkbox."""

    on_behalf = True

    #: Staff act on the person's behalf: no consent to tick (a hidden field, as fill_from sets it).
    privacy = HiddenField()


class EmailForm(FlaskForm):
    """A message to every registration of the current filter, with {placeholders}."""

    subject = StringField(
        _l("Subject"), validators=[InputRequired(), Length(max=200), _placeholders_only]
    )
    body = TextAreaField(
        _l("Message"), validators=[InputRequired(), Length(max=20_000), _placeholders_only]
    )
    #: Reference of the registration used for the preview (the first match when empty).
    preview_reference = StringField(
        _l("Preview for (reference)"), validators=[Optional(), Length(max=16)]
    )
    preview = SubmitField(_l("Preview"))
    send = SubmitField(_l("Send to all recipients"))


class EmailTemplateForm(FlaskForm):
    """A per-event override of one status email in one language; empty fields use the default."""

    subject = StringField(
        _l("Subject (empty: the standard subject)"),
        validators=[Optional(), Length(max=200), _placeholders_only],
    )
    body = TextAreaField(
        _l("Message (empty: the standard message)"),
        validators=[Optional(), Length(max=20_000), _placeholders_only],
    )
