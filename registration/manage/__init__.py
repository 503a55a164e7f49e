"""The secretariat's back office at /manage."""

from flask import Flask

from registration.manage import email_views, registration_views  # noqa: F401 (their routes)
from registration.manage import models  # noqa: F401 (registers the table)
from registration.manage.views import bp


def init_app(app: Flask) -> None:
    """Register the back-office blueprint."""
    app.register_blueprint(bp)
