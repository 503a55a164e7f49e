"""Badges for people: one for a reprint, batches for printing, and the page cache's upkeep."""

import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import BinaryIO

from flask_babel import gettext as _

from registration import storage
from registration.audit.services import record
from registration.database import utcnow
from registration.delegates.filters import RegistrationFilter, conditions, name_order
from registration.delegates.models import Registration, Status
from registration.documents import badge_pages, badges, merging
from registration.errors import DomainError
from registration.events.models import Event
from registration.extensions import db

#: What a badge shows, loaded as plain rows (no ORM objects) for batches.
_BADGE_COLUMNS = (
    Registration.id,
    Registration.reference,
    Registration.badge_token_hash,
    Registration.badge_token_sealed,
    Registration.honorific,
    Registration.gender,
    Registration.given_name,
    Registration.family_name,
    Registration.category_id,
    Registration.entity_id,
    Registration.other_organisation,
    Registration.photo,
)


class DocumentError(DomainError):
    """A document cannot be made. Codes: not_approved, nothing_to_print, not_attended,
    unknown_layout, unknown_column."""


def _check_layout(output: str) -> None:
    if output not in badges.OUTPUTS:
        raise DocumentError(_("Choose a badge layout."), "unknown_layout", field="layout")


def render_badge(registration: Registration, output: str = "a6") -> bytes:
    """The badge of one approved registration, for a reprint at the desk (staff).

    Served from the page cache when it is there. Raises DocumentError('not_approved').
    """
    _check_layout(output)
    if registration.status != Status.APPROVED:
        raise DocumentError(
            _("Only approved registrations have a badge."), "not_approved", field="status"
        )
    content = badges.BadgeData(registration.event).content(registration)
    target = io.BytesIO()
    write_badges(BadgeBatch([registration.id], [content]), target, output=output)
    return target.getvalue()


@dataclass(frozen=True)
class BadgeBatch:
    """Badges to print as plain data: registration ids and page contents, in print order."""

    ids: list[int]
    contents: list[dict]


def badge_batch(
    event: Event, selection: RegistrationFilter, *, only_new: bool = False
) -> BadgeBatch:
    """The approved registrations that the back office's filter matches, alphabetically.

    Badges are for approved registrations only, whatever statuses the filter names; with
    ``only_new`` only those whose badge was never printed.
    """
    if selection.status and Status.APPROVED not in selection.status:
        return BadgeBatch([], [])
    statement = db.select(*_BADGE_COLUMNS).where(
        *conditions(event, selection), Registration.status == Status.APPROVED
    )
    if only_new:
        statement = statement.where(Registration.badge_printed_at.is_(None))
    order = (*name_order(badges.badge_language(event)), Registration.id)
    rows = db.session.execute(statement.order_by(*order)).all()
    data = badges.BadgeData(event)
    return BadgeBatch([row.id for row in rows], [data.content(row) for row in rows])


def write_badges(
    batch: BadgeBatch,
    target: str | BinaryIO,
    *,
    output: str = "a6",
    crop_marks: bool = False,
    progress: badge_pages.Progress | None = None,
) -> None:
    """Write ``batch`` into ``target`` (a path or a binary file) as one PDF.

    Cached pages are merged; missing ones are rendered in parallel chunks first. The database
    is not used, so callers run this outside any transaction.
    Raises DocumentError('nothing_to_print' | 'unknown_layout').
    """
    _check_layout(output)
    if not batch.ids:
        raise DocumentError(_("There are no badges to print."), "nothing_to_print")
    layout, sheets = badges.OUTPUTS[output]
    keys = badge_pages.cached_pages(batch.contents, layout, progress)
    merging.merge(badge_pages.read_pages(keys), target, sheets=sheets, crop_marks=crop_marks)


def mark_badges_printed(ids: list[int], *, by=None, actor_type: str | None = None) -> int:
    """Record that the badges of ``ids`` are printed ("print new badges"); returns how many.

    Only badges not yet marked are changed, each with an audit entry (``by`` the staff member
    who printed, or ``actor_type="system"`` from the command line).
    """
    now = utcnow()
    registrations = (
        db.session.execute(
            db.select(Registration).where(
                Registration.id.in_(ids), Registration.badge_printed_at.is_(None)
            )
        )
        .scalars()
        .all()
    )
    for registration in registrations:
        registration.badge_printed_at = now
        record(
            "badge_printed",
            registration=registration,
            actor=by,
            actor_type=actor_type,
            changes={"badge_printed_at": [None, now.isoformat()]},
        )
    db.session.flush()
    return len(registrations)


def badges_to_prerender(limit: int = 100) -> list[dict]:
    """Up to ``limit`` A6 badge pages of approved registrations that are not cached yet.

    Covers events that have not ended more than a day ago; most recent changes first, so a
    registration approved or changed (or a category colour or the template) gets its page
    within a round or two. Only reads the database.
    """
    missing: list[dict] = []
    files, template = storage.get_storage(), badges.fingerprint()
    yesterday = date.today() - timedelta(days=1)
    events = db.session.execute(db.select(Event).where(Event.end_date >= yesterday)).scalars()
    for event in events:
        data = badges.BadgeData(event)
        rows = db.session.execute(
            db.select(*_BADGE_COLUMNS)
            .where(Registration.event_id == event.id, Registration.status == Status.APPROVED)
            .order_by(Registration.updated_at.desc())
        )
        for row in rows:
            content = data.content(row)
            key = badges.page_key(content, "a6", template)
            if not files.exists(badges.page_file("a6", key)):
                missing.append(content)
                if len(missing) >= limit:
                    return missing
    return missing


def prerender_badges(limit: int = 100) -> int:
    """Render up to ``limit`` missing A6 badge pages (see badges_to_prerender); returns how
    many, so that printing finds every page ready."""
    missing = badges_to_prerender(limit)
    badge_pages.cached_pages(missing, "a6")
    return len(missing)


def prune_badge_cache() -> int:
    """Delete cached badge pages that no approved registration shows any more; returns how
    many. Pages are named by their content, so changes leave old files behind (admins, CLI)."""
    files, template = storage.get_storage(), badges.fingerprint()
    current = set()
    for event in db.session.execute(db.select(Event)).scalars():
        data = badges.BadgeData(event)
        rows = db.session.execute(
            db.select(*_BADGE_COLUMNS).where(
                Registration.event_id == event.id, Registration.status == Status.APPROVED
            )
        )
        for row in rows:
            content = data.content(row)
            current.update(badges.page_key(content, layout, template) for layout in badges.LAYOUTS)
    removed = 0
    for key in list(files.list(f"{storage.BADGE_PAGES}/")):
        if key.rpartition("/")[2].removesuffix(".pdf") not in current:
            files.delete(key)
            removed += 1
    return removed
