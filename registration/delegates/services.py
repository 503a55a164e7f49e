"""Registering, editing and withdrawing registrations (used by every channel)."""

import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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

#: Groups of fields that a meeting may say send an approved registration back to review when a
#: delegate or focal point changes them (Event.review_fields): {code: audited field names}.
REVIEW_FIELDS = {
    "name": ("honorific", "given_name", "family_name"),
    "category": ("category_id",),
    "entity": ("entity_id", "other_organisation"),
    "function": ("function", "unit"),
    "photo": ("photo",),
    "sessions": ("session_ids",),
    "email": ("email",),
}
REVIEW_FIELD_LABELS = {
    "name": _l("Name"),
    "category": _l("Category"),
    "entity": _l("State or organisation"),
    "function": _l("Function and unit"),
    "photo": _l("Photo"),
    "sessions": _l("Sessions"),
    "email": _l("Email"),
}


class RegistrationError(DomainError):
    """A registration rule was broken.

    Codes: registration_not_open, registration_closed, duplicate, invalid_category,
    invalid_entity, invalid_session, quota_reached, session_full, not_editable, checked_in,
    already_withdrawn, duplicate_name, invalid_name.
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


def _has_letter(text: str) -> bool:
    """Whether ``text`` holds a letter of any script (not only dots, digits or symbols)."""
    return any(unicodedata.category(char).startswith("L") for char in text)


def _check_names(data: RegistrationData) -> None:
    """Names are printed on badges and lists: each needs at least one letter."""
    for name, value in (("given_name", data.given_name), ("family_name", data.family_name)):
        if not _has_letter(value or ""):
            raise RegistrationError(
                _("Write the name in letters, as in the passport."), "invalid_name", field=name
            )


def _check_choices(event: Event, data: RegistrationData) -> tuple[Category, Entity | None, list]:
    """Check the names, and that category, entity and sessions belong to the event and fit."""
    _check_names(data)
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
                db.select(AgendaSession)
                .where(AgendaSession.id.in_(data.session_ids), AgendaSession.event_id == event.id)
                # Agenda order: emails list the sessions as the new object holds them.
                .order_by(AgendaSession.starts_at, AgendaSession.id)
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


def same_person(
    event: Event, data: RegistrationData, *, exclude_id: int | None = None
) -> Registration | None:
    """An active registration of ``event`` with the same name for the same State or
    organisation, whatever its email: the same person registered twice (by a colleague, with
    another address). Names and free-text organisations compare without case or accents."""
    name_key = "|" + "|".join(_fold(part) for part in (data.given_name, data.family_name))
    conditions = [
        Registration.event_id == event.id,
        Registration.status.in_((Status.PENDING, Status.APPROVED, Status.WAITLISTED)),
        Registration.person_key.endswith(name_key),
    ]
    if data.entity_id:
        conditions.append(Registration.entity_id == data.entity_id)
    else:
        conditions.append(Registration.entity_id.is_(None))
    if exclude_id is not None:
        conditions.append(Registration.id != exclude_id)
    candidates = db.session.execute(db.select(Registration).where(*conditions)).scalars()
    organisation = _fold(data.other_organisation)
    for candidate in candidates:
        # person_key is email|given|family: the name part must match exactly, not as a suffix.
        if candidate.person_key.partition("|")[2] != name_key[1:]:
            continue
        if data.entity_id or _fold(candidate.other_organisation) == organisation:
            return candidate
    return None


def other_heads(registration: Registration) -> list[Registration]:
    """Other active registrations heading the same delegation (a second head is a mistake
    staff should see)."""
    if not registration.head_of_delegation or registration.entity_id is None:
        return []
    return list(
        db.session.execute(
            db.select(Registration).where(
                Registration.event_id == registration.event_id,
                Registration.entity_id == registration.entity_id,
                Registration.head_of_delegation.is_(True),
                Registration.id != registration.id,
                Registration.status.in_((Status.PENDING, Status.APPROVED, Status.WAITLISTED)),
            )
        ).scalars()
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
    if not (by is not None and actor_type in (None, "staff")) and same_person(event, data):
        # Staff may register a namesake deliberately; delegates and focal points are stopped.
        raise RegistrationError(
            _(
                "%(name)s is already registered for this State or organisation, with another "
                "email address. If this is you, use “Lost your link?”; otherwise please "
                "contact the secretariat.",
                name=f"{data.given_name.strip()} {data.family_name.strip()}",
            ),
            "duplicate_name",
            field="family_name",
        )
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
    """Delegates edit their registration while it is active, not yet checked in (the badge is
    printed and scanned at the doors) and registration is open."""
    now = now or utcnow()
    closes = registration.event.registration_closes
    return (
        registration.is_active
        and registration.checked_in_at is None
        and not (closes and now >= closes)
    )


def _checked_in_error() -> RegistrationError:
    return RegistrationError(
        _(
            "You have checked in at the meeting, so what is printed on your badge can no longer "
            "be changed here. Please ask the registration desk."
        ),
        "checked_in",
    )


def _check_delegate_may_change(registration: Registration) -> None:
    """Refuse a delegate's or focal point's change once checked in or no longer editable."""
    if registration.checked_in_at is not None:
        raise _checked_in_error()
    if not can_delegate_edit(registration):
        raise RegistrationError(_("This registration can no longer be changed."), "not_editable")


def review_triggers(event: Event, changes: dict[str, list]) -> list[str]:
    """Codes of the event's review fields among ``changes`` (audited {field: [old, new]})."""
    return [
        code
        for code in event.review_fields or []
        if any(name in changes for name in REVIEW_FIELDS.get(code, ()))
    ]


def review_field_labels(event: Event) -> list[str]:
    """The event's review fields in the reader's language, for the edit page's warning."""
    return [
        str(REVIEW_FIELD_LABELS[code])
        for code in event.review_fields or []
        if code in REVIEW_FIELD_LABELS
    ]


def _check_added_sessions(registration: Registration, sessions: list[AgendaSession]) -> None:
    """A delegate holding a place may not add a session that is full (staff may decide to)."""
    if registration.status not in PLACE_HOLDING_STATUSES:
        return
    added = [s for s in sessions if s.capacity is not None and s not in registration.sessions]
    taken = workflow.session_places_taken(added)
    full = [session for session in added if taken.get(session.id, 0) >= session.capacity]
    if full:
        raise RegistrationError(
            _("This session is full: %(title)s.", title=full[0].title_in()),
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
    change of one of the event's ``review_fields`` sends an approved registration back to
    pending, and the secretariat's address (if set) is told what changed. Staff (``by`` a
    StaffUser) may edit at any time. Raises RegistrationError.
    """
    staff = by is not None and actor_type in (None, "staff")
    workflow.lock_registration(registration)  # an approval or withdrawal may be committing
    if not staff:
        _check_delegate_may_change(registration)
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
    if not staff and registration.status == Status.APPROVED and review_triggers(event, changes):
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
    if not staff:
        emails.notify_secretariat(registration, changes)
    return changes


def withdraw(
    registration: Registration, *, by=None, actor_type: str | None = None, notify: bool = True
) -> None:
    """Withdraw a registration (the delegate, a focal point or staff) and confirm by email
    (unless ``notify`` is False: before an erasure, the address is about to go).

    The place it held goes to the next waitlisted registration (workflow.promote_next_waitlisted).

    Raises RegistrationError('already_withdrawn' | 'not_editable' | 'checked_in').
    """
    workflow.lock_registration(registration)
    if (by is None or actor_type == "focal_point") and registration.checked_in_at is not None:
        raise _checked_in_error()
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
    if notify:
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
