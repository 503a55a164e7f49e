"""The transactional email outbox."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registration.database import UTCDateTime, utcnow
from registration.extensions import db
from registration.queue import Leased


class MailStatus(enum.StrEnum):
    """Delivery state of one queued message."""

    QUEUED = "queued"
    SENT = "sent"
    #: Gave up after MAIL_MAX_ATTEMPTS (or refused for good); staff may resend.
    FAILED = "failed"

    @property
    def label(self) -> str:
        """The status in the reader's language."""
        return str(_STATUS_LABELS[self])


_STATUS_LABELS = {
    MailStatus.QUEUED: _l("Queued"),
    MailStatus.SENT: _l("Sent"),
    MailStatus.FAILED: _l("Failed"),
}

#: Ways a message leaves the outbox, in the reader's language.
TRANSPORT_LABELS = {"smtp": _l("SMTP"), "mailbox": _l("Local mailbox")}


class OutboxEmail(Leased, db.Model):
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
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: "smtp" or "mailbox" (the local mailbox used when no MAIL_SERVER is configured).
    transport: Mapped[str] = mapped_column(sa.String(16), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    delivery_attempts: Mapped[list["MailAttempt"]] = relationship(
        back_populates="email", order_by="MailAttempt.id", passive_deletes=True
    )

    @property
    def status_label(self) -> str:
        """The status in the reader's language."""
        return self.status.label

    @property
    def transport_label(self) -> str:
        """The transport in the reader's language ("" before delivery)."""
        return str(TRANSPORT_LABELS.get(self.transport, self.transport))


class MailAttempt(db.Model):
    """One try at delivering a message: when, how, and the error if it failed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outbox_email.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    transport: Mapped[str] = mapped_column(sa.String(16))
    #: Empty when the attempt succeeded.
    error: Mapped[str] = mapped_column(sa.Text, default="")

    email: Mapped[OutboxEmail] = relationship(back_populates="delivery_attempts")
