"""The secretariat's decisions: transitions, emails, audit, capacity, the waiting list."""

import pytest

from registration.audit.models import AuditEvent
from registration.delegates import services, workflow
from registration.delegates.email_templates import EmailTemplate
from registration.delegates.models import Registration, Status
from registration.delegates.services import RegistrationError
from registration.events.models import Event
from registration.mail.models import OutboxEmail
from tests.concurrency import run_together


def _emails(db, registration, template=None):
    query = db.select(OutboxEmail).where(OutboxEmail.registration_id == registration.id)
    if template:
        query = query.where(OutboxEmail.template == template)
    return db.session.execute(query.order_by(OutboxEmail.id)).scalars().all()


def _audit(db, registration, action):
    return (
        db.session.execute(
            db.select(AuditEvent).where(
                AuditEvent.registration_id == registration.id, AuditEvent.action == action
            )
        )
        .scalars()
        .all()
    )


def _register(db, event, registration_data, **overrides):
    """Register through the service (limits apply) and commit."""
    registration = services.register(event, registration_data(**overrides), enforce_window=False)
    db.session.commit()
    return registration


# Transitions -------------------------------------------------------------------------------


def test_approve_audits_and_emails_in_the_delegates_language(db, make_registration, make_staff):
    staff = make_staff("registrar")
    registration = make_registration("pending", language="fr")

    workflow.approve(registration, by=staff)
    db.session.commit()

    assert registration.status == Status.APPROVED
    (email,) = _emails(db, registration, "status_approved")
    assert email.language == "fr"
    assert email.recipient == registration.email
    assert registration.reference in email.subject
    assert registration.family_name.upper() in email.body_text
    (audit,) = _audit(db, registration, "approved")
    assert audit.changes == {"status": ["pending", "approved"]}
    assert audit.actor_staff_id == staff.id
    assert audit.actor_type == "staff"


def test_approve_a_waitlisted_registration_is_a_staff_override(db, make_registration, make_staff):
    registration = make_registration("waitlisted")
    workflow.approve(registration, by=make_staff())
    assert registration.status == Status.APPROVED


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("approved", "already_approved"),
        ("rejected", "invalid_transition"),
        ("withdrawn", "invalid_transition"),
    ],
)
def test_approve_refusals(db, make_registration, make_staff, status, code):
    registration = make_registration(status)
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.approve(registration, by=make_staff())
    assert error.value.code == code
    assert registration.status == Status(status)


def test_reject_needs_a_reason(db, make_registration, make_staff):
    registration = make_registration("pending")
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.reject(registration, "   ", by=make_staff())
    assert error.value.code == "reason_required"
    assert registration.status == Status.PENDING


def test_reject_stores_and_sends_the_reason(db, make_registration, make_staff):
    registration = make_registration("approved")

    workflow.reject(registration, " Not an accredited delegate. ", by=make_staff())
    db.session.commit()

    assert registration.status == Status.REJECTED
    assert registration.status_reason == "Not an accredited delegate."
    (email,) = _emails(db, registration, "status_rejected")
    assert "Not an accredited delegate." in email.body_text
    assert "Not an accredited delegate." in email.body_html
    (audit,) = _audit(db, registration, "rejected")
    assert audit.changes == {
        "status": ["approved", "rejected"],
        "status_reason": ["", "Not an accredited delegate."],
    }


def test_reject_escapes_the_reason_in_html(db, make_registration, make_staff):
    registration = make_registration("pending")
    workflow.reject(registration, "<script>alert(1)</script>", by=make_staff())
    (email,) = _emails(db, registration, "status_rejected")
    assert "<script>" not in email.body_html
    assert "&lt;script&gt;" in email.body_html


@pytest.mark.parametrize("status", ["pending", "waitlisted"])
def test_reset_refuses_undecided_registrations(db, make_registration, make_staff, status):
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.reset_to_pending(make_registration(status), by=make_staff())
    assert error.value.code == "invalid_transition"


@pytest.mark.parametrize("status", ["approved", "rejected", "withdrawn"])
def test_reset_to_pending(db, make_registration, make_staff, status):
    registration = make_registration(status, language="es")
    registration.status_reason = "earlier reason"
    workflow.reset_to_pending(registration, by=make_staff())
    db.session.commit()
    assert registration.status == Status.PENDING
    assert registration.status_reason == ""
    (email,) = _emails(db, registration, "status_pending")
    assert email.language == "es"
    assert _audit(db, registration, "reset")[0].changes["status"] == [status, "pending"]


def test_reset_of_a_rejected_registration_waits_when_the_meeting_is_full(
    db, event, make_registration, make_staff
):
    rejected = make_registration("rejected")
    make_registration("approved")
    event.capacity = 1
    db.session.commit()

    workflow.reset_to_pending(rejected, by=make_staff())

    assert rejected.status == Status.WAITLISTED
    assert _emails(db, rejected, "status_waitlisted")


def test_reset_refuses_a_second_active_registration_of_the_same_person(
    db, make_registration, make_staff
):
    withdrawn = make_registration("withdrawn", email="same@example.org", family_name="Same")
    make_registration("pending", email="same@example.org", family_name="Same")

    with pytest.raises(workflow.WorkflowError) as error:
        workflow.reset_to_pending(withdrawn, by=make_staff())

    assert error.value.code == "duplicate"
    db.session.rollback()
    assert db.session.get(Registration, withdrawn.id).status == Status.WITHDRAWN


def test_staff_withdrawal_emails_the_status_template(db, make_registration, make_staff):
    registration = make_registration("approved")
    workflow.withdraw(registration, by=make_staff(), reason="Duplicate of IDM-XXXX")
    assert registration.status == Status.WITHDRAWN
    (email,) = _emails(db, registration, "status_withdrawn")
    assert "Duplicate of IDM-XXXX" in email.body_text


@pytest.mark.parametrize("status", ["rejected", "withdrawn"])
def test_staff_withdrawal_refusals(db, make_registration, make_staff, status):
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.withdraw(make_registration(status), by=make_staff())
    assert error.value.code == "invalid_transition"


# Capacity and the waiting list ------------------------------------------------------------


@pytest.fixture
def full_event(db, event, registration_data):
    """Capacity 2, two pending places taken, then three waitlisted in arrival order."""
    event.capacity = 2
    db.session.commit()
    held = [_register(db, event, registration_data) for _ in range(2)]
    waiting = [_register(db, event, registration_data) for _ in range(3)]
    assert [item.status for item in held] == [Status.PENDING] * 2
    assert [item.status for item in waiting] == [Status.WAITLISTED] * 3
    return held, waiting


def test_rejection_promotes_the_first_waitlisted_and_emails_them(db, full_event, make_staff):
    held, waiting = full_event

    promoted = workflow.reject(held[0], "No nomination letter.", by=make_staff())
    db.session.commit()

    assert promoted == [waiting[0]]
    assert waiting[0].status == Status.PENDING  # the demo meeting is moderated
    assert [item.status for item in waiting[1:]] == [Status.WAITLISTED] * 2
    (email,) = _emails(db, waiting[0], "status_promoted")
    assert waiting[0].reference in email.subject
    (audit,) = _audit(db, waiting[0], "promoted")
    assert audit.actor_type == "system"
    assert audit.actor_staff_id is None
    assert audit.changes == {"status": ["waitlisted", "pending"]}


def test_delegate_withdrawal_promotes_in_arrival_order(db, full_event):
    held, waiting = full_event
    services.withdraw(held[1])
    services.withdraw(held[0])
    db.session.commit()
    assert [item.status for item in waiting] == [Status.PENDING, Status.PENDING, Status.WAITLISTED]


def test_staff_withdrawal_promotes(db, full_event, make_staff):
    held, waiting = full_event
    assert workflow.withdraw(held[0], by=make_staff()) == [waiting[0]]


def test_withdrawing_a_waitlisted_registration_promotes_nobody(db, full_event, make_staff):
    _held, waiting = full_event
    assert workflow.withdraw(waiting[0], by=make_staff()) == []
    assert waiting[1].status == Status.WAITLISTED


def test_unmoderated_event_promotes_to_approved(db, event, full_event, make_staff):
    held, waiting = full_event
    event.moderation = False
    workflow.reject(held[0], "Reason", by=make_staff())
    assert waiting[0].status == Status.APPROVED
    assert "confirmed" in _emails(db, waiting[0], "status_promoted")[0].body_text


def test_raising_the_capacity_then_promoting_fills_the_new_places(db, event, full_event):
    _held, waiting = full_event
    event.capacity = 4
    promoted = workflow.promote_next_waitlisted(event)
    assert promoted == waiting[:2]


def _entity(event, iso):
    return next(entity for entity in event.entities if entity.iso_code == iso)


def test_entity_quota_waitlists_the_public_and_refuses_focal_points(db, event, registration_data):
    netherlands = _entity(event, "NL")
    netherlands.quota = 1
    db.session.commit()
    first = _register(db, event, registration_data)
    second = _register(db, event, registration_data)
    assert (first.status, second.status) == (Status.PENDING, Status.WAITLISTED)

    with pytest.raises(RegistrationError) as error:
        services.register(
            event, registration_data(), actor_type="focal_point", enforce_window=False
        )
    assert error.value.code == "quota_reached"
    assert "Netherlands" in error.value.message


def test_promotion_skips_a_candidate_over_its_quota(db, event, registration_data, make_staff):
    colombia = _entity(event, "CO")
    netherlands = _entity(event, "NL")
    netherlands.quota = 1
    event.capacity = 2
    db.session.commit()
    dutch = _register(db, event, registration_data)
    colombian = _register(db, event, registration_data, entity_id=colombia.id)
    dutch_waiting = _register(db, event, registration_data)  # over quota and capacity
    colombian_waiting = _register(db, event, registration_data, entity_id=colombia.id)
    assert dutch_waiting.status == colombian_waiting.status == Status.WAITLISTED

    workflow.reject(colombian, "Reason", by=make_staff())

    assert dutch.status == Status.PENDING
    assert dutch_waiting.status == Status.WAITLISTED  # the Netherlands' quota is still used
    assert colombian_waiting.status == Status.PENDING


def test_session_capacity_waitlists_only_those_who_chose_the_full_session(
    db, event, registration_data, make_staff
):
    side_event = event.sessions[5]
    plenary = event.sessions[2]
    side_event.capacity = 1
    db.session.commit()
    first = _register(db, event, registration_data, session_ids=[side_event.id])
    second = _register(db, event, registration_data, session_ids=[plenary.id, side_event.id])
    other = _register(db, event, registration_data, session_ids=[plenary.id])
    assert [first.status, second.status, other.status] == [
        Status.PENDING,
        Status.WAITLISTED,
        Status.PENDING,
    ]
    assert workflow.session_places_taken([side_event, plenary]) == {
        side_event.id: 1,
        plenary.id: 1,
    }

    workflow.withdraw(first, by=make_staff())
    assert second.status == Status.PENDING


# Bulk ---------------------------------------------------------------------------------------


def test_bulk_applies_what_it_can_and_reports_the_rest(db, make_registration, make_staff):
    pending = make_registration("pending")
    approved = make_registration("approved")
    waitlisted = make_registration("waitlisted")

    result = workflow.apply_bulk("approve", [pending, approved, waitlisted], by=make_staff())
    db.session.commit()

    assert result.done == [pending.reference, waitlisted.reference]
    assert [reference for reference, _ in result.refused] == [approved.reference]
    assert pending.status == waitlisted.status == Status.APPROVED
    assert len(_emails(db, approved, "status_approved")) == 0


def test_bulk_reject_needs_a_reason_before_changing_anything(db, make_registration, make_staff):
    pending = make_registration("pending")
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.apply_bulk("reject", [pending], by=make_staff(), reason="")
    assert error.value.code == "reason_required"
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.apply_bulk("delete", [pending], by=make_staff())
    assert error.value.code == "unknown_action"
    assert pending.status == Status.PENDING


def test_bulk_withdraw_reports_promotions(db, full_event, make_staff):
    held, waiting = full_event
    result = workflow.apply_bulk("withdraw", held, by=make_staff())
    assert result.promoted == [waiting[0].reference, waiting[1].reference]


# Editable templates ---------------------------------------------------------------------------


def test_an_override_in_the_delegates_language_replaces_subject_and_body(
    db, event, make_registration, make_staff
):
    db.session.add(
        EmailTemplate(
            event_id=event.id,
            kind="approved",
            language="fr",
            subject="Accréditation {reference}",
            body="Cher {given_name} {family_name} ({entity}), lien : {manage_link}",
        )
    )
    db.session.commit()
    french = make_registration("pending", language="fr", given_name="Jean")
    english = make_registration("pending", language="en")

    workflow.approve(french, by=make_staff())
    workflow.approve(english, by=make_staff())

    (email,) = _emails(db, french, "status_approved")
    assert email.subject == f"Accréditation {french.reference}"
    expected = f"Cher Jean {french.family_name} (Pays-Bas (Royaume des)), lien : http"
    assert expected in email.body_text
    assert french.manage_token in email.body_text
    assert french.reference in email.body_text  # the summary is still added
    (fallback,) = _emails(db, english, "status_approved")
    assert "Accréditation" not in fallback.subject
    assert "has been approved" in fallback.body_text


def test_staff_text_is_never_evaluated(db, event, make_registration, make_staff):
    db.session.add(
        EmailTemplate(
            event_id=event.id,
            kind="approved",
            language="en",
            subject="{{ config.SECRET_KEY }} {reference}",
            body="{{% for x in range(3) %}}{{{{ 7*7 }}}}{{% endfor %}} <b>{given_name}</b>",
        )
    )
    db.session.commit()
    registration = make_registration("pending", given_name="Ana")
    workflow.approve(registration, by=make_staff())
    (email,) = _emails(db, registration, "status_approved")
    assert email.subject == f"{{ config.SECRET_KEY }} {registration.reference}"
    assert "{% for x in range(3) %}{{ 7*7 }}{% endfor %} <b>Ana</b>" in email.body_text
    # 7*7 was not computed (a random token in the link may contain "49" anywhere else).
    assert "{{ 7*7 }}" in email.body_text and "49{% endfor %}" not in email.body_text
    assert "&lt;b&gt;Ana&lt;/b&gt;" in email.body_html


def test_a_broken_stored_override_falls_back_to_the_standard_text(
    db, event, make_registration, make_staff
):
    db.session.add(
        EmailTemplate(
            event_id=event.id, kind="approved", language="en", body="{given_name.__class__}"
        )
    )
    db.session.commit()
    registration = make_registration("pending")
    workflow.approve(registration, by=make_staff())
    (email,) = _emails(db, registration, "status_approved")
    assert "has been approved" in email.body_text
    assert "class" not in email.body_text


# Concurrency --------------------------------------------------------------------------------

THREADS = 50
PLACES_LEFT = 5


@pytest.mark.postgres
def test_fifty_simultaneous_registrations_for_the_last_five_places(
    app, db, event, registration_data
):
    event.capacity = 10
    db.session.commit()
    for _ in range(event.capacity - PLACES_LEFT):
        _register(db, event, registration_data)
    data = [registration_data() for _ in range(THREADS)]
    event_id = event.id

    def attempt(item):
        def call(ready):
            ready()
            loaded = db.session.get(Event, event_id)
            return services.register(loaded, item, enforce_window=False).status.value

        return call

    outcomes = run_together(app, [attempt(item) for item in data])
    assert sorted(outcomes) == ["pending"] * PLACES_LEFT + ["waitlisted"] * (THREADS - PLACES_LEFT)
    held = db.session.execute(
        db.select(db.func.count(Registration.id)).where(
            Registration.status.in_((Status.PENDING, Status.APPROVED))
        )
    ).scalar_one()
    assert held == event.capacity


@pytest.mark.postgres
def test_simultaneous_withdrawals_promote_each_waitlisted_once(app, db, full_event):
    held, waiting = full_event
    ids = [item.id for item in held]

    def withdraw(registration_id):
        def call(ready):
            ready()
            services.withdraw(db.session.get(Registration, registration_id))
            return "withdrawn"

        return call

    outcomes = run_together(app, [withdraw(item) for item in ids])
    errors = [outcome for outcome in outcomes if outcome != "withdrawn"]
    assert errors == []
    statuses = [db.session.get(Registration, item.id).status for item in waiting]
    assert statuses == [Status.PENDING, Status.PENDING, Status.WAITLISTED]
    promotions = db.session.execute(
        db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "promoted")
    ).scalar_one()
    assert promotions == 2
