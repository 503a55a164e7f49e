"""The secretariat's back office at /manage."""

from flask import Flask

from registration.manage import models  # noqa: F401 (registers the tables)


def init_app(app: Flask) -> None:
    """Register the back-office blueprint."""
    # Imported here, not at the top: delegates.workflow imports manage.emails, and the views
    # import delegates.workflow.
    from registration.manage import email_views, registration_views  # noqa: F401 (routes)
    from registration.manage.views import bp

    app.register_blueprint(bp)
