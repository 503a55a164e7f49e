"""Retention, erasure requests and the clean-up of orphaned uploads.

- Each meeting keeps personal data for ``Event.retention_days`` after its last day; then
  ``purge_expired_events`` (run by the worker, or ``flask privacy purge``) erases it and keeps
  the statistics (see erasure.py).
- A delegate asks for erasure through their link. A registration nobody has decided on yet
  (pending or on the waiting list, never checked in) is withdrawn and erased at once; for the
  others the secretariat confirms or declines with a reason, since it may have to keep a record
  of who was accredited or attended.
- Uploads that no row names (photos of abandoned form posts, letters of failed requests) are
  deleted once they are ORPHAN_UPLOAD_HOURS old.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from registration import storage
from registration.audit.services import record
from registration.auth.models import StaffUser
from registration.database import utcnow
from registration.delegates import photos
from registration.delegates import services as delegate_services
from registration.delegates.models import Registration, Status
from registration.delegations import letters
from registration.delegations.models import NominationLetter
from registration.errors import DomainError
from registration.events.models import Event
from registration.extensions import db
from registration.jobs.models import Job, JobStatus
from registration.jobs.registry import PERIODIC
from registration.jobs.services import enqueue
from registration.privacy.erasure import ErasureCounts, erase_event_data, erase_registrations
from registration.privacy.models import Erasure, ErasureStatus

#: Registrations erased per step of a purge.
PURGE_CHUNK = 500
#: Statuses for which the delegate's own request erases at once.
UNDECIDED_STATUSES = (Status.PENDING, Status.WAITLISTED)


#: The periodic job of the documents package that deletes badge pages nobody shows any more.
BADGE_PRUNING = "badge-cache-prune"


class PrivacyError(DomainError):
    """An erasure request cannot be applied: erasure_already_requested, erasure_not_open."""


@dataclass
class PurgeReport:
    """What a purge did: the events whose retention ended, and what was erased in each."""

    events: dict[str, ErasureCounts] = field(default_factory=dict)
    #: The job deleting the cached badge pages no approved registration shows any more.
    badge_pruning: Job | None = None

    @property
    def total(self) -> ErasureCounts:
        """The counts of every event together."""
        total = ErasureCounts()
        for counts in self.events.values():
            total.add(counts)
        return total


@dataclass(frozen=True)
class UploadReport:
    """Orphaned files removed by ``remove_orphaned_uploads``."""

    photos: int
    letters: int


def retention_ends(event: Event) -> date:
    """The first day on which the event's personal data is due for erasure."""
    return event.end_date + timedelta(days=event.retention_days + 1)


def _erasure_of(registration: Registration) -> Erasure | None:
    return db.session.execute(
        sa.select(Erasure).where(Erasure.registration_id == registration.id)
    ).scalar_one_or_none()


def purge_event(event: Event, *, now: datetime | None = None) -> ErasureCounts:
    """Erase the personal data of every registration of ``event`` and what the event holds
    about people (letters, focal points, emails, audit values); statistics are kept.

    Idempotent: a registration already erased is not touched again, and the counts say only
    what this call changed. Flushes (the caller commits).
    """
    now = now or utcnow()
    erased = sa.select(Erasure.registration_id).where(Erasure.status == ErasureStatus.ERASED)
    due_ids = (
        db.session.execute(
            sa.select(Registration.id).where(
                Registration.event_id == event.id, Registration.id.not_in(erased)
            )
        )
        .scalars()
        .all()
    )
    counts = ErasureCounts()
    # In chunks: bounded memory and query parameters for a meeting of any size.
    for start in range(0, len(due_ids), PURGE_CHUNK):
        chunk = due_ids[start : start + PURGE_CHUNK]
        due = db.session.scalars(sa.select(Registration).where(Registration.id.in_(chunk))).all()
        counts.add(erase_registrations(due))
        for registration in due:
            _mark_erased(registration, cause="retention", now=now)
        db.session.flush()
    counts.add(erase_event_data(event))
    db.session.flush()
    return counts


def _mark_erased(
    registration: Registration, *, cause: str, now: datetime, by: StaffUser | None = None
) -> Erasure:
    """Record that ``registration`` was erased (a request keeps its own cause and date)."""
    erasure = _erasure_of(registration) or Erasure(
        event_id=registration.event_id, registration_id=registration.id, cause=cause
    )
    erasure.status, erasure.erased_at = ErasureStatus.ERASED, now
    if by is not None:
        erasure.decided_by_id, erasure.decided_at = by.id, now
    db.session.add(erasure)
    return erasure


def expired_events(now: datetime) -> list[Event]:
    """Events whose retention period has ended at ``now``."""
    today = now.astimezone(UTC).date()
    events = db.session.execute(sa.select(Event).where(Event.end_date < today)).scalars()
    return [event for event in events if retention_ends(event) <= today]


def purge_expired_events(now: datetime | None = None) -> PurgeReport:
    """Purge every event whose retention period has ended (the worker, `flask privacy purge`),
    then have a worker delete the cached badge pages nobody shows any more.

    Idempotent; the report lists each such event with what this run erased. Flushes.
    """
    now = now or utcnow()
    report = PurgeReport()
    for event in expired_events(now):
        report.events[event.slug] = purge_event(event, now=now)
    db.session.flush()
    # Rendered badges carry names, photos and QR codes: the pages of erased registrations
    # (by this purge, or on request since the last run) go with them, deleted by the documents'
    # pruning job (queued by its name: privacy does not reach into the documents package), one
    # that has not started yet serving for this purge too.
    kind = PERIODIC[BADGE_PRUNING].kind
    report.badge_pruning = db.session.execute(
        sa.select(Job).where(Job.kind == kind, Job.status == JobStatus.QUEUED)
    ).scalar() or enqueue(kind, event=None, payload={})
    return report


def erases_at_once(registration: Registration) -> bool:
    """Whether the delegate's own request erases at once: nobody has decided on the
    registration and it was never used at the venue."""
    return registration.status in UNDECIDED_STATUSES and registration.checked_in_at is None


def request_erasure(registration: Registration, *, now: datetime | None = None) -> Erasure:
    """The delegate asks for the erasure of their data (from their link).

    Erased at once when ``erases_at_once``; otherwise recorded for the secretariat to confirm
    or decline. Raises PrivacyError('erasure_already_requested'). Flushes.
    """
    now = now or utcnow()
    erasure = _erasure_of(registration)
    if erasure is not None and erasure.status != ErasureStatus.DECLINED:
        raise PrivacyError(
            _("You have already asked for the erasure of your data."), "erasure_already_requested"
        )
    erasure = erasure or Erasure(
        event_id=registration.event_id, registration_id=registration.id, cause="request"
    )
    erasure.status, erasure.requested_at = ErasureStatus.REQUESTED, now
    erasure.decided_at, erasure.decided_by_id, erasure.decision_note = None, None, ""
    db.session.add(erasure)
    record("erasure_requested", registration=registration, actor_type="delegate")
    if erases_at_once(registration):
        _erase_now(registration, by=None, now=now)
    db.session.flush()
    return erasure


def _erase_now(registration: Registration, *, by: StaffUser | None, now: datetime) -> None:
    """Withdraw if active (quietly: the address is about to go), erase, and record it."""
    if registration.is_active:
        delegate_services.withdraw(
            registration, by=by, actor_type="staff" if by else "delegate", notify=False
        )
    erase_registrations([registration])
    _mark_erased(registration, cause="request", now=now, by=by)
    record("erased", registration=registration, actor=by, actor_type="staff" if by else "system")


def _open_request(erasure: Erasure) -> None:
    if erasure.status != ErasureStatus.REQUESTED:
        raise PrivacyError(_("This request has already been answered."), "erasure_not_open")


def confirm_erasure(erasure: Erasure, *, by: StaffUser, now: datetime | None = None) -> None:
    """Erase the data of a requested erasure (registrars).

    Raises PrivacyError('erasure_not_open').
    """
    _open_request(erasure)
    _erase_now(erasure.registration, by=by, now=now or utcnow())
    db.session.flush()


def decline_erasure(
    erasure: Erasure, note: str, *, by: StaffUser, now: datetime | None = None
) -> None:
    """Keep the data and tell the delegate why on their page (registrars).

    Raises PrivacyError('erasure_not_open').
    """
    _open_request(erasure)
    erasure.status, erasure.decision_note = ErasureStatus.DECLINED, note.strip()
    erasure.decided_by_id, erasure.decided_at = by.id, now or utcnow()
    record("erasure_declined", registration=erasure.registration, actor=by)
    db.session.flush()


def erasure_of(registration: Registration) -> Erasure | None:
    """The erasure request of ``registration``, if any (for its pages)."""
    return _erasure_of(registration)


def open_requests(event: Event) -> list[Erasure]:
    """Erasure requests of ``event`` waiting for the secretariat, oldest first."""
    return list(
        db.session.execute(
            sa.select(Erasure)
            .where(Erasure.event_id == event.id, Erasure.status == ErasureStatus.REQUESTED)
            .order_by(Erasure.requested_at, Erasure.id)
        ).scalars()
    )


def recent_erasures(event: Event, limit: int = 100) -> list[Erasure]:
    """Answered requests of ``event``, newest first (the record that they were handled)."""
    return list(
        db.session.execute(
            sa.select(Erasure)
            .where(Erasure.event_id == event.id, Erasure.status != ErasureStatus.REQUESTED)
            .order_by(Erasure.decided_at.desc().nulls_last(), Erasure.id.desc())
            .limit(limit)
        ).scalars()
    )


def _orphans(area: str, is_ours, referenced: set[str], cutoff: datetime) -> list[str]:
    """Names of the stored files of ``area`` with one of our names, older than ``cutoff``, that
    no row names."""
    files = storage.get_storage()
    found = []
    for key in files.list(f"{area}/"):
        name = key.rpartition("/")[2]
        if (
            is_ours(name)
            and name not in referenced
            and datetime.fromtimestamp(files.modified(key), UTC) < cutoff
        ):
            found.append(name)
    return found


def _names(column) -> set[str]:
    return set(db.session.execute(sa.select(column).where(column.is_not(None))).scalars())


def remove_orphaned_uploads(now: datetime | None = None) -> UploadReport:
    """Delete photos and letters older than ORPHAN_UPLOAD_HOURS that no row names (the worker,
    `flask privacy clean-uploads`).

    The age keeps files of a form being filled in (carried in its hidden field) and of a
    transaction about to commit.
    """
    now = now or utcnow()
    cutoff = now - timedelta(hours=current_app.config["ORPHAN_UPLOAD_HOURS"])
    # Certificate logos live beside the portraits.
    used_photos = _names(Registration.photo) | _names(Event.certificate_logo)
    orphan_photos = _orphans(storage.PHOTOS, photos.is_photo_name, used_photos, cutoff)
    orphan_letters = _orphans(
        storage.LETTERS,
        letters.is_letter_name,
        _names(NominationLetter.stored_name),
        cutoff,
    )
    for name in orphan_photos:
        photos.delete_photo(name)
    for name in orphan_letters:
        letters.delete_letter_file(name)
    return UploadReport(photos=len(orphan_photos), letters=len(orphan_letters))
