"""Back-office forms (shape only; the rules live in the services)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
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


class BulkEmailForm(FlaskForm):
    """A message to the registrations of the list, in each meeting language (see email_form):
    preview first, then send once the count is confirmed."""

    #: Reference of a registration to preview the message for (besides one per language).
    preview_reference = StringField(
        _l("Also preview for (reference)"), validators=[Optional(), Length(max=16)]
    )
    confirm = BooleanField(_l("I have read the previews; send the message."))
    #: The number of recipients the sender saw when confirming.
    expected = HiddenField()
    preview = SubmitField(_l("Preview"))
    send = SubmitField(_l("Send"))

    def texts(self, languages: list[str]) -> dict[str, tuple[str, str]]:
        """{language: (subject, body)} of the versions written (both fields filled)."""
        texts = {}
        for language in languages:
            subject = self[f"subject_{language}"].data or ""
            body = self[f"body_{language}"].data or ""
            if subject.strip() and body.strip():
                texts[language] = (subject, body)
        return texts


def email_form(languages: list[str], names: dict[str, str]) -> BulkEmailForm:
    """The bulk email form with a subject and a message per meeting language; only the first
    language is required (people whose language is not written get that one)."""

    class Form(BulkEmailForm):
        pass

    for position, language in enumerate(languages):
        required = [InputRequired()] if position == 0 else [Optional()]
        name = names[language]
        setattr(
            Form,
            f"subject_{language}",
            StringField(
                _l("Subject (%(language)s)", language=name),
                validators=[*required, Length(max=200), _placeholders_only],
            ),
        )
        setattr(
            Form,
            f"body_{language}",
            TextAreaField(
                _l("Message (%(language)s)", language=name),
                validators=[*required, Length(max=20_000), _placeholders_only],
            ),
        )
    return Form()


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
