"""The scan API's hot path: a device's scan in a few plain SQL statements.

The same rules as ``services.scan`` (the row lock, the nonce, the duplicate marking, the audit
event of the first venue entry), with the person read as one plain row (``scanned``) and the
rows written as plain INSERTs, one WITH statement on PostgreSQL, rather than through the ORM's
unit of work: a busy door sends hundreds of these a minute. They run on the session's
connection, in its transaction, past the Session's ORM execution layer. The desk page, walk-ins
and annulling keep the ORM path.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from registration.audit.models import AuditEvent
from registration.audit.services import append
from registration.database import utcnow
from registration.delegates.models import Registration
from registration.desk.devices import CheckedDevice
from registration.desk.models import VENUE, Attendance, Scan
from registration.desk.scanned import Named, ScannedPerson, meeting_names, scanned_person
from registration.desk.services import (
    CheckInError,
    ScanRequest,
    admissible,
    chose,
    earlier_scan,
    entry_time,
    keep_earliest,
)
from registration.extensions import db
from registration.security import token_hash

# Built once: a statement object keeps its cache key, so a scan neither builds nor hashes it.
_INSERT_SCAN = sa.insert(Scan.__table__)
_INSERT_ENTRY = sa.insert(Attendance.__table__)
_registration = Registration.__table__
_SET_CHECKED_IN = (
    sa.update(_registration)
    .where(_registration.c.id == sa.bindparam("person"))
    .values(checked_in_at=sa.bindparam("at"))
)


def _enter_and_log(first_venue: bool) -> sa.Insert:
    """One PostgreSQL statement: the entry, the scan log naming it and, for the first venue
    entry, checked_in_at and its audit event (data-modifying WITH queries).

    A scan then costs one round trip and one statement's overhead in Python instead of four;
    a broken unique rule (the current entry, the nonce) still fails the whole statement.
    """
    attendance, scan = Attendance.__table__, Scan.__table__
    entry = (
        sa.insert(attendance)
        .values(
            registration_id=sa.bindparam("person"),
            checkpoint=sa.bindparam("log_checkpoint"),
            session_id=sa.bindparam("place"),
            checked_in_at=sa.bindparam("at"),
        )
        .returning(attendance.c.id)
        .cte("entry")
    )
    columns = [column.name for column in scan.c if column.name not in ("id", "staff_id")]
    row = sa.select(
        *(
            entry.c.id
            if name == "attendance_id"
            else sa.bindparam(f"log_{name}", type_=scan.c[name].type)
            for name in columns
        )
    )
    statement = sa.insert(scan).from_select(columns, row).returning(scan.c.attendance_id)
    if not first_venue:
        return statement
    # Python-side defaults (updated_at, created_at…) are not filled in inside WITH: given here.
    mark = _SET_CHECKED_IN.values(updated_at=sa.bindparam("log_received_at")).cte("mark")
    audit = (
        sa.insert(AuditEvent.__table__)
        .values(
            event_id=sa.bindparam("log_event_id"),
            registration_id=sa.bindparam("person"),
            actor_type="device",
            actor_label="",
            action="checked_in",
            changes=sa.bindparam("changes", type_=sa.JSON),
            created_at=sa.bindparam("log_received_at"),
        )
        .cte("audit")
    )
    return statement.add_cte(mark, audit)


#: Built once per kind of entry: a statement object keeps its cache key.
_ENTER_AND_LOG = {first_venue: _enter_and_log(first_venue) for first_venue in (False, True)}


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
    registration: ScannedPerson | None
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
    registration = _find(device, request)
    attendance, forced = None, False
    try:
        session = _session(device.event_id, request.checkpoint)
        if registration is None:
            raise CheckInError("unknown_token")
        admissible(registration, device.event_id, request.checkpoint, session, request.force)
        result = "ok"
        forced = not chose(registration, session)
    except CheckInError as error:
        result, attendance = error.code, error.attendance
        if result == "already_checked_in" and request.admitted_offline:
            # Both scans stay in the log; this one, arriving second, is the duplicate.
            result = "duplicate"
            keep_earliest(attendance, request.scanned_at)
            db.session.flush()
            registration.checked_in_at = attendance.registration.checked_in_at
    log = {
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
    }
    if result == "ok":
        attendance = _enter(registration, request, session.id if session else None, log)
    else:
        db.session.connection().execute(_INSERT_SCAN, log)
    return LoggedScan(
        event_id=device.event_id,
        checkpoint=request.checkpoint,
        result=result,
        forced=forced,
        registration=registration,
        attendance=attendance,
    )


def _find(device: CheckedDevice, request: ScanRequest) -> ScannedPerson | None:
    """The registration behind the badge token or the registration id, locked."""
    if request.token is not None:
        return scanned_person("badge_token_hash", token_hash(request.token), device.event_id)
    if request.registration_id is not None:
        return scanned_person("id", request.registration_id, device.event_id)
    return None


def _session(event_id: int, code: str) -> Named | None:
    """The agenda session of a checkpoint code (None for the venue). Raises CheckInError."""
    if code == VENUE:
        return None
    session = meeting_names(event_id).session(code) or meeting_names(
        event_id, refresh=True
    ).session(code)
    if session is None:
        raise CheckInError("unknown_checkpoint")
    return session


def _enter(
    registration: ScannedPerson, request: ScanRequest, session_id: int | None, log: dict
) -> NewEntry:
    """Write the entry and the scan's ``log`` row; the first venue entry also sets
    checked_in_at and is audited. PostgreSQL takes these writes in one statement."""
    at = entry_time(request.scanned_at)
    first_venue = request.checkpoint == VENUE and registration.checked_in_at is None
    changes = {"checked_in_at": [None, at.isoformat()]}
    if db.session.get_bind().dialect.name == "postgresql":
        values = {f"log_{name}": value for name, value in log.items()}
        values.update(person=registration.id, place=session_id, at=at, changes=changes)
        written = db.session.connection().execute(_ENTER_AND_LOG[first_venue], values)
        entry_id = written.scalar_one()
    else:
        entry_id = db.session.execute(
            _INSERT_ENTRY,
            {
                "registration_id": registration.id,
                "checkpoint": request.checkpoint,
                "session_id": session_id,
                "checked_in_at": at,
            },
        ).inserted_primary_key[0]
        if first_venue:
            db.session.execute(_SET_CHECKED_IN, {"person": registration.id, "at": at})
            append(
                "checked_in",
                event_id=registration.event_id,
                registration_id=registration.id,
                actor_type="device",
                changes=changes,
            )
        db.session.execute(_INSERT_SCAN, {**log, "attendance_id": entry_id})
    if first_venue:
        registration.checked_in_at = at
    return NewEntry(entry_id, request.checkpoint, at)
