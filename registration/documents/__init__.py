"""Badges, list of participants, exports, statistics and certificates."""

from flask import Flask

from registration.documents import (
    statistics,
    tasks,  # noqa: F401 (registers the document jobs)
)
from registration.documents.cli import documents_cli
from registration.documents.views import bp


def init_app(app: Flask) -> None:
    """Register the documents blueprint and `flask documents`."""
    app.register_blueprint(bp)
    app.cli.add_command(documents_cli)
    # The back-office dashboard shows the charts without importing this feature.
    app.jinja_env.globals["event_charts"] = statistics.statistics
