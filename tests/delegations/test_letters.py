"""Nomination letters: checked by content, stored under random names, listed and audited."""

import pytest

from registration.audit.models import AuditEvent
from registration.delegations import letters, services
from registration.delegations.letters import LetterError, check_letter, letter_key
from registration.delegations.models import NominationLetter
from registration.storage import get_storage
from tests.delegations.pdf_files import pdf_bytes


def test_a_valid_pdf_is_accepted_and_its_pages_counted():
    checked = check_letter(pdf_bytes(3))
    assert checked.pages == 3
    assert checked.data.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "letter_empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "letter_not_pdf"),
        (b"%PDF-1.7\nthis is not really a PDF\n%%EOF", "letter_not_pdf"),
        (b"<html>%PDF-</html>", "letter_not_pdf"),
    ],
)
def test_files_that_are_not_readable_pdfs_are_refused(data, code):
    with pytest.raises(LetterError) as caught:
        check_letter(data)
    assert caught.value.code == code
    assert caught.value.field == "letter"


def test_a_pdf_renamed_from_something_else_is_refused_by_content():
    # Starts like a PDF, then the bytes of a JPEG: the parse fails.
    with pytest.raises(LetterError) as caught:
        check_letter(b"%PDF-1.4\n" + b"\xff\xd8\xff\xe0" + b"\x00" * 2000)
    assert caught.value.code == "letter_not_pdf"


def test_an_encrypted_pdf_is_refused():
    with pytest.raises(LetterError) as caught:
        check_letter(pdf_bytes(password="secret"))
    assert caught.value.code == "letter_encrypted"


def test_a_file_over_ten_megabytes_is_refused_before_parsing():
    with pytest.raises(LetterError) as caught:
        check_letter(b"%PDF-1.4\n" + b"0" * letters.MAX_LETTER_BYTES)
    assert caught.value.code == "letter_too_large"


def test_a_truncated_pdf_is_refused():
    data = pdf_bytes(2)
    with pytest.raises(LetterError) as caught:
        check_letter(data[: len(data) // 3])
    assert caught.value.code == "letter_not_pdf"


@pytest.mark.parametrize(
    ("given", "cleaned"),
    [
        ("Note verbale.pdf", "Note_verbale.pdf"),
        ("../../etc/passwd", "etc_passwd.pdf"),
        ("", "letter.pdf"),
        (None, "letter.pdf"),
        ("lettre.PDF", "lettre.PDF"),
    ],
)
def test_uploaded_names_are_cleaned(given, cleaned):
    assert letters.clean_filename(given) == cleaned


def test_stored_letters_get_random_names_in_the_letters_area(app):
    first, second = letters.store_letter(b"%PDF-1"), letters.store_letter(b"%PDF-1")
    assert first != second and len(first) == 36
    assert letter_key(first) == f"documents/{first}"
    assert get_storage().read(letter_key(first)) == b"%PDF-1"


def test_letters_are_stored_listed_and_audited(db, event, netherlands, invite, make_registration):
    focal_point, _token = invite(netherlands)
    letter = letters.add_letter(
        pdf_bytes(2),
        "NV 123.pdf",
        event=event,
        entity=netherlands,
        by=focal_point,
        actor_type="focal_point",
    )
    registration = make_registration()
    letters.add_letter(
        pdf_bytes(), "mine.pdf", event=event, registration=registration, actor_type="delegate"
    )
    db.session.commit()
    assert get_storage().read(letter_key(letter.stored_name)).startswith(b"%PDF-")
    assert letter.pages == 2 and letter.filename == "NV_123.pdf"
    listed = services.get_delegation(netherlands).letters
    assert [item.uploaded_by for item in listed] == ["delegate", "focal_point"]
    assert listed[0].entity_id == netherlands.id  # a delegate's letter joins their delegation
    assert letters.letters_of_registration(registration)[0].filename == "mine.pdf"
    uploads = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "letter_uploaded")
    ).scalars()
    assert {entry.actor_type for entry in uploads} == {"delegate", "focal_point"}


def test_a_refused_letter_leaves_no_row(db, event, netherlands, make_staff):
    with pytest.raises(LetterError):
        letters.add_letter(
            b"not a pdf", "x.pdf", event=event, entity=netherlands, by=make_staff("registrar")
        )
    assert db.session.execute(db.select(NominationLetter)).first() is None
