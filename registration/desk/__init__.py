"""Check-in desk, scan API and attendance."""

from flask import Flask

from registration.desk import models  # noqa: F401 (registers the tables)


def init_app(app: Flask) -> None:
    """Nothing registered yet."""
