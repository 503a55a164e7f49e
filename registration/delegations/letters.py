"""Nomination letters: checked by content, kept in the file storage, listed for staff."""

import json
import logging
import re
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
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
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.pdf$")
#: The child process that parses and cleans letters (see its docstring).
_SANDBOX = Path(__file__).with_name("letter_sandbox.py")

log = logging.getLogger(__name__)


class LetterError(DomainError):
    """A letter was refused: letter_too_large, letter_empty, letter_not_pdf, letter_encrypted,
    letter_too_many_pages, letter_too_complex."""


@dataclass(frozen=True)
class CheckedLetter:
    """A letter that passed the checks: its page count and the cleaned PDF to store."""

    pages: int
    data: bytes


#: Messages of the refusals that the sandbox reports, by code.
_REFUSALS = {
    "letter_not_pdf": lambda: _("The letter must be a PDF file that opens normally."),
    "letter_encrypted": lambda: _(
        "The letter is protected by a password. Please send it without protection."
    ),
    "letter_too_many_pages": lambda: _(
        "The letter has more than %(pages)s pages.", pages=current_app.config["LETTER_MAX_PAGES"]
    ),
    "letter_too_complex": lambda: _(
        "The letter could not be read in reasonable time. Please print it to a new PDF "
        "or scan it, and send it again."
    ),
}


def check_letter(data: bytes) -> CheckedLetter:
    """Check that ``data`` is a readable, unencrypted PDF of at most 10 MB and LETTER_MAX_PAGES
    pages, and return it without active content.

    The name and the browser's content type are not trusted: the bytes must start like a PDF
    and the sandbox (a child process with CPU-time, memory and wall-clock limits) must read the
    page tree. Scripts, open actions, embedded files and forms are removed. Raises LetterError.
    """
    if not data:
        raise LetterError(_("Choose a PDF file."), "letter_empty", field="letter")
    if len(data) > MAX_LETTER_BYTES:
        raise LetterError(
            _("The letter is larger than %(size)s MB.", size=MAX_LETTER_BYTES // 2**20),
            "letter_too_large",
            field="letter",
        )
    # Some writers put a few bytes before the header; readers accept it within 1 KB.
    if b"%PDF-" not in data[:1024]:
        raise _refusal("letter_not_pdf")
    return _sanitise(data)


def _refusal(code: str) -> LetterError:
    """The LetterError of a refusal (codes of _REFUSALS)."""
    return LetterError(_REFUSALS[code](), code, field="letter")


def _sanitise(data: bytes) -> CheckedLetter:
    """Run the sandbox on ``data``; a child killed by its limits means a refused letter."""
    config = current_app.config
    command = [
        sys.executable,
        "-I",  # isolated: no environment variables, user site or working directory
        str(_SANDBOX),
        str(config["LETTER_CPU_SECONDS"]),
        str(config["LETTER_MEMORY_MB"] * 2**20),
        str(config["LETTER_MAX_PAGES"]),
    ]
    try:
        # Our own script, no shell, no argument from the request.
        child = subprocess.run(
            command,
            input=data,
            capture_output=True,
            timeout=config["LETTER_TIMEOUT_SECONDS"],
            env={},  # the web process's secrets stay out of the parser's reach
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise _refusal("letter_too_complex") from error
    head, _newline, cleaned = child.stdout.partition(b"\n")
    try:
        answer = json.loads(head) if child.returncode == 0 else None
    except ValueError:
        answer = None
    if answer is None:
        # Killed by its CPU or memory limit (or unable to start): said in the log, refused.
        log.warning(
            "letter sandbox ended with %s: %s", child.returncode, child.stderr[-500:].decode()
        )
        answer = {"error": "letter_too_complex"}
    if "error" in answer:
        code = answer["error"] if answer["error"] in _REFUSALS else "letter_not_pdf"
        raise _refusal(code)
    return CheckedLetter(pages=int(answer["pages"]), data=cleaned)


def store_letter(data: bytes) -> str:
    """Store a checked letter under a random name and return that name.

    Raises StorageUnavailable when the file store cannot be reached.
    """
    name = f"{secrets.token_hex(16)}{_STORED_SUFFIX}"
    storage.get_storage().save(letter_key(name), data)
    return name


def is_letter_name(name: str) -> bool:
    """Whether ``name`` is a well-formed name of a stored letter."""
    return bool(_STORED_NAME.match(name))


def letter_key(stored_name: str) -> str:
    """The storage key of a letter (names come from our database, never from a request)."""
    if not is_letter_name(stored_name):
        raise ValueError("not a stored letter name")
    return storage.key(storage.LETTERS, stored_name)


def send_letter(letter: NominationLetter):
    """A download of ``letter`` under its uploader's file name (404 when the file is gone)."""
    return storage.send(
        letter_key(letter.stored_name),
        "application/pdf",
        as_attachment=True,
        download_name=letter.filename,
    )


def delete_letter_file(stored_name: str) -> None:
    """Delete a stored letter's file (one already gone is fine)."""
    storage.get_storage().delete(letter_key(stored_name))


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
    """Check, clean and store a nomination letter for a delegation and list it there.

    Uploaded by staff, a focal point (``actor_type`` "focal_point") or a delegate from their
    link (``registration`` given, ``by`` None, ``actor_type`` "delegate"). Raises LetterError.
    """
    letter = check_letter(data)
    if registration is not None:
        entity = registration.entity
    label = registration.full_name if by is None and registration else ""
    if by is not None:
        label = f"{by.name} <{by.email}>" if by.name else by.email
    letter = NominationLetter(
        event=event,
        entity=entity,
        registration=registration,
        stored_name=store_letter(letter.data),
        filename=clean_filename(filename),
        size=len(letter.data),
        pages=letter.pages,
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
