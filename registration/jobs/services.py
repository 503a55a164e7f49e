"""Queueing jobs within bounds, finding them for staff, and the queue's own upkeep."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _

from registration.auth.models import Role, StaffUser
from registration.database import utcnow
from registration.errors import DomainError
from registration.events.models import Event
from registration.extensions import db
from registration.i18n import current_language
from registration.jobs import files
from registration.jobs.models import ACTIVE, Job
from registration.jobs.registry import TASKS, periodic
from registration.security import new_token


class JobError(DomainError):
    """A job cannot be queued. Codes: not_allowed, too_large, too_many_jobs."""


def may_follow(user: StaffUser, kind: str) -> bool:
    """Whether ``user`` may start and follow jobs of ``kind``."""
    task = TASKS.get(kind)
    return task is not None and user.role in {Role.ADMIN, *task.roles}


def _check_bounds(kind: str, size: int, by: StaffUser | None) -> None:
    """Refuse a job that is too large, or one more job for staff who have enough running."""
    config = current_app.config
    if size > config["JOB_MAX_ITEMS"]:
        raise JobError(
            _(
                "This would make one job of %(count)d items; at most %(limit)d are done at once. "
                "Narrow the filter and start it in parts.",
                count=size,
                limit=config["JOB_MAX_ITEMS"],
            ),
            "too_large",
        )
    if by is None:
        return
    if not may_follow(by, kind):
        raise JobError(_("Your role does not allow this."), "not_allowed")
    # Serialise one person's requests on their account row, so that two clicks at once
    # cannot both pass the limit (a no-op on SQLite, whose writers are serialised anyway).
    db.session.execute(db.select(StaffUser.id).where(StaffUser.id == by.id).with_for_update())
    active = db.session.scalar(
        db.select(sa.func.count())
        .select_from(Job)
        .where(Job.requested_by_id == by.id, Job.parent_id.is_(None), Job.status.in_(ACTIVE))
    )
    limit = config["JOB_MAX_ACTIVE_PER_STAFF"]
    if active >= limit:
        raise JobError(
            _(
                "You already have %(count)d jobs under way; wait until one has finished.",
                count=active,
            ),
            "too_many_jobs",
        )


def enqueue(
    kind: str,
    *,
    event: Event | None,
    payload: dict,
    by: StaffUser | None = None,
    size: int = 0,
    download_name: str = "",
) -> Job:
    """Queue a job of a registered ``kind`` for a worker; the web process never runs it.

    ``size`` is the number of items the job will handle (badges, recipients), checked against
    JOB_MAX_ITEMS; staff are held to JOB_MAX_ACTIVE_PER_STAFF unfinished jobs. The job runs in
    the language of the request. Raises JobError('not_allowed' | 'too_large' | 'too_many_jobs').
    """
    if kind not in TASKS:
        raise LookupError(f"no task registered for {kind!r}")
    _check_bounds(kind, size, by)
    job = Job(
        token=new_token(),
        kind=kind,
        payload={"language": current_language(), **payload},
        event_id=getattr(event, "id", None),
        requested_by_id=getattr(by, "id", None),
        total=size,
        download_name=download_name,
    )
    db.session.add(job)
    db.session.flush()
    return job


def job_by_token(token: str) -> Job | None:
    """The job staff follow through ``token`` (parts of jobs have no page)."""
    return db.session.execute(
        db.select(Job).where(Job.token == token, Job.parent_id.is_(None))
    ).scalar_one_or_none()


def title(job: Job) -> str:
    """What the job makes, in the reader's language."""
    task = TASKS.get(job.kind)
    return str(task.title) if task is not None and task.title else _("Background job")


def back_url(job: Job) -> str | None:
    """The page a job was started from (its task's ``back`` endpoint, for the job's event)."""
    task = TASKS.get(job.kind)
    if task is None or not task.back or job.event is None:
        return None
    return url_for(task.back, slug=job.event.slug)


@periodic("jobs-expire", every=timedelta(minutes=5))
def expire_jobs(job=None) -> int:
    """Delete finished jobs past their expiry and their result files; returns how many."""
    expired = db.session.execute(
        db.select(Job.id, Job.result_file).where(Job.expires_at < utcnow(), Job.parent_id.is_(None))
    ).all()
    for _id, result_file in expired:
        if result_file:
            files.delete_result(result_file)
    if expired:
        # Parts go with their job (ON DELETE CASCADE).
        db.session.execute(sa.delete(Job).where(Job.id.in_([row.id for row in expired])))
    db.session.commit()
    return len(expired)


@periodic("jobs-orphans", every=timedelta(hours=1))
def delete_orphan_results(job=None) -> int:
    """Delete result files no job names any more (a worker stopped between writing a file and
    recording it), once they are an hour old; returns how many."""
    known = set(
        db.session.execute(db.select(Job.result_file).where(Job.result_file.is_not(None))).scalars()
    )
    cutoff = (utcnow() - timedelta(hours=1)).timestamp()
    removed = 0
    for name, written in files.result_names():
        if written < cutoff and name not in known and not name.startswith("."):
            files.delete_result(name)
            removed += 1
    return removed
