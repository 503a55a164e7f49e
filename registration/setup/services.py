"""Event setup by admins: the event itself, categories, entities and agenda sessions.

Times arrive as the wall-clock time at the venue (naive datetimes) and are stored in UTC.
"""

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry
from flask_babel import gettext as _

from registration.audit.services import diff, record
from registration.auth.models import StaffUser
from registration.delegates.models import Registration
from registration.errors import DomainError
from registration.events.models import AgendaSession, Category, Entity, Event
from registration.extensions import db

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
    series: str = ""
    organiser: str = ""
    venue: str = ""
    registration_opens: datetime | None = None
    registration_closes: datetime | None = None
    capacity: int | None = None
    moderation: bool = True
    reapprove_on_key_edit: bool = True
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


@dataclass
class SessionData:
    """An agenda session; times are local to the event; ``code`` is fixed once created."""

    code: str
    title: str
    starts_at: datetime
    ends_at: datetime
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


def _texts(values: dict[str, str]) -> dict[str, str]:
    """Translations without blanks; English is required."""
    cleaned = {language: text.strip() for language, text in values.items() if text.strip()}
    if "en" not in cleaned:
        raise SetupError(_("An English text is required."), "invalid_name")
    return cleaned


def _audit(action: str, event: Event, by: StaffUser, changes: dict) -> None:
    """Record a setup change in the audit trail, unless nothing changed."""
    if changes:
        record(action, event_id=event.id, actor=by, changes=changes)


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
    values = {**asdict(data), "title": _texts(data.title)}
    values.update(registration_opens=opens, registration_closes=closes)
    values.update({name: values[name].strip() for name in ("series", "organiser", "venue")})
    before = {name: getattr(event, name) for name in values}
    for name, value in values.items():
        setattr(event, name, value)
    db.session.flush()
    changes = diff(before, values)
    _audit("event_updated", event, by, changes)
    return changes


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
        "name": _texts(data.name),
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
    if entity is not None and entity.category_id != category.id and _has_registrations(entity):
        raise SetupError(
            _("People are registered for this entity: its category cannot change."),
            "entity_in_use",
            field="category",
        )
    clash = db.session.execute(
        db.select(Entity.id).where(
            Entity.event_id == event.id, Entity.category_id == category.id, Entity.name == name
        )
    ).scalar_one_or_none()
    if clash is not None and (entity is None or clash != entity.id):
        raise SetupError(
            _("%(name)s is already in this category.", name=name),
            "duplicate_entity",
            field="iso_code" if iso_code else "name",
        )
    values = {"category_id": category.id, "name": name, "iso_code": iso_code, "quota": data.quota}
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


def country_of(code: str):
    """The pycountry record of an ISO 3166-1 alpha-2 or alpha-3 code, or None."""
    code = code.strip().upper()
    if len(code) == 2:
        return pycountry.countries.get(alpha_2=code)
    if len(code) == 3:
        return pycountry.countries.get(alpha_3=code)
    return None


def _entity_identity(category: Category, name: str, iso_code: str) -> tuple[str, str | None]:
    """(name, ISO code) of an entity: States by code, organisations by name."""
    if category.is_state:
        country = country_of(iso_code or "")
        if country is None:
            raise SetupError(
                _("Give the State's ISO 3166-1 code, e.g. NL or NLD."),
                "invalid_country",
                field="iso_code",
            )
        return country.name, country.alpha_2
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
    title = data.title.strip()
    if not title:
        raise SetupError(_("Give the session's title."), "invalid_name", field="title")
    values = {
        "title": title,
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
