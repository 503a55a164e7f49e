"""Back-office services: bulk email and the per-event overrides of the status emails."""

from collections.abc import Iterable

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from registration.delegates import placeholders
from registration.delegates.email_templates import EmailTemplate
from registration.delegates.models import Registration
from registration.delegates.status_emails import STATUS_KINDS, find_override
from registration.errors import DomainError
from registration.events.models import Event
from registration.extensions import db
from registration.mail.services import queue_email

#: The template pair of staff-written messages (templates/email/staff_message.txt/.html).
STAFF_MESSAGE = "staff_message"


class ManageError(DomainError):
    """A back-office operation was refused: no_recipients, unknown_kind."""


def _message_context(registration: Registration, body: str) -> tuple[dict, dict]:
    """(placeholder values, template context) of a staff message to one registration."""
    values = placeholders.values_for(registration)
    context = {
        "registration": registration,
        "event": registration.event,
        "manage_link": values["manage_link"],
        "custom_body": placeholders.fill(body, values),
    }
    return values, context


def preview_email(registration: Registration, subject: str, body: str) -> tuple[str, str]:
    """The subject and text body that ``registration`` would receive (writes nothing).

    Raises PlaceholderError for unknown placeholders.
    """
    values, context = _message_context(registration, body)
    with force_locale(registration.language):
        text = render_template(f"email/{STAFF_MESSAGE}.txt", **context)
    return placeholders.fill(subject, values), text


def send_bulk_email(registrations: Iterable[Registration], subject: str, body: str) -> int:
    """Queue a staff message to each registration, placeholders filled; returns how many (staff).

    The messages join the current transaction (the outbox). Raises PlaceholderError, or
    ManageError('no_recipients') when there is nobody to write to.
    """
    placeholders.check(subject)
    placeholders.check(body)
    count = 0
    for registration in registrations:
        values, context = _message_context(registration, body)
        queue_email(
            registration.email,
            STAFF_MESSAGE,
            context,
            registration.language,
            subject=placeholders.fill(subject, values),
            registration=registration,
        )
        count += 1
    if not count:
        raise ManageError(_("No registration matches the filter."), "no_recipients")
    return count


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
