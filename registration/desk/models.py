"""Attendance: entries at the venue and at each agenda session."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registration.database import UTCDateTime, utcnow
from registration.delegates.models import Registration
from registration.events.models import AgendaSession
from registration.extensions import db

#: Checkpoint of the venue entrance; a session's checkpoint is its code.
VENUE = "venue"


class Attendance(db.Model):
    """One person's entry at one checkpoint (the venue, or one agenda session).

    At most one entry that is not annulled per registration and checkpoint.
    """

    __table_args__ = (
        sa.Index(
            "uq_attendance_current",
            "registration_id",
            "checkpoint",
            unique=True,
            sqlite_where=sa.text("annulled_at IS NULL"),
            postgresql_where=sa.text("annulled_at IS NULL"),
        ),
        sa.Index("ix_attendance_session", "session_id", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE")
    )
    #: "venue", or the code of the agenda session.
    checkpoint: Mapped[str] = mapped_column(sa.String(64))
    #: The agenda session for a session checkpoint; None at the venue.
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_session.id", ondelete="CASCADE")
    )
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="SET NULL"))
    #: Set when staff annul a mistaken check-in; the row is kept.
    annulled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    annul_reason: Mapped[str] = mapped_column(sa.Text, default="")

    registration: Mapped[Registration] = relationship()
    session: Mapped[AgendaSession | None] = relationship()
