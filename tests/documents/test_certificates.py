"""Certificates of attendance."""

import io
from datetime import UTC, datetime

import pypdf
import pytest

from registration.desk.models import Attendance
from registration.documents import certificates
from tests.documents.conftest import pdf_pages


def _attend(db, registration, *sessions, annulled=()):
    at = datetime(2026, 12, 17, 8, 0, tzinfo=UTC)
    db.session.add(
        Attendance(registration_id=registration.id, checkpoint="venue", checked_in_at=at)
    )
    for session in sessions:
        db.session.add(
            Attendance(
                registration_id=registration.id,
                checkpoint=session.code,
                session_id=session.id,
                checked_in_at=at,
                annulled_at=at if session in annulled else None,
            )
        )
    db.session.commit()


def test_certificate_lists_the_sessions_attended(db, event, make_registration, meeting_ended):
    registration = make_registration("approved", family_name="Present", language="fr")
    kept, annulled = event.sessions[3], event.sessions[4]
    _attend(db, registration, kept, annulled, annulled=(annulled,))

    text = " ".join(" ".join(pdf_pages(certificates.render_certificate(registration))).split())

    assert "PRESENT" in text and "Pays-Bas" in text
    assert "Renforcer le rôle de la migration de retour" in text
    assert kept.title_in("fr") in text
    assert annulled.title_in("fr") not in text
    assert registration.reference in text


def test_no_certificate_without_a_venue_entry(db, make_registration):
    registration = make_registration("approved")

    with pytest.raises(certificates.CertificateError) as refused:
        certificates.render_certificate(registration)

    assert refused.value.code == "not_attended"


def test_an_annulled_venue_entry_does_not_count(db, make_registration):
    registration = make_registration("approved")
    at = datetime(2026, 12, 17, 8, 0, tzinfo=UTC)
    db.session.add(
        Attendance(
            registration_id=registration.id, checkpoint="venue", checked_in_at=at, annulled_at=at
        )
    )
    db.session.commit()

    with pytest.raises(certificates.CertificateError):
        certificates.render_certificate(registration)


def test_no_certificate_before_the_meeting_ends(db, event, make_registration):
    registration = make_registration("approved")
    _attend(db, registration)

    with pytest.raises(certificates.CertificateError) as refused:
        certificates.render_certificate(registration)

    assert refused.value.code == "meeting_not_ended"


def test_certificate_carries_the_logo_and_signature_block(
    app, db, event, make_registration, meeting_ended, make_staff
):
    from registration.delegates import photos
    from registration.setup import services as setup_services
    from tests.delegates.photo_files import image_bytes

    logo = photos.store_photo(photos.process_logo(image_bytes("PNG", size=(1600, 400))))
    setup_services.update_certificate(
        event,
        logo=logo,
        remove_logo=False,
        signatory="António Vitorino",
        signatory_title="Director General",
        by=make_staff("admin"),
    )
    registration = make_registration("approved", family_name="Present")
    _attend(db, registration)

    data = certificates.render_certificate(registration)
    text = " ".join(" ".join(pdf_pages(data)).split())
    assert "António Vitorino" in text and "Director General" in text
    images = [image for page in pypdf.PdfReader(io.BytesIO(data)).pages for image in page.images]
    assert [image.image.size for image in images] == [(720, 180)]  # shrunk, proportions kept
