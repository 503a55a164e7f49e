"""The transactional email outbox, its worker and the mail log."""

from flask import Flask

from registration.mail.views import bp


def init_app(app: Flask) -> None:
    """Register the mail log."""
    app.register_blueprint(bp)
