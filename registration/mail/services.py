"""Queueing email in the current transaction (the outbox pattern)."""

import base64
from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale

from registration.extensions import db
from registration.mail.models import OutboxEmail


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
