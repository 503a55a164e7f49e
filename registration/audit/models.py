"""The audit trail: an append-only record of every change to a registration."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registration.database import UTCDateTime, utcnow
from registration.extensions import db


class AuditEvent(db.Model):
    """Who changed what, when: old → new values per field."""

    __table_args__ = (sa.Index("ix_audit_event_registration", "registration_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE")
    )
    #: staff, delegate, focal_point or system.
    actor_type: Mapped[str] = mapped_column(sa.String(16))
    actor_staff_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    #: A readable name of the actor kept even if the account is deleted.
    actor_label: Mapped[str] = mapped_column(sa.String(300), default="")
    #: created, updated, approved, withdrawn, photo_replaced, …
    action: Mapped[str] = mapped_column(sa.String(40))
    #: {field: [old, new]}
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
