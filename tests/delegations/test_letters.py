"""Checking nomination letters by their content."""

import pytest

from registration.delegations import letters
from registration.delegations.letters import LetterError, check_letter
from tests.delegations.pdf_files import pdf_bytes


def test_a_valid_pdf_is_accepted_and_its_pages_counted():
    assert check_letter(pdf_bytes(3)) == 3


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


def test_stored_letters_get_random_names_under_the_document_folder(app):
    first, second = letters.store_letter(b"%PDF-1"), letters.store_letter(b"%PDF-1")
    assert first != second and len(first) == 36
    assert letters.letter_path(first).parent == letters.document_dir()
    assert "static" not in str(letters.document_dir())
