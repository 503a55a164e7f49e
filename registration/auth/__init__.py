"""Staff accounts, roles and sign-in."""

import logging

from flask import Flask, request, session
from flask.logging import default_handler
from flask_babel import lazy_gettext as _l

from registration.auth import (
    account_views,  # noqa: F401 (its routes join the blueprint)
    services,
)
from registration.auth.cli import staff_cli
from registration.auth.security_log import logger as security_logger
from registration.auth.views import bp
from registration.extensions import db, login_manager


@login_manager.user_loader
def _load_user(secret: str):
    """Resolve the cookie's session secret through the server-side session table."""
    user = services.load_session_user(secret)
    if user is not None:
        user.session_secret = secret
    return user


def _touch_session() -> None:
    """Keep an active staff session alive (idle timeout) before the request's own work.

    A page that only reads commits the mark at once; a form's request commits it with its
    own changes (so its transaction stays one, as the SQLite locking expects).
    """
    secret = session.get("_user_id")
    if secret and services.touch_session(secret) and request.method in ("GET", "HEAD"):
        db.session.commit()


def _not_security(record: logging.LogRecord) -> bool:
    """Whether a log record is not a security event (those have their own handler)."""
    return record.name != security_logger.name


def _security_log_handler() -> None:
    """Security events go to standard error with their level, whatever else is configured.

    They still reach the handlers of the root logger (a deployment's log shipping, the test
    suite's capture), but not Flask's handler of the app's logger, which would write each of
    them a second time.
    """
    if not security_logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("security %(levelname)s %(message)s"))
        security_logger.addHandler(handler)
        security_logger.setLevel(logging.INFO)
    if _not_security not in default_handler.filters:
        default_handler.addFilter(_not_security)


def init_app(app: Flask) -> None:
    """Register the sign-in blueprint, the login manager settings and `flask staff`."""
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "strong"
    app.register_blueprint(bp)
    app.before_request(_touch_session)
    app.cli.add_command(staff_cli)
    _security_log_handler()
