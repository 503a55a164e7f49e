"""Event setup and staff accounts, for admins."""

from flask import Flask

from registration.setup import certificate, staff_views  # noqa: F401 (certificate's routes)
from registration.setup.views import bp


def init_app(app: Flask) -> None:
    """Register the setup pages (per event) and the staff accounts page."""
    app.register_blueprint(bp)
    app.register_blueprint(staff_views.bp)
