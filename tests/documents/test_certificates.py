"""Certificates of attendance."""

from datetime import UTC, datetime

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


def test_certificate_lists_the_sessions_attended(db, event, make_registration):
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
