"""Check-in desk, scan API and attendance."""

from flask import Flask, request

from registration.desk import models, walk_ins  # noqa: F401 (tables; walk-in views)
from registration.desk.api import bp as api_bp
from registration.desk.cli import desk_cli
from registration.desk.views import bp
from registration.desk.xhr import bp as xhr_bp
from registration.extensions import csrf, limiter, login_manager


@limiter.request_filter
def _device_request() -> bool:
    """Whether the request is a device's: no rate limit applies to the scan API.

    A door's scans are the busiest requests and a device token cannot be guessed; filtered
    out here, they skip Flask-Limiter's resolution of limits on every scan.
    """
    return request.blueprint == api_bp.name


def init_app(app: Flask) -> None:
    """Register the desk pages, the desk's JSON endpoints, the scan API and `flask desk`."""
    # Devices authenticate with a bearer token and send no cookies: nothing to forge.
    csrf.exempt(api_bp)
    # The desk page's JSON calls answer 401 rather than redirect to the sign-in page.
    login_manager.blueprint_login_views[xhr_bp.name] = None
    app.register_blueprint(bp)
    app.register_blueprint(xhr_bp)
    app.register_blueprint(api_bp)
    app.cli.add_command(desk_cli)
