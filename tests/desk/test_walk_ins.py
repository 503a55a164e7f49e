"""Walk-ins: an existing registration is offered (and admitted) instead of a second person."""

import base64
import io

from PIL import Image

from registration.audit.models import AuditEvent
from registration.delegates.models import Registration, Status
from registration.delegates.photos import read_photo
from tests.desk.test_views import _walk_in_form


def _count(db) -> int:
    db.session.rollback()
    return db.session.execute(db.select(db.func.count(Registration.id))).scalar_one()


def _admit_action(page: str) -> str:
    """The action of the first "check in this person" form on ``page``."""
    marker = 'action="'
    start = page.index(marker, page.index('id="walk-in-matches"')) + len(marker)
    return page[start : page.index('"', start)]


def test_pending_registration_found_by_email_is_approved_and_checked_in(
    db, client, sign_in, event, make_registration
):
    sign_in("checkin")
    existing = make_registration("pending", email="amaka.eze@example.org")
    response = client.post(f"/desk/e/{event.slug}/walk-in", data=_walk_in_form(event))
    assert response.status_code == 409
    assert "Approve and check in" in response.text and "same email" in response.text
    assert "None of these" not in response.text  # an email match is never registered again
    again = client.post(f"/desk/e/{event.slug}/walk-in", data=_walk_in_form(event, new_person="1"))
    assert again.status_code == 409 and _count(db) == 1
    admitted = client.post(_admit_action(response.text))
    assert admitted.status_code == 302
    db.session.rollback()
    registration = db.session.get(Registration, existing.id)
    assert registration.status == Status.APPROVED and registration.checked_in_at is not None
    assert _count(db) == 1
    done = client.get(admitted.location)
    assert registration.full_name in done.text and 'id="print-button"' in done.text


def test_same_name_other_email_may_be_a_new_person(db, client, sign_in, event, make_registration):
    sign_in("registrar")
    make_registration("approved", given_name="Amaka", family_name="EZE", email="other@x.org")
    offered = client.post(f"/desk/e/{event.slug}/walk-in", data=_walk_in_form(event))
    assert offered.status_code == 409 and "same name" in offered.text
    assert "None of these: register a new person" in offered.text
    created = client.post(
        f"/desk/e/{event.slug}/walk-in", data=_walk_in_form(event, new_person="1")
    )
    assert created.status_code == 302 and _count(db) == 2


def test_withdrawn_match_is_shown_but_not_admitted(db, client, sign_in, event, make_registration):
    sign_in("checkin")
    withdrawn = make_registration("withdrawn", email="amaka.eze@example.org")
    offered = client.post(f"/desk/e/{event.slug}/walk-in", data=_walk_in_form(event))
    assert offered.status_code == 409 and "see the registrar" in offered.text
    refused = client.post(f"/desk/e/{event.slug}/walk-in/admit/{withdrawn.id}")
    assert refused.status_code == 409 and "see the registrar" in refused.text
    db.session.rollback()
    assert db.session.get(Registration, withdrawn.id).checked_in_at is None


def _jpeg_data_url() -> str:
    output = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(output, "JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(output.getvalue()).decode()


def test_webcam_photo_is_re_encoded_and_kept(db, client, sign_in, event):
    sign_in("checkin")
    response = client.post(
        f"/desk/e/{event.slug}/walk-in", data=_walk_in_form(event, captured_photo=_jpeg_data_url())
    )
    assert response.status_code == 302
    db.session.rollback()
    registration = db.session.execute(db.select(Registration)).scalar_one()
    with Image.open(io.BytesIO(read_photo(registration.photo))) as stored:
        assert stored.format == "JPEG" and stored.size == (600, 800)  # the badge portrait
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert "checked_in" in actions


def test_a_broken_webcam_photo_keeps_the_form(db, client, sign_in, event):
    sign_in("checkin")
    bad = "data:image/jpeg;base64," + base64.b64encode(b"not a picture").decode()
    response = client.post(
        f"/desk/e/{event.slug}/walk-in", data=_walk_in_form(event, captured_photo=bad)
    )
    assert response.status_code == 400 and "JPEG or PNG" in response.text
    assert 'value="Amaka"' in response.text and _count(db) == 0
    garbage = client.post(
        f"/desk/e/{event.slug}/walk-in", data=_walk_in_form(event, captured_photo="x" * 50)
    )
    assert garbage.status_code == 400 and _count(db) == 0
