"""Delegation pages for staff through the client: wiring, roles, letters, invitations."""

import io

import pytest

from registration.delegates.models import Registration
from registration.delegations.models import FocalPoint, NominationLetter
from registration.extensions import db as _db
from registration.mail.models import OutboxEmail
from tests.delegations.pdf_files import pdf_bytes


def delegation_registration(entity) -> Registration:
    """The one registration of ``entity``."""
    return _db.session.execute(
        _db.select(Registration).where(Registration.entity_id == entity.id)
    ).scalar_one()


def _url(event, path=""):
    return f"/manage/e/{event.slug}/delegations{path}"


def _upload(client, url, data: bytes, filename="nv.pdf"):
    return client.post(
        url, data={"letter": (io.BytesIO(data), filename)}, content_type="multipart/form-data"
    )


@pytest.mark.parametrize("role", ["admin", "registrar", "viewer"])
def test_staff_who_read_see_the_delegations(
    client, event, netherlands, sign_in, role, make_registration
):
    make_registration("approved", head_of_delegation=True, given_name="Hanna")
    sign_in(role)
    index = client.get(_url(event, "/"))
    assert index.status_code == 200
    assert f'href="{_url(event, f"/{netherlands.id}")}"' in index.text
    page = client.get(_url(event, f"/{netherlands.id}"))
    assert page.status_code == 200
    assert "Hanna" in page.text and 'id="head-of-delegation"' in page.text
    registration = delegation_registration(netherlands)
    assert f'href="/manage/registrations/{registration.id}"' in page.text
    # Viewers read; only admins and registrars get the forms.
    assert ('id="invite-form"' in page.text) == (role != "viewer")
    assert ('id="letter-form"' in page.text) == (role != "viewer")


def test_checkin_staff_and_visitors_are_kept_out(client, event, netherlands, sign_in):
    assert client.get(_url(event, "/")).status_code == 302  # to the sign-in page
    sign_in("checkin")
    assert client.get(_url(event, "/")).status_code == 403
    assert client.get(_url(event, f"/{netherlands.id}")).status_code == 403


def test_viewers_cannot_change_a_delegation(client, event, netherlands, sign_in):
    sign_in("viewer")
    assert (
        _upload(client, _url(event, f"/{netherlands.id}/letters"), pdf_bytes()).status_code == 403
    )
    response = client.post(
        _url(event, f"/{netherlands.id}/focal-points"),
        data={"name": "X", "email": "x@example.org", "language": "en"},
    )
    assert response.status_code == 403


def test_an_entity_of_another_event_is_not_found(client, event, netherlands, sign_in):
    sign_in("registrar")
    assert client.get(_url(event, "/999999")).status_code == 404
    assert client.get(f"/manage/e/no-such-event/delegations/{netherlands.id}").status_code == 404


def test_registrar_uploads_a_letter_that_staff_download_but_checkin_cannot(
    client, db, event, netherlands, sign_in
):
    sign_in("registrar")
    response = _upload(client, _url(event, f"/{netherlands.id}/letters"), pdf_bytes(2))
    assert response.status_code == 302
    letter = db.session.execute(db.select(NominationLetter)).scalar_one()
    page = client.get(_url(event, f"/{netherlands.id}"))
    assert "nv.pdf" in page.text and "2 pages" in page.text
    download = client.get(_url(event, f"/letters/{letter.id}"))
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Cache-Control"] == "private, no-store"
    assert download.data.startswith(b"%PDF-")
    download.close()
    client.post("/auth/sign-out")
    assert client.get(_url(event, f"/letters/{letter.id}")).status_code == 302
    sign_in("checkin")
    assert client.get(_url(event, f"/letters/{letter.id}")).status_code == 403


def test_a_refused_letter_is_explained_on_the_page(client, db, event, netherlands, sign_in):
    sign_in("registrar")
    response = _upload(client, _url(event, f"/{netherlands.id}/letters"), b"MZ\x90\x00", "x.pdf")
    assert response.status_code == 400
    assert "must be a PDF file" in response.text
    assert db.session.execute(db.select(NominationLetter)).first() is None


def test_letters_are_not_served_from_the_static_folder(client, db, event, netherlands, sign_in):
    sign_in("registrar")
    _upload(client, _url(event, f"/{netherlands.id}/letters"), pdf_bytes())
    letter = db.session.execute(db.select(NominationLetter)).scalar_one()
    assert client.get(f"/static/{letter.stored_name}").status_code == 404


def test_registrar_invites_a_focal_point(client, db, event, netherlands, sign_in):
    sign_in("registrar")
    response = client.post(
        _url(event, f"/{netherlands.id}/focal-points"),
        data={"name": "Eva de Vries", "email": "eva@minbuza.example.nl", "language": "en"},
    )
    assert response.status_code == 302
    focal_point = db.session.execute(db.select(FocalPoint)).scalar_one()
    assert focal_point.entity_id == netherlands.id
    message = db.session.execute(db.select(OutboxEmail)).scalar_one()
    assert message.template == "focal_point_invitation"
    assert "http://testserver.local/fp/" in message.body_text
    page = client.get(_url(event, f"/{netherlands.id}"))
    assert "eva@minbuza.example.nl" in page.text


def test_a_bad_invitation_keeps_what_was_typed(client, db, event, netherlands, sign_in):
    sign_in("registrar")
    response = client.post(
        _url(event, f"/{netherlands.id}/focal-points"),
        data={"name": "Eva de Vries", "email": "not-an-address", "language": "en"},
    )
    assert response.status_code == 400
    assert 'value="Eva de Vries"' in response.text
    assert db.session.execute(db.select(FocalPoint)).first() is None


def test_revoke_and_resend_a_focal_point_link(client, db, event, netherlands, invite, sign_in):
    focal_point, token = invite(netherlands)
    sign_in("registrar")
    assert client.get(f"/fp/{token}").status_code == 200
    client.post(_url(event, f"/focal-points/{focal_point.id}/revoke"))
    assert client.get(f"/fp/{token}").status_code == 404
    client.post(_url(event, f"/focal-points/{focal_point.id}/resend"))
    messages = db.session.execute(db.select(OutboxEmail).order_by(OutboxEmail.id)).scalars().all()
    new_link = messages[-1].body_text.split("http://testserver.local")[1].split()[0]
    assert client.get(new_link).status_code == 200
