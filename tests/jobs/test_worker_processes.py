"""`flask worker` as real processes: a worker killed with SIGKILL mid-batch, and email that a
long print job does not hold up."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest

from registration.delegates.models import Registration
from registration.demo.fake import fake_registrations
from registration.extensions import db as _db
from registration.jobs import files, services
from registration.jobs.models import Job, JobStatus
from registration.mail.models import MailStatus, OutboxEmail
from registration.storage import get_storage
from tests.conftest import DATABASE_URL

PROJECT = Path(__file__).resolve().parents[2]

LEASE_SECONDS = 3


@pytest.fixture
def folders(app, badge_cache):
    """The test app's file storage, which the worker processes share, with an empty badge
    cache, and short leases."""
    settings = {"JOB_LEASE_SECONDS": LEASE_SECONDS}
    previous = {name: app.config.get(name) for name in settings}
    app.config.update(settings)
    names = ["STORAGE_URL", "S3_ENDPOINT_URL", "S3_REGION", "S3_ACCESS_KEY_ID"]
    names += ["S3_SECRET_ACCESS_KEY", "S3_ADDRESSING_STYLE"]
    stored = {name: app.config[name] for name in names if app.config[name]}
    yield {**settings, **stored}
    app.config.update(previous)


@pytest.fixture
def start_worker(app, folders, tmp_path):
    """start_worker(**settings) → a running `flask worker` process on the test database."""
    processes, logs = [], []

    def start(**settings) -> subprocess.Popen:
        environment = {
            **os.environ,
            "FLASK_APP": "registration",
            "DATABASE_URL": DATABASE_URL,
            "REGISTRATION_INSTANCE_PATH": str(tmp_path / "worker-instance"),
            # The test app's key: badge tokens are sealed under it.
            "SECRET_KEY": app.config["SECRET_KEY"],
        }
        for name, value in {**folders, **settings}.items():
            environment[name if name.startswith("MAIL_") else f"REGISTRATION_{name}"] = str(value)
        # Each worker's log stays beside the test's files, for reading when a test fails.
        logs.append((tmp_path / f"worker-{len(logs)}.log").open("w"))
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "worker", "--interval", "0.2"],
            cwd=PROJECT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=logs[-1],
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(60)
    for log in logs:
        log.close()


def _wait(condition, timeout: float, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _db.session.rollback()
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


def _parts(parent_id: int) -> list[Job]:
    return list(_db.session.execute(_db.select(Job).where(Job.parent_id == parent_id)).scalars())


def _badge_job(db, event, count: int) -> Job:
    fake_registrations(event, count, status="approved", seed=7)
    job = services.enqueue(
        "badges",
        event=event,
        payload={"filter": {}, "output": "a6"},
        size=count,
        download_name="badges.pdf",
    )
    db.session.commit()
    return job


def test_a_worker_killed_mid_batch_is_taken_over_and_no_page_is_drawn_twice(
    db, event, folders, start_worker, badge_cache
):
    job = _badge_job(db, event, 120)
    # No pre-rendering: it would draw these approved badges itself, leaving the batch nothing
    # to draw (and this test nothing to interrupt).
    first = start_worker(BADGE_CHUNK_SIZE=30, BADGE_PRERENDER_SECONDS=0)

    # Kill the worker while it is drawing a part, after it finished at least one.
    def drawing():
        parts = _parts(job.id)
        running = [p for p in parts if p.status == JobStatus.RUNNING]
        return running if running and any(p.status == JobStatus.DONE for p in parts) else None

    _wait(drawing, 120, 0.01)  # parts of 30 last long enough to be seen running
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    # The parts its lease still holds now: one seen running may have ended just before the kill.
    _db.session.rollback()
    running = [p for p in _parts(job.id) if p.status == JobStatus.RUNNING]
    assert running, "the worker was killed between two parts; nothing was left to take over"
    stored = get_storage()
    drawn_before = {key: stored.modified(key) for key in badge_cache()}
    killed_at = time.monotonic()

    start_worker(BADGE_CHUNK_SIZE=30, BADGE_PRERENDER_SECONDS=0)
    finished = _wait(
        lambda: (
            (j := db.session.get(Job, job.id)).status in (JobStatus.DONE, JobStatus.FAILED) and j
        ),
        180,
        0.2,
    )

    assert finished.status == JobStatus.DONE, [
        (p.id, p.kind, p.status, p.attempts, p.last_error)
        for p in db.session.execute(_db.select(Job)).scalars()
    ]
    assert time.monotonic() - killed_at >= LEASE_SECONDS * 0.5  # waited for the lease to lapse
    taken_over = db.session.get(Job, running[0].id)
    assert taken_over.status == JobStatus.DONE and taken_over.attempts == 2
    # Pages drawn before the kill were kept, not drawn again.
    assert all(stored.modified(key) == written for key, written in drawn_before.items())
    reader = pypdf.PdfReader(io.BytesIO(stored.read(files.result_key(finished.result_file))))
    references = db.session.execute(_db.select(Registration.reference)).scalars().all()
    text = [page.extract_text() for page in reader.pages]
    assert len(text) == 120 == finished.done == finished.total
    assert all(sum(reference in page for page in text) == 1 for reference in references)


def test_email_queued_during_a_long_print_job_is_sent_within_five_seconds(
    db, event, folders, start_worker, smtp_server
):
    job = _badge_job(db, event, 300)
    start_worker(BADGE_CHUNK_SIZE=50, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    _wait(lambda: db.session.get(Job, job.id).status != JobStatus.QUEUED, 60)

    db.session.rollback()  # a fresh transaction: SQLite refuses a write after a stale read
    message = OutboxEmail(
        template="test",
        recipient="late@example.org",
        subject="Sent while badges print",
        body_text="Hello",
        attachments=[],
    )
    db.session.add(message)
    db.session.commit()
    queued_at = time.monotonic()
    smtp_server.wait_for(1, timeout=5)
    delay = time.monotonic() - queued_at

    _wait(lambda: db.session.get(OutboxEmail, message.id).status == MailStatus.SENT, 5)
    assert db.session.get(Job, job.id).status != JobStatus.DONE, "the job ended first: no proof"
    assert delay <= 5
    _wait(lambda: db.session.get(Job, job.id).status == JobStatus.DONE, 300, 0.5)
