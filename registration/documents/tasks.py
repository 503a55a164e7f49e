"""Document jobs run by `flask worker`: badge batches (split into parts for several workers),
lists of participants, exports, and the upkeep of the badge page cache."""

import tempfile
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from registration.auth.decorators import READ_ROLES
from registration.auth.models import Role, StaffUser
from registration.delegates.filters import parse_filter
from registration.documents import badge_pages, badges, exports, merging, participants, services
from registration.documents.services import DocumentError
from registration.events.models import Event
from registration.extensions import db
from registration.jobs.models import Job, JobStatus
from registration.jobs.registry import WAIT, periodic, task
from registration.jobs.runner import JobContext

#: Roles that print badges in batches (the desk reprints single badges).
PRINT_ROLES = (Role.ADMIN, Role.REGISTRAR)
_BACK = "documents.index"
#: A merged batch larger than this is spooled to a temporary file before it is stored.
_SPOOL_BYTES = 16 * 2**20


def _event(job: JobContext) -> Event:
    return db.session.get_one(Event, job.event_id)


def _split(job: JobContext, missing: list, layout: str) -> None:
    """Queue the missing pages as parts that any worker renders."""
    size = current_app.config["BADGE_CHUNK_SIZE"]
    for start in range(0, len(missing), size):
        contents = [content for content, _path in missing[start : start + size]]
        job.add_part(
            "badges-part", {"layout": layout, "contents": contents, "count": len(contents)}
        )


@task("badges", title=_l("Badges"), roles=PRINT_ROLES, back=_BACK)
def build_badges(job: JobContext):
    """A batch of badges: cached pages are merged; a large set of missing pages is first split
    into parts rendered by every worker, and the batch is merged when the last part is done.
    "Print new badges" marks them printed with the same commit that records the job done."""
    params = job.payload
    output = params.get("output", "a6")
    if output not in badges.OUTPUTS:
        raise DocumentError(_("Choose a badge layout."), "unknown_layout")
    layout, sheets = badges.OUTPUTS[output]
    if "contents" not in params:
        selection = parse_filter(MultiDict(params.get("filter", {})))
        batch = services.badge_batch(_event(job), selection, only_new=params.get("only_new", False))
        db.session.commit()  # no transaction stays open while pages render
        if not batch.ids:
            raise DocumentError(_("There are no badges to print."), "nothing_to_print")
        params = {**params, "ids": batch.ids, "contents": batch.contents}
        paths, missing = badge_pages.plan(batch.contents, layout)
        job.progress(len(paths) - len(missing), len(paths))
        if len(missing) > current_app.config["BADGE_CHUNK_SIZE"]:
            # The batch is fixed now: a second run merges exactly these badges.
            db.session.execute(sa.update(Job).where(Job.id == job.id).values(payload=params))
            _split(job, missing, layout)
            return WAIT
    else:
        parts = job.parts()
        db.session.commit()
        if parts.get(JobStatus.FAILED):
            raise DocumentError(_("Some badges could not be drawn; try again."), "render_failed")
        if sum(parts.values()) > parts.get(JobStatus.DONE, 0):
            return WAIT
    contents = params["contents"]
    keys = badge_pages.cached_pages(contents, layout, job.progress)
    with tempfile.SpooledTemporaryFile(_SPOOL_BYTES) as output:
        merging.merge(
            badge_pages.read_pages(keys),
            output,
            sheets=sheets,
            crop_marks=params.get("crop_marks", False),
        )
        output.seek(0)
        job.write_result(output, ".pdf")
    job.progress(len(contents), len(contents))
    if params.get("only_new"):
        by = db.session.get(StaffUser, job.requested_by_id) if job.requested_by_id else None
        services.mark_badges_printed(params["ids"], by=by)
    return None


@task("badges-part", max_attempts=3)
def render_badge_part(job: JobContext) -> None:
    """Render part of a batch's pages into the cache (pages already there are kept)."""
    layout = job.payload["layout"]
    _paths, missing = badge_pages.plan(job.payload["contents"], layout)
    job.progress(job.payload["count"] - len(missing), job.payload["count"])
    badge_pages.render_missing(
        missing, layout, job.progress, job.payload["count"] - len(missing), job.payload["count"]
    )


@task("participants", title=_l("List of participants"), roles=READ_ROLES, back=_BACK)
def build_participants(job: JobContext) -> None:
    """The list of participants in the job's language."""
    params = job.payload
    data = participants.participants_data(
        _event(job), params["language"], official=params.get("official", False)
    )
    db.session.commit()
    job.progress(0, len(data["entries"]))
    job.write_result(participants.render_participants(data), ".pdf")
    job.progress(len(data["entries"]), len(data["entries"]))


@task("export", title=_l("Export registrations"), roles=READ_ROLES, back=_BACK)
def build_export(job: JobContext) -> None:
    """Registrations as CSV or XLSX, with headings in the language of the staff who asked."""
    params = job.payload
    selection = parse_filter(MultiDict(params.get("filter", {})))
    data = exports.export_registrations(_event(job), selection, params["columns"], params["format"])
    db.session.commit()
    job.write_result(data, f".{params['format']}")


@periodic("badge-prerender", every=timedelta(seconds=15))
def prerender(job: JobContext) -> None:
    """Render badge pages of registrations approved or changed lately, for a few seconds at
    most per occurrence, so that printing finds them ready and other jobs are not kept long."""
    deadline = time.monotonic() + current_app.config["BADGE_PRERENDER_SECONDS"]
    while time.monotonic() < deadline and not (job.stop.is_set() or job.lost.is_set()):
        missing = services.badges_to_prerender(badge_pages.CHUNK)
        db.session.commit()  # no transaction stays open while pages render
        badge_pages.cached_pages(missing, "a6")
        if len(missing) < badge_pages.CHUNK:
            break


@periodic("badge-cache-prune", every=timedelta(days=1))
def prune_cache(job: JobContext) -> None:
    """Delete cached badge pages that no approved registration shows any more."""
    services.prune_badge_cache()
