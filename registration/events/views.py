"""Public event pages."""

from flask import Blueprint, render_template

from registration.database import utcnow
from registration.events.lookup import load_event
from registration.events.models import Event
from registration.extensions import db

bp = Blueprint("events", __name__)


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
