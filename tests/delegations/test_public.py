"""Pages behind focal points' and delegates' links, through the client."""

import io

import pytest

from registration.delegates.models import Registration, Status
from registration.delegations.models import NominationLetter
from tests.delegations.pdf_files import pdf_bytes


@pytest.fixture
def delegate_form(event, netherlands):
    """A complete submission of the focal point's delegate form."""
    counter = iter(range(1, 1000))

    def build(**overrides):
        number = next(counter)
        data = {
            "category": str(netherlands.category_id),
            "entity": str(netherlands.id),
            "honorific": "mr",
            "given_name": "Pieter",
            "family_name": f"Bakker{number}",
            "function": "First Secretary",
            "email": f"pieter.bakker{number}@minbuza.example.nl",
            "language": "en",
            "sessions": [str(event.sessions[3].id)],
            "privacy": "y",
        }
        data.update(overrides)
        return data

    return build


def _registrations(db):
    return db.session.execute(db.select(Registration).order_by(Registration.id)).scalars().all()


def test_focal_point_page_shows_the_delegation(client, netherlands, invite, make_registration):
    make_registration("approved", given_name="Hanna", head_of_delegation=True)
    _focal_point, token = invite(netherlands)
    page = client.get(f"/fp/{token}")
    assert page.status_code == 200
    assert "Delegation of Netherlands" in page.text
    assert "Hanna" in page.text and "Approved" in page.text
    assert 'id="register-delegate"' in page.text


def test_unknown_and_revoked_links_are_not_found(client, db, netherlands, invite, make_staff):
    from registration.delegations.services import revoke_focal_point

    assert client.get("/fp/not-a-token").status_code == 404
    focal_point, token = invite(netherlands)
    revoke_focal_point(focal_point, by=make_staff("registrar"))
    db.session.commit()
    assert client.get(f"/fp/{token}").status_code == 404
    assert client.get(f"/fp/{token}/register").status_code == 404


def test_focal_point_registers_a_delegate_with_the_entity_locked(
    client, db, event, netherlands, invite, delegate_form
):
    _focal_point, token = invite(netherlands)
    form = client.get(f"/fp/{token}/register")
    assert form.status_code == 200
    # Only the focal point's entity and category are offered.
    assert "Colombia" not in form.text.split('id="entity"')[1].split("</select>")[0]
    colombia = next(e for e in event.entities if e.iso_code == "CO")
    # A tampered submission naming another entity still registers for the focal point's.
    response = client.post(f"/fp/{token}/register", data=delegate_form(entity=str(colombia.id)))
    assert response.status_code == 302 and response.location == f"/fp/{token}"
    (registration,) = _registrations(db)
    assert registration.entity_id == netherlands.id and registration.status == Status.PENDING
    assert "is registered" in client.get(f"/fp/{token}").text


def test_a_third_delegate_beyond_a_quota_of_two_is_refused_clearly(
    client, db, netherlands, invite, delegate_form
):
    netherlands.quota = 2
    db.session.commit()
    _focal_point, token = invite(netherlands)
    for _ in range(2):
        assert client.post(f"/fp/{token}/register", data=delegate_form()).status_code == 302
    page = client.get(f"/fp/{token}")
    assert 'id="quota-reached"' in page.text and 'id="register-delegate"' not in page.text
    response = client.post(f"/fp/{token}/register", data=delegate_form(given_name="Third"))
    assert response.status_code == 400
    assert "The quota of 2 delegates for Netherlands (Kingdom of the) is reached." in response.text
    assert 'value="Third"' in response.text  # what was typed is kept
    assert len(_registrations(db)) == 2


def test_focal_point_edits_a_delegate(
    client, db, netherlands, invite, make_registration, delegate_form
):
    registration = make_registration("approved")
    _focal_point, token = invite(netherlands)
    url = f"/fp/{token}/delegates/{registration.id}/edit"
    form = client.get(url)
    assert form.status_code == 200 and registration.family_name in form.text
    data = delegate_form(
        given_name=registration.given_name,
        family_name=registration.family_name,
        email=registration.email,
        function="Ambassador",
    )
    assert client.post(url, data=data).status_code == 302
    db.session.refresh(registration)
    assert registration.function == "Ambassador"
    assert registration.status == Status.APPROVED  # not a key field


def test_focal_point_withdraws_a_delegate_after_confirming(
    client, db, netherlands, invite, make_registration
):
    registration = make_registration()
    _focal_point, token = invite(netherlands)
    url = f"/fp/{token}/delegates/{registration.id}/withdraw"
    assert "Withdraw" in client.get(url).text
    assert client.post(url).status_code == 302
    db.session.refresh(registration)
    assert registration.status == Status.WITHDRAWN


def test_focal_point_cannot_reach_another_delegation(
    client, event, netherlands, invite, make_registration
):
    colombia = next(e for e in event.entities if e.iso_code == "CO")
    stranger = make_registration(entity_id=colombia.id)
    _focal_point, token = invite(netherlands)
    assert client.get(f"/fp/{token}/delegates/{stranger.id}/edit").status_code == 404
    assert client.post(f"/fp/{token}/delegates/{stranger.id}/withdraw").status_code == 404


def test_focal_point_sends_a_letter_but_cannot_download_it(client, db, netherlands, invite):
    _focal_point, token = invite(netherlands)
    response = client.post(
        f"/fp/{token}/letters",
        data={"letter": (io.BytesIO(pdf_bytes()), "NV.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    letter = db.session.execute(db.select(NominationLetter)).scalar_one()
    assert letter.uploaded_by == "focal_point" and letter.entity_id == netherlands.id
    page = client.get(f"/fp/{token}")
    assert "NV.pdf" in page.text and "/letters/" not in page.text.split('id="letters"')[1]


def test_focal_point_letter_errors_show_on_their_page(client, netherlands, invite):
    _focal_point, token = invite(netherlands)
    response = client.post(
        f"/fp/{token}/letters",
        data={"letter": (io.BytesIO(pdf_bytes(password="x")), "NV.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "protected by a password" in response.text


def test_delegate_sends_a_letter_from_their_link(client, db, make_registration):
    registration = make_registration()
    manage = client.get(f"/r/{registration.manage_token}")
    link = f"/r/{registration.manage_token}/letter"
    assert f'href="{link}"' in manage.text
    assert client.get(link).status_code == 200
    response = client.post(
        link,
        data={"letter": (io.BytesIO(pdf_bytes()), "nomination.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    letter = db.session.execute(db.select(NominationLetter)).scalar_one()
    assert letter.registration_id == registration.id and letter.uploaded_by == "delegate"
    assert "nomination.pdf" in client.get(link).text
    refused = client.post(
        link, data={"letter": (io.BytesIO(b"hello"), "a.pdf")}, content_type="multipart/form-data"
    )
    assert refused.status_code == 400 and "must be a PDF file" in refused.text
    assert client.post(link, data={}).status_code == 400  # no file chosen
    assert client.get("/r/not-a-token/letter").status_code == 404


def test_the_focal_point_is_warned_before_an_approval_is_undone(
    client, db, netherlands, invite, make_registration
):
    _focal_point, token = invite(netherlands)
    approved = make_registration("approved")
    page = client.get(f"/fp/{token}/delegates/{approved.id}/edit").text
    warning = page.split('id="review-warning"')[1].split("</div>")[0]
    assert "This registration is approved." in warning and "<li>Sessions</li>" in warning
    pending = make_registration("pending")
    assert 'id="review-warning"' not in client.get(f"/fp/{token}/delegates/{pending.id}/edit").text
