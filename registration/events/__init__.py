"""Events, agenda sessions, categories and entities."""

from flask import Flask

from registration.events.cli import event_cli
from registration.events.views import bp


def init_app(app: Flask) -> None:
    """Register the public event pages and `flask event`."""
    app.register_blueprint(bp)
    app.cli.add_command(event_cli)
