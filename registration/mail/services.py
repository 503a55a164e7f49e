"""Queueing email in the current transaction (the outbox pattern), and the mail log."""

import base64
from dataclasses import dataclass

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from registration.audit.services import record
from registration.auth.models import StaffUser
from registration.database import utcnow
from registration.delegates.models import Registration
from registration.errors import DomainError
from registration.extensions import db
from registration.mail.models import MailStatus, OutboxEmail


@dataclass(frozen=True)
class Attachment:
    """A file attached to a queued message."""

    filename: str
    content_type: str
    data: bytes


def _one_line(text: str) -> str:
    """Header values never carry line breaks (no header injection through names or subjects)."""
    return " ".join(text.split())


def queue_email(
    recipient: str,
    template: str,
    context: dict,
    language: str,
    *,
    subject: str,
    registration=None,
    event=None,
    attachments: list[Attachment] | None = None,
) -> OutboxEmail:
    """Render ``templates/email/<template>.txt`` and ``.html`` in ``language`` and queue them.

    ``recipient`` is one plain address (no display name); the worker refuses anything else.

    ``subject`` may be a lazy string; it is evaluated in ``language``. The row joins the
    current transaction, so the message exists exactly when the change it reports commits.
    """
    with force_locale(language):
        subject_text = _one_line(str(subject))
        body_text = render_template(f"email/{template}.txt", **context)
        body_html = render_template(f"email/{template}.html", **context)
    message = OutboxEmail(
        event_id=getattr(event, "id", None) or getattr(registration, "event_id", None),
        registration_id=getattr(registration, "id", None),
        template=template,
        language=language,
        recipient=_one_line(recipient),
        subject=subject_text,
        body_text=body_text,
        body_html=body_html,
        attachments=[
            {
                "filename": _one_line(item.filename),
                "content_type": item.content_type,
                "data": base64.b64encode(item.data).decode("ascii"),
            }
            for item in attachments or []
        ],
    )
    db.session.add(message)
    db.session.flush()
    return message


class MailError(DomainError):
    """The mail log refused an operation."""

    code = "mail_error"


#: What a copy of a message shares with the original.
_CONTENT_COLUMNS = (
    "event_id",
    "registration_id",
    "template",
    "language",
    "recipient",
    "subject",
    "body_text",
    "body_html",
)


def resend(message: OutboxEmail, *, by: StaffUser) -> OutboxEmail:
    """Queue ``message`` again (registrars). Returns the message that will be sent.

    A failed message is reset and retried as it is; a sent one is copied, so that the log keeps
    the first delivery. Raises MailError("already_queued") for a message still waiting to go.
    """
    if message.status == MailStatus.QUEUED:
        raise MailError(_("This message is already waiting to be sent."), "already_queued")
    if message.status == MailStatus.FAILED:
        queued = message
        queued.status = MailStatus.QUEUED
        queued.attempts = 0
        queued.last_error = ""
        queued.next_attempt_at = utcnow()
    else:
        queued = OutboxEmail(
            **{column: getattr(message, column) for column in _CONTENT_COLUMNS},
            attachments=list(message.attachments),
        )
        _restore_manage_link(queued)
        db.session.add(queued)
    db.session.flush()
    record(
        "email_resent",
        event_id=message.event_id,
        actor=by,
        changes={"email": [message.id, queued.id]},
    )
    return queued


def _restore_manage_link(copy: OutboxEmail) -> None:
    """Put the registration's current manage link back into the copy of a delivered message
    (delivery hid it), when the copy still goes to the registration's address.

    Focal-point links stay hidden: staff send those again from the delegation's page.
    """
    registration = db.session.get(Registration, copy.registration_id or 0)
    if registration is None or registration.email != copy.recipient:
        return
    hidden, current = "/r/…", f"/r/{registration.manage_token}"
    copy.body_text = copy.body_text.replace(hidden, current)
    copy.body_html = copy.body_html.replace(hidden, current)


def log_query(
    *, recipient: str = "", status: MailStatus | None = None, event_id: int | None = None
) -> sa.Select:
    """Messages for the mail log, newest first: ``recipient`` matches any part of the address."""
    query = db.select(OutboxEmail).order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
    if recipient:
        pattern = recipient.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(OutboxEmail.recipient.ilike(f"%{pattern}%", escape="\\"))
    if status is not None:
        query = query.where(OutboxEmail.status == status)
    if event_id is not None:
        query = query.where(OutboxEmail.event_id == event_id)
    return query
