"""Showing the audit trail: field names in the reader's language, ids as names."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from registration.audit.models import AuditEvent
from registration.auth.decorators import sees_special_category
from registration.delegates.models import (
    HONORIFICS,
    SPECIAL_CATEGORY_FIELDS,
    Registration,
    status_label,
)
from registration.extensions import db

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
}
ACTION_LABELS = {
    "created": _l("Registered"),
    "updated": _l("Changed"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "reset": _l("Reset"),
    "withdrawn": _l("Withdrawn"),
    "promoted": _l("Promoted from the waiting list"),
    "erasure_requested": _l("Asked for the erasure of their data"),
    "erasure_declined": _l("Erasure declined"),
    "erased": _l("Personal data erased"),
}
ACTOR_LABELS = {
    "staff": _l("Secretariat"),
    "delegate": _l("Delegate"),
    "focal_point": _l("Focal point"),
    "system": _l("System"),
}


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
        "session_ids": {session.id: session.title for session in event.sessions},
    }

    def show(field: str, value) -> str:
        if value in (None, "", []):
            return "—"
        if isinstance(value, bool):
            return str(_l("Yes") if value else _l("No"))
        if isinstance(value, list):
            return ", ".join(str(names.get(field, {}).get(item, item)) for item in value)
        if field == "status":
            return status_label(value)
        if field == "honorific":
            return str(HONORIFICS.get(value, value))
        if field == "photo":  # stored names are random: their start tells two photos apart
            return str(_l("photo %(name)s", name=str(value)[:6]))
        return str(names.get(field, {}).get(value, value))

    return show


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
            (str(FIELD_LABELS.get(field, field)), show(field, old), show(field, new))
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
