"""Letters are read in a child process under CPU, memory and time limits, their page count is
bounded, and what could run in a reader is removed before they are stored."""

import io
import resource
import time

import pikepdf
import pytest

from registration import storage
from registration.delegations import letters
from registration.delegations.letters import LetterError, check_letter
from tests.delegations.pdf_files import (
    ACTIVE_PAYLOAD,
    object_stream_bomb,
    pdf_bytes,
    pdf_with_active_content,
)

#: Keys and actions that must not be found anywhere in a stored letter.
ACTIVE_KEYS = {"/AA", "/OpenAction", "/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA"}
ACTIVE_VALUES = {"/JavaScript", "/Launch", "/FileAttachment", "/EmbeddedFile"}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_an_object_stream_bomb_is_refused_by_the_child_within_its_limits(app):
    bomb = object_stream_bomb()
    assert len(bomb) < 100_000  # small upload, huge work
    own_cpu, child_cpu, started = time.process_time(), _children_cpu(), time.monotonic()
    with pytest.raises(LetterError) as caught:
        check_letter(bomb)
    wall = time.monotonic() - started
    # Memory limit (parser gives up) or CPU limit (killed): refused either way, clearly.
    assert caught.value.code in ("letter_too_complex", "letter_not_pdf")
    assert caught.value.field == "letter"
    # The parsing happened in the child, not in this (web) process ...
    assert time.process_time() - own_cpu < 1.0
    # ... and the child was stopped by its limits (unlimited, qpdf needs several seconds).
    assert _children_cpu() - child_cpu <= app.config["LETTER_CPU_SECONDS"] + 0.5
    assert wall < app.config["LETTER_TIMEOUT_SECONDS"] + 5


def test_the_wall_clock_limit_refuses_a_child_that_takes_too_long(app):
    previous = app.config["LETTER_TIMEOUT_SECONDS"]
    app.config["LETTER_TIMEOUT_SECONDS"] = 0.001
    try:
        with pytest.raises(LetterError) as caught:
            check_letter(pdf_bytes())
    finally:
        app.config["LETTER_TIMEOUT_SECONDS"] = previous
    assert caught.value.code == "letter_too_complex"


def test_a_letter_with_too_many_pages_is_refused(app):
    limit = app.config["LETTER_MAX_PAGES"]
    assert check_letter(pdf_bytes(limit)).pages == limit
    with pytest.raises(LetterError) as caught:
        check_letter(pdf_bytes(limit + 1))
    assert caught.value.code == "letter_too_many_pages"
    assert str(limit) in caught.value.message


def _everything(pdf: pikepdf.Pdf):
    """Every key, name value and decoded stream of a PDF."""
    keys, names, streams = set(), set(), []
    for item in pdf.objects:
        stack = [item]
        while stack:
            value = stack.pop()
            if isinstance(value, pikepdf.Stream):
                streams.append(value.read_bytes())
                value = value.stream_dict
            if isinstance(value, pikepdf.Dictionary):
                keys.update(value.keys())
                stack.extend(v for v in value.values() if not getattr(v, "is_indirect", False))
            elif isinstance(value, pikepdf.Array):
                stack.extend(v for v in value if not getattr(v, "is_indirect", False))
            elif isinstance(value, pikepdf.Name):
                names.add(str(value))
    return keys, names, streams


def test_active_content_is_removed_before_the_letter_is_stored(db, event, netherlands):
    original = pdf_with_active_content()
    keys, names, streams = _everything(pikepdf.open(io.BytesIO(original)))
    assert keys >= ACTIVE_KEYS and names >= ACTIVE_VALUES  # the sample carries all of it
    assert any(ACTIVE_PAYLOAD in data for data in streams)

    letter = letters.add_letter(original, "nv.pdf", event=event, entity=netherlands)
    db.session.commit()

    stored = storage.get_storage().read(letters.letter_key(letter.stored_name))
    assert letter.size == len(stored) and letter.pages == 2
    assert ACTIVE_PAYLOAD not in stored
    with pikepdf.open(io.BytesIO(stored)) as cleaned:
        keys, names, streams = _everything(cleaned)
        assert not keys & ACTIVE_KEYS
        assert not names & ACTIVE_VALUES
        assert not any(ACTIVE_PAYLOAD in data for data in streams)
        # What a reader needs stays: the pages, their text and the ordinary web link.
        assert len(cleaned.pages) == 2
        assert b"Nomination of the delegation" in cleaned.pages[0].Contents.read_bytes()
        links = [a for a in cleaned.pages[0].Annots if a.get("/Subtype") == "/Link"]
        # The launch link stays as an inert rectangle; the web link keeps its address.
        assert [str(link.A.URI) for link in links if "/A" in link] == ["https://www.iom.int/"]
