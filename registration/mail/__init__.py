"""The transactional email outbox, its worker and the mail log."""

from flask import Flask

from registration.mail.cli import mail_cli
from registration.mail.views import bp


def init_app(app: Flask) -> None:
    """Register the mail log and `flask mail`."""
    app.register_blueprint(bp)
    app.cli.add_command(mail_cli)
