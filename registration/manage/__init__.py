"""The secretariat's back office at /manage."""

from flask import Flask

from registration.manage import (  # noqa: F401
    audit_views,
    email_views,
    models,
    registration_views,
)
from registration.manage.views import bp


def init_app(app: Flask) -> None:
    """Register the back-office blueprint."""
    app.register_blueprint(bp)
