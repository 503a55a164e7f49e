"""Erasure requests through the delegate's link and the secretariat's answer."""

import json

import pytest
import sqlalchemy as sa

from registration.auth.models import Role
from registration.delegates.models import Registration, Status
from registration.privacy import services
from registration.privacy.models import Erasure, ErasureStatus
from registration.privacy.services import PrivacyError


def test_an_undecided_registration_is_withdrawn_and_erased_at_once(db, client, make_registration):
    registration = make_registration("waitlisted", given_name="Lotte", phone="+31 70 000")
    token = registration.manage_token
    page = client.get(f"/r/{token}/erase")
    assert "erased now" in page.text
    assert client.post(f"/r/{token}/erase", data={}).status_code == 400  # box not ticked
    response = client.post(f"/r/{token}/erase", data={"confirm": "y"})
    assert response.status_code == 200 and "Your data is erased" in response.text
    db.session.expire_all()
    erased = db.session.get(Registration, registration.id)
    assert erased.status == Status.WITHDRAWN
    assert erased.given_name == erased.email == erased.phone == ""
    assert client.get(f"/r/{token}").status_code == 404  # the link is dead
    erasure = db.session.scalar(sa.select(Erasure))
    assert (erasure.cause, erasure.status) == ("request", ErasureStatus.ERASED)


def test_a_pending_registrations_place_goes_to_the_waiting_list(db, event, make_registration):
    event.capacity = 1
    pending = make_registration("pending")
    waiting = make_registration("waitlisted")
    services.request_erasure(pending)
    db.session.commit()
    assert db.session.get(Registration, waiting.id).status == Status.PENDING


def test_an_approved_registration_waits_for_the_secretariat(db, client, make_registration, sign_in):
    registration = make_registration("approved", given_name="Sven")
    token = registration.manage_token
    assert "within one month" in client.get(f"/r/{token}/erase").text
    response = client.post(f"/r/{token}/erase", data={"confirm": "y"}, follow_redirects=True)
    assert "Your request is recorded" in response.text
    assert "You asked for the erasure of your data" in response.text
    assert db.session.get(Registration, registration.id).given_name == "Sven"  # not yet
    with pytest.raises(PrivacyError) as caught:
        services.request_erasure(registration)
    assert caught.value.code == "erasure_already_requested"

    sign_in(Role.REGISTRAR)
    slug = registration.event.slug
    detail = client.get(f"/manage/registrations/{registration.id}").text
    assert "The delegate asked for the erasure of their data" in detail
    listing = client.get(f"/manage/e/{slug}/privacy")
    assert registration.reference in listing.text and "Sven" in listing.text
    erasure = db.session.scalar(sa.select(Erasure))
    client.post(f"/manage/erasures/{erasure.id}/confirm")
    db.session.expire_all()
    erased = db.session.get(Registration, registration.id)
    assert erased.given_name == "" and erased.status == Status.WITHDRAWN
    assert db.session.get(Erasure, erasure.id).status == ErasureStatus.ERASED
    assert "Personal data erased on" in client.get(f"/manage/registrations/{registration.id}").text
    assert "Sven" not in client.get(f"/manage/e/{slug}/privacy").text
    # Answered once: a second answer is refused.
    with pytest.raises(PrivacyError) as caught:
        services.confirm_erasure(db.session.get(Erasure, erasure.id), by=None)
    assert caught.value.code == "erasure_not_open"


def test_the_secretariat_may_decline_with_a_reason_the_delegate_reads(
    db, client, make_registration, sign_in
):
    registration = make_registration("approved")
    token = registration.manage_token
    client.post(f"/r/{token}/erase", data={"confirm": "y"})
    erasure = db.session.scalar(sa.select(Erasure))
    sign_in(Role.REGISTRAR)
    refused = client.post(f"/manage/erasures/{erasure.id}/decline", data={"note": ""})
    assert refused.status_code == 400 and "This field is required." in refused.text
    too_long = client.post(f"/manage/erasures/{erasure.id}/decline", data={"note": "Kept " * 500})
    assert too_long.status_code == 400 and "Kept Kept" in too_long.text  # what was typed stays
    assert db.session.get(Erasure, erasure.id).status == ErasureStatus.REQUESTED
    client.post(
        f"/manage/erasures/{erasure.id}/decline",
        data={"note": "Accreditation records are kept for one year."},
    )
    page = client.get(f"/r/{token}")
    assert "Accreditation records are kept for one year." in page.text
    assert 'id="ask-erasure"' in page.text  # may ask again


def test_viewers_and_the_desk_cannot_answer_requests(db, client, make_registration, sign_in):
    registration = make_registration("approved")
    client.post(f"/r/{registration.manage_token}/erase", data={"confirm": "y"})
    erasure = db.session.scalar(sa.select(Erasure))
    for role in (Role.VIEWER, Role.CHECKIN):
        client.post("/auth/sign-out")
        sign_in(role)
        assert client.post(f"/manage/erasures/{erasure.id}/confirm").status_code == 403
    assert db.session.get(Erasure, erasure.id).status == ErasureStatus.REQUESTED


def test_the_delegate_downloads_their_own_data_and_nobody_elses(db, client, meeting):
    approved = meeting.approved
    response = client.get(f"/r/{approved.manage_token}/my-data.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.text)
    mine = data["registration"]
    assert (mine["given_name"], mine["family_name"]) == ("Ingrid", "Zebrowska")
    assert mine["dietary_needs"] == "Lactose-free meals"
    assert mine["unit"] == "Directorate of Consular Affairs"
    assert data["photo"]["content_type"] == "image/jpeg" and data["photo"]["base64"]
    assert {entry["checkpoint"] for entry in data["attendance"]} == {"venue", "session-1"}
    assert [entry["action"] for entry in data["history"]][:2] == ["created", "updated"]
    assert data["emails"] and data["emails"][0]["to"] == approved.email
    assert [letter["filename"] for letter in data["nomination_letters"]] == [
        "Personal_nomination.pdf"
    ]
    text = response.text
    # No other person's data, no staff identity, no secret of a link or badge.
    for other in ("Mehmet", "Eva de Vries", "focal.point@", "Hearing loop", "@staff.example"):
        assert other not in text
    for secret in (approved.manage_token, approved.badge_token):
        assert secret not in text


def test_unknown_links_give_nothing(client, db):
    assert client.get("/r/not-a-token/my-data.json").status_code == 404
    assert client.post("/r/not-a-token/erase", data={"confirm": "y"}).status_code == 404
