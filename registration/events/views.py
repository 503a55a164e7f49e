"""Public event pages."""

from flask import Blueprint, abort, g, render_template

from registration.database import utcnow
from registration.events.models import Event
from registration.events.services import get_event
from registration.extensions import db

bp = Blueprint("events", __name__)


def load_event(slug: str) -> Event:
    """The event for a URL, 404 if unknown; its timezone becomes the page's."""
    event = get_event(slug)
    if event is None:
        abort(404)
    g.event_timezone = event.timezone
    return event


@bp.get("/")
def index():
    """List the events (anyone)."""
    events = db.session.execute(db.select(Event).order_by(Event.start_date.desc())).scalars()
    return render_template("events/index.html", events=list(events))


@bp.get("/e/<slug>/")
def home(slug: str):
    """Event home: dates, venue, agenda, and the way to register (anyone)."""
    event = load_event(slug)
    return render_template(
        "events/home.html", event=event, open_now=event.registration_open_at(utcnow())
    )
