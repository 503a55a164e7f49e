"""Delegations at the service level: summaries, focal points, quotas, letters, audit."""

from datetime import timedelta

import pytest

from registration.audit.models import AuditEvent
from registration.database import utcnow
from registration.delegates.models import Status
from registration.delegates.services import RegistrationError
from registration.delegations import services
from registration.delegations.models import FocalPoint
from registration.delegations.services import DelegationError, FocalPointData
from registration.mail.models import OutboxEmail
from registration.security import token_hash


def _audit(db, action):
    return (
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == action)).scalars().all()
    )


def test_invitation_stores_only_a_hash_of_the_link_and_queues_an_email(db, netherlands, invite):
    focal_point, token = invite(netherlands, language="fr")
    assert len(token) >= 32  # 192 random bits, URL-safe
    assert focal_point.token_hash == token_hash(token)
    assert token not in focal_point.token_hash
    message = db.session.execute(db.select(OutboxEmail)).scalar_one()
    assert message.template == "focal_point_invitation"
    assert message.recipient == "focal.point@minbuza.example.nl"
    assert message.language == "fr"
    assert "Pays-Bas" in message.subject  # the entity's name in the focal point's language
    assert f"/fp/{token}" in message.body_text
    assert _audit(db, "focal_point_invited")[0].actor_type == "staff"


def test_inviting_the_same_address_again_replaces_the_link(db, netherlands, invite):
    first, old_token = invite(netherlands)
    second, new_token = invite(netherlands, email="FOCAL.POINT@minbuza.example.nl ")
    assert first.id == second.id
    assert services.find_focal_point(old_token) is None
    assert services.find_focal_point(new_token).id == first.id
    assert db.session.execute(db.select(db.func.count(FocalPoint.id))).scalar_one() == 1


def test_a_revoked_link_opens_nothing_until_a_new_one_is_sent(db, netherlands, invite, make_staff):
    focal_point, token = invite(netherlands)
    staff = make_staff("registrar")
    services.revoke_focal_point(focal_point, by=staff)
    db.session.commit()
    assert services.find_focal_point(token) is None
    new_token = services.resend_invitation(focal_point, by=staff)
    db.session.commit()
    assert services.find_focal_point(new_token).is_active


def test_invitation_needs_a_name_and_an_email(netherlands, make_staff):
    with pytest.raises(DelegationError) as caught:
        services.invite_focal_point(
            netherlands, FocalPointData(" ", "x@example.org"), by=make_staff("registrar")
        )
    assert caught.value.code == "invalid_focal_point"


def test_focal_point_registers_delegates_of_their_entity_only(
    db, event, netherlands, invite, registration_data
):
    focal_point, _token = invite(netherlands)
    colombia = next(e for e in event.entities if e.iso_code == "CO")
    ngo = next(c for c in event.categories if c.code == "ngo")
    # Whatever the data says, the delegate represents the focal point's entity.
    registration = services.register_delegate(
        focal_point, registration_data(entity_id=colombia.id, category_id=ngo.id)
    )
    db.session.commit()
    assert registration.entity_id == netherlands.id
    assert registration.category_id == netherlands.category_id
    created = _audit(db, "created")[0]
    assert created.actor_type == "focal_point"
    assert created.actor_staff_id is None
    assert created.actor_label == "Eva de Vries <focal.point@minbuza.example.nl>"


def test_quota_refuses_the_registration_beyond_it(db, netherlands, invite, registration_data):
    netherlands.quota = 2
    db.session.commit()
    focal_point, _token = invite(netherlands)
    services.register_delegate(focal_point, registration_data())
    services.register_delegate(focal_point, registration_data())
    db.session.commit()
    with pytest.raises(RegistrationError) as caught:
        services.register_delegate(focal_point, registration_data())
    assert caught.value.code == "quota_reached"
    assert caught.value.message == (
        "The quota of 2 delegates for Netherlands (Kingdom of the) is reached."
    )


def test_withdrawn_and_rejected_delegates_free_their_place(
    db, netherlands, invite, registration_data, make_registration
):
    netherlands.quota = 1
    db.session.commit()
    make_registration("rejected")
    focal_point, _token = invite(netherlands)
    first = services.register_delegate(focal_point, registration_data())
    db.session.commit()
    services.withdraw_delegate(focal_point, first)
    db.session.commit()
    assert services.register_delegate(focal_point, registration_data()).status == Status.PENDING


def test_registrations_from_the_public_form_count_against_the_quota(
    netherlands, invite, registration_data, make_registration, db
):
    netherlands.quota = 1
    db.session.commit()
    make_registration("pending")
    make_registration("waitlisted")  # waiting for a place: holds none
    focal_point, _token = invite(netherlands)
    with pytest.raises(RegistrationError) as caught:
        services.register_delegate(focal_point, registration_data())
    assert caught.value.code == "quota_reached"


def test_the_registration_window_still_applies(db, event, netherlands, invite, registration_data):
    event.registration_closes = utcnow() - timedelta(minutes=1)
    db.session.commit()
    focal_point, _token = invite(netherlands)
    with pytest.raises(RegistrationError) as caught:
        services.register_delegate(focal_point, registration_data())
    assert caught.value.code == "registration_closed"


def test_focal_point_edits_and_withdraws_with_their_own_audit_label(
    db, event, netherlands, invite, registration_data, make_registration
):
    event.review_fields = ["name"]
    focal_point, _token = invite(netherlands)
    registration = make_registration("approved")
    changes = services.update_delegate(
        focal_point, registration, registration_data(given_name="Anneke", email=registration.email)
    )
    db.session.commit()
    # A review field changed: the approved registration needs approval again (event setting).
    assert changes["given_name"][1] == "Anneke"
    assert registration.status == Status.PENDING
    services.withdraw_delegate(focal_point, registration)
    db.session.commit()
    assert registration.status == Status.WITHDRAWN
    actions = {
        (a.action, a.actor_type) for a in db.session.execute(db.select(AuditEvent)).scalars()
    }
    assert {("updated", "focal_point"), ("withdrawn", "focal_point")} <= actions


def test_focal_point_cannot_touch_another_delegation(
    db, event, netherlands, invite, make_registration
):
    colombia = next(e for e in event.entities if e.iso_code == "CO")
    stranger = make_registration(entity_id=colombia.id)
    focal_point, _token = invite(netherlands)
    assert services.delegate_of(focal_point, stranger.id) is None
    with pytest.raises(DelegationError) as caught:
        services.withdraw_delegate(focal_point, stranger)
    assert caught.value.code == "not_in_delegation"
    assert stranger.status == Status.PENDING


def test_delegation_summary_counts_statuses_and_names_the_head(
    db, event, netherlands, make_registration
):
    netherlands.quota = 5
    make_registration("approved", head_of_delegation=True, given_name="Hanna")
    make_registration("pending")
    make_registration("withdrawn", head_of_delegation=True)
    delegation = services.get_delegation(netherlands)
    assert delegation.counts == {Status.APPROVED: 1, Status.PENDING: 1, Status.WITHDRAWN: 1}
    assert [head.given_name for head in delegation.heads] == ["Hanna"]
    assert delegation.places_left == 3
    assert delegation.registrations[0].head_of_delegation
    rows = services.list_delegations(event)
    assert len(rows) == len(event.entities)
    by_code = {row["entity"].iso_code: row for row in rows}
    assert by_code["NL"]["active"] == 2 and by_code["CO"]["active"] == 0
