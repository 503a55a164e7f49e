"""Public registration, the manage-my-registration link and delegations."""

from flask import Flask

from registration.delegates import email_templates  # noqa: F401 (registers the table)
from registration.delegates.models import (
    HONORIFICS,
    display_email,
    language_label,
    status_label,
)


def init_app(app: Flask) -> None:
    """Register the public blueprint and the template helpers."""
    # Imported here: the package is the inner ring's, whose models the outbox, documents and
    # others import; importing its views and workflow with it would import them back (a cycle).
    from registration.delegates.views import bp
    from registration.delegates.workflow import waitlist_message

    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        status_label=status_label,
        honorifics=HONORIFICS,
        language_label=language_label,
        waitlist_message=waitlist_message,
    )
    app.jinja_env.filters["display_email"] = display_email
