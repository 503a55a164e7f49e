"""Live counts and attendance lists of an event."""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from registration.database import utcnow
from registration.delegates.models import Registration, Status, registration_session
from registration.desk.models import VENUE, Attendance
from registration.desk.services import Checkpoint
from registration.events.models import Event
from registration.extensions import db

#: First characters that make a spreadsheet read a cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Presence:
    """When one person entered the venue and each agenda session (entries not annulled)."""

    venue: datetime | None = None
    #: Agenda session id → entry time.
    sessions: dict[int, datetime] = field(default_factory=dict)


def presence(event: Event, registration_id: int | None = None) -> dict[int, Presence]:
    """Who entered what and when at ``event`` (or only ``registration_id``), per registration
    id, for certificates and the attendance matrix. Annulled entries do not count."""
    statement = (
        db.select(
            Attendance.registration_id,
            Attendance.checkpoint,
            Attendance.session_id,
            Attendance.checked_in_at,
        )
        .join(Registration, Registration.id == Attendance.registration_id)
        .where(Registration.event_id == event.id, Attendance.annulled_at.is_(None))
    )
    if registration_id is not None:
        statement = statement.where(Attendance.registration_id == registration_id)
    found: dict[int, Presence] = {}
    for row in db.session.execute(statement):
        entry = found.setdefault(row.registration_id, Presence())
        if row.checkpoint == VENUE:
            entry.venue = row.checked_in_at
        elif row.session_id is not None:
            entry.sessions[row.session_id] = row.checked_in_at
    return found


def live_counts(event: Event) -> dict:
    """Approved and checked-in people overall and per category; choices and entries per session.

    Three grouped queries whatever the size of the meeting; the desk dashboard polls this.
    """
    approved = (Registration.event_id == event.id) & (Registration.status == Status.APPROVED)
    per_category = dict(
        (category_id, (total, entered))
        for category_id, total, entered in db.session.execute(
            db.select(
                Registration.category_id,
                db.func.count(),
                db.func.count(Registration.checked_in_at),
            )
            .where(approved)
            .group_by(Registration.category_id)
        )
    )
    chosen = dict(
        db.session.execute(
            db.select(registration_session.c.session_id, db.func.count())
            .join(Registration, Registration.id == registration_session.c.registration_id)
            .where(approved)
            .group_by(registration_session.c.session_id)
        ).all()
    )
    attended = dict(
        db.session.execute(
            db.select(Attendance.checkpoint, db.func.count())
            .join(Registration, Registration.id == Attendance.registration_id)
            .where(Registration.event_id == event.id, Attendance.annulled_at.is_(None))
            .group_by(Attendance.checkpoint)
        ).all()
    )
    categories = [
        {
            "id": category.id,
            "name": category.name_in(),
            "approved": per_category.get(category.id, (0, 0))[0],
            "checked_in": per_category.get(category.id, (0, 0))[1],
        }
        for category in event.categories
    ]
    return {
        "approved": sum(total for total, _entered in per_category.values()),
        "checked_in": sum(entered for _total, entered in per_category.values()),
        "categories": categories,
        "sessions": [
            {
                "code": session.code,
                "title": session.title_in(),
                "chosen": chosen.get(session.id, 0),
                "attended": attended.get(session.code, 0),
                "capacity": session.capacity,
            }
            for session in event.sessions
        ],
        "at": utcnow().isoformat(),
    }


def attendance_list(checkpoint: Checkpoint) -> list[Attendance]:
    """Current (not annulled) entries at a checkpoint, in order of arrival."""
    return list(
        db.session.execute(
            db.select(Attendance)
            .join(Registration, Registration.id == Attendance.registration_id)
            .where(
                Registration.event_id == checkpoint.event.id,
                Attendance.checkpoint == checkpoint.code,
                Attendance.annulled_at.is_(None),
            )
            .options(
                joinedload(Attendance.registration).joinedload(Registration.entity),
                joinedload(Attendance.registration).joinedload(Registration.category),
                joinedload(Attendance.staff),
            )
            .order_by(Attendance.checked_in_at, Attendance.id)
        ).scalars()
    )


def _cell(value: str) -> str:
    """A text cell that spreadsheets show as text, never run as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def attendance_csv(checkpoint: Checkpoint, entries: list[Attendance]) -> str:
    """The attendance list as CSV with a UTF-8 byte order mark (for spreadsheets)."""
    zone = ZoneInfo(checkpoint.event.timezone)
    output = io.StringIO()
    output.write("\ufeff")
    writer = csv.writer(output)
    writer.writerow(
        [
            _("Reference"),
            _("Name"),
            _("Family name"),
            _("Given name"),
            _("State or organisation"),
            _("Category"),
            _("Checked in (%(zone)s)", zone=checkpoint.event.timezone),
        ]
    )
    for entry in entries:
        person = entry.registration
        writer.writerow(
            [
                _cell(value)
                for value in (
                    person.reference,
                    person.full_name,
                    person.family_name,
                    person.given_name,
                    person.organisation_name,
                    person.category.name_in(),
                    entry.checked_in_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                )
            ]
        )
    return output.getvalue()
