"""Shared fixtures: the app on SQLite or PostgreSQL (TEST_DATABASE_URL), a clean database for
every test, factories, signed-in clients and a real SMTP server on a loopback port."""

import atexit
import contextlib
import os
import tempfile
import threading
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

_TMP = Path(tempfile.mkdtemp(prefix="registration-tests-"))
TRANSLATIONS = Path(__file__).resolve().parent.parent / "registration" / "translations"


def _compile_catalogues() -> None:
    """Compile any .po newer than its .mo, as `make translations` does, so that a bare
    `pytest` sees the French and Spanish interface too (Flask-Babel caches what it finds)."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as source:
                catalogue = read_po(source)
            with mo_path.open("wb") as target:
                write_mo(target, catalogue)


_compile_catalogues()
os.environ.setdefault("REGISTRATION_INSTANCE_PATH", str(_TMP / "instance"))

from registration import create_app  # noqa: E402 (needs the instance path above)
from registration.auth.models import Role  # noqa: E402
from registration.auth.services import create_staff  # noqa: E402
from registration.delegates import services as delegate_services  # noqa: E402
from registration.delegates.models import Status  # noqa: E402
from registration.demo.services import load_demo  # noqa: E402
from registration.extensions import db as _db  # noqa: E402
from registration.extensions import limiter  # noqa: E402
from registration.jobs.runner import run_due  # noqa: E402
from registration.storage import BADGE_PAGES, get_storage  # noqa: E402
from tests.s3server import S3Server, free_port  # noqa: E402

DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.sqlite'}"
ON_POSTGRES = DATABASE_URL.startswith("postgresql")
PASSWORD = "correct horse battery staple"


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres run only against PostgreSQL."""
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set TEST_DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


_S3: list[S3Server] = []


def s3_server() -> S3Server:
    """The suite's local S3 server (moto), started on first use and stopped at exit."""
    if not _S3:
        _S3.append(S3Server())
        atexit.register(_S3[0].stop)
    return _S3[0]


def storage_settings() -> dict:
    """Files in a fresh folder, or in a bucket of the local S3 server with TEST_STORAGE=s3."""
    if os.environ.get("TEST_STORAGE") == "s3":
        return s3_server().settings("registration-tests")
    return {"STORAGE_URL": (_TMP / "files").as_uri()}


def make_test_app(**overrides):
    """An application on the test database (CSRF off unless overridden)."""
    config = {
        "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
        **storage_settings(),
        "PUBLIC_BASE_URL": "http://testserver.local",
    }
    config.update(overrides)
    application = create_app(config)
    _APPS.append(application)
    return application


#: Every app the suite made, so that their connection pools are closed at the end.
_APPS: list = []


@pytest.fixture(scope="session", autouse=True)
def _close_connection_pools():
    """Dispose every app's engine when the run ends (no connection left open)."""
    yield
    for application in _APPS:
        with application.app_context():
            _db.engine.dispose()


def _clear_rate_limits(storage) -> None:
    """Delete the counts a test left in its limiter storage and close its connections."""
    with contextlib.suppress(Exception):  # a test may point the limiter at a closed port
        storage.reset()
    client = getattr(storage, "storage", None)  # the Redis client of a Redis storage
    if hasattr(client, "close"):
        client.close()


@pytest.fixture(autouse=True)
def _rate_limiter_state():
    """One Flask-Limiter object serves every app of the run and keeps the settings of the
    last app made: after a test that made an app with limits on, the limiter returns to its
    state before the test (limits off) and the counts are cleared."""
    saved = dict(limiter.__dict__)
    yield
    if limiter.__dict__.get("_storage") is not saved.get("_storage"):
        _clear_rate_limits(limiter.__dict__["_storage"])
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)


@pytest.fixture(scope="session")
def app():
    """The application, with a fresh schema for the whole run."""
    application = make_test_app()
    with application.app_context():
        _db.drop_all()
        _db.create_all()
    return application


def run_jobs() -> int:
    """Run the queued jobs (and the jobs they queue) as `flask worker` would, in this thread;
    returns how many ran. Requests only queue jobs: tests run them with this."""
    _db.session.rollback()
    return run_due()


@pytest.fixture(autouse=True)
def db(app):
    """The database inside an app context; every row is deleted after the test."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        with _db.engine.begin() as connection:
            for table in reversed(_db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def badge_cache(app):
    """An empty badge page cache for the test; returns a function listing its pages' keys
    (the static parts that badges of a category share are not counted)."""
    files = get_storage()

    def clear() -> None:
        for key in list(files.list(f"{BADGE_PAGES}/")):
            files.delete(key)

    def pages() -> list[str]:
        return [key for key in files.list(f"{BADGE_PAGES}/") if "/static/" not in key]

    clear()
    yield pages
    clear()


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def event(db):
    """The demo meeting, open for registration today."""
    demo = load_demo(date.today())
    db.session.commit()
    return demo


@pytest.fixture
def make_staff(db):
    """make_staff(role="registrar", email=None) → a committed StaffUser."""
    counter = iter(range(1, 10_000))

    def factory(role: Role | str = Role.REGISTRAR, email: str | None = None):
        email = email or f"{Role(role).value}{next(counter)}@staff.example.org"
        user = create_staff(email, Role(role), PASSWORD, name=f"{Role(role).value.title()} Staff")
        db.session.commit()
        return user

    return factory


@pytest.fixture
def sign_in(client, make_staff):
    """sign_in(role) → the StaffUser, with ``client`` signed in through the real form."""

    def do(role: Role | str = Role.REGISTRAR):
        user = make_staff(role)
        response = client.post("/auth/sign-in", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.text
        return user

    return do


@pytest.fixture
def registration_data(event):
    """registration_data(**overrides) → RegistrationData for a Member State delegate."""
    counter = iter(range(1, 100_000))

    def factory(**overrides) -> delegate_services.RegistrationData:
        number = next(counter)
        category = next(c for c in event.categories if c.code == "member-state")
        entity = next(e for e in event.entities if e.iso_code == "NL")
        values = {
            "given_name": "Anna",
            "family_name": f"Jansen{number}",
            "email": f"anna.jansen{number}@minbuza.example.nl",
            "category_id": category.id,
            "entity_id": entity.id,
            "honorific": "ms",
            "function": "Counsellor",
            "unit": "Ministry of Foreign Affairs",
            "language": "en",
            "consent_to_list": True,
            "session_ids": [event.sessions[3].id],
        }
        values.update(overrides)
        return delegate_services.RegistrationData(**values)

    return factory


@pytest.fixture
def make_registration(db, event, registration_data):
    """make_registration(status="pending", **overrides) → a committed Registration."""

    def factory(status: Status | str = Status.PENDING, **overrides):
        registration = delegate_services.register(
            event, registration_data(**overrides), enforce_window=False
        )
        registration.status = Status(status)
        db.session.commit()
        return registration

    return factory


class _Inbox:
    """Messages received by the test SMTP server."""

    def __init__(self):
        self.messages = []
        self.received = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self.received:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            self.received.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list:
        """Block until ``count`` messages have arrived (or fail)."""
        with self.received:
            assert self.received.wait_for(lambda: len(self.messages) >= count, timeout), (
                f"expected {count} messages, got {len(self.messages)}"
            )
            return list(self.messages)


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on a loopback port; the app is pointed at it."""
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    previous = {key: app.config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    inbox.port = port
    inbox.controller = controller
    yield inbox
    controller.stop()
    app.config.update(previous)


@pytest.fixture
def form_data(event):
    """A complete, valid submission of the public form."""

    def build(**overrides):
        category = next(c for c in event.categories if c.code == "member-state")
        entity = next(e for e in event.entities if e.iso_code == "CO")
        data = {
            "category": str(category.id),
            "entity": str(entity.id),
            "honorific": "he",
            "given_name": "Fernando",
            "family_name": "Alzate Donoso",
            "function": "Director of Consular Affairs",
            "unit": "Ministry of Foreign Affairs",
            "email": "f.alzate@cancilleria.example.co",
            "phone": "+57 1 555 0100",
            "nationality": "CO",
            "language": "es",
            "sessions": [str(event.sessions[3].id), str(event.sessions[4].id)],
            "consent_to_list": "y",
            "privacy": "y",
        }
        data.update(overrides)
        return data

    return build
