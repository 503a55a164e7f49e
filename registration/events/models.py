"""Events and what they are made of: agenda sessions, categories of participants, entities."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registration.countries import find_country
from registration.database import UTCDateTime, utcnow
from registration.extensions import db
from registration.i18n import current_language, localised


class Translated:
    """A model whose texts are {language: text} dicts, shown through ``localized``.

    A text missing in a language falls back to the meeting's first language (the one the
    secretariat writes in), then to any language that has it.
    """

    #: The {language: text} columns of the model.
    TRANSLATED: tuple[str, ...] = ()

    def _meeting(self) -> "Event":
        """The event whose languages apply."""
        return self.event

    def localized(self, field: str, language: str | None = None) -> str:
        """The text of ``field`` in ``language`` (the reader's by default), with the fallback."""
        languages = self._meeting().languages or ["en"]
        return localised(getattr(self, field), language or current_language(), languages[0])

    def is_fallback(self, field: str, language: str | None = None) -> bool:
        """Whether ``field`` has no text of its own in ``language`` (the fallback is shown)."""
        return not (getattr(self, field) or {}).get(language or current_language())


class Event(Translated, db.Model):
    """A meeting that people register for."""

    TRANSLATED = ("title", "series", "organiser", "venue")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    #: {"en": …, "fr": …, "es": …}
    title: Mapped[dict] = mapped_column(sa.JSON)
    series: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    organiser: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    start_date: Mapped[date]
    end_date: Mapped[date]
    #: IANA name; times are stored in UTC and shown in this zone.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    venue: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Languages of the meeting, e.g. ["en", "fr", "es"]; the first is the fallback of texts.
    languages: Mapped[list] = mapped_column(sa.JSON, default=lambda: ["en"])
    #: Language of the badges' printed texts (title, category, entity); None = the first language.
    badge_language: Mapped[str | None] = mapped_column(sa.String(5))
    #: Prefix of the short human references, e.g. "IDM" in IDM-7K3QX.
    reference_prefix: Mapped[str] = mapped_column(sa.String(8), default="REG")
    registration_opens: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Places for pending + approved registrations; None = unlimited.
    capacity: Mapped[int | None]
    #: True: registrations wait for the secretariat's approval.
    moderation: Mapped[bool] = mapped_column(default=True)
    #: Which fields, changed by a delegate or focal point, send an approved registration back
    #: to review: codes of delegates.services.REVIEW_FIELDS, e.g. ["category", "entity"].
    review_fields: Mapped[list] = mapped_column(
        sa.JSON, default=lambda: ["category", "entity", "sessions"]
    )
    #: Address told when a delegate changes a registration ("" = nobody is emailed).
    secretariat_email: Mapped[str] = mapped_column(sa.String(254), default="")
    #: Practical information (venue, access, programme) sent with the approval email.
    practical_info: Mapped[str] = mapped_column(sa.Text, default="")
    #: Stored name of the certificate's logo (re-encoded PNG), or None.
    certificate_logo: Mapped[str | None] = mapped_column(sa.String(80))
    #: Signature block of the certificate: the signatory's name and title.
    certificate_signatory: Mapped[str] = mapped_column(sa.String(200), default="")
    certificate_signatory_title: Mapped[str] = mapped_column(sa.String(300), default="")
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

    def _meeting(self) -> "Event":
        return self

    def title_in(self, language: str | None = None) -> str:
        """The title in ``language`` (the reader's by default)."""
        return self.localized("title", language)

    @property
    def first_language(self) -> str:
        """The meeting's first language: texts missing in another language fall back to it."""
        return (self.languages or ["en"])[0]

    def registration_open_at(self, moment: datetime) -> bool:
        """Whether the registration window includes ``moment``."""
        if self.registration_opens and moment < self.registration_opens:
            return False
        return not (self.registration_closes and moment >= self.registration_closes)

    def has_ended(self, moment: datetime | None = None) -> bool:
        """Whether the meeting's last day is over at the venue (certificates wait for it)."""
        moment = moment or utcnow()
        return moment.astimezone(ZoneInfo(self.timezone)).date() > self.end_date

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class AgendaSession(Translated, db.Model):
    """One item of the agenda; delegates choose the ones they attend."""

    TRANSLATED = ("title", "description")

    __table_args__ = (sa.UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(64))
    #: {"en": …, "fr": …, "es": …}
    title: Mapped[dict] = mapped_column(sa.JSON)
    #: {"en": …, …}: what the session is about, shown on the event page.
    description: Mapped[dict] = mapped_column(sa.JSON, default=dict)
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

    def title_in(self, language: str | None = None) -> str:
        """The title in ``language`` (the reader's by default)."""
        return self.localized("title", language)

    def __repr__(self) -> str:
        return f"<AgendaSession {self.code}>"


class Category(Translated, db.Model):
    """A group of participants (Member States, NGOs, media…), ordered as in the list."""

    TRANSLATED = ("name",)

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
        return self.localized("name", language)

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
    #: The organisation's name; for a State, its English UN short name (its identity in lists).
    name: Mapped[str] = mapped_column(sa.String(300))
    #: {language: name} set by staff, replacing the UN name or ``name`` in that language.
    names: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: ISO 3166-1 alpha-2 for States; None for organisations and entities without a code.
    iso_code: Mapped[str | None] = mapped_column(sa.String(2))
    #: Most active registrations allowed for this entity; None = no quota.
    quota: Mapped[int | None]

    event: Mapped[Event] = relationship(back_populates="entities")
    category: Mapped[Category] = relationship(back_populates="entities")

    def name_in(self, language: str | None = None) -> str:
        """The name printed in ``language`` (the reader's by default).

        Staff's name for that language, else the UN short name of the ISO code, else the
        staff's name in the meeting's first language, else the name the entity was created with.
        """
        language = language or current_language()
        if (self.names or {}).get(language):
            return self.names[language]
        country = find_country(self.iso_code) if self.iso_code else None
        if country is not None:
            return country.name(language) or country.en
        return localised(self.names, self.event.first_language) or self.name

    def __repr__(self) -> str:
        return f"<Entity {self.iso_code or self.name}>"
