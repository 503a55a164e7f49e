"""A job's progress page, its progress as JSON, and its result (staff allowed its kind)."""

from flask import Blueprint, abort, jsonify, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registration.auth.decorators import READ_ROLES, role_required
from registration.auth.security_log import log_security_event
from registration.jobs import files, services
from registration.jobs.models import Job, JobStatus

bp = Blueprint("jobs", __name__)

#: Result types by suffix.
MIMETYPES = {
    ".pdf": "application/pdf",
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _job(token: str) -> Job:
    """The job behind a token, for staff allowed to follow its kind."""
    job = services.job_by_token(token)
    if job is None:
        abort(404)
    if not services.may_follow(current_user, job.kind):
        abort(403)
    return job


def _state(job: Job) -> dict:
    """What the progress page shows, as plain values."""
    failed = job.status == JobStatus.FAILED
    return {
        "status": job.status.value,
        "done": job.done,
        "total": job.total,
        "error": (job.error or _("The job failed.")) if failed else "",
        "download": url_for("jobs.download", token=job.token)
        if job.status == JobStatus.DONE and job.result_file
        else None,
    }


@bp.get("/manage/jobs/<token>")
@role_required(*READ_ROLES)
def job(token: str):
    """A job's progress page; a document's download starts when it is ready (its followers)."""
    job = _job(token)
    return render_template(
        "jobs/job.html",
        job=job,
        state=_state(job),
        title=services.title(job),
        back=services.back_url(job),
    )


@bp.get("/manage/jobs/<token>/progress")
@role_required(*READ_ROLES)
def progress(token: str):
    """A job's progress as JSON, polled by its page (its followers)."""
    return jsonify(_state(_job(token)))


@bp.get("/manage/jobs/<token>/download")
@role_required(*READ_ROLES)
def download(token: str):
    """A finished job's file (its followers)."""
    job = _job(token)
    if job.status != JobStatus.DONE or not job.result_file:
        abort(404)
    log_security_event("export", "success", account=current_user.email, file=job.download_name)
    suffix = "." + job.result_file.rpartition(".")[2]
    return files.send_result(
        job.result_file,
        MIMETYPES.get(suffix, "application/octet-stream"),
        download_name=job.download_name or job.result_file,
    )
