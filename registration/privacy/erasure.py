"""Erasing personal data while keeping what the statistics count.

A registration keeps its event, category, entity, status, gender, language, head-of-delegation
flag, chosen sessions, dates and attendance: the charts and attendance counts stay the same.
Everything that names or describes the person goes: names, contact details, nationality,
function, free text, special-category needs, the photo and letters, the secrets of their links,
the emails sent to them and the personal values in the audit trail.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, fields

import sqlalchemy as sa

from registration.audit.models import AuditEvent
from registration.delegates import photos
from registration.delegates.models import Registration
from registration.delegations import letters
from registration.delegations.models import FocalPoint, NominationLetter
from registration.desk.models import Attendance
from registration.events.models import Entity, Event
from registration.extensions import db
from registration.mail.models import MailAttempt, MailStatus, OutboxEmail

#: Registration columns that statistics, attendance and the record of the erasure need, or
#: that erase_registrations replaces itself (person key, photo; the secrets too). Every other
#: column is emptied: one added later (an ID number, a date of birth) is erased without a
#: change here.
KEPT_COLUMNS = frozenset(
    {
        "id",
        "event_id",
        "category_id",
        "entity_id",
        "reference",
        "status",
        "gender",
        "language",
        "head_of_delegation",
        "created_at",
        "updated_at",
        "checked_in_at",
        "badge_printed_at",
        "person_key",
        "photo",
    }
)
#: Columns holding link and badge secrets (their hash and sealed copy): replaced, not emptied.
_SECRET_MARK = "token"


def _erased_values() -> dict:
    """{column: erased value} for the columns not kept: None where allowed, else empty."""
    values = {}
    for column in Registration.__table__.columns:
        if column.name in KEPT_COLUMNS or _SECRET_MARK in column.name:
            continue
        if column.nullable:
            values[column.name] = None
        elif isinstance(column.type, sa.Boolean):
            values[column.name] = False
        elif isinstance(column.type, sa.String | sa.Text):
            values[column.name] = ""
        else:  # a required number or date: refuse to guess what erases it
            raise TypeError(f"registration.{column.name}: say how it is erased")
    return values


#: Audit-trail fields whose values are statistics or workflow, not personal data; every other
#: field's old and new values are erased.
KEPT_AUDIT_FIELDS = frozenset(
    {
        "status",
        "category_id",
        "entity_id",
        "session_ids",
        "gender",
        "language",
        "head_of_delegation",
        "checked_in_at",
        "badge_printed_at",
    }
)
#: Audit fields of the event (not of one registration) that name a person.
_PERSONAL_EVENT_FIELDS = frozenset({"focal_point", "nomination_letter"})
#: Actors whose label is a delegate's or focal point's name (staff labels are staff data).
_PERSONAL_ACTORS = ("delegate", "focal_point")


@dataclass
class ErasureCounts:
    """What an erasure changed, row by row (files included)."""

    registrations: int = 0
    photos: int = 0
    letters: int = 0
    emails: int = 0
    audit_entries: int = 0
    focal_points: int = 0

    def add(self, other: "ErasureCounts") -> None:
        """Add ``other``'s counts to these."""
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    def as_dict(self) -> dict[str, int]:
        """The counts by name."""
        return {item.name: getattr(self, item.name) for item in fields(self)}


@dataclass
class _Pending:
    """Files to delete once the rows that named them are changed."""

    photos: list[str] = field(default_factory=list)
    letters: list[str] = field(default_factory=list)


def erase_registrations(registrations: Iterable[Registration]) -> ErasureCounts:
    """Erase the personal data of ``registrations`` (see the module's docstring).

    Statuses are not changed: a caller that erases an active registration withdraws it first.
    Idempotent: an erased registration has nothing left to erase. Flushes; files are deleted
    after the flush (a failed transaction may leave a row naming a deleted file, never a file
    named by no row kept forever).
    """
    counts, files = ErasureCounts(), _Pending()
    ids, erased = [], _erased_values()
    for registration in registrations:
        ids.append(registration.id)
        if registration.photo:
            files.photos.append(registration.photo)
            counts.photos += 1
        registration.photo = None
        for name, value in erased.items():
            setattr(registration, name, value)
        # Unique among active registrations, and names nobody.
        registration.person_key = f"erased:{registration.id}"
        # The links and the badge's QR code stop working.
        registration.issue_manage_token()
        registration.issue_badge_token()
        counts.registrations += 1
    if not ids:
        return counts
    db.session.flush()
    counts.letters += _delete_letters(NominationLetter.registration_id.in_(ids), files)
    counts.emails += _erase_emails(OutboxEmail.registration_id.in_(ids))
    counts.audit_entries += _erase_audit(AuditEvent.registration_id.in_(ids))
    db.session.execute(
        sa.update(Attendance).where(Attendance.registration_id.in_(ids)).values(annul_reason="")
    )
    db.session.flush()
    _delete_files(files)
    return counts


def erase_event_data(event: Event) -> ErasureCounts:
    """Erase what the event holds about people beyond its registrations: focal points, all
    nomination letters, every email of the event, and the audit entries naming focal points.

    Idempotent. Flushes; files are deleted after the flush.
    """
    counts, files = ErasureCounts(), _Pending()
    counts.letters = _delete_letters(NominationLetter.event_id == event.id, files)
    counts.emails = _erase_emails(OutboxEmail.event_id == event.id)
    counts.audit_entries = _erase_audit(
        AuditEvent.event_id == event.id, AuditEvent.registration_id.is_(None), event_level=True
    )
    entity_ids = sa.select(Entity.id).where(Entity.event_id == event.id)
    focal_points = db.session.execute(
        sa.select(FocalPoint).where(FocalPoint.entity_id.in_(entity_ids))
    ).scalars()
    for focal_point in focal_points:
        db.session.delete(focal_point)
        counts.focal_points += 1
    db.session.flush()
    _delete_files(files)
    return counts


def _delete_letters(condition, files: _Pending) -> int:
    """Delete the letters matching ``condition``; their files are deleted later."""
    found = db.session.execute(sa.select(NominationLetter).where(condition)).scalars().all()
    for letter in found:
        files.letters.append(letter.stored_name)
        db.session.delete(letter)
    return len(found)


def _erase_emails(condition) -> int:
    """Empty the messages matching ``condition`` (address, subject, bodies, attachments, errors)
    and give up those still queued: there is no one left to send them to."""
    blank = sa.or_(
        OutboxEmail.recipient != "", OutboxEmail.body_text != "", OutboxEmail.subject != ""
    )
    ids = db.session.execute(sa.select(OutboxEmail.id).where(condition, blank)).scalars().all()
    if not ids:
        return 0
    db.session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.id.in_(ids), OutboxEmail.status == MailStatus.QUEUED)
        .values(status=MailStatus.FAILED)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.id.in_(ids))
        .values(recipient="", subject="", body_text="", body_html="", attachments=[], last_error="")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(MailAttempt)
        .where(MailAttempt.email_id.in_(ids))
        .values(error="")
        .execution_options(synchronize_session=False)
    )
    return len(ids)


def _erased_changes(changes: dict, *, event_level: bool) -> dict:
    """``changes`` with the personal values replaced by None."""
    if event_level:
        return {
            name: [None, None] if name in _PERSONAL_EVENT_FIELDS else values
            for name, values in changes.items()
        }
    return {
        name: values if name in KEPT_AUDIT_FIELDS else [None, None]
        for name, values in changes.items()
    }


def _erase_audit(*conditions, event_level: bool = False) -> int:
    """Erase the personal values (and delegates' or focal points' names) of matching entries."""
    changed = 0
    for entry in db.session.execute(sa.select(AuditEvent).where(*conditions)).scalars():
        changes = _erased_changes(entry.changes or {}, event_level=event_level)
        label = "" if entry.actor_type in _PERSONAL_ACTORS else entry.actor_label
        if changes != entry.changes or label != entry.actor_label:
            entry.changes, entry.actor_label = changes, label
            changed += 1
    return changed


def _delete_files(files: _Pending) -> None:
    """Delete the photos and letters of erased rows (missing files are fine)."""
    for name in files.photos:
        photos.delete_photo(name)
    for name in files.letters:
        letters.delete_letter_file(name)
