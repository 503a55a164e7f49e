"""Recording the audit trail."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from registration.audit.models import AuditEvent
from registration.extensions import db


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return sorted(_plain(item) for item in value)
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """{field: [old, new]} for the fields whose value differs."""
    return {
        field: [_plain(before.get(field)), _plain(after[field])]
        for field in after
        if _plain(before.get(field)) != _plain(after[field])
    }


def record(
    action: str,
    *,
    registration=None,
    event_id: int | None = None,
    actor=None,
    actor_type: str | None = None,
    changes: dict[str, list] | None = None,
    flush: bool = True,
) -> AuditEvent:
    """Append one audit event; ``actor`` is a StaffUser, or None for the delegate or the system.

    ``actor_type`` defaults to "staff" with an actor and "delegate" without one. ``flush=False``
    leaves the row for the caller's next flush (one round of writes on a hot path).
    """
    label = ""
    if actor is not None:
        label = f"{actor.name} <{actor.email}>" if getattr(actor, "name", "") else actor.email
    entry = AuditEvent(
        event_id=event_id if event_id is not None else getattr(registration, "event_id", None),
        registration_id=getattr(registration, "id", None),
        actor_type=actor_type or ("staff" if actor is not None else "delegate"),
        actor_staff_id=getattr(actor, "id", None) if actor_type in (None, "staff") else None,
        actor_label=label,
        action=action,
        changes=changes or {},
    )
    db.session.add(entry)
    if flush:
        db.session.flush()
    return entry


#: Built once (see append): a statement object keeps its cache key.
_INSERT_EVENT = sa.insert(AuditEvent.__table__)


def append(
    action: str,
    *,
    event_id: int | None,
    registration_id: int | None,
    actor_type: str,
    changes: dict[str, list],
) -> None:
    """Append one audit event by an actor without a staff account (a device, the system).

    A single INSERT, without an ORM object or a flush: for hot paths such as the scan API.
    """
    db.session.execute(
        _INSERT_EVENT,
        {
            "event_id": event_id,
            "registration_id": registration_id,
            "actor_type": actor_type,
            "action": action,
            "changes": changes,
        },
    )
