"""Delegations: per-entity pages for staff, focal points and nomination letters."""

from flask import Flask

from registration.delegations import (
    models,  # noqa: F401 (registers the tables)
    public,
)
from registration.delegations.views import bp


def init_app(app: Flask) -> None:
    """Register the staff pages and the pages behind focal points' and delegates' links."""
    app.register_blueprint(bp)
    app.register_blueprint(public.bp)
