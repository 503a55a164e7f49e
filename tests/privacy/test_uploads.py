"""Orphaned uploads: files no row names are removed once old enough; everything in use stays."""

import io
import os
import re
from datetime import timedelta

import sqlalchemy as sa

from registration import storage
from registration.database import utcnow
from registration.delegates import photos
from registration.delegations import letters
from registration.delegations.models import NominationLetter
from registration.privacy import services
from tests.delegates.photo_files import image_bytes
from tests.delegations.pdf_files import pdf_bytes


def _file(key: str):
    """The file behind a storage key (tests store in a local folder)."""
    return storage.get_storage().root / key


def _age(path, hours: float) -> None:
    moment = (utcnow() - timedelta(hours=hours)).timestamp()
    os.utime(path, (moment, moment))


def _photo_names() -> set[str]:
    return {
        key.rpartition("/")[2]
        for key in storage.get_storage().list(f"{storage.PHOTOS}/")
        if photos.is_photo_name(key.rpartition("/")[2])
    }


def test_old_unreferenced_photos_and_letters_are_removed(db, client, event, meeting):
    # Files other tests left behind are fresh: only what this test ages may go.
    before = _photo_names()
    # A refused form post: its photo is stored and carried in the hidden field, then abandoned.
    form = client.post(
        f"/e/{event.slug}/register",
        data={"given_name": "Abandoned", "photo": (io.BytesIO(image_bytes()), "me.jpg")},
        content_type="multipart/form-data",
    )
    assert form.status_code == 400
    [abandoned] = _photo_names() - before
    assert abandoned in form.text  # kept in the form for the next attempt
    fresh = photos.store_photo(photos.process_photo(image_bytes()))
    stray_letter = letters.store_letter(pdf_bytes())  # stored, then its transaction failed
    not_ours = _file(storage.key(storage.PHOTOS, "README.txt"))
    not_ours.parent.mkdir(parents=True, exist_ok=True)
    not_ours.write_text("an operator's note")
    used = [_file(photos.photo_key(meeting.photo))] + [
        _file(letters.letter_key(name))
        for name in db.session.scalars(sa.select(NominationLetter.stored_name))
    ]
    orphans = [_file(photos.photo_key(abandoned)), _file(letters.letter_key(stray_letter))]
    for path in [*used, *orphans, not_ours]:
        _age(path, hours=25)

    report = services.remove_orphaned_uploads()

    assert (report.photos, report.letters) == (1, 1)
    assert not any(path.exists() for path in orphans)
    assert _file(
        photos.photo_key(fresh)
    ).exists()  # younger than ORPHAN_UPLOAD_HOURS: a form in use
    assert not_ours.exists()
    assert all(path.exists() for path in used)
    assert services.remove_orphaned_uploads() == services.UploadReport(photos=0, letters=0)
    not_ours.unlink()


def test_the_clean_up_command(db, runner):
    name = photos.store_photo(photos.process_photo(image_bytes()))
    _age(_file(photos.photo_key(name)), hours=48)
    result = runner.invoke(args=["privacy", "clean-uploads"])
    assert result.exit_code == 0, result.output
    # Files aged by other tests may go too: only this one is known to be orphaned and old.
    assert re.fullmatch(r"Removed [1-9]\d* photo\(s\) and \d+ letter\(s\)\.\n", result.output)
    assert not _file(photos.photo_key(name)).exists()
