"""Focal points of States and organisations, and the nomination letters of delegations."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registration.database import UTCDateTime, utcnow
from registration.delegates.models import Registration
from registration.events.models import Entity, Event
from registration.extensions import db


class FocalPoint(db.Model):
    """A person who registers and manages the delegates of one entity through a secret link."""

    __table_args__ = (sa.UniqueConstraint("entity_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(sa.ForeignKey("entity.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    #: Language of the invitation and of the pages: en, fr or es.
    language: Mapped[str] = mapped_column(sa.String(5), default="en")
    #: SHA-256 of the secret link's token: a stolen database does not open any delegation.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when staff withdraw the link; the token then opens nothing.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entity: Mapped[Entity] = relationship()

    @property
    def is_active(self) -> bool:
        """Whether the secret link still works."""
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<FocalPoint {self.email} for {self.entity_id}>"


class NominationLetter(db.Model):
    """A note verbale or nomination letter (PDF), kept in the file storage, shown to staff."""

    __table_args__ = (sa.Index("ix_nomination_letter_event_entity", "event_id", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    #: The delegation it concerns; None for a delegate of an organisation not in the list.
    entity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entity.id", ondelete="CASCADE"))
    #: The registration it was sent with, when a delegate uploaded it from their link.
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL")
    )
    #: Random name in the file storage (documents/<name>; never derived from the upload).
    stored_name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    #: The uploader's file name, cleaned, offered when staff download it.
    filename: Mapped[str] = mapped_column(sa.String(200))
    size: Mapped[int]
    pages: Mapped[int]
    #: delegate, focal_point or staff.
    uploaded_by: Mapped[str] = mapped_column(sa.String(16))
    #: A readable name of the uploader, kept if their account or link disappears.
    uploader_label: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    entity: Mapped[Entity | None] = relationship()
    registration: Mapped[Registration | None] = relationship()

    def __repr__(self) -> str:
        return f"<NominationLetter {self.filename}>"
