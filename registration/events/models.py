"""Events and what they are made of: agenda sessions, categories of participants, entities."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registration.database import UTCDateTime, utcnow
from registration.extensions import db
from registration.i18n import country_name, localised


class Event(db.Model):
    """A meeting that people register for."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    #: {"en": …, "fr": …, "es": …}
    title: Mapped[dict] = mapped_column(sa.JSON)
    series: Mapped[str] = mapped_column(sa.String(300), default="")
    organiser: Mapped[str] = mapped_column(sa.String(300), default="")
    start_date: Mapped[date]
    end_date: Mapped[date]
    #: IANA name; times are stored in UTC and shown in this zone.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    venue: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Languages of the meeting, e.g. ["en", "fr", "es"].
    languages: Mapped[list] = mapped_column(sa.JSON, default=lambda: ["en"])
    #: Prefix of the short human references, e.g. "IDM" in IDM-7K3QX.
    reference_prefix: Mapped[str] = mapped_column(sa.String(8), default="REG")
    registration_opens: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Places for pending + approved registrations; None = unlimited.
    capacity: Mapped[int | None]
    #: True: registrations wait for the secretariat's approval.
    moderation: Mapped[bool] = mapped_column(default=True)
    #: True: a delegate's edit of name, entity, category or photo sends an approved
    #: registration back to pending.
    reapprove_on_key_edit: Mapped[bool] = mapped_column(default=True)
    #: Days after the meeting's last day when the personal data of its registrations is erased
    #: (statistics are kept); see registration.privacy.
    retention_days: Mapped[int] = mapped_column(default=90, server_default="90")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sessions: Mapped[list["AgendaSession"]] = relationship(
        back_populates="event", order_by="AgendaSession.starts_at, AgendaSession.id"
    )
    categories: Mapped[list["Category"]] = relationship(
        back_populates="event", order_by="Category.position"
    )
    entities: Mapped[list["Entity"]] = relationship(back_populates="event")

    def title_in(self, language: str | None = None) -> str:
        """The title in ``language`` (the reader's by default)."""
        return localised(self.title, language)

    def registration_open_at(self, moment: datetime) -> bool:
        """Whether the registration window includes ``moment``."""
        if self.registration_opens and moment < self.registration_opens:
            return False
        return not (self.registration_closes and moment >= self.registration_closes)

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class AgendaSession(db.Model):
    """One item of the agenda; delegates choose the ones they attend."""

    __table_args__ = (sa.UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(300))
    #: plenary, logistics, side-event, …
    kind: Mapped[str] = mapped_column(sa.String(32), default="plenary")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room: Mapped[str] = mapped_column(sa.String(200), default="")
    moderator: Mapped[str] = mapped_column(sa.Text, default="")
    speakers: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Seats; None = unlimited.
    capacity: Mapped[int | None]

    event: Mapped[Event] = relationship(back_populates="sessions")

    def __repr__(self) -> str:
        return f"<AgendaSession {self.code}>"


class Category(db.Model):
    """A group of participants (Member States, NGOs, media…), ordered as in the list."""

    __table_args__ = (sa.UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(64))
    #: {"en": …, "fr": …, "es": …}
    name: Mapped[dict] = mapped_column(sa.JSON)
    badge_colour: Mapped[str] = mapped_column(sa.String(7), default="#404040")
    #: Order in the list of participants and on forms.
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="categories")
    entities: Mapped[list["Entity"]] = relationship(back_populates="category")

    @property
    def is_state(self) -> bool:
        """States are represented by ISO-coded entities, not free-text organisations."""
        return self.code in {"member-state", "observer-state"}

    def name_in(self, language: str | None = None) -> str:
        """The name in ``language`` (the reader's by default)."""
        return localised(self.name, language)

    def __repr__(self) -> str:
        return f"<Category {self.code}>"


class Entity(db.Model):
    """The State or organisation that a delegate represents."""

    __table_args__ = (
        sa.UniqueConstraint("event_id", "category_id", "name"),
        sa.Index("ix_entity_event_iso", "event_id", "iso_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id", ondelete="CASCADE"))
    #: The organisation's name; for a State, its English short name (shown localised by ISO code).
    name: Mapped[str] = mapped_column(sa.String(300))
    #: ISO 3166-1 alpha-2 for States, None for organisations.
    iso_code: Mapped[str | None] = mapped_column(sa.String(2))
    #: Most active registrations allowed for this entity; None = no quota.
    quota: Mapped[int | None]

    event: Mapped[Event] = relationship(back_populates="entities")
    category: Mapped[Category] = relationship(back_populates="entities")

    def name_in(self, language: str | None = None) -> str:
        """A State's name in ``language``; an organisation's name as registered."""
        return country_name(self.iso_code, language) if self.iso_code else self.name

    def __repr__(self) -> str:
        return f"<Entity {self.iso_code or self.name}>"
