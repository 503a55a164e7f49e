"""Per-event overrides of the status emails, written by the secretariat."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registration.database import UTCDateTime, utcnow
from registration.extensions import db


class EmailTemplate(db.Model):
    """Staff-written subject and body replacing one status email in one language for one event.

    Text with {placeholders} (delegates.placeholders), never a Jinja template.
    """

    __table_args__ = (sa.UniqueConstraint("event_id", "kind", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    #: approved, rejected, pending, waitlisted, withdrawn or promoted (status_emails.STATUS_KINDS).
    kind: Mapped[str] = mapped_column(sa.String(32))
    language: Mapped[str] = mapped_column(sa.String(5))
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
