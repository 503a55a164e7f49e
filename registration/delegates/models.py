"""Registrations of participants."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registration.database import UTCDateTime, utcnow
from registration.events.models import AgendaSession, Category, Entity, Event
from registration.extensions import db
from registration.security import new_token, seal_token, token_hash, unseal_token

#: What each sealed token is for: the pads of one row's two secrets differ.
MANAGE = "manage"
BADGE = "badge"


def token_columns(purpose: str, token: str) -> dict[str, str]:
    """How ``token`` (MANAGE or BADGE) is stored: its look-up hash and its sealed copy."""
    return {
        f"{purpose}_token_hash": token_hash(token),
        f"{purpose}_token_sealed": seal_token(purpose, token),
    }


class Status(enum.StrEnum):
    """Where a registration stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    WAITLISTED = "waitlisted"


STATUS_LABELS = {
    Status.PENDING: _l("Pending approval"),
    Status.APPROVED: _l("Approved"),
    Status.REJECTED: _l("Rejected"),
    Status.WITHDRAWN: _l("Withdrawn"),
    Status.WAITLISTED: _l("Waiting list"),
}

#: Honorifics are stored as codes and shown in the reader's language.
HONORIFICS = {
    "he": _l("H.E."),
    "mr": _l("Mr"),
    "ms": _l("Ms"),
    "mx": _l("Mx"),
    "dr": _l("Dr"),
    "prof": _l("Prof."),
}


def status_label(status: Status | str) -> str:
    """A status in the reader's language."""
    return str(STATUS_LABELS.get(Status(status), status))


#: Statuses that hold a place and block a second registration of the same person.
ACTIVE_STATUSES = (Status.PENDING, Status.APPROVED, Status.WAITLISTED)
#: Statuses that count against the event's capacity.
PLACE_HOLDING_STATUSES = (Status.PENDING, Status.APPROVED)

_ACTIVE_SQL = "status IN ('pending', 'approved', 'waitlisted')"

registration_session = db.Table(
    "registration_session",
    sa.Column(
        "registration_id",
        sa.ForeignKey("registration.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "session_id", sa.ForeignKey("agenda_session.id", ondelete="CASCADE"), primary_key=True
    ),
    # Per-session counts (capacity, attendance) look registrations up by session.
    sa.Index("ix_registration_session_session", "session_id"),
)


class Registration(db.Model):
    """One person's registration for one event."""

    __table_args__ = (
        # One active registration per person and event, enforced by the database.
        sa.Index(
            "uq_registration_active_person",
            "event_id",
            "person_key",
            unique=True,
            sqlite_where=sa.text(_ACTIVE_SQL),
            postgresql_where=sa.text(_ACTIVE_SQL),
        ),
        sa.Index("ix_registration_event_status", "event_id", "status"),
        sa.Index("ix_registration_event_family", "event_id", "family_name"),
        # Arrival order: the waiting list and the default sort of the back-office list.
        sa.Index("ix_registration_event_created", "event_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    #: Short human reference such as IDM-7K3QX (no 0/O, 1/I/L).
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True)
    #: SHA-256 hex of the manage-my-registration link's secret (≥128 random bits): its look-up.
    manage_token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: That secret sealed under TOKEN_KEY (security.seal_token), so that emails can carry it;
    #: the database alone reveals no usable link.
    manage_token_sealed: Mapped[str] = mapped_column(sa.String(120))
    #: SHA-256 hex of the badge QR code's secret, distinct from the manage token: the look-up
    #: at scan time (and the key of the desk's offline roster).
    badge_token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The badge secret sealed under TOKEN_KEY, so that badges can be printed again.
    badge_token_sealed: Mapped[str] = mapped_column(sa.String(120))
    status: Mapped[Status] = mapped_column(
        sa.Enum(
            Status, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
        ),
        default=Status.PENDING,
    )
    #: Reason given to the delegate on rejection, shown on the manage page.
    status_reason: Mapped[str] = mapped_column(sa.Text, default="")

    honorific: Mapped[str] = mapped_column(sa.String(32), default="")
    given_name: Mapped[str] = mapped_column(sa.String(120))
    family_name: Mapped[str] = mapped_column(sa.String(120))
    #: Optional, for parity statistics: "female", "male", "other" or "".
    gender: Mapped[str] = mapped_column(sa.String(16), default="")
    function: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Ministry, department or unit.
    unit: Mapped[str] = mapped_column(sa.String(200), default="")
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    entity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entity.id"))
    #: Name of an organisation that is not in the event's list ("another organisation").
    other_organisation: Mapped[str] = mapped_column(sa.String(300), default="")
    email: Mapped[str] = mapped_column(sa.String(254))
    #: Normalised email + given + family name: the identity behind the duplicate rule.
    person_key: Mapped[str] = mapped_column(sa.String(600))
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    #: ISO 3166-1 alpha-2.
    nationality: Mapped[str] = mapped_column(sa.String(2), default="")
    #: Language of correspondence: en, fr or es.
    language: Mapped[str] = mapped_column(sa.String(5), default="en")
    head_of_delegation: Mapped[bool] = mapped_column(default=False)
    #: File name of the re-encoded portrait under PHOTO_DIR, or None.
    photo: Mapped[str | None] = mapped_column(sa.String(80))
    dietary_needs: Mapped[str] = mapped_column(sa.String(500), default="")
    accessibility_needs: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Consent to appear in the published list of participants.
    consent_to_list: Mapped[bool] = mapped_column(default=False)
    badge_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: First entry at the venue (mirrors desk.models.Attendance for fast lists and filters).
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    category: Mapped[Category] = relationship()
    entity: Mapped[Entity | None] = relationship()
    sessions: Mapped[list[AgendaSession]] = relationship(
        secondary=registration_session, order_by=AgendaSession.starts_at
    )

    @property
    def full_name(self) -> str:
        """Honorific, given name and FAMILY NAME, as on badges and lists."""
        honorific = str(HONORIFICS.get(self.honorific, self.honorific))
        parts = [honorific, self.given_name, self.family_name.upper()]
        return " ".join(part for part in parts if part)

    @property
    def manage_token(self) -> str:
        """The secret of the manage-my-registration link (unsealed; never stored as such)."""
        return unseal_token(MANAGE, self.manage_token_sealed, self.manage_token_hash)

    @property
    def badge_token(self) -> str:
        """The secret the badge QR code holds (unsealed; never stored as such)."""
        return unseal_token(BADGE, self.badge_token_sealed, self.badge_token_hash)

    def issue_manage_token(self) -> str:
        """Give the registration a new manage link; the previous one stops working."""
        return self._issue(MANAGE)

    def issue_badge_token(self) -> str:
        """Give the registration a new badge secret; badges printed before stop scanning."""
        return self._issue(BADGE)

    def _issue(self, purpose: str) -> str:
        token = new_token()
        for name, value in token_columns(purpose, token).items():
            setattr(self, name, value)
        return token

    @property
    def organisation_name(self) -> str:
        """The entity's name in the reader's language, or the free-text organisation."""
        return self.entity.name_in() if self.entity else self.other_organisation

    @property
    def is_active(self) -> bool:
        """Whether the registration still holds or waits for a place."""
        return self.status in ACTIVE_STATUSES

    def __repr__(self) -> str:
        return f"<Registration {self.reference} {self.status}>"
