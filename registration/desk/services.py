"""Checking people in at the venue and at sessions, annulling entries, walk-ins, the scan log."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from registration.audit.services import record
from registration.auth.models import StaffUser
from registration.database import utcnow
from registration.delegates.models import Registration, Status, status_label
from registration.delegates.services import RegistrationData, register
from registration.delegates.workflow import approve
from registration.desk.models import VENUE, Attendance, DeviceToken, Scan
from registration.errors import DomainError
from registration.events.models import AgendaSession, Entity, Event
from registration.extensions import db
from registration.security import token_hash


class CheckInError(DomainError):
    """A scan or check-in was refused.

    Codes: unknown_token, unknown_checkpoint, wrong_event, not_approved, withdrawn, rejected,
    already_checked_in (``attendance`` is the earlier entry), session_not_chosen (the desk may
    override it with ``force``), already_annulled, reason_required.
    """

    def __init__(self, code: str, *, registration=None, attendance=None):
        super().__init__(reason_message(code, registration, attendance), code)
        self.attendance = attendance


def reason_message(
    code: str, registration: Registration | None = None, attendance: Attendance | None = None
) -> str:
    """What a desk shows for a scan result, in the reader's language."""
    if code == "ok":
        return _("Checked in: %(name)s.", name=registration.full_name)
    if code == "already_checked_in":
        return _(
            "Already checked in at %(time)s.",
            time=format_datetime(attendance.checked_in_at, "short"),
        )
    if code == "not_approved":
        return _(
            "Not approved (%(status)s): send the person to the registration desk.",
            status=status_label(registration.status),
        )
    messages = {
        "unknown_token": _("Unknown badge. Search by name instead."),
        "unknown_checkpoint": _("Unknown checkpoint: choose the venue or a session."),
        "wrong_event": _("This badge is for another meeting."),
        "withdrawn": _("This registration was withdrawn."),
        "rejected": _("This registration was rejected."),
        "session_not_chosen": _("This person did not choose this session. Admit anyway?"),
        "already_annulled": _("This check-in was already annulled."),
        "reason_required": _("Give the reason for annulling this check-in."),
    }
    return messages[code]


@dataclass(frozen=True)
class Checkpoint:
    """Where people are counted: the venue entrance or one agenda session of an event."""

    event: Event
    code: str
    session: AgendaSession | None = None


def checkpoint_for(event: Event, code: str) -> Checkpoint:
    """The venue or the session of ``event`` with this code. Raises CheckInError."""
    if code == VENUE:
        return Checkpoint(event, VENUE)
    session = db.session.execute(
        db.select(AgendaSession).where(
            AgendaSession.event_id == event.id, AgendaSession.code == code
        )
    ).scalar_one_or_none()
    if session is None:
        raise CheckInError("unknown_checkpoint")
    return Checkpoint(event, code, session)


def current_entry(registration: Registration, checkpoint: str) -> Attendance | None:
    """The entry of ``registration`` at ``checkpoint`` that is not annulled, if any."""
    return db.session.execute(
        db.select(Attendance).where(
            Attendance.registration_id == registration.id,
            Attendance.checkpoint == checkpoint,
            Attendance.annulled_at.is_(None),
        )
    ).scalar_one_or_none()


def _chose(registration: Registration, session: AgendaSession | None) -> bool:
    """Whether the person chose ``session`` (always true at the venue)."""
    return session is None or session in registration.sessions


def _lock(registration: Registration) -> Registration:
    """Re-read the registration with a row lock (SELECT … FOR UPDATE; a no-op on SQLite).

    Two desks scanning the same badge queue here, so the second sees the first's entry. What
    a desk shows (category, entity, sessions) is loaded by the same round trips.
    """
    return db.session.execute(
        db.select(Registration)
        .where(Registration.id == registration.id)
        .with_for_update(of=Registration)
        .options(
            joinedload(Registration.category),
            joinedload(Registration.entity),
            selectinload(Registration.sessions),
        )
        .execution_options(populate_existing=True)
    ).scalar_one()


def check_in(
    registration: Registration,
    checkpoint: Checkpoint,
    *,
    by: StaffUser | None = None,
    force: bool = False,
) -> Attendance:
    """Record an entry at a checkpoint (desks, devices, walk-ins).

    Raises CheckInError: wrong_event, rejected, withdrawn, not_approved, already_checked_in,
    session_not_chosen (unless ``force``). The first venue entry sets
    Registration.checked_in_at. The partial unique index uq_attendance_current is the final
    guard behind the row lock: where there is no row lock (SQLite), a desk that loses the race
    gets IntegrityError, which ``scan`` turns into already_checked_in.
    """
    if registration.event_id != checkpoint.event.id:
        raise CheckInError("wrong_event")
    registration = _lock(registration)
    if registration.status in (Status.REJECTED, Status.WITHDRAWN):
        raise CheckInError(registration.status.value, registration=registration)
    if registration.status != Status.APPROVED:
        raise CheckInError("not_approved", registration=registration)
    earlier = current_entry(registration, checkpoint.code)
    if earlier is not None:
        raise CheckInError("already_checked_in", attendance=earlier)
    if not force and not _chose(registration, checkpoint.session):
        raise CheckInError("session_not_chosen", registration=registration)
    attendance = Attendance(
        registration=registration,
        checkpoint=checkpoint.code,
        session=checkpoint.session,
        checked_in_at=utcnow(),
        staff_id=by.id if by else None,
    )
    db.session.add(attendance)
    if checkpoint.code == VENUE and registration.checked_in_at is None:
        registration.checked_in_at = attendance.checked_in_at
        record(  # flushes the entry, the registration and the audit event together
            "checked_in",
            registration=registration,
            actor=by,
            actor_type="staff" if by else "device",
            changes={"checked_in_at": [None, attendance.checked_in_at.isoformat()]},
        )
    else:
        db.session.flush()
    return attendance


def annul(attendance: Attendance, reason: str, *, by: StaffUser) -> Attendance:
    """Annul a mistaken check-in, keeping the row with the reason (desk staff).

    Annulling the venue entry clears Registration.checked_in_at. Raises CheckInError:
    reason_required, already_annulled.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise CheckInError("reason_required")
    registration = _lock(attendance.registration)
    db.session.refresh(attendance)
    if attendance.annulled_at is not None:
        raise CheckInError("already_annulled")
    attendance.annulled_at = utcnow()
    attendance.annul_reason = reason
    changes = {f"attendance.{attendance.checkpoint}": [attendance.checked_in_at.isoformat(), None]}
    if attendance.checkpoint == VENUE and registration.checked_in_at is not None:
        changes["checked_in_at"] = [registration.checked_in_at.isoformat(), None]
        registration.checked_in_at = None
    changes["annul_reason"] = ["", reason]
    db.session.flush()
    record("check_in_annulled", registration=registration, actor=by, changes=changes)
    return attendance


@dataclass
class ScanRequest:
    """One scan as a desk or device sends it (plain data, checked for shape by the caller)."""

    checkpoint: str
    #: The badge token read from the QR code …
    token: str | None = None
    #: … or the registration picked from a search at the desk.
    registration_id: int | None = None
    nonce: str | None = None
    scanned_at: datetime | None = None
    force: bool = False
    #: api, scanner, camera, search or walk_in.
    source: str = "api"


def _find_registration(request: ScanRequest) -> Registration | None:
    """The registration behind a badge token or a registration id, in any event."""
    if request.token is not None:
        condition = Registration.badge_token_hash == token_hash(request.token)
    elif request.registration_id is not None:
        condition = Registration.id == request.registration_id
    else:
        return None
    return db.session.execute(db.select(Registration).where(condition)).scalar_one_or_none()


def _earlier_scan(client_key: str, nonce: str) -> Scan | None:
    """The scan already logged for this client and nonce, marked as replayed."""
    earlier = db.session.execute(
        db.select(Scan).where(Scan.client_key == client_key, Scan.nonce == nonce)
    ).scalar_one_or_none()
    if earlier is not None:
        earlier.replayed = True
    return earlier


def _scan_once(event: Event, request: ScanRequest, client_key: str, device, staff) -> Scan:
    """Try the check-in and log the scan with its result."""
    registration = _find_registration(request)
    attendance, forced = None, False
    try:
        checkpoint = checkpoint_for(event, request.checkpoint)
        if registration is None:
            raise CheckInError("unknown_token")
        attendance = check_in(registration, checkpoint, by=staff, force=request.force)
        result = "ok"
        forced = not _chose(registration, checkpoint.session)
    except CheckInError as error:
        result, attendance = error.code, error.attendance
    logged = Scan(
        event_id=event.id,
        device=device,
        staff_id=staff.id if staff else None,
        client_key=client_key,
        nonce=request.nonce,
        checkpoint=request.checkpoint,
        registration=registration,
        attendance=attendance,
        result=result,
        forced=forced,
        source=request.source,
        scanned_at=request.scanned_at,
        received_at=utcnow(),
    )
    db.session.add(logged)
    db.session.flush()
    return logged


def scan(
    event: Event,
    request: ScanRequest,
    *,
    device: DeviceToken | None = None,
    staff: StaffUser | None = None,
) -> Scan:
    """Check a badge in at a checkpoint of ``event`` and log the scan, whatever its result.

    Called by the scan API (``device``) and the desk page (``staff``). The result is in
    ``Scan.result``: "ok" or a CheckInError code. A repeated nonce from the same client gives
    back the scan logged the first time (``replayed`` set) and records nothing new.
    """
    client_key = f"d{device.id}" if device else f"s{staff.id}"
    # The unique (client_key, nonce) constraint detects a repeated nonce, even one sent twice
    # at the same instant; the savepoint undoes whatever the repetition did.
    try:
        with db.session.begin_nested():
            return _scan_once(event, request, client_key, device, staff)
    except IntegrityError:
        if request.nonce and (earlier := _earlier_scan(client_key, request.nonce)):
            return earlier
    # Without a row lock (SQLite) another desk entered this person first: now visible.
    with db.session.begin_nested():
        return _scan_once(event, request, client_key, device, staff)


def walk_in(event: Event, data: RegistrationData, *, by: StaffUser) -> Scan:
    """Register a person at the desk, approve them and check them in at the venue (desk staff).

    The same ``register`` as the public form, outside the registration window, then the
    back office's ``approve`` (which emails the person). Raises RegistrationError (duplicate,
    invalid_category, …) or WorkflowError; the caller rolls back.
    """
    registration = register(event, data, by=by, enforce_window=False)
    if registration.status != Status.APPROVED:  # moderated meeting, or beyond its capacity
        approve(registration, by=by)
    return scan(
        event,
        ScanRequest(checkpoint=VENUE, registration_id=registration.id, source="walk_in"),
        staff=by,
    )


def search(event: Event, text: str, *, limit: int = 20) -> list[Registration]:
    """Registrations of ``event`` whose name, organisation or reference match every word."""
    words = text.split()[:5]
    if not words:
        return []
    query = (
        db.select(Registration)
        .outerjoin(Entity, Registration.entity_id == Entity.id)
        .where(Registration.event_id == event.id)
    )
    for word in words:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            db.or_(
                Registration.given_name.ilike(pattern, escape="\\"),
                Registration.family_name.ilike(pattern, escape="\\"),
                Registration.reference.ilike(pattern, escape="\\"),
                Registration.other_organisation.ilike(pattern, escape="\\"),
                Entity.name.ilike(pattern, escape="\\"),
                db.func.upper(Entity.iso_code) == word.upper(),
            )
        )
    query = (
        query.options(
            selectinload(Registration.category),
            selectinload(Registration.entity),
            selectinload(Registration.sessions),
        )
        .order_by(Registration.family_name, Registration.given_name)
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())
