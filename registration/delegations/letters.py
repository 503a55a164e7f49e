"""Nomination letters: checked by content, kept in the file storage, listed for staff."""

import io
import secrets

import pikepdf
from flask_babel import gettext as _
from werkzeug.utils import secure_filename

from registration import storage
from registration.audit.services import record
from registration.auth.models import StaffUser
from registration.delegates.models import Registration
from registration.delegations.models import FocalPoint, NominationLetter
from registration.errors import DomainError
from registration.events.models import Entity, Event
from registration.extensions import db

#: The issue's limit for a note verbale or nomination letter.
MAX_LETTER_BYTES = 10 * 1024 * 1024
_STORED_SUFFIX = ".pdf"


class LetterError(DomainError):
    """A letter was refused: letter_too_large, letter_empty, letter_not_pdf, letter_encrypted."""


def check_letter(data: bytes) -> int:
    """Check that ``data`` is a readable, unencrypted PDF of at most 10 MB; return its pages.

    The name and the browser's content type are not trusted: the bytes must start like a PDF
    and pikepdf (QPDF) must read the page tree. Raises LetterError.
    """
    if not data:
        raise LetterError(_("Choose a PDF file."), "letter_empty", field="letter")
    if len(data) > MAX_LETTER_BYTES:
        raise LetterError(
            _("The letter is larger than %(size)s MB.", size=MAX_LETTER_BYTES // 2**20),
            "letter_too_large",
            field="letter",
        )
    not_pdf = LetterError(
        _("The letter must be a PDF file that opens normally."), "letter_not_pdf", field="letter"
    )
    # Some writers put a few bytes before the header; readers accept it within 1 KB.
    if b"%PDF-" not in data[:1024]:
        raise not_pdf
    try:
        with pikepdf.open(io.BytesIO(data)) as document:
            encrypted = document.is_encrypted
            pages = len(document.pages)
    except pikepdf.PasswordError:
        encrypted, pages = True, 0
    except Exception as error:  # an untrusted file may break the parser in any way
        raise not_pdf from error
    if encrypted:
        raise LetterError(
            _("The letter is protected by a password. Please send it without protection."),
            "letter_encrypted",
            field="letter",
        )
    if pages < 1:
        raise not_pdf
    return pages


def store_letter(data: bytes) -> str:
    """Store a checked letter under a random name and return that name.

    Raises StorageUnavailable when the file store cannot be reached.
    """
    name = f"{secrets.token_hex(16)}{_STORED_SUFFIX}"
    storage.get_storage().save(letter_key(name), data)
    return name


def letter_key(stored_name: str) -> str:
    """The storage key of a letter (names come from our database, never from a request)."""
    return storage.key(storage.LETTERS, stored_name)


def send_letter(letter: NominationLetter):
    """A download of ``letter`` under its uploader's file name (404 when the file is gone)."""
    return storage.send(
        letter_key(letter.stored_name),
        "application/pdf",
        as_attachment=True,
        download_name=letter.filename,
    )


def clean_filename(filename: str | None) -> str:
    """A safe, short version of the uploader's file name, ending in .pdf."""
    name = secure_filename(filename or "")[:190] or "letter"
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


def add_letter(
    data: bytes,
    filename: str | None,
    *,
    event: Event,
    entity: Entity | None = None,
    registration: Registration | None = None,
    by: StaffUser | FocalPoint | None = None,
    actor_type: str = "staff",
) -> NominationLetter:
    """Check and store a nomination letter for a delegation and list it there.

    Uploaded by staff, a focal point (``actor_type`` "focal_point") or a delegate from their
    link (``registration`` given, ``by`` None, ``actor_type`` "delegate"). Raises LetterError.
    """
    pages = check_letter(data)
    if registration is not None:
        entity = registration.entity
    label = registration.full_name if by is None and registration else ""
    if by is not None:
        label = f"{by.name} <{by.email}>" if by.name else by.email
    letter = NominationLetter(
        event=event,
        entity=entity,
        registration=registration,
        stored_name=store_letter(data),
        filename=clean_filename(filename),
        size=len(data),
        pages=pages,
        uploaded_by=actor_type,
        uploader_label=label,
    )
    db.session.add(letter)
    db.session.flush()
    record(
        "letter_uploaded",
        registration=registration,
        event_id=event.id,
        actor=by,
        actor_type=actor_type,
        changes={"nomination_letter": [None, letter.filename]},
    )
    return letter


def letters_of_registration(registration: Registration) -> list[NominationLetter]:
    """Letters a delegate sent from their link (for the registration's pages)."""
    return list(
        db.session.execute(
            db.select(NominationLetter)
            .where(NominationLetter.registration_id == registration.id)
            .order_by(NominationLetter.created_at.desc())
        ).scalars()
    )
