"""The scan API's hot path: a device's scan in a few plain SQL statements.

The same rules as ``services.scan`` (the row lock, the nonce, the duplicate marking, the audit
event of the first venue entry), with the rows written as single INSERTs rather than through
the ORM's unit of work: a busy door sends hundreds of these a minute. The desk page, walk-ins
and annulling keep the ORM path.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from registration.audit.services import append
from registration.database import utcnow
from registration.delegates.models import Registration
from registration.desk.devices import CheckedDevice
from registration.desk.models import VENUE, Attendance, Scan
from registration.desk.services import (
    CheckInError,
    ScanRequest,
    admissible,
    chose,
    earlier_scan,
    entry_time,
    find_registration,
    keep_earliest,
    session_for,
)
from registration.extensions import db

# Built once: a statement object keeps its cache key, so a scan neither builds nor hashes it.
_INSERT_SCAN = sa.insert(Scan.__table__)
_INSERT_ENTRY = sa.insert(Attendance.__table__)
_registration = Registration.__table__
_SET_CHECKED_IN = (
    sa.update(_registration)
    .where(_registration.c.id == sa.bindparam("registration"))
    .values(checked_in_at=sa.bindparam("at"))
)


@dataclass(frozen=True)
class NewEntry:
    """The entry a scan just made (what its answer shows)."""

    id: int
    checkpoint: str
    checked_in_at: datetime
    annulled_at: None = None


@dataclass(frozen=True)
class LoggedScan:
    """A scan written to the log, with what its answer needs (as ``Scan`` has it)."""

    event_id: int
    checkpoint: str
    result: str
    forced: bool
    registration: Registration | None
    attendance: Attendance | NewEntry | None
    replayed: bool = False


def device_scan(device: CheckedDevice, request: ScanRequest) -> LoggedScan | Scan:
    """Check a badge in for a device and log the scan, whatever its result.

    A repeated nonce gives back the scan logged the first time (``replayed`` set). The unique
    (client_key, nonce) constraint detects it; the API request has done nothing else, so the
    whole transaction is rolled back instead of paying a savepoint on every scan.
    """
    client_key = f"d{device.id}"
    try:
        return _scan_once(device, request, client_key)
    except IntegrityError:
        db.session.rollback()
    if request.nonce and (earlier := earlier_scan(client_key, request.nonce)):
        return earlier
    # Without a row lock (SQLite) another desk entered this person first: now visible.
    return _scan_once(device, request, client_key)


def _scan_once(device: CheckedDevice, request: ScanRequest, client_key: str) -> LoggedScan:
    """Judge the scan under the registration's row lock, write the entry and the log row."""
    registration = find_registration(request)
    attendance, forced = None, False
    try:
        session = session_for(device.event_id, request.checkpoint)
        if registration is None:
            raise CheckInError("unknown_token")
        admissible(registration, device.event_id, request.checkpoint, session, request.force)
        attendance = _enter(registration, request, session.id if session else None)
        result = "ok"
        forced = not chose(registration, session)
    except CheckInError as error:
        result, attendance = error.code, error.attendance
        if result == "already_checked_in" and request.admitted_offline:
            # Both scans stay in the log; this one, arriving second, is the duplicate.
            result = "duplicate"
            keep_earliest(attendance, request.scanned_at)
            db.session.flush()
    db.session.execute(
        _INSERT_SCAN,
        {
            "event_id": device.event_id,
            "device_id": device.id,
            "client_key": client_key,
            "nonce": request.nonce,
            "checkpoint": request.checkpoint,
            "registration_id": registration.id if registration is not None else None,
            "attendance_id": attendance.id if attendance is not None else None,
            "result": result,
            "forced": forced,
            "source": request.source,
            "scanned_at": request.scanned_at,
            "received_at": utcnow(),
        },
    )
    return LoggedScan(
        event_id=device.event_id,
        checkpoint=request.checkpoint,
        result=result,
        forced=forced,
        registration=registration,
        attendance=attendance,
    )


def _enter(registration: Registration, request: ScanRequest, session_id: int | None) -> NewEntry:
    """Insert the entry; the first venue entry also sets checked_in_at and is audited."""
    at = entry_time(request.scanned_at)
    entry_id = db.session.execute(
        _INSERT_ENTRY,
        {
            "registration_id": registration.id,
            "checkpoint": request.checkpoint,
            "session_id": session_id,
            "checked_in_at": at,
        },
    ).inserted_primary_key[0]
    if request.checkpoint == VENUE and registration.checked_in_at is None:
        db.session.execute(_SET_CHECKED_IN, {"registration": registration.id, "at": at})
        # The row now says so; the answer reads it from the object without another SELECT.
        set_committed_value(registration, "checked_in_at", at)
        append(
            "checked_in",
            event_id=registration.event_id,
            registration_id=registration.id,
            actor_type="device",
            changes={"checked_in_at": [None, at.isoformat()]},
        )
    return NewEntry(entry_id, request.checkpoint, at)
