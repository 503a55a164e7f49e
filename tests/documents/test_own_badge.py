"""The delegate's own badge through the secret link, and reprints counted as printed."""

from registration.delegates.models import Registration
from tests.documents.conftest import decode_qr


def test_the_own_badge_needs_an_approved_registration(client, make_registration):
    pending = make_registration("pending")
    approved = make_registration("approved")

    refused = client.get(f"/r/{pending.manage_token}/badge.pdf")
    own = client.get(f"/r/{approved.manage_token}/badge.pdf")

    assert refused.status_code == 403 and "Only approved registrations" in refused.text
    assert own.status_code == 200 and decode_qr(own.data) == [approved.badge_token]
    assert client.get(f"/r/{approved.badge_token}/badge.pdf").status_code == 404


def test_a_reprint_marks_the_badge_printed(client, db, sign_in, make_registration):
    registration = make_registration("approved")
    sign_in("checkin")

    assert client.get(f"/manage/registrations/{registration.id}/badge.pdf").status_code == 200

    db.session.expire_all()
    assert db.session.get(Registration, registration.id).badge_printed_at is not None
