"""Document jobs: long documents are built in a background thread while a page shows progress.

The job row carries the progress; the thread commits it in small transactions of its own and
never holds one open while WeasyPrint works. A job whose thread died (server restart) stops
answering and is shown as failed after JOB_STALE.
"""

import logging
import tempfile
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import BinaryIO

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from registration import storage
from registration.auth.models import StaffUser
from registration.database import utcnow
from registration.delegates.filters import parse_filter
from registration.documents import exports, participants, services
from registration.documents.models import DocumentJob, JobStatus
from registration.errors import DomainError
from registration.events.models import Event
from registration.extensions import db
from registration.security import new_token

#: A running job that has not reported progress for this long is taken as dead.
JOB_STALE = timedelta(minutes=10)
#: Finished jobs and their files are removed after this.
JOB_RETENTION = timedelta(days=1)
#: A result larger than this is spooled to a temporary file before it is stored.
_SPOOL_BYTES = 16 * 2**20

log = logging.getLogger(__name__)


def result_key(job: DocumentJob) -> str | None:
    """The storage key of the finished file of ``job``, if any."""
    return storage.key(storage.JOB_RESULTS, job.file_name) if job.file_name else None


def effective_status(job: DocumentJob) -> JobStatus:
    """The job's status, with a silent running job shown as failed."""
    if (
        job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
        and utcnow() - job.updated_at > JOB_STALE
    ):
        return JobStatus.FAILED
    return job.status


def _prune() -> None:
    """Forget jobs older than JOB_RETENTION and delete their files."""
    old = db.session.execute(
        db.select(DocumentJob).where(DocumentJob.created_at < utcnow() - JOB_RETENTION)
    ).scalars()
    for job in old:
        key = result_key(job)
        if key is not None:
            storage.get_storage().delete(key)
        db.session.delete(job)


def create_job(
    kind: str, event: Event, params: dict, *, by=None, download_name: str
) -> DocumentJob:
    """Queue a document job (a kind of BUILDERS); start it after committing.

    ``download_name`` names the file offered to the browser; its suffix is the file's type.
    """
    _prune()
    job = DocumentJob(
        token=new_token(),
        kind=kind,
        event=event,
        params=params,
        created_by_id=getattr(by, "id", None),
        download_name=download_name,
    )
    db.session.add(job)
    db.session.flush()
    return job


def _reporter(job_id: int) -> Callable[[int, int], None]:
    """A progress callback recording done/total on a connection of its own, committed at once."""

    def report(done: int, total: int) -> None:
        with db.engine.begin() as connection:
            connection.execute(
                db.update(DocumentJob)
                .where(DocumentJob.id == job_id)
                .values(done=done, total=total, updated_at=utcnow())
            )

    return report


def _build_badges(job: DocumentJob, target: BinaryIO, report: Callable[[int, int], None]) -> None:
    """Badges of the job's selection; "print new badges" marks them printed once written."""
    params = job.params
    only_new = params.get("only_new", False)
    selection = parse_filter(MultiDict(params.get("filter", {})))
    batch = services.badge_batch(job.event, selection, only_new=only_new)
    by = db.session.get(StaffUser, job.created_by_id) if job.created_by_id else None
    db.session.commit()  # no transaction stays open while pages render
    services.write_badges(
        batch,
        target,
        output=params.get("output", "a6"),
        crop_marks=params.get("crop_marks", False),
        progress=report,
    )
    if only_new:
        services.mark_badges_printed(batch.ids, by=by)


def _build_participants(
    job: DocumentJob, target: BinaryIO, report: Callable[[int, int], None]
) -> None:
    """The list of participants in the job's language."""
    params = job.params
    data = participants.participants_data(
        job.event, params["language"], official=params.get("official", False)
    )
    db.session.commit()
    report(0, len(data["entries"]))
    target.write(participants.render_participants(data))
    report(len(data["entries"]), len(data["entries"]))


def _build_export(job: DocumentJob, target: BinaryIO, report: Callable[[int, int], None]) -> None:
    """Registrations as CSV or XLSX, with headings in the language of the staff who asked."""
    params = job.params
    selection = parse_filter(MultiDict(params.get("filter", {})))
    report(0, 0)
    with force_locale(params.get("language", "en")):
        data = exports.export_registrations(
            job.event, selection, params["columns"], params["format"]
        )
    db.session.commit()
    target.write(data)


BUILDERS = {"badges": _build_badges, "participants": _build_participants, "export": _build_export}


def run_job(job_id: int) -> None:
    """Build a job's document and record the outcome (in the worker thread, or inline)."""
    job = db.session.get_one(DocumentJob, job_id)
    job.status, job.updated_at = JobStatus.RUNNING, utcnow()
    db.session.commit()
    file_name = f"{job.token}.{job.download_name.rpartition('.')[2]}"
    try:
        with tempfile.SpooledTemporaryFile(_SPOOL_BYTES) as target:
            BUILDERS[job.kind](job, target, _reporter(job_id))
            target.seek(0)
            storage.get_storage().save(storage.key(storage.JOB_RESULTS, file_name), target)
    except Exception as error:  # recorded for the progress page; the thread must not die silently
        db.session.rollback()
        if not isinstance(error, DomainError):
            log.exception("document job %s failed", job_id)
        message = error.message if isinstance(error, DomainError) else _("The document failed.")
        values = {"status": JobStatus.FAILED, "error": message}
    else:
        values = {"status": JobStatus.DONE, "file_name": file_name}
    db.session.execute(
        db.update(DocumentJob)
        .where(DocumentJob.id == job_id)
        .values(**values, updated_at=utcnow(), finished_at=utcnow())
    )
    db.session.commit()


def _run_in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        run_job(job_id)


def start_job(job: DocumentJob) -> threading.Thread:
    """Run a committed job in a background thread of this process."""
    thread = threading.Thread(
        target=_run_in_thread,
        args=(current_app._get_current_object(), job.id),
        name=f"document-job-{job.id}",
        daemon=True,
    )
    thread.start()
    return thread
