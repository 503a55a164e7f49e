"""Finding a registration from the secret link its holder follows."""

from flask import abort, g

from registration.delegates.models import Registration
from registration.extensions import db
from registration.security import token_hash


def registration_for_link(token: str) -> Registration:
    """The registration behind a manage link, 404 for anything else (views of any feature)."""
    registration = db.session.execute(
        db.select(Registration).where(Registration.manage_token_hash == token_hash(token))
    ).scalar_one_or_none()
    if registration is None:
        abort(404)
    g.event_timezone = registration.event.timezone
    return registration
