"""Checking people in at the venue and at sessions, annulling entries, walk-ins, the scan log."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, load_only

from registration.audit.services import record
from registration.auth.models import StaffUser
from registration.database import utcnow
from registration.delegates.models import Registration, Status, status_label
from registration.delegates.services import RegistrationData, register
from registration.delegates.workflow import approve
from registration.desk.models import VENUE, Attendance, DeviceToken, Scan
from registration.errors import DomainError
from registration.events.models import AgendaSession, Event
from registration.extensions import db
from registration.i18n import format_minute
from registration.security import token_hash

if TYPE_CHECKING:  # the device scan path's plain row and names (desk.scanned)
    from registration.desk.scanned import Named, ScannedPerson


class CheckInError(DomainError):
    """A scan or check-in was refused.

    Codes: unknown_token, unknown_checkpoint, wrong_event, not_approved, withdrawn, rejected,
    already_checked_in (``attendance`` is the earlier entry), duplicate (the same, for a scan
    that an offline desk had admitted), session_not_chosen (the desk may override it with
    ``force``), already_annulled, reason_required, cannot_admit.
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
            time=format_minute(attendance.checked_in_at),
        )
    if code == "duplicate":
        return _(
            "Also admitted by another desk while offline: counted once (first entry %(time)s).",
            time=format_minute(attendance.checked_in_at),
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
        "cannot_admit": _("This registration was rejected or withdrawn: see the registrar."),
        "reprint_reason_required": _(
            "This badge was printed before: give the reason for a reprint."
        ),
        "not_printable": _("Only an approved registration has a badge."),
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
    return Checkpoint(event, code, session_for(event.id, code))


def session_for(event_id: int, code: str) -> AgendaSession | None:
    """The agenda session of a checkpoint code (None for the venue). Raises CheckInError."""
    if code == VENUE:
        return None
    session = db.session.execute(
        db.select(AgendaSession).where(
            AgendaSession.event_id == event_id, AgendaSession.code == code
        )
    ).scalar_one_or_none()
    if session is None:
        raise CheckInError("unknown_checkpoint")
    return session


def current_entry(registration: Registration, checkpoint: str) -> Attendance | None:
    """The entry of ``registration`` at ``checkpoint`` that is not annulled, if any."""
    return db.session.execute(
        db.select(Attendance).where(
            Attendance.registration_id == registration.id,
            Attendance.checkpoint == checkpoint,
            Attendance.annulled_at.is_(None),
        )
    ).scalar_one_or_none()


def chose(
    registration: "Registration | ScannedPerson", session: "AgendaSession | Named | None"
) -> bool:
    """Whether the person chose ``session`` (always true at the venue)."""
    return session is None or session in registration.sessions


#: What judging a scan and answering it read (services, answers.registration_summary): a scan
#: reads these few columns, not the person's contact details, needs and sealed tokens.
_SCANNED = (
    Registration.event_id,
    Registration.reference,
    Registration.status,
    Registration.honorific,
    Registration.gender,  # the honorific and labels are gendered in French and Spanish
    Registration.given_name,
    Registration.family_name,
    Registration.category_id,
    Registration.entity_id,
    Registration.other_organisation,
    Registration.photo,
    Registration.badge_printed_at,
    Registration.checked_in_at,
)


@cache
def _locked_query(column: str, scanned: bool):
    """The locked read of a registration by ``column`` = :value, built once per process.

    Reusing the statement object spares building it and its cache key on every scan.
    ``scanned``: only the columns a scan needs (others load if asked for).
    """
    category, entity, sessions = (
        joinedload(Registration.category),
        joinedload(Registration.entity),
        joinedload(Registration.sessions),
    )
    if scanned:
        # Names are read in the reader's language with a fallback to the meeting's: their
        # rows are small, so they are read whole.
        sessions = sessions.load_only(
            AgendaSession.code, AgendaSession.title, AgendaSession.event_id
        )
    query = (
        db.select(Registration)
        .where(getattr(Registration, column) == sa.bindparam("value"))
        .with_for_update(of=Registration)
        .options(category, entity, sessions)
        .execution_options(populate_existing=True)
    )
    return query.options(load_only(*_SCANNED)) if scanned else query


def _locked(column: str, value: int | str, *, scanned: bool = False) -> Registration | None:
    """The registration whose ``column`` is ``value``, read with a row lock (a no-op on SQLite).

    Two desks scanning the same badge queue here, so the second sees the first's entry. What
    a desk shows (category, entity, sessions) comes in the same round trip.
    """
    statement = _locked_query(column, scanned)
    return db.session.execute(statement, {"value": value}).unique().scalar_one_or_none()


def _lock(registration: Registration) -> Registration:
    """Re-read ``registration`` with a row lock (see _locked)."""
    return _locked("id", registration.id)


def check_in(
    registration: Registration,
    checkpoint: Checkpoint,
    *,
    by: StaffUser | None = None,
    force: bool = False,
    at: datetime | None = None,
    locked: bool = False,
    flush: bool = True,
) -> Attendance:
    """Record an entry at a checkpoint (desks, devices, walk-ins) at ``at`` (default: now).

    Raises CheckInError: wrong_event, rejected, withdrawn, not_approved, already_checked_in,
    session_not_chosen (unless ``force``). The first venue entry sets
    Registration.checked_in_at. The partial unique index uq_attendance_current is the final
    guard behind the row lock: where there is no row lock (SQLite), a desk that loses the race
    gets IntegrityError, which ``scan`` turns into already_checked_in. ``locked``: the caller
    read ``registration`` with _locked already; ``flush=False``: the caller flushes the entry
    with its own rows (the scan log), in one round of writes.
    """
    if not locked:
        registration = _lock(registration)
    admissible(registration, checkpoint.event.id, checkpoint.code, checkpoint.session, force)
    attendance = Attendance(
        registration=registration,
        checkpoint=checkpoint.code,
        session=checkpoint.session,
        checked_in_at=entry_time(at),
        staff_id=by.id if by else None,
    )
    db.session.add(attendance)
    if checkpoint.code == VENUE and registration.checked_in_at is None:
        registration.checked_in_at = attendance.checked_in_at
        record(
            "checked_in",
            registration=registration,
            actor=by,
            actor_type="staff" if by else "device",
            changes={"checked_in_at": [None, attendance.checked_in_at.isoformat()]},
            flush=flush,
        )
    elif flush:
        db.session.flush()
    return attendance


def admissible(
    registration: "Registration | ScannedPerson",
    event_id: int,
    code: str,
    session: "AgendaSession | Named | None",
    force: bool,
) -> None:
    """Raise CheckInError unless ``registration`` (read locked) may enter checkpoint ``code``.

    Codes: wrong_event, rejected, withdrawn, not_approved, already_checked_in,
    session_not_chosen (unless ``force``).
    """
    if registration.event_id != event_id:
        raise CheckInError("wrong_event")
    if registration.status in (Status.REJECTED, Status.WITHDRAWN):
        raise CheckInError(registration.status.value, registration=registration)
    if registration.status != Status.APPROVED:
        raise CheckInError("not_approved", registration=registration)
    # checked_in_at mirrors the current venue entry: without it there is none to look up.
    at_venue_first = code == VENUE and registration.checked_in_at is None
    earlier = None if at_venue_first else current_entry(registration, code)
    if earlier is not None:
        raise CheckInError("already_checked_in", attendance=earlier)
    if not force and not chose(registration, session):
        raise CheckInError("session_not_chosen", registration=registration)


def entry_time(scanned_at: datetime | None) -> datetime:
    """When an entry happened: the time the badge was read, never later than now.

    A desk that was offline sends its scans late; attendance keeps the time of the scan, not
    that of the sync. A device clock running ahead cannot put an entry in the future.
    """
    now = utcnow()
    return now if scanned_at is None or scanned_at > now else scanned_at


def keep_earliest(attendance: Attendance, scanned_at: datetime | None) -> None:
    """Two offline desks admitted the same person: the entry keeps the earlier scan's time."""
    earlier = entry_time(scanned_at)
    if earlier >= attendance.checked_in_at:
        return
    registration = attendance.registration
    if attendance.checkpoint == VENUE and registration.checked_in_at == attendance.checked_in_at:
        registration.checked_in_at = earlier
    attendance.checked_in_at = earlier


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
    #: The desk was offline and admitted the person on its own judgement (queued scan).
    admitted_offline: bool = False


def find_registration(request: ScanRequest) -> Registration | None:
    """The registration behind a badge token or a registration id, in any event, locked."""
    if request.token is not None:
        return _locked("badge_token_hash", token_hash(request.token), scanned=True)
    if request.registration_id is not None:
        return _locked("id", request.registration_id, scanned=True)
    return None


def earlier_scan(client_key: str, nonce: str) -> Scan | None:
    """The scan already logged for this client and nonce, marked as replayed."""
    earlier = db.session.execute(
        db.select(Scan).where(Scan.client_key == client_key, Scan.nonce == nonce)
    ).scalar_one_or_none()
    if earlier is not None:
        earlier.replayed = True
    return earlier


def _scan_once(event: Event, request: ScanRequest, client_key: str, device, staff) -> Scan:
    """Try the check-in and log the scan with its result."""
    registration = find_registration(request)
    attendance, forced = None, False
    try:
        checkpoint = checkpoint_for(event, request.checkpoint)
        if registration is None:
            raise CheckInError("unknown_token")
        attendance = check_in(
            registration,
            checkpoint,
            by=staff,
            force=request.force,
            at=request.scanned_at,
            locked=True,
            flush=False,
        )
        result = "ok"
        forced = not chose(registration, checkpoint.session)
    except CheckInError as error:
        result, attendance = error.code, error.attendance
        if result == "already_checked_in" and request.admitted_offline:
            # Both scans stay in the log; this one, arriving second, is the duplicate.
            result = "duplicate"
            keep_earliest(attendance, request.scanned_at)
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
        if request.nonce and (earlier := earlier_scan(client_key, request.nonce)):
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


def admit_walk_in(registration: Registration, *, by: StaffUser) -> Scan:
    """Check in an already registered person who came to the walk-in desk (desk staff).

    A pending or waitlisted registration is approved first (which emails the person).
    Raises CheckInError('cannot_admit') for a rejected or withdrawn registration: only the
    registrar decides on those. Other refusals (already in) are in ``Scan.result``.
    """
    if registration.status in (Status.REJECTED, Status.WITHDRAWN):
        raise CheckInError("cannot_admit")
    if registration.status != Status.APPROVED:
        approve(registration, by=by)
    return scan(
        registration.event,
        ScanRequest(checkpoint=VENUE, registration_id=registration.id, source="walk_in"),
        staff=by,
    )


def mark_badge_printed(registration: Registration, reason: str, *, by: StaffUser) -> None:
    """Record that the desk printed this badge; a reprint is logged with its reason (desk staff).

    Raises CheckInError: not_printable, reprint_reason_required.
    """
    registration = _lock(registration)
    if registration.status != Status.APPROVED:
        raise CheckInError("not_printable")
    reason = " ".join(reason.split())
    now = utcnow()
    if registration.badge_printed_at is None:
        registration.badge_printed_at = now
        record(
            "badge_printed",
            registration=registration,
            actor=by,
            changes={"badge_printed_at": [None, now.isoformat()]},
        )
        return
    if not reason:
        raise CheckInError("reprint_reason_required")
    before = registration.badge_printed_at.isoformat()
    registration.badge_printed_at = now
    record(
        "badge_reprinted",
        registration=registration,
        actor=by,
        changes={"badge_printed_at": [before, now.isoformat()], "reprint_reason": ["", reason]},
    )
