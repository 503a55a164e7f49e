"""Which edits send an approved registration back to review, the check-in lock, staff notices,
and the cause given to a waitlisted delegate."""

import pytest

from registration.database import utcnow
from registration.delegates import services, workflow
from registration.delegates.models import Status
from registration.delegates.services import RegistrationError
from registration.mail.models import OutboxEmail


def _emails_to(db, address: str) -> list[OutboxEmail]:
    return (
        db.session.execute(
            db.select(OutboxEmail).where(OutboxEmail.recipient == address).order_by(OutboxEmail.id)
        )
        .scalars()
        .all()
    )


def _edit(registration, registration_data, **overrides):
    values = {
        "given_name": registration.given_name,
        "family_name": registration.family_name,
        "email": registration.email,
        "session_ids": [session.id for session in registration.sessions],
    }
    values.update(overrides)
    return services.update_registration(registration, registration_data(**values))


def test_a_typo_fixed_in_a_name_keeps_the_approval_by_default(
    db, event, make_registration, registration_data
):
    assert event.review_fields == ["category", "entity", "sessions"]
    registration = make_registration(Status.APPROVED)
    changes = _edit(registration, registration_data, family_name="Jansen-Smit")
    assert registration.status == Status.APPROVED
    assert "status" not in changes and "family_name" in changes


def test_a_review_field_sends_the_approval_back_to_pending(
    db, event, make_registration, registration_data
):
    registration = make_registration(Status.APPROVED)
    other = next(e for e in event.entities if e.iso_code == "CO")
    changes = _edit(registration, registration_data, entity_id=other.id)
    assert registration.status == Status.PENDING
    assert changes["status"] == ["approved", "pending"]
    assert services.review_triggers(event, changes) == ["entity"]


def test_the_meeting_chooses_the_review_fields(db, event, make_registration, registration_data):
    event.review_fields = ["name"]
    registration = make_registration(Status.APPROVED)
    _edit(registration, registration_data, session_ids=[event.sessions[2].id])
    assert registration.status == Status.APPROVED
    _edit(registration, registration_data, given_name="Anne")
    assert registration.status == Status.PENDING
    assert services.review_field_labels(event) == ["Name"]


def test_staff_edits_never_undo_an_approval(
    db, event, make_registration, registration_data, make_staff
):
    registration = make_registration(Status.APPROVED)
    other = next(e for e in event.entities if e.iso_code == "CO")
    services.update_registration(
        registration,
        registration_data(
            email=registration.email,
            family_name=registration.family_name,
            entity_id=other.id,
        ),
        by=make_staff(),
    )
    assert registration.status == Status.APPROVED


def test_the_secretariat_is_told_what_a_delegate_changed(
    db, event, make_registration, registration_data
):
    event.secretariat_email = "idm@iom.example.int"
    registration = make_registration(Status.APPROVED)
    _edit(registration, registration_data, session_ids=[event.sessions[2].id], phone="+41 22")
    [notice] = _emails_to(db, "idm@iom.example.int")
    assert registration.reference in notice.subject
    assert "Sessions" in notice.body_text and "Telephone" in notice.body_text
    assert "waiting for your review again" in notice.body_text
    assert f"/manage/registrations/{registration.id}" in notice.body_text


def test_nobody_is_emailed_without_a_secretariat_address(
    db, event, make_registration, registration_data
):
    registration = make_registration(Status.APPROVED)
    _edit(registration, registration_data, phone="+41 22")
    assert db.session.execute(db.select(db.func.count(OutboxEmail.id))).scalar_one() == 2


def test_after_check_in_a_delegate_changes_nothing(db, event, make_registration, registration_data):
    registration = make_registration(Status.APPROVED)
    registration.checked_in_at = utcnow()
    assert not services.can_delegate_edit(registration)
    with pytest.raises(RegistrationError) as error:
        _edit(registration, registration_data, family_name="Other")
    assert error.value.code == "checked_in"
    with pytest.raises(RegistrationError) as error:
        services.withdraw(registration)
    assert error.value.code == "checked_in"


def test_each_waitlist_cause_has_its_own_code_and_message(
    db, event, make_registration, registration_data
):
    netherlands = next(e for e in event.entities if e.iso_code == "NL")
    session = event.sessions[3]

    netherlands.quota = 1
    make_registration(Status.APPROVED)
    waiting = services.register(event, registration_data())
    assert waiting.status == Status.WAITLISTED
    cause = workflow.waitlist_cause(waiting)
    assert cause.code == workflow.QUOTA and cause.entity == netherlands
    assert "delegation of Netherlands" in workflow.waitlist_message(waiting)
    event.secretariat_email = "idm@iom.example.int"
    assert "(idm@iom.example.int)" in workflow.waitlist_message(waiting)

    netherlands.quota = None
    session.capacity = 1
    cause = workflow.waitlist_cause(waiting)
    assert cause.code == workflow.SESSION and cause.session == session
    assert f"“{session.title_in()}” is full" in workflow.waitlist_message(waiting)
    assert workflow.full_session_ids(event) == {session.id}

    session.capacity = None
    event.capacity = 1
    assert workflow.waitlist_cause(waiting).code == workflow.CAPACITY
    assert workflow.waitlist_message(waiting).startswith("The meeting is full")


def test_the_same_name_for_the_same_delegation_is_a_duplicate(
    db, event, make_registration, registration_data, make_staff
):
    first = make_registration("approved", given_name="José", family_name="Martínez")
    twin = registration_data(given_name="jose", family_name="MARTINEZ ", email="other@example.org")
    assert services.same_person(event, twin) == first
    with pytest.raises(RegistrationError) as error:
        services.register(event, twin)
    assert error.value.code == "duplicate_name" and error.value.field == "family_name"

    # Another delegation, or another name, is another person; staff may register a namesake.
    colombia = next(e for e in event.entities if e.iso_code == "CO")
    assert (
        services.same_person(
            event,
            registration_data(given_name="José", family_name="Martínez", entity_id=colombia.id),
        )
        is None
    )
    assert (
        services.same_person(
            event, registration_data(given_name="José", family_name="Martínez-Ortiz")
        )
        is None
    )
    assert services.register(event, twin, by=make_staff()).status == Status.PENDING


def test_free_text_organisations_match_by_folded_name(
    db, event, make_registration, registration_data
):
    ngo = next(c for c in event.categories if c.code == "ngo")
    values = {"category_id": ngo.id, "entity_id": None, "given_name": "Ada", "family_name": "Obi"}
    make_registration("pending", other_organisation="Réseau Migrants", **values)
    assert services.same_person(
        event, registration_data(other_organisation="reseau migrants", **values)
    )
    assert not services.same_person(
        event, registration_data(other_organisation="Other NGO", **values)
    )


def test_a_second_head_of_delegation_is_flagged(db, event, make_registration):
    head = make_registration("approved", head_of_delegation=True)
    assert services.other_heads(head) == []
    second = make_registration("pending", head_of_delegation=True)
    assert services.other_heads(second) == [head]
    assert services.other_heads(make_registration("pending")) == []


@pytest.mark.parametrize("name", ["...", "123", "-- //", "★☆", " "])
def test_names_of_only_symbols_are_refused(db, event, registration_data, name):
    with pytest.raises(RegistrationError) as error:
        services.register(event, registration_data(family_name=name))
    assert error.value.code == "invalid_name" and error.value.field == "family_name"


@pytest.mark.parametrize("name", ["Ng", "李", "O'Brien", "Ó Súilleabháin", "Ørsted"])
def test_names_in_any_script_are_accepted(db, event, registration_data, name):
    assert services.register(event, registration_data(given_name=name)).given_name == name


def test_sessions_are_listed_in_agenda_order_in_the_email_and_calendar(
    db, event, registration_data
):
    from datetime import timedelta

    from icalendar import Calendar

    from registration.delegates.emails import agenda_calendar

    # A wrap-up added first (lowest id) but held last: agenda order is by time, not by id.
    late, early = event.sessions[0], event.sessions[2]
    late.starts_at = event.sessions[-1].ends_at + timedelta(minutes=10)
    late.ends_at = late.starts_at + timedelta(minutes=30)
    db.session.flush()
    registration = services.register(event, registration_data(session_ids=[late.id, early.id]))
    [message] = db.session.execute(
        db.select(OutboxEmail).where(OutboxEmail.registration_id == registration.id)
    ).scalars()
    assert message.body_text.index(early.title_in("en")) < message.body_text.index(
        late.title_in("en")
    )
    summaries = [
        str(component["summary"])
        for component in Calendar.from_ical(agenda_calendar(registration)).walk("VEVENT")
    ]
    assert summaries[0].startswith(early.title_in("en")) and summaries[-1].startswith(
        late.title_in("en")
    )


def test_the_rejection_email_does_not_invite_changes(db, make_registration, make_staff):
    registration = make_registration("pending")
    workflow.reject(registration, "No nomination letter.", by=make_staff())
    message = db.session.execute(
        db.select(OutboxEmail).where(OutboxEmail.template == "status_rejected")
    ).scalar_one()
    assert "View your registration" in message.body_text
    assert "change or withdraw" not in message.body_text + message.body_html


def test_staff_and_focal_point_forms_speak_of_the_participant(app, event):
    from registration.delegates.forms import RegistrationForm
    from registration.desk.forms import WalkInForm
    from registration.manage.forms import StaffRegistrationForm

    with app.test_request_context():
        public = RegistrationForm(meta={"csrf": False}).for_event(event, "en")
        assert public.category.label.text == "I am registering as"
        for form_class in (StaffRegistrationForm, WalkInForm):
            form = form_class(meta={"csrf": False}).for_event(event, "en")
            assert form.category.label.text == "Category"
            assert str(form.sessions.label.text) == "Sessions the participant will attend"
