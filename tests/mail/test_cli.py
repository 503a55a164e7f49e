"""`flask mail worker`: one pass with --once, and a loop that stops cleanly on a signal."""

import os
import signal
import subprocess
import sys
import time

import pytest

from registration import PROJECT_ROOT
from registration.mail.models import MailStatus, OutboxEmail
from tests.conftest import DATABASE_URL, free_port


def _statuses(db) -> list[MailStatus]:
    db.session.rollback()  # see what the other process committed
    return db.session.scalars(db.select(OutboxEmail.status).order_by(OutboxEmail.id)).all()


def test_once_delivers_everything_due_in_batches_and_exits(db, runner, make_email):
    for _ in range(5):
        make_email()

    result = runner.invoke(args=["mail", "worker", "--once", "--batch", "2"])

    assert result.exit_code == 0, result.output
    assert "no MAIL_SERVER" in result.output
    assert "5 message(s) sent" in result.output
    assert _statuses(db) == [MailStatus.SENT] * 5


def test_once_with_the_server_down_records_the_failures_and_exits(
    db, runner, mail_settings, make_email
):
    mail_settings(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    make_email()

    result = runner.invoke(args=["mail", "worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "0 message(s) sent" in result.output
    assert _statuses(db) == [MailStatus.QUEUED]
    assert db.session.scalar(db.select(OutboxEmail.attempts)) == 1


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_the_worker_loop_stops_cleanly_on_a_signal(db, make_email, signal_number):
    make_email()
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("MAIL_")
    }
    environment.update(DATABASE_URL=DATABASE_URL, FLASK_APP="registration")
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "mail", "worker", "--interval", "0.2"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while _statuses(db) != [MailStatus.SENT] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _statuses(db) == [MailStatus.SENT]
        make_email()  # the loop keeps polling
        while _statuses(db) != [MailStatus.SENT] * 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _statuses(db) == [MailStatus.SENT] * 2
        worker.send_signal(signal_number)
        stdout, stderr = worker.communicate(timeout=15)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, stderr
    assert "Mail worker stopped: 2 message(s) sent." in stdout
    assert "Traceback" not in stderr
