"""Everything stored about one delegate, as JSON they download through their link.

Their registration, photo, sessions, attendance, the history of their registration, the emails
sent to them, the letters they sent, and their erasure request. Not included: the secrets of
their links (a downloaded file must not open the registration), the names of the staff who
acted (other people's data), and data about other delegates of their delegation.
"""

import base64
import re
from datetime import date, datetime

import sqlalchemy as sa

from registration.audit.models import AuditEvent
from registration.database import utcnow
from registration.delegates import photos
from registration.delegates.models import Registration
from registration.delegations.models import NominationLetter
from registration.desk.models import Attendance
from registration.extensions import db
from registration.mail.models import OutboxEmail
from registration.privacy.models import Erasure

#: The secret part of manage and focal-point links inside an email's text.
_LINK_SECRET = re.compile(r"(/(?:r|fp)/)[A-Za-z0-9_-]{16,}")

#: Registration columns not given as they are: internal keys, the photo's file name (the photo
#: itself is given), and the link and badge secrets (any column named after a token).
_NOT_GIVEN = {"id", "event_id", "category_id", "entity_id", "person_key", "photo"}


def _given_columns() -> list[str]:
    """Every other column of a registration, so that a column added later is exported too."""
    return [
        column.name
        for column in Registration.__table__.columns
        if column.name not in _NOT_GIVEN and "token" not in column.name
    ]


def _plain(value):
    """A JSON value: times and dates in ISO 8601 (UTC), enums by value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return getattr(value, "value", value)


def _rows(statement) -> list:
    return list(db.session.execute(statement).scalars())


def personal_data(registration: Registration) -> dict:
    """The delegate's data as plain JSON values (its holder, through the manage link)."""
    event = registration.event
    data = {name: _plain(getattr(registration, name)) for name in _given_columns()}
    data["category"] = registration.category.name_in("en")
    data["entity"] = registration.entity.name_in("en") if registration.entity else None
    data["sessions"] = [
        {"code": s.code, "title": s.title, "starts_at": _plain(s.starts_at)}
        for s in registration.sessions
    ]
    photo = None
    if photos.is_stored_photo(registration.photo):
        jpeg = photos.read_photo(registration.photo)
        photo = {"content_type": "image/jpeg", "base64": base64.b64encode(jpeg).decode()}
    return {
        "exported_at": _plain(utcnow()),
        "meeting": {
            "title": event.title_in("en"),
            "start_date": _plain(event.start_date),
            "end_date": _plain(event.end_date),
            "venue": event.venue,
            "retention_days_after_the_meeting": event.retention_days,
        },
        "registration": data,
        "photo": photo,
        "attendance": _attendance(registration),
        "history": _history(registration),
        "emails": _emails(registration),
        "nomination_letters": _letters(registration),
        "erasure_request": _erasure(registration),
    }


def _attendance(registration: Registration) -> list[dict]:
    entries = _rows(
        sa.select(Attendance)
        .where(Attendance.registration_id == registration.id)
        .order_by(Attendance.checked_in_at)
    )
    return [
        {
            "checkpoint": entry.checkpoint,
            "session": entry.session.title if entry.session else None,
            "checked_in_at": _plain(entry.checked_in_at),
            "annulled_at": _plain(entry.annulled_at),
        }
        for entry in entries
    ]


def _history(registration: Registration) -> list[dict]:
    entries = _rows(
        sa.select(AuditEvent)
        .where(AuditEvent.registration_id == registration.id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    # Who among the staff acted is their data, not the delegate's: only the kind of actor.
    return [
        {
            "at": _plain(entry.created_at),
            "action": entry.action,
            "by": entry.actor_type,
            "changes": entry.changes,
        }
        for entry in entries
    ]


def _emails(registration: Registration) -> list[dict]:
    messages = _rows(
        sa.select(OutboxEmail)
        .where(OutboxEmail.registration_id == registration.id)
        .order_by(OutboxEmail.created_at, OutboxEmail.id)
    )
    return [
        {
            "created_at": _plain(message.created_at),
            "sent_at": _plain(message.sent_at),
            "status": message.status.value,
            "to": message.recipient,
            "subject": message.subject,
            # The file may be kept or passed on: links in it must not open the registration.
            "body": _LINK_SECRET.sub(r"\1…", message.body_text),
        }
        for message in messages
    ]


def _letters(registration: Registration) -> list[dict]:
    found = _rows(
        sa.select(NominationLetter)
        .where(NominationLetter.registration_id == registration.id)
        .order_by(NominationLetter.created_at)
    )
    return [
        {
            "filename": letter.filename,
            "pages": letter.pages,
            "size": letter.size,
            "uploaded_at": _plain(letter.created_at),
        }
        for letter in found
    ]


def _erasure(registration: Registration) -> dict | None:
    erasure = db.session.execute(
        sa.select(Erasure).where(Erasure.registration_id == registration.id)
    ).scalar_one_or_none()
    if erasure is None:
        return None
    return {
        "status": erasure.status.value,
        "requested_at": _plain(erasure.requested_at),
        "answer": erasure.decision_note,
    }
