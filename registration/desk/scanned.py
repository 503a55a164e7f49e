"""What a device scan reads: one locked row of plain columns, and the meeting's names.

A busy door sends hundreds of scans a minute. Loading a Registration through the ORM, with its
category, entity and sessions, and then the event for the languages their names fall back to,
cost more CPU than the check-in itself. A scan reads the person's columns (and the ids of the
sessions they chose) in one statement, and takes the names of categories, entities and
sessions from ``MeetingNames``, which a process keeps for DEVICE_TRUST_SECONDS, like the
device token: a session renamed in another process shows its new title on scans within that
time (in this process at once); a session, category or entity created since is looked up at
once.
"""

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from registration.delegates.models import (
    Registration,
    Status,
    full_name,
    grammatical_gender,
    registration_session,
)
from registration.desk.devices import DEVICE_TRUST_SECONDS
from registration.events.models import AgendaSession, Category, Entity, Event
from registration.extensions import db
from registration.i18n import current_language


@dataclass(frozen=True)
class Named:
    """A category or an agenda session as a scan shows it: its text in each language."""

    id: int
    code: str
    #: {language: text}, the meeting's fallback already applied, for every app language.
    texts: dict[str, str]
    badge_colour: str = ""

    def name_in(self, language: str | None = None) -> str:
        """The text in ``language`` (the reader's by default)."""
        return self.texts.get(language or current_language(), "")

    title_in = name_in


@dataclass
class MeetingNames:
    """The names of one meeting's categories, entities and sessions in every app language."""

    categories: dict[int, Named]
    entities: dict[int, dict[str, str]]
    #: In the order of the programme (as Registration.sessions).
    sessions: list[Named]
    loaded_at: float = field(default_factory=time.monotonic)

    def session(self, code: str) -> Named | None:
        """The session with this checkpoint code, if the meeting has one."""
        return next((session for session in self.sessions if session.code == code), None)

    def knows(self, category_id: int, entity_id: int | None, session_ids: set[int]) -> bool:
        """Whether every id a scanned row names is known (else the names are read again)."""
        return (
            category_id in self.categories
            and (entity_id is None or entity_id in self.entities)
            and session_ids <= {session.id for session in self.sessions}
        )


_meetings: dict[int, MeetingNames] = {}
_loading = threading.Lock()
#: What the names are read from: a change to one of these, flushed in this process, shows on
#: its next scan (made in another process: within DEVICE_TRUST_SECONDS).
_NAMED = (Event, Category, Entity, AgendaSession)


@sa.event.listens_for(Session, "after_flush")
def _forget_changed_names(session: Session, _context) -> None:
    """Forget the names held when the flush changed a meeting, category, entity or session."""
    changed = (*session.new, *session.dirty, *session.deleted)
    if _meetings and any(isinstance(item, _NAMED) for item in changed):
        _meetings.clear()


def meeting_names(event_id: int, *, refresh: bool = False) -> MeetingNames:
    """The names of ``event_id``'s categories, entities and sessions, read at most every 30 s.

    When they are older, the first request to notice reads them again while the others go on
    with the old ones: no scan waits for another's reading (only the very first reading, or a
    ``refresh`` for an id the names did not know yet).
    """
    known = _meetings.get(event_id)
    if known is not None and not refresh:
        if time.monotonic() - known.loaded_at < DEVICE_TRUST_SECONDS:
            return known
        if not _loading.acquire(blocking=False):
            return known
    else:
        _loading.acquire()
    try:
        names = _meetings[event_id] = _read_names(event_id)
    finally:
        _loading.release()
    return names


def _read_names(event_id: int) -> MeetingNames:
    """Read the meeting's categories, entities and sessions and name each in every language."""
    languages = current_app.config["LANGUAGES"]
    categories = db.session.execute(
        db.select(Category).where(Category.event_id == event_id)
    ).scalars()
    entities = db.session.execute(db.select(Entity).where(Entity.event_id == event_id)).scalars()
    sessions = db.session.execute(
        db.select(AgendaSession)
        .where(AgendaSession.event_id == event_id)
        .order_by(AgendaSession.starts_at)
    ).scalars()
    return MeetingNames(
        categories={
            category.id: Named(
                category.id,
                category.code,
                {language: category.name_in(language) for language in languages},
                category.badge_colour,
            )
            for category in categories
        },
        entities={
            entity.id: {language: entity.name_in(language) for language in languages}
            for entity in entities
        },
        sessions=[
            Named(
                session.id,
                session.code,
                {language: session.title_in(language) for language in languages},
            )
            for session in sessions
        ],
    )


@dataclass
class ScannedPerson:
    """A registration as a scan judges and shows it (the attributes answers read)."""

    id: int
    event_id: int
    reference: str
    status: Status
    honorific: str
    gender: str
    given_name: str
    family_name: str
    other_organisation: str
    photo: str | None
    badge_printed_at: datetime | None
    checked_in_at: datetime | None
    category: Named
    entity_names: dict[str, str] | None
    sessions: list[Named]

    @property
    def grammatical_gender(self) -> str:
        """ "female", "male" or "" (as Registration.grammatical_gender)."""
        return grammatical_gender(self.honorific, self.gender)

    @property
    def full_name(self) -> str:
        """Honorific, given name and FAMILY NAME (as Registration.full_name)."""
        return full_name(self.honorific, self.gender, self.given_name, self.family_name)

    @property
    def organisation_name(self) -> str:
        """The entity's name in the reader's language, or the free-text organisation."""
        if self.entity_names is None:
            return self.other_organisation
        return self.entity_names.get(current_language(), "")


_registration = Registration.__table__
_chosen = registration_session
# The ids of the sessions chosen, as "3,7" (string_agg on PostgreSQL, group_concat on SQLite).
# The separator is written into the SQL: a plain "," is a literal parameter that SQLAlchemy
# renders anew at each execution.
_SESSION_IDS = (
    sa.select(
        sa.func.aggregate_strings(
            sa.cast(_chosen.c.session_id, sa.String), sa.literal_column("','")
        )
    )
    .where(_chosen.c.registration_id == _registration.c.id)
    .scalar_subquery()
)
_COLUMNS = (
    "id",
    "event_id",
    "reference",
    "status",
    "honorific",
    "gender",
    "given_name",
    "family_name",
    "other_organisation",
    "photo",
    "badge_printed_at",
    "checked_in_at",
    "category_id",
    "entity_id",
)
# Built once per lookup column: a statement object keeps its cache key.
_READS = {
    column: sa.select(*(_registration.c[name] for name in _COLUMNS), _SESSION_IDS.label("chosen"))
    .where(_registration.c[column] == sa.bindparam("value"))
    .with_for_update()
    for column in ("badge_token_hash", "id")
}


def scanned_person(column: str, value: str | int, event_id: int) -> ScannedPerson | None:
    """The registration whose ``column`` is ``value``, read with a row lock, with its names.

    The row lock (a no-op on SQLite) queues two desks scanning the same badge, so the second
    sees the first's entry. ``event_id`` is the scanning device's meeting, whose names are
    used; a badge of another meeting is refused before its names are shown.
    """
    # On the session's connection: the Session's own execution layer (autoflush, ORM
    # options) has nothing to do for this Core statement, and it runs on every scan.
    row = db.session.connection().execute(_READS[column], {"value": value}).first()
    if row is None:
        return None
    chosen = {int(ident) for ident in row.chosen.split(",")} if row.chosen else set()
    names = meeting_names(event_id)
    if row.event_id == event_id and not names.knows(row.category_id, row.entity_id, chosen):
        names = meeting_names(event_id, refresh=True)
    empty = Named(0, "", {})
    return ScannedPerson(
        **{name: row._mapping[name] for name in _COLUMNS[:12]},
        category=names.categories.get(row.category_id, empty),
        entity_names=None if row.entity_id is None else names.entities.get(row.entity_id, {}),
        sessions=[session for session in names.sessions if session.id in chosen],
    )
