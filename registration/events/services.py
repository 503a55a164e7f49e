"""Importing events from YAML files."""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from babel import Locale, UnknownLocaleError

from registration.countries import find_country
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
        #: The meeting's languages, the first being the one every text must have.
        self.languages = ["en"]
        #: Texts missing in a language (shown in the first language): reported, not refused.
        self.warnings: list[str] = []
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

    def where(self, path: tuple) -> str:
        """'line N: field' for a warning."""
        return self.fail(path, "").message.rstrip(": ")

    def translations(self, path: tuple, *, required: bool = True) -> dict[str, str]:
        """A {language: text} mapping of the meeting's languages, or a plain string.

        A plain string is the text in the meeting's first language. A mapping must hold that
        language and only the meeting's languages; another missing language is a warning (the
        first language's text is shown there).
        """
        value = self.get(path, (dict, str, int, float), required=required, default={})
        first = self.languages[0]
        if not isinstance(value, dict):
            value = {first: value}
        texts = {}
        for key, text in value.items():
            if key not in self.languages:
                raise self.fail(
                    path,
                    f"{key!r} is not one of the meeting's languages ({', '.join(self.languages)})",
                )
            if text is not None and not isinstance(text, str | int | float):
                raise self.fail((*path, key), f"expected a text, found {text!r}")
            if text is not None and str(text).strip():
                texts[key] = str(text).strip()
        if not texts and not required:
            return {}
        if first not in texts:
            raise self.fail(path, f"needs a text in {first!r}, the meeting's first language")
        for language in self.languages:
            if language not in texts:
                self.warnings.append(
                    f"{self.where(path)}: no {language!r} text; the {first!r} text is shown"
                )
        return texts

    def read_languages(self, supported: list[str]) -> list[str]:
        """event.languages: known ISO 639-1 codes that the app supports, without repeats."""
        path = ("event", "languages")
        languages = [str(code) for code in self.get(path, list, required=False, default=["en"])]
        for code in languages:
            try:
                Locale.parse(code)
            except (UnknownLocaleError, ValueError) as error:
                raise self.fail(path, f"{code!r} is not an ISO 639-1 language code") from error
            if code not in supported:
                raise self.fail(path, f"{code!r} is not offered (offered: {', '.join(supported)})")
        if not languages or len(set(languages)) != len(languages):
            raise self.fail(path, "list each language once, the main one first")
        self.languages = languages
        return languages


def _localise(naive: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time at the venue as an aware UTC moment."""
    return naive.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))


def import_event(
    text: str,
    *,
    shift_days: int = 0,
    languages: tuple[str, ...] = ("en", "fr", "es"),
    warnings: list[str] | None = None,
) -> Event:
    """Create or update the event described by a YAML file (the demo file's format).

    Re-importing updates in place by slug and codes, never duplicating. ``shift_days`` moves
    every date and time by that many days (used to make the demo open for registration today).
    Texts are plain strings (the meeting's first language) or {language: text} mappings; texts
    missing in a language are appended to ``warnings``. Raises EventFileError naming the line
    and field; nothing is changed then, because every check runs before the first write.
    """
    reader = _Reader(text)
    reader.read_languages(list(languages))
    spec = _read_spec(reader, timedelta(days=shift_days))
    if warnings is not None:
        warnings.extend(reader.warnings)
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
    badge_language = reader.get(("event", "badge_language"), str, required=False)
    if badge_language is not None and badge_language not in reader.languages:
        raise reader.fail(("event", "badge_language"), "must be one of the meeting's languages")
    event = {
        "slug": slug,
        "title": reader.translations(("event", "title")),
        "series": reader.translations(("event", "series"), required=False),
        "organiser": reader.translations(("event", "organiser"), required=False),
        "start_date": start,
        "end_date": end,
        "timezone": zone_name,
        "venue": reader.translations(("event", "venue"), required=False),
        "languages": reader.languages,
        "badge_language": badge_language,
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
        for index, _item in enumerate(
            reader.get(("entities", code), list, required=False, default=[])
        ):
            entities.append(_read_entity(reader, ("entities", code, index), code))
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
                "title": reader.translations((*path, "title")),
                "description": reader.translations((*path, "description"), required=False),
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


def _read_entity(reader: _Reader, path: tuple, category: str) -> dict:
    """One entity: an ISO code (States), a name, or {iso:, name: {language: …}}.

    A State category takes ISO codes and named entities without a code (e.g. an observer
    entity); its ISO-coded entities are named by the UN names file unless ``name`` overrides.
    """
    item = reader.get(path, (str, dict))
    if isinstance(item, str) and category not in STATE_CATEGORIES:
        return {"category": category, "name": " ".join(item.split()), "iso_code": None, "names": {}}
    iso = item if isinstance(item, str) else reader.get((*path, "iso"), str, required=False)
    names = {} if isinstance(item, str) else reader.translations((*path, "name"), required=False)
    if iso is None:
        if not names:
            raise reader.fail(path, "give an ISO code ('iso') or a name")
        first = names[reader.languages[0]]
        return {"category": category, "name": first, "iso_code": None, "names": names}
    country = find_country(iso)
    if country is None or len(iso) != 2:
        raise reader.fail(path, f"{iso!r} is not an ISO 3166-1 alpha-2 country code")
    return {"category": category, "name": country.en, "iso_code": country.iso2, "names": names}


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
        if data["names"]:  # a file without names keeps the names staff set in the app
            existing[key].names = data["names"]

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
