"""Running jobs in a worker: claim one through the shared queue, run its task, record the outcome.

A job is claimed with a lease that a heartbeat thread renews while the task works; a worker
that dies stops renewing it and another worker takes the job over once it lapses. Attempts are
counted when a job is claimed, so a job that kills its worker every time is given up after its
task's ``max_attempts``. Tasks report progress through their ``JobContext``; no transaction is
held open while they work.
"""

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from registration import queue
from registration.database import utcnow, writing_worker
from registration.errors import DomainError
from registration.extensions import db
from registration.jobs import files
from registration.jobs.models import Job, JobStatus
from registration.jobs.registry import PERIODIC, TASKS, WAIT
from registration.security import new_token

log = logging.getLogger(__name__)

#: A waiting job looks at its parts again after this, in case no part woke it.
_WAIT_POLL = timedelta(seconds=30)
#: Seconds: however many attempts a task allows, retry at least once an hour.
_LONGEST_DELAY = 3600


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])


def result_expiry(now: datetime) -> datetime:
    """When a job finished at ``now`` and its result are deleted."""
    return now + timedelta(hours=current_app.config["JOB_RESULT_HOURS"])


class LeaseLost(RuntimeError):
    """The job's lease lapsed and another worker took it over."""


@dataclass
class JobContext:
    """What a task sees of its job while it runs, and how it reports back."""

    id: int
    token: str
    kind: str
    payload: dict
    event_id: int | None
    requested_by_id: int | None
    parent_id: int | None
    attempts: int
    claim_token: str
    stop: threading.Event
    #: Set when the lease was lost (another worker took the job over): stop working.
    lost: threading.Event = field(default_factory=threading.Event)
    result_file: str | None = None

    def progress(self, done: int, total: int | None = None) -> None:
        """Record progress (committed at once, on a connection of its own) and renew the lease."""
        values = {"done": done, "updated_at": utcnow()}
        if total is not None:
            values["total"] = total
        with db.engine.begin() as connection:
            if not queue.renew(connection, Job, self.id, self.claim_token, _lease(), values):
                self.lost.set()

    def checkpoint(self, done: int, payload: dict) -> None:
        """Record progress and the task's position in the session, to commit with the work
        done so far; a job taken over then resumes from there. Raises LeaseLost if another
        worker holds the job now (the caller's work must not commit)."""
        now = utcnow()
        result = db.session.execute(
            sa.update(Job)
            .where(Job.id == self.id, Job.claim_token == self.claim_token)
            .values(done=done, payload=payload, updated_at=now, claimed_until=now + _lease())
        )
        if result.rowcount != 1:
            self.lost.set()
            raise LeaseLost(f"job {self.id} is held by another worker")
        self.payload = payload

    def write_result(self, data: bytes | BinaryIO, suffix: str) -> None:
        """Store ``data`` (bytes or a binary stream) as the job's result, its download once it
        is done. Named after the attempt too, so that a worker that lost the job never touches
        the file of the worker that took it over."""
        self.result_file = f"{self.token}-{self.attempts}{suffix}"
        files.save_result(self.result_file, data)

    def add_part(self, kind: str, payload: dict) -> None:
        """Queue a part of this job (committed with the job's outcome); when every part has
        ended, the job runs again."""
        db.session.add(
            Job(
                token=new_token(),
                kind=kind,
                payload=payload,
                event_id=self.event_id,
                requested_by_id=self.requested_by_id,
                parent_id=self.id,
            )
        )

    def parts(self) -> dict[JobStatus, int]:
        """How many parts of this job are in each status."""
        rows = db.session.execute(
            db.select(Job.status, sa.func.count())
            .where(Job.parent_id == self.id)
            .group_by(Job.status)
        )
        return {status: count for status, count in rows}


def _heartbeat(app, context: JobContext, done: threading.Event) -> None:
    """Renew the lease while the task works (WeasyPrint may not report for a while)."""
    with app.app_context():
        interval = _lease().total_seconds() / 3
        while not done.wait(interval):
            try:
                with db.engine.begin() as connection:
                    if not queue.renew(connection, Job, context.id, context.claim_token, _lease()):
                        context.lost.set()
                        return
            except sa.exc.SQLAlchemyError as error:
                # The database may be restarting, or (SQLite) the job is writing: the lease
                # outlives a short outage, and checkpoints renew it too.
                log.warning("job %s: heartbeat failed: %s", context.id, type(error).__name__)


def _ready(now: datetime) -> sa.ColumnElement[bool]:
    """Queued, waiting for its next look, or running under a lapsed lease; and due."""
    return sa.and_(
        Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.WAITING)),
        Job.run_after <= now,
    )


def _claim(stop: threading.Event) -> JobContext | None:
    """Claim the job due first, in one short transaction."""
    now = utcnow()
    claimed = queue.claim(
        Job,
        _ready,
        (Job.run_after, Job.id),
        limit=1,
        lease=_lease(),
        values={
            "status": JobStatus.RUNNING,
            "attempts": Job.attempts + 1,
            "started_at": sa.func.coalesce(Job.started_at, now),
            "updated_at": now,
        },
    )
    if not claimed.rows:
        db.session.commit()
        return None
    job = claimed.rows[0]
    context = JobContext(
        job.id,
        job.token,
        job.kind,
        dict(job.payload),
        job.event_id,
        job.requested_by_id,
        job.parent_id,
        job.attempts,
        claimed.token,
        stop,
    )
    db.session.commit()
    return context


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


def _outcome(context: JobContext, result, error: Exception | None) -> dict:
    """The values recorded on the job for what its task did."""
    now = utcnow()
    if error is None and result is WAIT:
        # Waiting is not an attempt: the job runs again once its parts have ended.
        return {
            "status": JobStatus.WAITING,
            "attempts": Job.attempts - 1,
            "run_after": now + _WAIT_POLL,
            "updated_at": now,
        }
    finished = {"finished_at": now, "updated_at": now, "expires_at": result_expiry(now)}
    if error is None:
        return {"status": JobStatus.DONE, "result_file": context.result_file, **finished}
    if isinstance(error, DomainError):
        # Bad input: trying again cannot help; staff read why.
        return {
            "status": JobStatus.FAILED,
            "error": error.message,
            "last_error": error.code,
            **finished,
        }
    task = TASKS.get(context.kind)
    if task is not None and context.attempts < task.max_attempts:
        delay = current_app.config["JOB_BACKOFF_SECONDS"] * 2 ** (context.attempts - 1)
        return {
            "status": JobStatus.QUEUED,
            "last_error": _describe(error),
            "run_after": now + timedelta(seconds=min(delay, _LONGEST_DELAY)),
            "updated_at": now,
        }
    return {
        "status": JobStatus.FAILED,
        "error": _("The job failed."),
        "last_error": _describe(error),
        **finished,
    }


def _wake_if_parts_ended(job_id: int) -> None:
    """Make a waiting job due now if none of its parts is still to run (committed)."""
    part = sa.orm.aliased(Job)
    unfinished = (
        sa.select(part.id)
        .where(part.parent_id == job_id, part.status.notin_((JobStatus.DONE, JobStatus.FAILED)))
        .exists()
    )
    db.session.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.WAITING, ~unfinished)
        .values(run_after=utcnow())
    )
    db.session.commit()


def _wake_parent(context: JobContext, total: int) -> None:
    """Count a finished part into its parent's progress; wake the parent when it was the last.

    Runs after the part's outcome committed, so of two parts ending together at least the later
    one sees both ended (and a parent that starts waiting checks for itself, see _run).
    """
    db.session.execute(
        sa.update(Job)
        .where(Job.id == context.parent_id)
        .values(done=Job.done + total, updated_at=utcnow())
    )
    db.session.commit()
    _wake_if_parts_ended(context.parent_id)


def _run(context: JobContext) -> None:
    """Run a claimed job's task with a heartbeat, then record the outcome."""
    task = TASKS.get(context.kind)
    result, failure = None, None
    finished = threading.Event()
    beat = threading.Thread(
        target=_heartbeat,
        args=(current_app._get_current_object(), context, finished),
        name=f"job-heartbeat-{context.id}",
        daemon=True,
    )
    beat.start()
    try:
        if task is None:
            raise LookupError(f"no task registered for {context.kind!r}")
        if context.attempts > task.max_attempts:
            raise RuntimeError(f"gave up after {task.max_attempts} attempts")
        with force_locale(context.payload.get("language") or "en"), writing_worker():
            result = task.handler(context)
    except Exception as error:  # recorded on the job; one bad job must not stop the worker
        db.session.rollback()
        if not isinstance(error, DomainError):
            log.exception("job %s (%s) failed", context.id, context.kind)
        failure = error
    finally:
        finished.set()
        beat.join()
    with force_locale(context.payload.get("language") or "en"):
        values = _outcome(context, result, failure)
    with writing_worker():
        recorded = not context.lost.is_set() and queue.settle(
            Job, context.id, context.claim_token, values
        )
    if not recorded:
        # Another worker owns the job now; its outcome wins and this one's result is dropped.
        db.session.rollback()
        log.warning("job %s: lease lost before the outcome was recorded", context.id)
        if context.result_file:
            files.delete_result(context.result_file)
        return
    db.session.commit()
    if values["status"] == JobStatus.WAITING:
        # Its last part may have ended while it ran: then no part will wake it.
        _wake_if_parts_ended(context.id)
    elif context.parent_id is not None and values["status"] in (JobStatus.DONE, JobStatus.FAILED):
        _wake_parent(context, context.payload.get("count", 0))


def run_one(stop: threading.Event | None = None) -> bool:
    """Claim and run the job due first; False when none was due."""
    context = _claim(stop or threading.Event())
    if context is None:
        return False
    _run(context)
    return True


def _insert_ignoring_duplicates(values: dict) -> None:
    """INSERT … ON CONFLICT (unique_key) DO NOTHING, on PostgreSQL and SQLite."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(
        dialect.insert(Job).values(**values).on_conflict_do_nothing(index_elements=["unique_key"])
    )


#: The last occurrence this process has scheduled, per periodic task (saves a write a second).
_scheduled: dict[str, int] = {}


def schedule_periodic(now: datetime | None = None) -> None:
    """Queue the current occurrence of every periodic task, once whatever the number of workers."""
    now = now or utcnow()
    for name, schedule in PERIODIC.items():
        slot = int(now.timestamp() // schedule.every.total_seconds())
        if _scheduled.get(name) == slot:
            continue
        _insert_ignoring_duplicates(
            {
                "token": new_token(),
                "kind": schedule.kind,
                "payload": {},
                "unique_key": f"{schedule.kind}:{slot}",
                "status": JobStatus.QUEUED,
                "run_after": now,
                "created_at": now,
                "updated_at": now,
            }
        )
        db.session.commit()
        _scheduled[name] = slot


def run_due(*, stop: threading.Event | None = None, periodic: bool = False) -> int:
    """Run jobs until none is due (tests, `flask worker --once`); returns how many ran."""
    if periodic:
        schedule_periodic()
    count = 0
    while not (stop and stop.is_set()) and run_one(stop):
        count += 1
    return count


def run(*, stop: threading.Event, interval: float, periodic: bool = True) -> int:
    """Run jobs until ``stop`` is set, waiting ``interval`` seconds when none is due; with
    ``periodic``, queue the periodic tasks' occurrences as they come.

    A lost database connection is waited out: the worker logs it and tries again.
    """
    count = 0
    while not stop.is_set():
        try:
            if periodic:
                schedule_periodic()
            ran = run_one(stop)
        except sa.exc.SQLAlchemyError:
            log.exception("job worker: database error; trying again")
            db.session.rollback()
            ran = False
        finally:
            db.session.remove()
        count += ran
        if not ran:
            stop.wait(interval)
    return count
