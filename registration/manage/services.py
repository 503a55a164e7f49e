"""Back-office services: staff messages and the per-event overrides of the status emails."""

from flask_babel import gettext as _

from registration.delegates import placeholders
from registration.delegates.email_templates import EmailTemplate
from registration.delegates.models import Registration
from registration.delegates.status_emails import STATUS_KINDS, find_override
from registration.errors import DomainError
from registration.events.models import Event
from registration.extensions import db

#: The template pair of staff-written messages (templates/email/staff_message.txt/.html).
STAFF_MESSAGE = "staff_message"


class ManageError(DomainError):
    """A back-office operation was refused: no_recipients, recipients_changed,
    first_language_missing, unknown_kind."""


def message_context(registration: Registration, body: str) -> tuple[dict, dict]:
    """(placeholder values, template context) of a staff message to one registration."""
    values = placeholders.values_for(registration)
    context = {
        "registration": registration,
        "event": registration.event,
        "manage_link": values["manage_link"],
        "custom_body": placeholders.fill(body, values),
    }
    return values, context


def save_email_template(
    event: Event, kind: str, language: str, subject: str, body: str, *, by
) -> EmailTemplate | None:
    """Store staff's subject and body for one status email; both empty restores the default.

    Returns the override, or None when the default applies again. Raises
    ManageError('unknown_kind') or PlaceholderError.
    """
    if kind not in STATUS_KINDS:
        raise ManageError(_("Unknown email."), "unknown_kind")
    subject, body = subject.strip(), body.strip()
    placeholders.check(subject)
    placeholders.check(body)
    override = find_override(event.id, kind, language)
    if not subject and not body:
        if override is not None:
            db.session.delete(override)
            db.session.flush()
        return None
    if override is None:
        override = EmailTemplate(event_id=event.id, kind=kind, language=language)
        db.session.add(override)
    override.subject = subject
    override.body = body
    override.updated_by_id = getattr(by, "id", None)
    db.session.flush()
    return override
