"""Showing the audit trail: field names in the reader's language, ids as names."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from registration.audit.models import AuditEvent
from registration.auth.decorators import sees_special_category
from registration.delegates.models import (
    FIELD_LABELS,
    SPECIAL_CATEGORY_FIELDS,
    Registration,
    gender_label,
    honorific_label,
    language_label,
    status_label,
)
from registration.extensions import db
from registration.i18n import country_name, format_datetime

ACTION_LABELS = {
    "created": _l("Registered"),
    "updated": _l("Changed"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "reset": _l("Reset"),
    "withdrawn": _l("Withdrawn"),
    "promoted": _l("Promoted from the waiting list"),
    "letter_uploaded": _l("Nomination letter sent"),
    "checked_in": _l("Checked in"),
    "check_in_annulled": _l("Check-in annulled"),
    "badge_printed": _l("Badge printed"),
    "erasure_requested": _l("Asked for the erasure of their data"),
    "erasure_declined": _l("Erasure declined"),
    "erased": _l("Personal data erased"),
}
ACTOR_LABELS = {
    "staff": _l("Secretariat"),
    "delegate": _l("Delegate"),
    "focal_point": _l("Focal point"),
    "system": _l("System"),
    "device": _l("Scanning device"),
}
#: Fields stored as codes, each with the function that puts it in words.
_WORDS = {
    "status": status_label,
    "honorific": honorific_label,
    "gender": gender_label,
    "language": language_label,
    "nationality": country_name,
}
#: Fields holding a moment (ISO text in the trail), shown in the event's time.
_MOMENTS = ("checked_in_at", "badge_printed_at")


@dataclass
class AuditRow:
    """One entry of the trail, ready for the page."""

    entry: AuditEvent
    action: str
    actor: str
    changes: list[tuple[str, str, str]]


def _shower(registration: Registration):
    """A function that shows one stored value of a field in words."""
    event = registration.event
    names = {
        "category_id": {category.id: category.name_in() for category in event.categories},
        "entity_id": {entity.id: entity.name_in() for entity in event.entities},
        "session_ids": {session.id: session.title_in() for session in event.sessions},
    }

    def show(field: str, value) -> str:
        if value in (None, "", []):
            return "—"
        if isinstance(value, bool):
            return str(_l("Yes") if value else _l("No"))
        if isinstance(value, list):
            return ", ".join(str(names.get(field, {}).get(item, item)) for item in value)
        if field in _WORDS:
            return _WORDS[field](value)
        if field in _MOMENTS or field.startswith("attendance."):
            return _moment(value)
        if field == "photo":  # stored names are random: their start tells two photos apart
            return str(_l("photo %(name)s", name=str(value)[:6]))
        return str(names.get(field, {}).get(value, value))

    return show


def _moment(value) -> str:
    """An ISO moment of the trail in the reader's language and the event's time."""
    try:
        return format_datetime(datetime.fromisoformat(str(value)), "medium")
    except ValueError:
        return str(value)


def _field_label(registration: Registration, field: str) -> str:
    """A field's name; "attendance.session-2" names the session."""
    if field.startswith("attendance."):
        code = field.removeprefix("attendance.")
        session = next((s for s in registration.event.sessions if s.code == code), None)
        place = session.title_in() if session else str(_l("Venue entrance"))
        return str(_l("Attendance: %(place)s", place=place))
    return str(FIELD_LABELS.get(field, field))


def audit_trail(registration: Registration) -> list[AuditRow]:
    """The registration's audit events, oldest first, in words; special-category values only
    for the staff who may see them."""
    entries = db.session.execute(
        db.select(AuditEvent)
        .where(AuditEvent.registration_id == registration.id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).scalars()
    show = _shower(registration)
    hidden = () if sees_special_category() else SPECIAL_CATEGORY_FIELDS
    rows = []
    for entry in entries:
        shown = [
            (_field_label(registration, field), show(field, old), show(field, new))
            for field, (old, new) in entry.changes.items()
            if field not in hidden
        ]
        rows.append(
            AuditRow(
                entry=entry,
                action=str(ACTION_LABELS.get(entry.action, entry.action)),
                actor=entry.actor_label
                or str(ACTOR_LABELS.get(entry.actor_type, entry.actor_type)),
                # None → "" is a change to the database, not to a reader.
                changes=[change for change in shown if change[1] != change[2]],
            )
        )
    return rows
