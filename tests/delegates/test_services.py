"""Registration rules, tested by their error codes."""

import re
from datetime import timedelta

import pytest

from registration.audit.models import AuditEvent
from registration.database import utcnow
from registration.delegates import services
from registration.delegates.models import Registration, Status
from registration.delegates.services import RegistrationError
from registration.mail.models import OutboxEmail


def _emails(db, registration=None) -> list[OutboxEmail]:
    query = db.select(OutboxEmail).order_by(OutboxEmail.id)
    if registration is not None:
        query = query.where(OutboxEmail.registration_id == registration.id)
    return db.session.execute(query).scalars().all()


def test_register_moderated_event_is_pending_with_reference_tokens_and_email(
    db, event, registration_data
):
    registration = services.register(event, registration_data())
    db.session.commit()
    assert registration.status == Status.PENDING
    assert re.fullmatch(r"IDM-[346789ABCDEFGHJKMNPQRTUVWXY]{5}", registration.reference)
    # 24 random bytes each: 192 bits, and the two secrets differ.
    assert len(registration.manage_token) >= 32 and len(registration.badge_token) >= 32
    assert registration.manage_token != registration.badge_token
    [message] = _emails(db, registration)
    assert message.subject.startswith("Registration received:")
    assert registration.reference in message.body_text
    assert f"/r/{registration.manage_token}" in message.body_text
    assert [a["filename"] for a in message.attachments] == ["agenda.ics"]
    audit = db.session.execute(db.select(AuditEvent)).scalar_one()
    assert audit.action == "created" and audit.actor_type == "delegate"
    assert audit.changes["family_name"] == [None, registration.family_name]


def test_unmoderated_event_confirms_at_once(db, event, registration_data):
    event.moderation = False
    registration = services.register(event, registration_data())
    assert registration.status == Status.APPROVED
    assert _emails(db, registration)[0].subject.startswith("Registration confirmed:")


def test_email_is_written_in_the_same_transaction(db, event, registration_data):
    services.register(event, registration_data())
    db.session.rollback()
    assert db.session.execute(db.select(Registration)).first() is None
    assert _emails(db) == []


def test_confirmation_in_the_delegates_language(db, event, registration_data):
    registration = services.register(event, registration_data(language="fr"))
    [message] = _emails(db, registration)
    assert message.language == "fr"
    assert "Renforcer le rôle" in message.subject


def test_same_person_twice_is_refused_whatever_the_case_and_accents(db, event, registration_data):
    services.register(
        event, registration_data(given_name="Zoë", family_name="Núñez", email="zoe@example.org")
    )
    with pytest.raises(RegistrationError) as error:
        services.register(
            event,
            registration_data(given_name=" zoe ", family_name="NUNEZ", email="ZOE@example.org"),
        )
    assert error.value.code == "duplicate"
    assert "Lost your link" in error.value.message


def test_withdrawn_person_may_register_again(db, event, registration_data):
    data = registration_data()
    first = services.register(event, data)
    services.withdraw(first)
    second = services.register(event, data)
    assert second.status == Status.PENDING and second.id != first.id


@pytest.mark.parametrize(
    ("opens", "closes", "code"),
    [(1, 2, "registration_not_open"), (-2, -1, "registration_closed")],
)
def test_registration_window(db, event, registration_data, opens, closes, code):
    now = utcnow()
    event.registration_opens = now + timedelta(days=opens)
    event.registration_closes = now + timedelta(days=closes)
    with pytest.raises(RegistrationError) as error:
        services.register(event, registration_data())
    assert error.value.code == code
    # Staff and walk-ins are not bound by the window.
    assert services.register(event, registration_data(), enforce_window=False).id


def test_over_capacity_is_waitlisted(db, event, registration_data):
    event.capacity = 1
    first = services.register(event, registration_data())
    second = services.register(event, registration_data())
    assert first.status == Status.PENDING
    assert second.status == Status.WAITLISTED
    assert _emails(db, second)[0].subject.startswith("On the waiting list:")


def test_entity_must_match_category(db, event, registration_data):
    ngo = next(c for c in event.categories if c.code == "ngo")
    with pytest.raises(RegistrationError) as error:
        services.register(event, registration_data(category_id=ngo.id))  # entity is a State
    assert error.value.code == "invalid_entity"


def test_state_delegates_cannot_type_another_organisation(db, event, registration_data):
    with pytest.raises(RegistrationError) as error:
        services.register(event, registration_data(entity_id=None, other_organisation="Atlantis"))
    assert error.value.code == "invalid_entity"


def test_organisation_not_in_list_is_accepted_for_organisation_categories(
    db, event, registration_data
):
    ngo = next(c for c in event.categories if c.code == "ngo")
    registration = services.register(
        event, registration_data(category_id=ngo.id, entity_id=None, other_organisation="Caritas")
    )
    assert registration.organisation_name == "Caritas"


def test_unknown_category_and_session(db, event, registration_data):
    with pytest.raises(RegistrationError) as error:
        services.register(event, registration_data(category_id=999_999))
    assert error.value.code == "invalid_category"
    with pytest.raises(RegistrationError) as error:
        services.register(event, registration_data(session_ids=[999_999]))
    assert error.value.code == "invalid_session"


def test_delegate_edit_is_audited_and_acknowledged(db, event, make_registration, registration_data):
    registration = make_registration()
    data = registration_data(
        email=registration.email,
        family_name=registration.family_name,
        function="Minister Counsellor",
    )
    changes = services.update_registration(registration, data)
    assert changes == {"function": ["Counsellor", "Minister Counsellor"]}
    assert _emails(db, registration)[-1].subject.startswith("Registration updated:")
    assert (
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "updated"))
        .scalar_one()
        .changes
        == changes
    )


def test_key_field_edit_sends_approved_back_to_pending(
    db, event, make_registration, registration_data
):
    registration = make_registration(Status.APPROVED)
    data = registration_data(email=registration.email, family_name="Jansen-Smit")
    changes = services.update_registration(registration, data)
    assert registration.status == Status.PENDING
    assert changes["status"] == ["approved", "pending"]


def test_no_delegate_edit_after_the_deadline(db, event, make_registration, registration_data):
    registration = make_registration()
    event.registration_closes = utcnow() - timedelta(minutes=1)
    with pytest.raises(RegistrationError) as error:
        services.update_registration(registration, registration_data(email=registration.email))
    assert error.value.code == "not_editable"


def test_withdraw_twice(db, event, make_registration):
    registration = make_registration()
    services.withdraw(registration)
    assert registration.status == Status.WITHDRAWN
    assert _emails(db, registration)[-1].subject.startswith("Registration withdrawn:")
    with pytest.raises(RegistrationError) as error:
        services.withdraw(registration)
    assert error.value.code == "already_withdrawn"


def test_resend_links_only_to_registered_addresses(db, event, make_registration):
    registration = make_registration()
    before = len(_emails(db))
    assert services.resend_links(event, registration.email.upper()) == 1
    assert services.resend_links(event, "nobody@example.org") == 0
    emails = _emails(db)
    assert len(emails) == before + 1
    assert registration.manage_token in emails[-1].body_text


def test_calendar_attachment_lists_chosen_sessions(db, event, registration_data):
    from registration.delegates.emails import agenda_calendar

    chosen = [event.sessions[3], event.sessions[4]]
    registration = services.register(event, registration_data(session_ids=[s.id for s in chosen]))
    calendar = agenda_calendar(registration).decode()
    assert calendar.count("BEGIN:VEVENT") == 2
    assert "Session I: Exploring" in calendar


def test_a_delegate_cannot_add_a_full_session_but_staff_can(
    db, event, make_registration, registration_data, make_staff
):
    full = event.sessions[5]
    full.capacity = 1
    make_registration(session_ids=[full.id])
    registration = make_registration()
    data = registration_data(
        email=registration.email,
        family_name=registration.family_name,
        session_ids=[event.sessions[3].id, full.id],
    )
    with pytest.raises(RegistrationError) as error:
        services.update_registration(registration, data)
    assert error.value.code == "session_full"
    assert full.title in error.value.message
    changes = services.update_registration(registration, data, by=make_staff())
    assert changes["session_ids"][1] == sorted([event.sessions[3].id, full.id])


def test_a_changed_email_address_is_told_to_the_old_one_without_the_link(
    db, event, make_registration, registration_data
):
    registration = make_registration()
    old_address, token = registration.email, registration.manage_token
    data = registration_data(
        given_name=registration.given_name,
        family_name=registration.family_name,
        email="someone.else@example.org",
    )
    services.update_registration(registration, data)
    messages = {
        m.recipient: m
        for m in db.session.execute(
            db.select(OutboxEmail).where(OutboxEmail.template != "registration_created")
        ).scalars()
    }
    assert set(messages) == {old_address, "someone.else@example.org"}
    notice = messages[old_address]
    assert notice.template == "registration_email_changed"
    assert "s…@example.org" in notice.body_text
    for body in (notice.body_text, notice.body_html):
        assert token not in body and "/r/" not in body
    assert token in messages["someone.else@example.org"].body_text
