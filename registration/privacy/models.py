"""Erasures of personal data: asked for by a delegate, or due when a meeting's retention ends."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registration.database import UTCDateTime
from registration.delegates.models import Registration
from registration.extensions import db


class ErasureStatus(enum.StrEnum):
    """Where an erasure stands."""

    #: The delegate asked; the secretariat has not decided yet.
    REQUESTED = "requested"
    ERASED = "erased"
    #: The secretariat kept the data and told the delegate why.
    DECLINED = "declined"


class Erasure(db.Model):
    """The erasure of one registration's personal data, kept as the record that it was asked
    for and done (the registration row itself stays, anonymised, for the statistics)."""

    __table_args__ = (sa.Index("ix_erasure_event_status", "event_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    #: "request" (the delegate asked through their link) or "retention" (the meeting's
    #: retention period ended).
    cause: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[ErasureStatus] = mapped_column(
        sa.Enum(
            ErasureStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The staff member who erased or declined; None for the delegate or the retention purge.
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why the secretariat kept the data, shown to the delegate.
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")

    registration: Mapped[Registration] = relationship()

    def __repr__(self) -> str:
        return f"<Erasure {self.registration_id} {self.status}>"
