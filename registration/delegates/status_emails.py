"""Status-change emails, from the files under templates/email/ or the event's staff overrides."""

from flask_babel import lazy_gettext as _l

from registration.delegates import emails, placeholders
from registration.delegates.email_templates import EmailTemplate
from registration.delegates.models import Registration
from registration.extensions import db
from registration.mail.models import OutboxEmail
from registration.mail.services import queue_email

# Subjects are lazy: queue_email evaluates them in the delegate's language.
DEFAULT_SUBJECTS = {
    "approved": lambda **v: _l("Registration approved: %(event)s (%(reference)s)", **v),
    "rejected": lambda **v: _l("Registration not accepted: %(event)s (%(reference)s)", **v),
    "pending": lambda **v: _l("Registration under review again: %(event)s (%(reference)s)", **v),
    "waitlisted": lambda **v: _l("On the waiting list: %(event)s (%(reference)s)", **v),
    "withdrawn": lambda **v: _l("Registration withdrawn: %(event)s (%(reference)s)", **v),
    "promoted": lambda **v: _l("A place is free for you: %(event)s (%(reference)s)", **v),
}
#: The status emails, each a template pair templates/email/status_<kind>.txt/.html.
STATUS_KINDS = tuple(DEFAULT_SUBJECTS)
KIND_LABELS = {
    "approved": _l("Approved"),
    "rejected": _l("Rejected (the reason is in {reason})"),
    "pending": _l("Reset to pending"),
    "waitlisted": _l("Reset, placed on the waiting list"),
    "withdrawn": _l("Withdrawn by the secretariat"),
    "promoted": _l("Promoted from the waiting list"),
}


def find_override(event_id: int, kind: str, language: str) -> EmailTemplate | None:
    """The event's override of the ``kind`` email in ``language``, if staff wrote one."""
    return db.session.execute(
        db.select(EmailTemplate).where(
            EmailTemplate.event_id == event_id,
            EmailTemplate.kind == kind,
            EmailTemplate.language == language,
        )
    ).scalar_one_or_none()


def queue_status_email(registration: Registration, kind: str, *, reason: str = "") -> OutboxEmail:
    """Queue the ``kind`` status email in the delegate's language (in the current transaction).

    A staff override for that language replaces the subject and/or the body; otherwise the
    translated file templates are used.
    """
    language = registration.language
    event = registration.event
    values = placeholders.values_for(registration, reason)
    override = find_override(event.id, kind, language)
    default_subject = DEFAULT_SUBJECTS[kind](
        event=event.title_in(language), reference=registration.reference
    )
    subject = default_subject
    custom_body = None
    if override is not None:
        try:
            if override.subject.strip():
                subject = placeholders.fill(override.subject, values)
            if override.body.strip():
                custom_body = placeholders.fill(override.body, values)
        except placeholders.PlaceholderError:
            # Saving checks the text, so this is a row changed behind the app's back: a
            # decision must not fail because of it; the standard text is sent instead.
            subject, custom_body = default_subject, None
    extra, attachments = emails.e_badge(registration)
    return queue_email(
        registration.email,
        f"status_{kind}",
        {
            "registration": registration,
            "event": event,
            "manage_link": values["manage_link"],
            "reason": reason,
            "custom_body": custom_body,
            **extra,
        },
        language,
        subject=subject,
        registration=registration,
        attachments=attachments,
    )
