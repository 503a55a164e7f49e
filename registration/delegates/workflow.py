"""The secretariat's decisions on registrations, capacity limits and the waiting list.

Every change of status here takes the event's row lock first (capacity counts and promotions are
serialised per event, and the lock order event → registration is the same everywhere, so that
two bulk actions cannot deadlock), records an audit event and queues the status email.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from registration.audit.services import record
from registration.delegates.models import (
    ACTIVE_STATUSES,
    PLACE_HOLDING_STATUSES,
    Registration,
    Status,
    registration_session,
)
from registration.delegates.status_emails import queue_status_email
from registration.errors import DomainError
from registration.events.models import AgendaSession, Entity, Event
from registration.extensions import db


class WorkflowError(DomainError):
    """A decision cannot be applied.

    Codes: already_approved, invalid_transition, reason_required, duplicate, unknown_action.
    """


#: Limits that send a registration to the waiting list, as returned by ``limit_reached``.
CAPACITY, QUOTA, SESSION = "capacity", "quota", "session"


def lock_event(event: Event) -> None:
    """Serialise changes of places in one event with a row lock.

    SELECT … FOR UPDATE on PostgreSQL; SQLite ignores it and serialises writers itself.
    """
    db.session.execute(db.select(Event.id).where(Event.id == event.id).with_for_update())


def lock_registration(registration: Registration) -> None:
    """Take the event's lock, then the registration's, and reload it from the database.

    Status checks that follow see what is committed, not a copy loaded before a concurrent
    withdrawal or approval committed (SELECT … FOR UPDATE on PostgreSQL).
    """
    lock_event(registration.event)
    db.session.execute(
        db.select(Registration)
        .where(Registration.id == registration.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _count_held(event: Event, *conditions) -> int:
    """Registrations of ``event`` holding a place (pending, approved) matching ``conditions``."""
    return db.session.execute(
        db.select(db.func.count(Registration.id)).where(
            Registration.event_id == event.id,
            Registration.status.in_(PLACE_HOLDING_STATUSES),
            *conditions,
        )
    ).scalar_one()


def places_taken(event: Event) -> int:
    """Registrations of ``event`` that hold a place (pending or approved)."""
    return _count_held(event)


def session_places_taken(sessions: Iterable[AgendaSession]) -> dict[int, int]:
    """{session id: registrations holding a place that chose it}, for the given sessions."""
    ids = [session.id for session in sessions]
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(registration_session.c.session_id, db.func.count())
        .join(Registration, Registration.id == registration_session.c.registration_id)
        .where(
            registration_session.c.session_id.in_(ids),
            Registration.status.in_(PLACE_HOLDING_STATUSES),
        )
        .group_by(registration_session.c.session_id)
    ).all()
    return dict(rows)


@dataclass(frozen=True)
class Limit:
    """A limit that one more place-holding registration would exceed.

    ``code`` is CAPACITY, QUOTA or SESSION; ``entity`` or ``session`` says which one.
    """

    code: str
    entity: Entity | None = None
    session: AgendaSession | None = None


def find_limit(
    event: Event, entity: Entity | None, sessions: Sequence[AgendaSession]
) -> Limit | None:
    """The limit (meeting, delegation quota, session) that one more place would exceed.

    None when it fits. Call it after ``lock_event`` so that the counts stay true until commit.
    """
    # The quota first: a focal point is told about its quota even when the meeting is full.
    if (
        entity is not None
        and entity.quota is not None
        and _count_held(event, Registration.entity_id == entity.id) >= entity.quota
    ):
        return Limit(QUOTA, entity=entity)
    if event.capacity is not None and places_taken(event) >= event.capacity:
        return Limit(CAPACITY)
    limited = [session for session in sessions if session.capacity is not None]
    taken = session_places_taken(limited)
    for session in limited:
        if taken.get(session.id, 0) >= session.capacity:
            return Limit(SESSION, session=session)
    return None


def limit_reached(
    event: Event, entity: Entity | None, sessions: Sequence[AgendaSession]
) -> str | None:
    """The code of ``find_limit``: CAPACITY, QUOTA, SESSION, or None when it fits."""
    limit = find_limit(event, entity, sessions)
    return limit.code if limit else None


def waitlist_cause(registration: Registration) -> Limit | None:
    """Why a waitlisted registration waits: the limit it would exceed now (None if it fits).

    The delegate's page and emails name it (meeting full, which session, which quota).
    """
    if registration.status != Status.WAITLISTED:
        return None
    return find_limit(registration.event, registration.entity, registration.sessions)


def waitlist_message(registration: Registration) -> str:
    """What a waitlisted delegate reads about why they wait, in the current language.

    Each cause has its own words: the meeting is full, a chosen session is full (named), or
    the delegation's quota is reached (with whom to contact). "" when not waitlisted.
    """
    if registration.status != Status.WAITLISTED:
        return ""
    limit = waitlist_cause(registration)
    if limit is None or limit.code == CAPACITY:
        return _(
            "The meeting is full: you are on the waiting list. We will write to you as soon as "
            "a place becomes free."
        )
    if limit.code == SESSION:
        return _(
            "The session “%(session)s” is full: you are on the waiting list. We will write to "
            "you as soon as a seat becomes free; you may also change your registration and "
            "leave this session out.",
            session=limit.session.title_in(),
        )
    contact = registration.event.secretariat_email
    if contact:
        return _(
            "The %(quota)s places of the delegation of %(entity)s are taken: you are on the "
            "waiting list. Your delegation's focal point or the secretariat (%(contact)s) can "
            "free a place.",
            quota=limit.entity.quota,
            entity=limit.entity.name_in(),
            contact=contact,
        )
    return _(
        "The %(quota)s places of the delegation of %(entity)s are taken: you are on the waiting "
        "list. Your delegation's focal point or the secretariat can free a place.",
        quota=limit.entity.quota,
        entity=limit.entity.name_in(),
    )


def full_session_ids(event: Event) -> set[int]:
    """Ids of the event's sessions whose seats are all taken (forms mark them as full)."""
    limited = [session for session in event.sessions if session.capacity is not None]
    taken = session_places_taken(limited)
    return {session.id for session in limited if taken.get(session.id, 0) >= session.capacity}


def _change_status(
    registration: Registration,
    status: Status,
    action: str,
    *,
    by=None,
    actor_type: str | None = None,
    reason: str = "",
    email: str,
) -> None:
    """Set the status (and the reason the delegate sees), audit it and queue the email."""
    changes = {"status": [registration.status.value, status.value]}
    if reason != registration.status_reason:
        changes["status_reason"] = [registration.status_reason, reason]
    reactivated = registration.status not in ACTIVE_STATUSES and status in ACTIVE_STATUSES
    registration.status = status
    registration.status_reason = reason
    if reactivated:
        try:
            # A savepoint: the person may have registered again since; the unique index says so.
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError as error:
            raise WorkflowError(
                _("This person already has another active registration for this meeting."),
                "duplicate",
            ) from error
    else:
        db.session.flush()
    record(action, registration=registration, actor=by, actor_type=actor_type, changes=changes)
    queue_status_email(registration, email, reason=reason)


def approve(registration: Registration, *, by) -> Registration:
    """Approve a pending or waitlisted registration (staff; the desk for walk-ins).

    Approving a waitlisted registration is a deliberate decision of staff and may exceed the
    event's limits. Raises WorkflowError('already_approved' | 'invalid_transition').
    """
    lock_registration(registration)
    if registration.status == Status.APPROVED:
        raise WorkflowError(_("This registration is already approved."), "already_approved")
    if registration.status not in (Status.PENDING, Status.WAITLISTED):
        raise WorkflowError(
            _("Only a pending or waitlisted registration can be approved; reset it first."),
            "invalid_transition",
        )
    _change_status(registration, Status.APPROVED, "approved", by=by, email="approved")
    return registration


def reject(registration: Registration, reason: str, *, by) -> list[Registration]:
    """Reject a registration with a reason the delegate sees (staff).

    A place it held goes to the waiting list; returns the registrations promoted.
    Raises WorkflowError('reason_required' | 'invalid_transition').
    """
    reason = reason.strip()
    if not reason:
        raise WorkflowError(
            _("Give the reason that the delegate will read."), "reason_required", field="reason"
        )
    lock_registration(registration)
    if registration.status not in (Status.PENDING, Status.APPROVED, Status.WAITLISTED):
        raise WorkflowError(
            _("Only a pending, approved or waitlisted registration can be rejected."),
            "invalid_transition",
        )
    held = registration.status in PLACE_HOLDING_STATUSES
    _change_status(
        registration, Status.REJECTED, "rejected", by=by, reason=reason, email="rejected"
    )
    return promote_next_waitlisted(registration.event) if held else []


def withdraw(registration: Registration, *, by, reason: str = "") -> list[Registration]:
    """Withdraw a registration on the delegate's behalf (staff); returns those promoted.

    Raises WorkflowError('invalid_transition').
    """
    lock_registration(registration)
    if registration.status not in (Status.PENDING, Status.APPROVED, Status.WAITLISTED):
        raise WorkflowError(
            _("Only a pending, approved or waitlisted registration can be withdrawn."),
            "invalid_transition",
        )
    held = registration.status in PLACE_HOLDING_STATUSES
    _change_status(
        registration, Status.WITHDRAWN, "withdrawn", by=by, reason=reason.strip(), email="withdrawn"
    )
    return promote_next_waitlisted(registration.event) if held else []


def reset_to_pending(registration: Registration, *, by) -> Registration:
    """Send an approved, rejected or withdrawn registration back to pending (staff).

    A rejected or withdrawn registration that no longer fits the limits goes to the waiting
    list instead. Raises WorkflowError('invalid_transition' | 'duplicate').
    """
    event = registration.event
    lock_registration(registration)
    if registration.status not in (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN):
        raise WorkflowError(
            _("Only an approved, rejected or withdrawn registration can be reset to pending."),
            "invalid_transition",
        )
    status = Status.PENDING
    if registration.status != Status.APPROVED and limit_reached(
        event, registration.entity, registration.sessions
    ):
        status = Status.WAITLISTED
    _change_status(registration, status, "reset", by=by, email=status.value)
    return registration


def promote_next_waitlisted(event: Event) -> list[Registration]:
    """Give free places to waitlisted registrations in arrival order (the system).

    Each promoted registration becomes pending (moderated events) or approved and is emailed.
    One blocked by its entity's quota or a full session is skipped, not the ones after it.
    """
    lock_event(event)
    status = Status.PENDING if event.moderation else Status.APPROVED
    waiting = (
        db.session.execute(
            db.select(Registration)
            .where(Registration.event_id == event.id, Registration.status == Status.WAITLISTED)
            .order_by(Registration.created_at, Registration.id)
        )
        .scalars()
        .all()
    )
    promoted = []
    for candidate in waiting:
        limit = limit_reached(event, candidate.entity, candidate.sessions)
        if limit == CAPACITY:
            break
        if limit is None:
            _change_status(candidate, status, "promoted", actor_type="system", email="promoted")
            promoted.append(candidate)
    return promoted


#: Actions offered in bulk on the registrations list.
BULK_ACTIONS = ("approve", "reject", "reset", "withdraw")


@dataclass
class BulkResult:
    """What a bulk action did: references changed, and (reference, message) refused."""

    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    promoted: list[str] = field(default_factory=list)


def apply_bulk(
    action: str, registrations: Iterable[Registration], *, by, reason: str = ""
) -> BulkResult:
    """Apply one of BULK_ACTIONS to each registration; one refusal does not stop the others.

    Raises WorkflowError('unknown_action' | 'reason_required') before changing anything.
    """
    if action not in BULK_ACTIONS:
        raise WorkflowError(_("Choose an action."), "unknown_action", field="action")
    if action == "reject" and not reason.strip():
        raise WorkflowError(
            _("Give the reason that the delegates will read."), "reason_required", field="reason"
        )
    result = BulkResult()
    for registration in registrations:
        try:
            with db.session.begin_nested():
                promoted = _apply_one(action, registration, by=by, reason=reason)
        except WorkflowError as error:
            result.refused.append((registration.reference, error.message))
        else:
            result.done.append(registration.reference)
            result.promoted.extend(item.reference for item in promoted)
    return result


def _apply_one(action: str, registration: Registration, *, by, reason: str) -> list[Registration]:
    """One bulk step; returns the registrations it promoted."""
    if action == "approve":
        approve(registration, by=by)
    elif action == "reset":
        reset_to_pending(registration, by=by)
    elif action == "reject":
        return reject(registration, reason, by=by)
    else:
        return withdraw(registration, by=by, reason=reason)
    return []
