"""Loading the event a URL names, for the views of every feature."""

from flask import abort, g

from registration.events.models import Event
from registration.events.services import get_event


def load_event(slug: str) -> Event:
    """The event for a URL, 404 if unknown; its timezone becomes the page's."""
    event = get_event(slug)
    if event is None:
        abort(404)
    g.event_timezone = event.timezone
    return event
