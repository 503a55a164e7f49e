"""Conference registration and participant management."""

import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from registration import database, i18n, links, logs, pages, throttling
from registration import extensions as ext
from registration.paths import PROJECT_ROOT, in_checkout, shipped


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints and commands."""
    app = Flask(
        __name__,
        instance_path=_instance_path(),
        instance_relative_config=True,
        template_folder=str(shipped("templates")),
    )
    app.request_class = pages.AppRequest
    app.session_interface = pages.CookieSessions()
    app.config.from_pyfile(str(shipped("config") / "default.py"))
    if test_config is None:
        app.config.from_pyfile("production.py", silent=True)
    else:
        app.config.from_pyfile(str(shipped("config") / "testing.py"))
    _load_environment(app)
    if test_config is not None:
        app.config.update(test_config)
    _fill_defaults(app)

    ext.db.init_app(app)
    if (idle := app.config["DATABASE_PING_AFTER_IDLE_SECONDS"]) is not None:
        with app.app_context():
            for engine in ext.db.engines.values():
                database.ping_idle_connections(engine, idle)
    ext.migrate.init_app(app, ext.db, directory=str(shipped("migrations")))
    ext.mail.init_app(app)
    ext.csrf.init_app(app)
    ext.login_manager.init_app(app)
    ext.babel.init_app(
        app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone
    )
    ext.limiter.init_app(app)
    throttling.init_app(app)
    i18n.init_app(app)
    i18n.require_catalogues(app)
    # Before any route is added: URL integers must fit the database's integer columns.
    app.url_map.converters["int"] = pages.DatabaseIntegerConverter

    # Imported here: the feature packages need the extensions above to exist.
    from registration import (
        audit,
        auth,
        delegates,
        delegations,
        demo,
        desk,
        documents,
        events,
        jobs,
        mail,
        manage,
        privacy,
        setup,
        storage,
        worker,
    )

    for feature in (
        events,
        auth,
        delegates,
        delegations,
        manage,
        setup,
        desk,
        documents,
        jobs,
        mail,
        audit,
        demo,
        privacy,
    ):
        feature.init_app(app)
    pages.init_app(app)
    logs.init_app(app)
    storage.init_app(app)
    worker.init_app(app)
    if hops := app.config["PROXY_FIX_HOPS"]:
        # Only the hops we were told about are believed: the client address the limits see,
        # and whether the original request came over TLS. Never the Host header (links).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_prefix=0)
    return app


def _instance_path() -> str | None:
    """REGISTRATION_INSTANCE_PATH, else instance/ in a checkout, else Flask's default for an
    installed package (<prefix>/var/registration-instance)."""
    if path := os.environ.get("REGISTRATION_INSTANCE_PATH"):
        return path
    return str(PROJECT_ROOT / "instance") if in_checkout() else None


def _load_environment(app: Flask) -> None:
    """Apply REGISTRATION_* variables, then the conventional DATABASE_URL, SECRET_KEY, MAIL_*."""
    app.config.from_prefixed_env("REGISTRATION")
    if url := os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if key := os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = key
    for name, value in os.environ.items():
        if name.startswith("MAIL_"):
            app.config[name] = _mail_value(value)


def _mail_value(value: str) -> str | int | bool:
    """MAIL_* variables keep strings as strings; numbers and booleans are parsed."""
    if value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return int(value) if value.isdigit() else value


def _fill_defaults(app: Flask) -> None:
    """Derive the settings that depend on the instance folder."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'registration.sqlite'}"
    if not app.config["STORAGE_URL"]:
        app.config["STORAGE_URL"] = instance.as_uri()
    if not app.config["SECRET_KEY"]:
        key_file = instance / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    if app.config["TRUSTED_HOSTS"] is None:
        # Other Host headers are refused (400): the app answers only under its public name.
        app.config["TRUSTED_HOSTS"] = links.public_host_names(app.config["PUBLIC_BASE_URL"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
