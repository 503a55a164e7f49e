"""Delegations: their summaries, focal points acting for an entity, and nomination letters."""

from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from registration.audit.services import record
from registration.auth.models import StaffUser
from registration.collation import sort_key
from registration.database import utcnow
from registration.delegates import services as delegate_services
from registration.delegates.models import (
    ACTIVE_STATUSES,
    PLACE_HOLDING_STATUSES,
    Registration,
    Status,
)
from registration.delegates.services import RegistrationData
from registration.delegations.models import FocalPoint, NominationLetter
from registration.errors import DomainError
from registration.events.models import Category, Entity, Event
from registration.extensions import db
from registration.i18n import current_language
from registration.links import public_url
from registration.mail.services import queue_email
from registration.security import new_token, token_hash

FOCAL_POINT = "focal_point"
LANGUAGES = ("en", "fr", "es")


class DelegationError(DomainError):
    """A delegation rule was broken: not_in_delegation, invalid_focal_point."""


@dataclass
class FocalPointData:
    """Who to invite as focal point (plain data from a form)."""

    name: str
    email: str
    language: str = "en"


@dataclass
class Delegation:
    """Everything the delegation page shows about one entity."""

    entity: Entity
    registrations: list[Registration]
    letters: list[NominationLetter]
    focal_points: list[FocalPoint]
    counts: dict[Status, int] = field(default_factory=dict)

    @property
    def heads(self) -> list[Registration]:
        """Active registrations marked head of delegation (normally one)."""
        return [r for r in self.registrations if r.head_of_delegation and r.is_active]

    @property
    def ordered_counts(self) -> list[tuple[Status, int]]:
        """(status, number) in the order of the workflow, statuses with nobody left out."""
        return [(status, self.counts[status]) for status in Status if self.counts.get(status)]

    @property
    def places_left(self) -> int | None:
        """Places left within the quota (pending and approved hold one), or None without one."""
        quota = self.entity.quota
        held = sum(self.counts.get(status, 0) for status in PLACE_HOLDING_STATUSES)
        return None if quota is None else max(quota - held, 0)


def list_delegations(event: Event) -> list[dict]:
    """One row per entity of ``event``: counts by status, letters and active focal points."""
    counts: dict[int, dict] = {}
    for entity_id, status, number in db.session.execute(
        db.select(Registration.entity_id, Registration.status, db.func.count())
        .where(Registration.event_id == event.id, Registration.entity_id.is_not(None))
        .group_by(Registration.entity_id, Registration.status)
    ):
        counts.setdefault(entity_id, {})[status] = number
    letter_counts = dict(
        db.session.execute(
            db.select(NominationLetter.entity_id, db.func.count())
            .where(NominationLetter.event_id == event.id)
            .group_by(NominationLetter.entity_id)
        ).all()
    )
    focal_counts = dict(
        db.session.execute(
            db.select(FocalPoint.entity_id, db.func.count())
            .join(Entity)
            .where(Entity.event_id == event.id, FocalPoint.revoked_at.is_(None))
            .group_by(FocalPoint.entity_id)
        ).all()
    )
    positions = {category.id: category.position for category in event.categories}
    language = current_language()
    entities = sorted(
        event.entities,
        key=lambda e: (positions[e.category_id], sort_key(e.name_in(), language)),
    )
    return [
        {
            "entity": entity,
            "counts": counts.get(entity.id, {}),
            "active": sum(counts.get(entity.id, {}).get(s, 0) for s in ACTIVE_STATUSES),
            "letters": letter_counts.get(entity.id, 0),
            "focal_points": focal_counts.get(entity.id, 0),
        }
        for entity in entities
    ]


def list_other_organisations(event: Event) -> list[dict]:
    """Organisations typed by delegates (not in the event's list), with their category and
    active registrations: staff see them beside the listed delegations and may add them."""
    rows = db.session.execute(
        db.select(Registration.other_organisation, Category, db.func.count())
        .join(Category, Category.id == Registration.category_id)
        .where(
            Registration.event_id == event.id,
            Registration.entity_id.is_(None),
            Registration.other_organisation != "",
            Registration.status.in_(ACTIVE_STATUSES),
        )
        .group_by(Registration.other_organisation, Category.id)
        .order_by(Category.position, Registration.other_organisation)
    ).all()
    return [{"name": name, "category": category, "active": count} for name, category, count in rows]


def get_delegation(entity: Entity) -> Delegation:
    """The delegation of ``entity``: heads first, then by family name."""
    registrations = list(
        db.session.execute(
            db.select(Registration)
            .where(Registration.entity_id == entity.id)
            .order_by(
                Registration.head_of_delegation.desc(),
                Registration.family_name,
                Registration.given_name,
            )
        ).scalars()
    )
    counts: dict[Status, int] = {}
    for registration in registrations:
        counts[registration.status] = counts.get(registration.status, 0) + 1
    entity_letters = list(
        db.session.execute(
            db.select(NominationLetter)
            .where(NominationLetter.entity_id == entity.id)
            .order_by(NominationLetter.created_at.desc(), NominationLetter.id.desc())
        ).scalars()
    )
    focal_points = list(
        db.session.execute(
            db.select(FocalPoint).where(FocalPoint.entity_id == entity.id).order_by(FocalPoint.name)
        ).scalars()
    )
    return Delegation(entity, registrations, entity_letters, focal_points, counts)


# Focal points -------------------------------------------------------------------------------


def invite_focal_point(entity: Entity, data: FocalPointData, *, by: StaffUser) -> str:
    """Invite a focal point of ``entity`` by email (staff); returns the link's secret.

    Inviting an address that is already a focal point of the entity sends it a new link: the
    old one stops working, and a revoked focal point is reinstated.
    """
    email = data.email.strip().lower()
    if not email or not data.name.strip():
        raise DelegationError(
            _("Give the focal point's name and email."), "invalid_focal_point", field="email"
        )
    focal_point = db.session.execute(
        db.select(FocalPoint).where(FocalPoint.entity_id == entity.id, FocalPoint.email == email)
    ).scalar_one_or_none()
    if focal_point is None:
        focal_point = FocalPoint(entity=entity, email=email)
        db.session.add(focal_point)
    focal_point.name = data.name.strip()
    focal_point.language = data.language if data.language in LANGUAGES else "en"
    return _send_link(focal_point, "focal_point_invited", by=by)


def resend_invitation(focal_point: FocalPoint, *, by: StaffUser) -> str:
    """Email a focal point a new link (staff); the previous link stops working."""
    return _send_link(focal_point, "focal_point_link_sent", by=by)


def _send_link(focal_point: FocalPoint, action: str, *, by: StaffUser) -> str:
    """Give the focal point a fresh secret, queue the invitation and audit it."""
    token = new_token()
    focal_point.token_hash = token_hash(token)
    focal_point.invited_by_id = by.id
    focal_point.invited_at = utcnow()
    focal_point.revoked_at = None
    db.session.flush()
    entity = focal_point.entity
    event = entity.event
    language = focal_point.language
    queue_email(
        focal_point.email,
        "focal_point_invitation",
        {
            "focal_point": focal_point,
            "entity_name": entity.name_in(language),
            "event": event,
            "link": public_url("delegations_public.focal_point", token=token),
        },
        language,
        subject=_l(
            "Focal point of %(entity)s: %(event)s",
            entity=entity.name_in(language),
            event=event.title_in(language),
        ),
        event=event,
    )
    record(
        action,
        event_id=event.id,
        actor=by,
        changes={"focal_point": [None, f"{focal_point.name} <{focal_point.email}>"]},
    )
    return token


def revoke_focal_point(focal_point: FocalPoint, *, by: StaffUser) -> None:
    """Make a focal point's link stop working (staff)."""
    if focal_point.revoked_at is not None:
        return
    focal_point.revoked_at = utcnow()
    db.session.flush()
    record(
        "focal_point_revoked",
        event_id=focal_point.entity.event_id,
        actor=by,
        changes={"focal_point": [f"{focal_point.name} <{focal_point.email}>", None]},
    )


def find_focal_point(token: str) -> FocalPoint | None:
    """The active focal point behind a secret link, or None."""
    return db.session.execute(
        db.select(FocalPoint).where(
            FocalPoint.token_hash == token_hash(token), FocalPoint.revoked_at.is_(None)
        )
    ).scalar_one_or_none()


def delegate_of(focal_point: FocalPoint, registration_id: int) -> Registration | None:
    """A registration of the focal point's entity, or None (so that links cannot wander)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.entity_id != focal_point.entity_id:
        return None
    return registration


def register_delegate(focal_point: FocalPoint, data: RegistrationData) -> Registration:
    """Register a delegate for the focal point's entity, within the entity's quota.

    The entity and its category are the focal point's whatever ``data`` says. The quota is
    enforced by delegates.services.register under the event's row lock: a focal point is
    refused at the quota rather than waitlisted. Raises RegistrationError ('quota_reached', …).
    """
    entity = focal_point.entity
    data = replace(data, entity_id=entity.id, category_id=entity.category_id, other_organisation="")
    return delegate_services.register(entity.event, data, by=focal_point, actor_type=FOCAL_POINT)


def update_delegate(
    focal_point: FocalPoint, registration: Registration, data: RegistrationData
) -> dict[str, list]:
    """Change a delegate of the focal point's entity (entity locked); returns the changes."""
    _check_delegate(focal_point, registration)
    entity = focal_point.entity
    data = replace(data, entity_id=entity.id, category_id=entity.category_id, other_organisation="")
    return delegate_services.update_registration(
        registration, data, by=focal_point, actor_type=FOCAL_POINT
    )


def withdraw_delegate(focal_point: FocalPoint, registration: Registration) -> None:
    """Withdraw a delegate of the focal point's entity."""
    _check_delegate(focal_point, registration)
    delegate_services.withdraw(registration, by=focal_point, actor_type=FOCAL_POINT)


def _check_delegate(focal_point: FocalPoint, registration: Registration) -> None:
    """Refuse a registration of another entity."""
    if registration.entity_id != focal_point.entity_id:
        raise DelegationError(
            _("This person is not a member of your delegation."), "not_in_delegation"
        )
