"""Event setup by admins: the event itself, categories, entities and agenda sessions.

Times arrive as the wall-clock time at the venue (naive datetimes) and are stored in UTC.
"""

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from flask_babel import gettext as _

from registration.audit.services import diff, record
from registration.auth.models import StaffUser
from registration.countries import Country, find_country
from registration.delegates.models import Registration
from registration.delegates.services import REVIEW_FIELDS
from registration.errors import DomainError
from registration.events.models import AgendaSession, Category, Entity, Event
from registration.extensions import db
from registration.i18n import current_language

#: Codes of categories and sessions: lower-case words joined by hyphens, as in event files.
CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COLOUR_PATTERN = re.compile(r"^#[0-9A-Fa-f]{6}$")


class SetupError(DomainError):
    """A setup rule was broken.

    Codes: invalid_timezone, invalid_time, invalid_dates, invalid_window, invalid_code,
    duplicate_code, invalid_colour, invalid_category, invalid_country, invalid_name,
    duplicate_entity, entity_in_use, invalid_session_times.
    """


@dataclass
class EventData:
    """The editable settings of an event; times are local to ``timezone``."""

    title: dict[str, str]
    start_date: date
    end_date: date
    timezone: str
    series: dict[str, str] = field(default_factory=dict)
    organiser: dict[str, str] = field(default_factory=dict)
    venue: dict[str, str] = field(default_factory=dict)
    #: Language of the badges' texts; "" = the meeting's first language.
    badge_language: str = ""
    registration_opens: datetime | None = None
    registration_closes: datetime | None = None
    capacity: int | None = None
    moderation: bool = True
    #: Codes of delegates.services.REVIEW_FIELDS.
    review_fields: list[str] = field(default_factory=list)
    secretariat_email: str = ""
    practical_info: str = ""
    retention_days: int = 90


@dataclass
class CategoryData:
    """A category of participants; ``code`` is fixed once created."""

    code: str
    name: dict[str, str]
    badge_colour: str
    position: int = 0


@dataclass
class EntityData:
    """A State (by ISO code) or an organisation (by name) of a category."""

    category_id: int
    name: str = ""
    iso_code: str = ""
    quota: int | None = None
    #: {language: name} printed instead of the UN name (or ``name``) in that language.
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class SessionData:
    """An agenda session; times are local to the event; ``code`` is fixed once created."""

    code: str
    title: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    description: dict[str, str] = field(default_factory=dict)
    kind: str = "plenary"
    room: str = ""
    moderator: str = ""
    speakers: list[str] = field(default_factory=list)
    capacity: int | None = None


def _zone(name: str) -> ZoneInfo:
    """The timezone called ``name``, or SetupError('invalid_timezone')."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SetupError(
            _("Choose a timezone from the list."), "invalid_timezone", field="timezone"
        ) from error


def to_utc(local: datetime | None, zone: ZoneInfo, field_name: str) -> datetime | None:
    """A wall-clock time at the venue as a UTC moment; refuses times skipped by a clock change."""
    if local is None:
        return None
    moment = local.replace(tzinfo=zone)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise SetupError(
            _("This time does not exist in %(zone)s (the clocks change).", zone=zone.key),
            "invalid_time",
            field=field_name,
        )
    return moment.astimezone(UTC)


def to_local(moment: datetime | None, timezone: str) -> datetime | None:
    """A stored UTC moment as the naive wall-clock time at the venue (for forms)."""
    return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None) if moment else None


def _texts(
    values: dict[str, str], event: Event, prefix: str, *, required: bool = True
) -> dict[str, str]:
    """The meeting's languages' texts without blanks, stored as typed (shown escaped).

    The meeting's first language is required when ``required``; an empty language falls back
    to the first language's text (or, for an entity, to its UN name). Raises
    SetupError('invalid_name') on the first language's field.
    """
    cleaned = {
        language: " ".join(text.split()) if prefix != "description" else text.strip()
        for language, text in values.items()
        if language in event.languages and text and text.strip()
    }
    first = event.first_language
    if required and first not in cleaned:
        language = Locale.parse(first).get_display_name(current_language())
        raise SetupError(
            _("Give the text in %(language)s, the meeting's first language.", language=language),
            "invalid_name",
            field=f"{prefix}_{first}",
        )
    return cleaned


def _audit(action: str, event: Event, by: StaffUser, changes: dict) -> None:
    """Record a setup change in the audit trail, unless nothing changed."""
    if changes:
        record(action, event_id=event.id, actor=by, changes=changes)


def _set_event(event: Event, values: dict, action: str, by: StaffUser) -> dict[str, list]:
    """Set ``values`` on the event, flush, and audit what changed under ``action``."""
    before = {name: getattr(event, name) for name in values}
    for name, value in values.items():
        setattr(event, name, value)
    db.session.flush()
    changes = diff(before, values)
    _audit(action, event, by, changes)
    return changes


def update_event(event: Event, data: EventData, *, by: StaffUser) -> dict[str, list]:
    """Change an event's settings (admins); returns the changes. Raises SetupError."""
    zone = _zone(data.timezone)
    if data.end_date < data.start_date:
        raise SetupError(
            _("The meeting cannot end before it starts."), "invalid_dates", field="end_date"
        )
    opens = to_utc(data.registration_opens, zone, "registration_opens")
    closes = to_utc(data.registration_closes, zone, "registration_closes")
    if opens and closes and closes <= opens:
        raise SetupError(
            _("Registration must close after it opens."),
            "invalid_window",
            field="registration_closes",
        )
    if data.badge_language and data.badge_language not in event.languages:
        raise SetupError(
            _("Choose one of the meeting's languages."), "invalid_language", field="badge_language"
        )
    values = {**asdict(data), "title": _texts(data.title, event, "title")}
    values.update(registration_opens=opens, registration_closes=closes)
    values["badge_language"] = data.badge_language or None
    values.update(
        {
            name: _texts(getattr(data, name), event, name, required=False)
            for name in ("series", "organiser", "venue")
        }
    )
    values.update({name: values[name].strip() for name in ("secretariat_email", "practical_info")})
    values["review_fields"] = [code for code in REVIEW_FIELDS if code in data.review_fields]
    return _set_event(event, values, "event_updated", by)


def _check_code(code: str, existing: set[str]) -> str:
    """A well-formed code not yet used in the event."""
    code = code.strip().lower()
    if not CODE_PATTERN.match(code) or len(code) > 64:
        raise SetupError(
            _("Use lower-case letters, digits and hyphens, e.g. member-state."),
            "invalid_code",
            field="code",
        )
    if code in existing:
        raise SetupError(
            _("This code is already used in this meeting."), "duplicate_code", field="code"
        )
    return code


def save_category(
    event: Event, data: CategoryData, *, category: Category | None = None, by: StaffUser
) -> Category:
    """Add a category to ``event``, or change ``category`` (its code stays). Raises SetupError."""
    if not COLOUR_PATTERN.match(data.badge_colour.strip()):
        raise SetupError(_("Give a colour like #0033A0."), "invalid_colour", field="badge_colour")
    values = {
        "name": _texts(data.name, event, "name"),
        "badge_colour": data.badge_colour.strip().upper(),
        "position": data.position,
    }
    before = {}
    if category is None:
        code = _check_code(data.code, {c.code for c in event.categories})
        category = Category(event=event, code=code)
        db.session.add(category)
    else:
        before = {name: getattr(category, name) for name in values}
    for name, value in values.items():
        setattr(category, name, value)
    db.session.flush()
    _audit("category_saved", event, by, diff(before, {"code": category.code, **values}))
    return category


def save_entity(
    event: Event, data: EntityData, *, entity: Entity | None = None, by: StaffUser
) -> Entity:
    """Add a State or organisation to ``event``, or change ``entity``. Raises SetupError.

    A State is given by its ISO 3166-1 code and named after it; an organisation by its name.
    An entity with registrations keeps its category (their category must stay its own).
    """
    category = db.session.get(Category, data.category_id)
    if category is None or category.event_id != event.id:
        raise SetupError(_("Choose a category."), "invalid_category", field="category")
    name, iso_code = _entity_identity(category, data.name, data.iso_code)
    names = _texts(data.names, event, "names", required=False) if data.names else {}
    if entity is not None and entity.category_id != category.id and _has_registrations(entity):
        raise SetupError(
            _("People are registered for this entity: its category cannot change."),
            "entity_in_use",
            field="category",
        )
    same = Entity.iso_code == iso_code if iso_code else Entity.name == name
    clash = db.session.execute(
        db.select(Entity.id).where(
            Entity.event_id == event.id, Entity.category_id == category.id, same
        )
    ).scalar_one_or_none()
    if clash is not None and (entity is None or clash != entity.id):
        raise SetupError(
            _("%(name)s is already in this category.", name=name),
            "duplicate_entity",
            field="iso_code" if iso_code else "name",
        )
    values = {
        "category_id": category.id,
        "name": name,
        "iso_code": iso_code,
        "quota": data.quota,
        "names": names,
    }
    before = {}
    if entity is None:
        entity = Entity(event=event)
        db.session.add(entity)
    else:
        before = {key: getattr(entity, key) for key in values}
    for key, value in values.items():
        setattr(entity, key, value)
    entity.category = category
    db.session.flush()
    _audit("entity_saved", event, by, diff(before, values))
    return entity


def country_of(code: str) -> Country | None:
    """The UN names record of an ISO 3166-1 alpha-2 or alpha-3 code, or None."""
    return find_country(code)


def _entity_identity(category: Category, name: str, iso_code: str) -> tuple[str, str | None]:
    """(name, ISO code) of an entity.

    States by their code (named by the UN names file); an entity of a State category without a
    code (an observer entity) and an organisation by their name.
    """
    if iso_code.strip() or (category.is_state and not name.strip()):
        country = country_of(iso_code or "")
        if country is None:
            raise SetupError(
                _(
                    "%(code)s is not an ISO 3166-1 code: give the State's code, e.g. NL or "
                    "NLD, or leave it empty and give a name.",
                    code=iso_code.strip() or "—",
                ),
                "invalid_country",
                field="iso_code",
            )
        return country.en, country.iso2
    name = " ".join((name or "").split())
    if not name or len(name) > 300:
        raise SetupError(
            _("Give the organisation's name (up to 300 characters)."), "invalid_name", field="name"
        )
    return name, None


def _has_registrations(entity: Entity) -> bool:
    """Whether anybody ever registered for ``entity``."""
    return (
        db.session.execute(
            db.select(Registration.id).where(Registration.entity_id == entity.id).limit(1)
        ).first()
        is not None
    )


def save_session(
    event: Event, data: SessionData, *, session: AgendaSession | None = None, by: StaffUser
) -> AgendaSession:
    """Add an agenda session to ``event``, or change ``session`` (its code stays).

    Raises SetupError.
    """
    zone = _zone(event.timezone)
    starts_at = to_utc(data.starts_at, zone, "starts_at")
    ends_at = to_utc(data.ends_at, zone, "ends_at")
    if ends_at <= starts_at:
        raise SetupError(
            _("The session must end after it starts."), "invalid_session_times", field="ends_at"
        )
    values = {
        "title": _texts(data.title, event, "title"),
        "description": _texts(data.description, event, "description", required=False),
        "kind": data.kind.strip() or "plenary",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "room": data.room.strip(),
        "moderator": data.moderator.strip(),
        "speakers": [speaker.strip() for speaker in data.speakers if speaker.strip()],
        "capacity": data.capacity,
    }
    before = {}
    if session is None:
        code = _check_code(data.code, {s.code for s in event.sessions})
        session = AgendaSession(event=event, code=code)
        db.session.add(session)
    else:
        before = {name: getattr(session, name) for name in values}
    for name, value in values.items():
        setattr(session, name, value)
    db.session.flush()
    _audit("session_saved", event, by, diff(before, {"code": session.code, **values}))
    return session


def update_certificate(
    event: Event,
    *,
    logo: str | None,
    remove_logo: bool,
    signatory: str,
    signatory_title: str,
    by: StaffUser,
) -> dict[str, list]:
    """Set the certificate's logo (a stored, re-encoded image name) and signature block (admins).

    ``logo`` None keeps the current logo unless ``remove_logo``. Returns the audited changes.
    """
    values = {
        "certificate_logo": None if remove_logo else (logo or event.certificate_logo),
        "certificate_signatory": signatory.strip(),
        "certificate_signatory_title": signatory_title.strip(),
    }
    return _set_event(event, values, "certificate_updated", by)
