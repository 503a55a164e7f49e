"""Registering, editing and withdrawing registrations (used by every channel)."""

import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from registration.audit.services import diff, record
from registration.database import utcnow
from registration.delegates import emails, workflow
from registration.delegates.models import (
    PLACE_HOLDING_STATUSES,
    Registration,
    Status,
)
from registration.errors import DomainError
from registration.events.models import AgendaSession, Category, Entity, Event
from registration.extensions import db
from registration.security import new_reference

#: Fields whose change by a delegate sends an approved registration back to pending.
KEY_FIELDS = (
    "given_name",
    "family_name",
    "entity_id",
    "other_organisation",
    "category_id",
    "photo",
)


class RegistrationError(DomainError):
    """A registration rule was broken.

    Codes: registration_not_open, registration_closed, duplicate, invalid_category,
    invalid_entity, invalid_session, quota_reached, session_full, not_editable,
    already_withdrawn.
    """


@dataclass
class RegistrationData:
    """What a person (or staff on their behalf) submits; plain data, no form objects."""

    given_name: str
    family_name: str
    email: str
    category_id: int
    entity_id: int | None = None
    other_organisation: str = ""
    honorific: str = ""
    gender: str = ""
    function: str = ""
    unit: str = ""
    phone: str = ""
    nationality: str = ""
    language: str = "en"
    head_of_delegation: bool = False
    dietary_needs: str = ""
    accessibility_needs: str = ""
    consent_to_list: bool = False
    session_ids: list[int] = field(default_factory=list)
    #: Name of an already stored portrait (delegates.photos.store_photo), or None.
    photo: str | None = None


def _fold(text: str) -> str:
    """Case-, accent- and space-insensitive form of a name or address."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.split())


def person_key(email: str, given_name: str, family_name: str) -> str:
    """The identity that the database keeps unique among active registrations of an event."""
    return "|".join(_fold(part) for part in (email, given_name, family_name))


def _check_choices(event: Event, data: RegistrationData) -> tuple[Category, Entity | None, list]:
    """Check that category, entity and sessions belong to the event and fit together."""
    category = db.session.get(Category, data.category_id)
    if category is None or category.event_id != event.id:
        raise RegistrationError(_("Choose a category."), "invalid_category", field="category")
    entity = db.session.get(Entity, data.entity_id) if data.entity_id else None
    if entity is not None and (entity.event_id != event.id or entity.category_id != category.id):
        raise RegistrationError(
            _("Choose a State or organisation of the chosen category."),
            "invalid_entity",
            field="entity",
        )
    if entity is None and (category.is_state or not data.other_organisation.strip()):
        raise RegistrationError(
            _("Choose the State or organisation you represent."), "invalid_entity", field="entity"
        )
    sessions = []
    if data.session_ids:
        sessions = list(
            db.session.execute(
                db.select(AgendaSession).where(
                    AgendaSession.id.in_(data.session_ids), AgendaSession.event_id == event.id
                )
            ).scalars()
        )
        if len(sessions) != len(set(data.session_ids)):
            raise RegistrationError(
                _("Choose sessions of this meeting."), "invalid_session", field="sessions"
            )
    return category, entity, sessions


def _check_window(event: Event, now: datetime) -> None:
    """Refuse outside the registration window."""
    if event.registration_opens and now < event.registration_opens:
        raise RegistrationError(_("Registration is not open yet."), "registration_not_open")
    if event.registration_closes and now >= event.registration_closes:
        raise RegistrationError(_("Registration is closed."), "registration_closed")


def _duplicate_error() -> RegistrationError:
    return RegistrationError(
        _(
            "You are already registered for this meeting. Use “Lost your link?” to receive "
            "your personal link again."
        ),
        "duplicate",
        field="email",
    )


def register(
    event: Event,
    data: RegistrationData,
    *,
    by=None,
    actor_type: str | None = None,
    enforce_window: bool = True,
    now: datetime | None = None,
) -> Registration:
    """Register a person for ``event`` and queue their confirmation email.

    Used by the public form, focal points (``actor_type="focal_point"``), staff and walk-ins
    (``by`` a StaffUser, ``enforce_window=False``). The status is waitlisted beyond the event's
    capacity, the entity's quota or a chosen session's capacity (focal points are refused at
    the quota instead: 'quota_reached'), pending when the event is moderated, approved
    otherwise. Raises RegistrationError.
    """
    now = now or utcnow()
    if enforce_window:
        _check_window(event, now)
    category, entity, sessions = _check_choices(event, data)
    workflow.lock_event(event)  # serialises duplicates and capacity counts of the event
    key = person_key(data.email, data.given_name, data.family_name)
    exists = db.session.execute(
        db.select(Registration.id).where(
            Registration.event_id == event.id,
            Registration.person_key == key,
            Registration.status.in_((Status.PENDING, Status.APPROVED, Status.WAITLISTED)),
        )
    ).first()
    if exists:
        raise _duplicate_error()
    limit = workflow.limit_reached(event, entity, sessions)
    if limit == workflow.QUOTA and actor_type == "focal_point":
        # A focal point manages the quota: refuse clearly rather than waitlist.
        raise RegistrationError(
            _(
                "The quota of %(quota)s delegates for %(entity)s is reached.",
                quota=entity.quota,
                entity=entity.name_in(),
            ),
            "quota_reached",
        )
    status = Status.PENDING if event.moderation else Status.APPROVED
    if limit:
        status = Status.WAITLISTED
    values = asdict(data)
    del values["session_ids"]
    registration = Registration(
        event=event,
        reference=_unused_reference(event),
        status=status,
        person_key=key,
        **_cleaned(values),
    )
    registration.issue_manage_token()
    registration.issue_badge_token()
    registration.category = category
    registration.entity = entity
    registration.sessions = sessions
    try:
        with db.session.begin_nested():
            db.session.add(registration)
            db.session.flush()
    except IntegrityError as error:  # a concurrent request registered the same person first
        raise _duplicate_error() from error
    record(
        "created",
        registration=registration,
        actor=by,
        actor_type=actor_type,
        changes=diff({}, _snapshot(registration)),
    )
    emails.queue_registration_email(registration, "created")
    return registration


def _cleaned(values: dict) -> dict:
    """Strip surrounding spaces from text values; lower-case the email."""
    cleaned = {
        key: value.strip() if isinstance(value, str) else value for key, value in values.items()
    }
    cleaned["email"] = cleaned["email"].lower()
    return cleaned


def _unused_reference(event: Event) -> str:
    """A reference not yet used (the unique constraint is the final guard)."""
    while True:
        reference = new_reference(event.reference_prefix)
        taken = db.session.execute(
            db.select(Registration.id).where(Registration.reference == reference)
        ).first()
        if not taken:
            return reference


def _snapshot(registration: Registration) -> dict:
    """The audited fields of a registration, as plain values."""
    values = {
        name: getattr(registration, name)
        for name in RegistrationData.__dataclass_fields__
        if name != "session_ids"
    }
    values["session_ids"] = [session.id for session in registration.sessions]
    values["status"] = registration.status
    return values


def can_delegate_edit(registration: Registration, now: datetime | None = None) -> bool:
    """Delegates edit their registration while it is active and registration is open."""
    now = now or utcnow()
    closes = registration.event.registration_closes
    return registration.is_active and not (closes and now >= closes)


def _check_added_sessions(registration: Registration, sessions: list[AgendaSession]) -> None:
    """A delegate holding a place may not add a session that is full (staff may decide to)."""
    if registration.status not in PLACE_HOLDING_STATUSES:
        return
    added = [s for s in sessions if s.capacity is not None and s not in registration.sessions]
    taken = workflow.session_places_taken(added)
    full = [session for session in added if taken.get(session.id, 0) >= session.capacity]
    if full:
        raise RegistrationError(
            _("This session is full: %(title)s.", title=full[0].title),
            "session_full",
            field="sessions",
        )


def update_registration(
    registration: Registration,
    data: RegistrationData,
    *,
    by=None,
    actor_type: str | None = None,
) -> dict[str, list]:
    """Change a registration and acknowledge it by email; returns the audited changes.

    Delegates (``by`` None) and focal points may edit only while ``can_delegate_edit``; their
    change of a key field sends an approved registration back to pending when the event says
    so. Staff (``by`` a StaffUser) may edit at any time. Raises RegistrationError.
    """
    staff = by is not None and actor_type in (None, "staff")
    workflow.lock_registration(registration)  # an approval or withdrawal may be committing
    if not staff and not can_delegate_edit(registration):
        raise RegistrationError(_("This registration can no longer be changed."), "not_editable")
    event = registration.event
    category, entity, sessions = _check_choices(event, data)
    if not staff:
        _check_added_sessions(registration, sessions)
    before = _snapshot(registration)
    values = _cleaned({k: v for k, v in asdict(data).items() if k != "session_ids"})
    for name, value in values.items():
        setattr(registration, name, value)
    registration.category = category
    registration.entity = entity
    registration.sessions = sessions
    registration.person_key = person_key(data.email, data.given_name, data.family_name)
    after = _snapshot(registration)
    changes = diff(before, after)
    if not changes:
        return {}
    if (
        not staff
        and registration.status == Status.APPROVED
        and event.reapprove_on_key_edit
        and any(name in changes for name in KEY_FIELDS)
    ):
        registration.status = Status.PENDING
        changes["status"] = [Status.APPROVED.value, Status.PENDING.value]
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise _duplicate_error() from error
    record("updated", registration=registration, actor=by, actor_type=actor_type, changes=changes)
    emails.queue_registration_email(registration, "updated", changes=changes)
    if "email" in changes:
        emails.queue_email_change_notice(registration, before["email"])
    return changes


def withdraw(registration: Registration, *, by=None, actor_type: str | None = None) -> None:
    """Withdraw a registration (the delegate, a focal point or staff) and confirm by email.

    The place it held goes to the next waitlisted registration (workflow.promote_next_waitlisted).

    Raises RegistrationError('already_withdrawn' | 'not_editable').
    """
    workflow.lock_registration(registration)
    if registration.status == Status.WITHDRAWN:
        raise RegistrationError(_("This registration is already withdrawn."), "already_withdrawn")
    if registration.status == Status.REJECTED:
        raise RegistrationError(_("This registration can no longer be changed."), "not_editable")
    previous = registration.status
    registration.status = Status.WITHDRAWN
    db.session.flush()
    record(
        "withdrawn",
        registration=registration,
        actor=by,
        actor_type=actor_type,
        changes={"status": [previous.value, Status.WITHDRAWN.value]},
    )
    emails.queue_registration_email(registration, "withdrawn")
    if previous in PLACE_HOLDING_STATUSES:
        workflow.promote_next_waitlisted(registration.event)


def resend_links(event: Event, email: str) -> int:
    """Email every active registration of ``email`` for ``event`` a new manage link.

    Each gets a new secret, so that links sent or seen before stop working. Returns how many
    were sent; callers must answer the same whatever the number, so that nobody learns who is
    registered.
    """
    registrations = (
        db.session.execute(
            db.select(Registration).where(
                Registration.event_id == event.id,
                Registration.email == email.strip().lower(),
                Registration.status.in_((Status.PENDING, Status.APPROVED, Status.WAITLISTED)),
            )
        )
        .scalars()
        .all()
    )
    for registration in registrations:
        registration.issue_manage_token()
        emails.queue_registration_email(registration, "link")
    db.session.flush()
    return len(registrations)
