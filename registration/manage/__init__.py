"""The secretariat's back office at /manage."""

from flask import Flask

from registration.manage import audit_views, email_views, registration_views  # noqa: F401
from registration.manage import models  # noqa: F401 (registers the table)
from registration.manage.views import bp


def init_app(app: Flask) -> None:
    """Register the back-office blueprint."""
    app.register_blueprint(bp)
