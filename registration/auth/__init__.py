"""Staff accounts, roles and sign-in."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from registration.auth import services
from registration.auth.cli import staff_cli
from registration.auth.views import bp
from registration.extensions import login_manager


@login_manager.user_loader
def _load_user(secret: str):
    """Resolve the cookie's session secret through the server-side session table."""
    user = services.load_session_user(secret)
    if user is not None:
        user.session_secret = secret
    return user


def init_app(app: Flask) -> None:
    """Register the sign-in blueprint, the login manager settings and `flask staff`."""
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "strong"
    app.register_blueprint(bp)
    app.cli.add_command(staff_cli)
