"""The job queue: long work as rows that `flask worker` claims, runs and reports on."""

from flask import Flask

from registration.jobs import services  # noqa: F401 (registers the queue's own periodic tasks)
from registration.jobs.views import bp


def init_app(app: Flask) -> None:
    """Register the job pages."""
    app.register_blueprint(bp)
