"""Personal data: retention per meeting, erasure, the delegate's own data, orphaned uploads."""

from flask import Flask

from registration.auth.decorators import sees_special_category
from registration.privacy import (
    models,  # noqa: F401 (registers the table)
    tasks,  # noqa: F401 (registers the periodic purge and clean-up)
)
from registration.privacy.cli import privacy_cli
from registration.privacy.services import erasure_of
from registration.privacy.views import bp


def init_app(app: Flask) -> None:
    """Register the pages, the commands and the template helpers."""
    app.register_blueprint(bp)
    app.cli.add_command(privacy_cli)
    app.jinja_env.globals.update(erasure_of=erasure_of, sees_special_category=sees_special_category)
