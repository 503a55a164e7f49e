"""The roster a desk keeps for working offline: who holds which badge, without contact details."""

from datetime import datetime, timedelta

from sqlalchemy.orm import selectinload

from registration.database import utcnow
from registration.delegates.models import Registration
from registration.desk.photo_links import photo_url
from registration.events.models import Event
from registration.extensions import db

#: Rows changed this long before a delta was made are sent again in the next one, so that a
#: transaction committing while the delta was read is not missed.
OVERLAP = timedelta(seconds=10)


def person_entry(registration: Registration) -> dict:
    """What an offline desk needs to judge a badge: no email, phone, nationality or needs."""
    return {
        # security.token_hash of the badge token: desks hash what they scan and look it up.
        "key": registration.badge_token_hash,
        "id": registration.id,
        "name": registration.full_name,
        "entity": registration.organisation_name,
        "category": registration.category.name_in(),
        "category_colour": registration.category.badge_colour,
        "status": registration.status.value,
        "sessions": [session.code for session in registration.sessions],
        "checked_in": registration.checked_in_at is not None,
        "photo_url": photo_url(registration, "small"),
    }


def roster(event: Event, since: datetime | None = None) -> dict:
    """The roster of ``event``, whole or (``since``) only what changed after that cursor.

    ``cursor`` is what the desk sends back next time; ``total`` lets it notice deletions
    (its count differs) and ask for the whole roster again.
    """
    now = utcnow()
    query = (
        db.select(Registration)
        .where(Registration.event_id == event.id)
        .options(
            selectinload(Registration.category),
            selectinload(Registration.entity),
            selectinload(Registration.sessions),
        )
        .order_by(Registration.id)
    )
    if since is not None:
        query = query.where(Registration.updated_at >= since)
    people = [person_entry(registration) for registration in db.session.scalars(query)]
    total = db.session.scalar(
        db.select(db.func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id)
    )
    return {
        "event": {"id": event.id, "slug": event.slug, "title": event.title_in()},
        "full": since is None,
        "cursor": (now - OVERLAP).isoformat(),
        "total": total,
        "people": people,
    }
