"""Registrations of participants."""

import enum
import unicodedata
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext, lazy_pgettext, pgettext
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

#: Honorifics are stored as codes and shown in the reader's language ("H.E. Ms" is
#: "S.E. Mme" in French and "Excma. Sra." in Spanish).
HONORIFICS = {
    "he-ms": _l("H.E. Ms"),
    "he-mr": _l("H.E. Mr"),
    "he": _l("H.E."),
    "amb": _l("Amb."),
    "hon": _l("Hon."),
    "ms": _l("Ms"),
    "mrs": _l("Mrs"),
    "mr": _l("Mr"),
    "mx": _l("Mx"),
    "dr": _l("Dr"),
    "prof": _l("Prof."),
    "mgr": _l("Mgr"),
    "rev": _l("Rev."),
}
#: Honorifics that say the person's grammatical gender (the others leave it to ``gender``).
_HONORIFIC_GENDER = {
    "he-ms": "female",
    "ms": "female",
    "mrs": "female",
    "he-mr": "male",
    "mr": "male",
}
#: Honorifics written differently for a woman in some language (Spanish "Dra.").
_FEMININE_HONORIFICS = {
    "dr": lazy_pgettext("female", "Dr"),
    "prof": lazy_pgettext("female", "Prof."),
}


#: The grammatical genders: feminine, masculine, unknown.
GENDERS = ("female", "male", "")


# The contexts are literal so that pybabel extracts each gendered form for translators.
def head_label(gender: str) -> str:
    """ "Head of delegation" in the reader's language for a person of ``gender``."""
    if gender == "female":
        return pgettext("female", "Head of delegation")
    if gender == "male":
        return pgettext("male", "Head of delegation")
    return gettext("Head of delegation")


def salutation(honorific: str, gender: str, name: str) -> str:
    """The greeting of a letter ("Estimada …:", "Madame …,", "Excelentísimo señor:")."""
    if honorific.startswith("he"):
        if gender == "female":
            return pgettext("female", "Excellency,")
        if gender == "male":
            return pgettext("male", "Excellency,")
        return gettext("Excellency,")
    if gender == "female":
        return pgettext("female", "Dear %(name)s,", name=name)
    if gender == "male":
        return pgettext("male", "Dear %(name)s,", name=name)
    return gettext("Dear %(name)s,", name=name)


def grammatical_gender(honorific: str, gender: str) -> str:
    """ "female", "male" or "" (unknown): from the honorific, else the gender given."""
    return _HONORIFIC_GENDER.get(honorific) or (gender if gender in ("female", "male") else "")


def full_name(honorific: str, gender: str, given_name: str, family_name: str) -> str:
    """Honorific (in its gendered form), given name and FAMILY NAME, as on badges and lists."""
    label = honorific_label(honorific, grammatical_gender(honorific, gender))
    return " ".join(part for part in (label, given_name, family_name.upper()) if part)


def honorific_label(honorific: str, gender: str = "") -> str:
    """An honorific code in the reader's language, in its feminine form where one exists."""
    if gender == "female" and honorific in _FEMININE_HONORIFICS:
        return str(_FEMININE_HONORIFICS[honorific])
    return str(HONORIFICS.get(honorific, honorific))


#: Stored codes of gender and language, in words.
GENDER_LABELS = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other")}
LANGUAGE_LABELS = {"en": _l("English"), "fr": _l("French"), "es": _l("Spanish")}


def gender_label(gender: str) -> str:
    """A stored gender in the reader's language ("" stays empty)."""
    return str(GENDER_LABELS.get(gender, gender))


def language_label(language: str) -> str:
    """A language code (en, fr, es) as its name in the reader's language."""
    return str(LANGUAGE_LABELS.get(language, language))


#: Audited fields of a registration, in the reader's language (trail, notices to staff).
FIELD_LABELS = {
    "status": _l("Status"),
    "status_reason": _l("Reason given"),
    "honorific": _l("Honorific"),
    "given_name": _l("Given name(s)"),
    "family_name": _l("Family name"),
    "gender": _l("Gender"),
    "function": _l("Function or title"),
    "unit": _l("Ministry, department or unit"),
    "category_id": _l("Category"),
    "entity_id": _l("State or organisation"),
    "other_organisation": _l("Other organisation"),
    "email": _l("Email"),
    "phone": _l("Telephone"),
    "nationality": _l("Nationality"),
    "language": _l("Language of correspondence"),
    "head_of_delegation": _l("Head of delegation"),
    "photo": _l("Photo"),
    "session_ids": _l("Sessions"),
    "dietary_needs": _l("Dietary requirements"),
    "accessibility_needs": _l("Accessibility requirements"),
    "consent_to_list": _l("In the list of participants"),
    "nomination_letter": _l("Nomination letter"),
    "checked_in_at": _l("Checked in"),
    "badge_printed_at": _l("Badge printed"),
    "annul_reason": _l("Reason given"),
}


def display_email(address: str) -> str:
    """An address with its internationalised domain in Unicode (xn--… labels decoded)."""
    local, at, domain = (address or "").rpartition("@")
    if not at or "xn--" not in domain:
        return address or ""
    try:
        return f"{local}@{domain.encode('ascii').decode('idna')}"
    except UnicodeError:  # not valid punycode: show it as stored
        return address


def status_label(status: Status | str) -> str:
    """A status in the reader's language."""
    return str(STATUS_LABELS.get(Status(status), status))


#: Special-category (health-related) fields: shown and exported only to
#: auth.decorators.SPECIAL_CATEGORY_ROLES.
SPECIAL_CATEGORY_FIELDS = ("dietary_needs", "accessibility_needs")

#: Statuses that hold a place and block a second registration of the same person.
ACTIVE_STATUSES = (Status.PENDING, Status.APPROVED, Status.WAITLISTED)
#: Statuses that count against the event's capacity.
PLACE_HOLDING_STATUSES = (Status.PENDING, Status.APPROVED)

_ACTIVE_SQL = "status IN ('pending', 'approved', 'waitlisted')"

#: Registration columns folded into Registration.search_text.
SEARCHED_COLUMNS = ("given_name", "family_name", "other_organisation", "reference")


def fold_search(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: "GÓMEZ-ÑÚÑEZ" becomes "gomez nunez"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = (char for char in decomposed if not unicodedata.combining(char))
    return " ".join("".join(char if char.isalnum() else " " for char in bare).split())


def _search_text(context) -> str:
    """Default of Registration.search_text, for ORM and bulk (Core) inserts alike."""
    values = context.get_current_parameters()
    return fold_search(" ".join(values.get(name) or "" for name in SEARCHED_COLUMNS))


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
        # The desk's search reads only this narrow index, never the wide rows.
        sa.Index("ix_registration_event_search", "event_id", "search_text"),
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
    #: Name of the re-encoded portrait in the file storage (photos/<name>), or None.
    photo: Mapped[str | None] = mapped_column(sa.String(80))
    dietary_needs: Mapped[str] = mapped_column(sa.String(500), default="")
    accessibility_needs: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Consent to appear in the published list of participants.
    consent_to_list: Mapped[bool] = mapped_column(default=False)
    badge_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: First entry at the venue (mirrors desk.models.Attendance for fast lists and filters).
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Name, organisation and reference folded by fold_search (kept up to date by the model).
    search_text: Mapped[str] = mapped_column(sa.String(800), default=_search_text)
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
        return full_name(self.honorific, self.gender, self.given_name, self.family_name)

    @property
    def grammatical_gender(self) -> str:
        """ "female", "male" or "": chooses Estimada/Estimado, Madame/Monsieur, Jefa/Jefe."""
        return grammatical_gender(self.honorific, self.gender)

    @property
    def salutation(self) -> str:
        """The greeting of a letter to this person in the reader's language."""
        name = f"{self.given_name} {self.family_name.upper()}"
        return salutation(self.honorific, self.grammatical_gender, name)

    @property
    def head_of_delegation_label(self) -> str:
        """ "Head of delegation" in the reader's language and the person's gender."""
        return head_label(self.grammatical_gender)

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


@sa.event.listens_for(Registration, "before_update")
def _refresh_search_text(_mapper, _connection, target: Registration) -> None:
    """Keep search_text in step with the names, organisation and reference."""
    target.search_text = fold_search(
        " ".join(getattr(target, name) or "" for name in SEARCHED_COLUMNS)
    )
