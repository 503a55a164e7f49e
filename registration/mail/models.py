"""The transactional email outbox."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registration.database import UTCDateTime, utcnow
from registration.extensions import db


class MailStatus(enum.StrEnum):
    """Delivery state of one queued message."""

    QUEUED = "queued"
    SENT = "sent"
    #: Gave up after MAIL_MAX_ATTEMPTS; staff may resend.
    FAILED = "failed"


class OutboxEmail(db.Model):
    """A message written in the same transaction as the change it reports."""

    __table_args__ = (sa.Index("ix_outbox_email_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event.id", ondelete="SET NULL"))
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL")
    )
    #: Name of the template pair under templates/email/.
    template: Mapped[str] = mapped_column(sa.String(80))
    language: Mapped[str] = mapped_column(sa.String(5), default="en")
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    #: [{"filename", "content_type", "data" (base64)}]
    attachments: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[MailStatus] = mapped_column(
        sa.Enum(
            MailStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
        ),
        default=MailStatus.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    #: "smtp" or "mailbox" (the local mailbox used when no MAIL_SERVER is configured).
    transport: Mapped[str] = mapped_column(sa.String(16), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
