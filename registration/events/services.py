"""Importing events from YAML files."""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry
import yaml

from registration.errors import DomainError
from registration.events.models import AgendaSession, Category, Entity, Event
from registration.extensions import db

STATE_CATEGORIES = ("member-state", "observer-state")
_COLOUR_DIGITS = set("0123456789abcdefABCDEF")


class EventFileError(DomainError):
    """An event file is not valid; the message names the line and the field."""

    code = "invalid_event_file"


def _line_of(node: yaml.Node | None, path: tuple) -> int | None:
    """The 1-based line of the value at ``path`` in a composed YAML tree (nearest known)."""
    line = node.start_mark.line + 1 if node is not None else None
    for step in path:
        if isinstance(node, yaml.MappingNode):
            node = next((value for key, value in node.value if key.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            node = node.value[step] if step < len(node.value) else None
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


class _Reader:
    """Reads fields from the parsed file, reporting errors as 'line N: path: problem'."""

    def __init__(self, text: str):
        try:
            self.data = yaml.safe_load(text)
            self.tree = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"line {mark.line + 1}: " if mark else ""
            problem = getattr(error, "problem", error)
            raise EventFileError(f"{where}not valid YAML ({problem})") from error
        if not isinstance(self.data, dict):
            raise EventFileError("line 1: the file must be a mapping with an 'event' key")

    def fail(self, path: tuple, problem: str) -> EventFileError:
        """An error naming the line and field of ``path``."""
        field = ".".join(f"[{step}]" if isinstance(step, int) else str(step) for step in path)
        field = field.replace(".[", "[")
        return EventFileError(f"line {_line_of(self.tree, path)}: {field}: {problem}")

    def get(self, path: tuple, kind: type | tuple, *, required: bool = True, default=None):
        """The value at ``path``, checked to be of ``kind``."""
        value: Any = self.data
        for step in path:
            if isinstance(value, dict):
                value = value.get(step)
            elif isinstance(value, list) and isinstance(step, int) and step < len(value):
                value = value[step]
            else:
                value = None
            if value is None:
                break
        if value is None:
            if required:
                raise self.fail(path, "missing")
            return default
        if kind in (date, datetime) and isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError as error:
                raise self.fail(
                    path, f"expected a date like 2008-07-07T09:00, found {value!r}"
                ) from error
            value = value if kind is datetime else value.date()
        if kind is datetime and isinstance(value, date) and not isinstance(value, datetime):
            value = datetime.combine(value, datetime.min.time())
        if kind is str and isinstance(value, int | float):
            value = str(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            expected = (
                kind.__name__
                if isinstance(kind, type)
                else " or ".join(item.__name__ for item in kind)
            )
            raise self.fail(path, f"expected {expected}, found {value!r}")
        return value

    def translations(self, path: tuple, *, required: bool = True) -> dict[str, str]:
        """A {language: text} mapping, or a plain string taken as English."""
        value = self.get(path, (dict, str), required=required, default={})
        if isinstance(value, str):
            return {"en": value}
        if not value.get("en"):
            raise self.fail(path, "needs at least an English ('en') text")
        return {str(key): str(text) for key, text in value.items()}


def _localise(naive: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time at the venue as an aware UTC moment."""
    return naive.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))


def import_event(text: str, *, shift_days: int = 0) -> Event:
    """Create or update the event described by a YAML file (the demo file's format).

    Re-importing updates in place by slug and codes, never duplicating. ``shift_days`` moves
    every date and time by that many days (used to make the demo open for registration today).
    Raises EventFileError naming the line and field; nothing is changed then, because every
    check runs before the first write.
    """
    reader = _Reader(text)
    spec = _read_spec(reader, timedelta(days=shift_days))
    return _apply_spec(spec)


def _read_spec(reader: _Reader, shift: timedelta) -> dict:
    """Validate the whole file into plain data before anything is written."""
    slug = reader.get(("event", "slug"), str)
    zone_name = reader.get(("event", "timezone"), str, required=False, default="UTC")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise reader.fail(("event", "timezone"), f"unknown timezone {zone_name!r}") from error
    start = reader.get(("event", "start"), date) + shift
    end = reader.get(("event", "end"), date) + shift
    if end < start:
        raise reader.fail(("event", "end"), "ends before it starts")

    def moment(path: tuple, required: bool = True) -> datetime | None:
        value = reader.get(path, datetime, required=required)
        return _localise(value + shift, zone) if value is not None else None

    opens = moment(("event", "registration", "opens"), required=False)
    closes = moment(("event", "registration", "closes"), required=False)
    if opens and closes and closes <= opens:
        raise reader.fail(("event", "registration", "closes"), "closes before it opens")
    capacity = reader.get(("event", "registration", "capacity"), int, required=False)
    if capacity is not None and capacity < 1:
        raise reader.fail(("event", "registration", "capacity"), "must be at least 1")
    languages = reader.get(("event", "languages"), list, required=False, default=["en"])
    event = {
        "slug": slug,
        "title": reader.translations(("event", "title")),
        "series": reader.get(("event", "series"), str, required=False, default=""),
        "organiser": reader.get(("event", "organiser"), str, required=False, default=""),
        "start_date": start,
        "end_date": end,
        "timezone": zone_name,
        "venue": reader.get(("event", "venue"), str, required=False, default=""),
        "languages": [str(language) for language in languages],
        "reference_prefix": reader.get(
            ("event", "reference_prefix"), str, required=False, default=slug.split("-")[0]
        ).upper()[:8],
        "registration_opens": opens,
        "registration_closes": closes,
        "capacity": capacity,
        "moderation": reader.get(
            ("event", "registration", "moderation"), bool, required=False, default=True
        ),
    }
    categories = []
    for index, _item in enumerate(reader.get(("categories",), list)):
        path = ("categories", index)
        colour = reader.get((*path, "badge_colour"), str, required=False, default="#404040")
        if len(colour) != 7 or colour[0] != "#" or not set(colour[1:]) <= _COLOUR_DIGITS:
            raise reader.fail(
                (*path, "badge_colour"), f"expected a colour like #0033A0, found {colour!r}"
            )
        categories.append(
            {
                "code": reader.get((*path, "code"), str),
                "name": reader.translations((*path, "name")),
                "badge_colour": colour,
                "position": index,
            }
        )
    codes = [category["code"] for category in categories]
    if len(set(codes)) != len(codes):
        raise reader.fail(("categories",), "category codes must be unique")
    entities = []
    for code, _items in (reader.get(("entities",), dict, required=False, default={})).items():
        if code not in codes:
            raise reader.fail(("entities", code), "no category has this code")
        for index, item in enumerate(
            reader.get(("entities", code), list, required=False, default=[])
        ):
            path = ("entities", code, index)
            if code in STATE_CATEGORIES:
                country = pycountry.countries.get(alpha_2=str(item).upper())
                if country is None:
                    raise reader.fail(path, f"{item!r} is not an ISO 3166-1 alpha-2 country code")
                entities.append(
                    {"category": code, "name": country.name, "iso_code": country.alpha_2}
                )
            else:
                entities.append({"category": code, "name": reader.get(path, str), "iso_code": None})
    sessions = []
    for index, _item in enumerate(reader.get(("sessions",), list, required=False, default=[])):
        path = ("sessions", index)
        starts_at, ends_at = moment((*path, "start")), moment((*path, "end"))
        if ends_at < starts_at:
            raise reader.fail((*path, "end"), "ends before it starts")
        speakers = reader.get((*path, "speakers"), list, required=False, default=[])
        sessions.append(
            {
                "code": reader.get((*path, "code"), str),
                "title": reader.get((*path, "title"), str),
                "kind": reader.get((*path, "kind"), str, required=False, default="plenary"),
                "starts_at": starts_at,
                "ends_at": ends_at,
                "room": reader.get((*path, "room"), str, required=False, default=""),
                "moderator": reader.get((*path, "moderator"), str, required=False, default=""),
                "speakers": [str(speaker) for speaker in speakers],
                "capacity": reader.get((*path, "capacity"), int, required=False),
            }
        )
    session_codes = [session["code"] for session in sessions]
    if len(set(session_codes)) != len(session_codes):
        raise reader.fail(("sessions",), "session codes must be unique")
    return {"event": event, "categories": categories, "entities": entities, "sessions": sessions}


def _apply_spec(spec: dict) -> Event:
    """Write validated data, matching existing rows by slug and codes."""
    event = db.session.execute(
        db.select(Event).where(Event.slug == spec["event"]["slug"])
    ).scalar_one_or_none()
    if event is None:
        event = Event()
        db.session.add(event)
    for field, value in spec["event"].items():
        setattr(event, field, value)
    db.session.flush()

    categories = {category.code: category for category in event.categories}
    for data in spec["categories"]:
        category = categories.get(data["code"])
        if category is None:
            category = categories[data["code"]] = Category(event=event)
            db.session.add(category)
        for field, value in data.items():
            setattr(category, field, value)
    db.session.flush()

    existing = {
        (entity.category_id, entity.iso_code or entity.name): entity for entity in event.entities
    }
    for data in spec["entities"]:
        category = categories[data["category"]]
        key = (category.id, data["iso_code"] or data["name"])
        if key not in existing:
            existing[key] = Entity(
                event=event, category=category, name=data["name"], iso_code=data["iso_code"]
            )
            db.session.add(existing[key])

    sessions = {session.code: session for session in event.sessions}
    for data in spec["sessions"]:
        session = sessions.get(data["code"])
        if session is None:
            session = sessions[data["code"]] = AgendaSession(event=event)
            db.session.add(session)
        for field, value in data.items():
            setattr(session, field, value)
    db.session.flush()
    return event


def get_event(slug: str) -> Event | None:
    """The event with this slug, if any."""
    return db.session.execute(db.select(Event).where(Event.slug == slug)).scalar_one_or_none()
