"""A PostgreSQL restart: the next request gets no 500 (idle connections are checked before
use) and `flask worker` waits for the database and carries on. Runs on a throw-away cluster
of its own (port 55439, under /tmp), never on the shared server."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from registration.extensions import db as _db
from registration.jobs import services as jobs
from registration.jobs.models import Job, JobStatus
from registration.mail.models import MailStatus, OutboxEmail
from tests.conftest import make_test_app

PORT = 55439
BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)
PROJECT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(BIN is None, reason="needs PostgreSQL's server programs")


def _as_postgres(*command: str) -> None:
    """Run a server program as the postgres user (initdb refuses root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)


class Cluster:
    """A throw-away PostgreSQL cluster: start, stop, restart."""

    def __init__(self, folder: Path):
        self.data, self.log = folder / "data", folder / "server.log"

    def _ctl(self, *args: str) -> None:
        options = f"-p {PORT} -k {self.data.parent} -c listen_addresses=127.0.0.1"
        _as_postgres(
            str(BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            *args,
        )

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")


@pytest.fixture(scope="module")
def cluster():
    """A cluster with a database ``resilience``; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="registration-pg-"))
    shutil.chown(folder, "postgres") if os.geteuid() == 0 else None
    server = Cluster(folder)
    _as_postgres(str(BIN / "initdb"), "-D", str(server.data), "-A", "trust", "-U", "postgres")
    server.start()
    engine = sa.create_engine(
        f"postgresql+psycopg://postgres@127.0.0.1:{PORT}/postgres", isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE DATABASE resilience")
    engine.dispose()
    server.url = f"postgresql+psycopg://postgres@127.0.0.1:{PORT}/resilience"
    yield server
    try:
        server._ctl("stop", "-m", "immediate")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def cluster_app(cluster):
    """The application on the cluster, with its tables."""
    app = make_test_app(SQLALCHEMY_DATABASE_URI=cluster.url)
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.drop_all()
        _db.engine.dispose()


def test_a_restart_gives_no_error_to_the_next_request(cluster, cluster_app):
    client = cluster_app.test_client()
    assert client.get("/").status_code == 200  # a pooled connection now exists

    started = time.monotonic()
    cluster.restart()
    # What lets a connection used within DATABASE_PING_AFTER_IDLE_SECONDS go unchecked.
    assert time.monotonic() - started > cluster_app.config["DATABASE_PING_AFTER_IDLE_SECONDS"]

    assert client.get("/").status_code == 200


def _pings(app) -> list:
    """The connections the app's engine pings from now on."""
    with app.app_context():
        dialect = _db.engine.dialect
    pinged, ping = [], dialect.do_ping
    dialect.do_ping = lambda connection: pinged.append(connection) or ping(connection)
    return pinged


def test_only_a_connection_idle_for_a_while_is_pinged(cluster, cluster_app):
    app = make_test_app(SQLALCHEMY_DATABASE_URI=cluster.url, DATABASE_PING_AFTER_IDLE_SECONDS=1)
    pinged, client = _pings(app), app.test_client()
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert pinged == []  # a new connection, then one in use a moment ago
    time.sleep(1.1)
    assert client.get("/").status_code == 200
    assert len(pinged) == 1
    with app.app_context():
        _db.engine.dispose()


def test_a_connection_that_died_while_idle_is_replaced(cluster, cluster_app):
    app = make_test_app(SQLALCHEMY_DATABASE_URI=cluster.url, DATABASE_PING_AFTER_IDLE_SECONDS=0)
    client = app.test_client()
    with app.app_context():
        backend = _db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        _db.session.remove()  # back to the pool
    other = sa.create_engine(cluster.url, isolation_level="AUTOCOMMIT")
    with other.connect() as connection:
        connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    other.dispose()

    assert client.get("/").status_code == 200
    with app.app_context():
        assert _db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one() != backend
        _db.session.remove()
        _db.engine.dispose()


def test_without_the_check_the_next_request_would_fail(cluster, cluster_app):
    unchecked = make_test_app(
        SQLALCHEMY_DATABASE_URI=cluster.url, DATABASE_PING_AFTER_IDLE_SECONDS=None
    )
    client = unchecked.test_client()
    assert client.get("/").status_code == 200

    cluster.restart()

    with pytest.raises(sa.exc.OperationalError):
        client.get("/")  # what the ping spares the next visitor (a 500 outside tests)
    with unchecked.app_context():
        _db.engine.dispose()


def test_the_worker_waits_for_the_database_and_carries_on(cluster, cluster_app, tmp_path):
    environment = {
        **os.environ,
        "FLASK_APP": "registration",
        "DATABASE_URL": cluster.url,
        "REGISTRATION_INSTANCE_PATH": str(tmp_path / "instance"),
        "REGISTRATION_STORAGE_URL": (tmp_path / "files").as_uri(),
    }
    with (tmp_path / "worker.log").open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "worker", "--interval", "0.2"],
            cwd=PROJECT,
            env=environment,
            stdout=log,
            stderr=log,
        )
    try:
        time.sleep(2)
        cluster.stop()
        time.sleep(3)  # the worker meets a closed database for a while
        assert worker.poll() is None, "the worker died with the database"
        cluster.start()

        with cluster_app.app_context():
            # Any registered task will do: the orphan clean-up.
            job = jobs.enqueue("periodic:jobs-orphans", event=None, payload={})
            message = OutboxEmail(
                template="test",
                recipient="back@example.org",
                subject="After the restart",
                body_text="Hello",
                attachments=[],
            )
            _db.session.add(message)
            _db.session.commit()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                _db.session.rollback()
                done = _db.session.get(Job, job.id).status == JobStatus.DONE
                sent = _db.session.get(OutboxEmail, message.id).status == MailStatus.SENT
                if done and sent:
                    break
                time.sleep(0.2)
            assert done and sent, (tmp_path / "worker.log").read_text()[-2000:]
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)
