"""Check-in rules by reason code, annulment, the scan log, nonces, walk-ins and search."""

import pytest
from sqlalchemy.exc import IntegrityError

from registration.audit.models import AuditEvent
from registration.delegates.models import Status
from registration.delegates.services import RegistrationError
from registration.desk import services
from registration.desk.models import VENUE, Attendance, Scan
from registration.desk.services import CheckInError, ScanRequest, check_in, checkpoint_for


def _code(error_info) -> str:
    return error_info.value.code


def test_first_venue_entry_sets_checked_in_at(db, event, make_registration, make_staff):
    staff = make_staff("checkin")
    registration = make_registration("approved")
    attendance = check_in(registration, checkpoint_for(event, VENUE), by=staff)
    assert attendance.staff_id == staff.id and attendance.session_id is None
    assert registration.checked_in_at == attendance.checked_in_at
    audit = db.session.execute(db.select(AuditEvent).filter_by(action="checked_in")).scalar_one()
    assert audit.registration_id == registration.id and audit.actor_staff_id == staff.id


def test_session_entry_is_a_separate_record_and_leaves_checked_in_at(event, make_registration):
    registration = make_registration("approved")
    chosen = registration.sessions[0]
    attendance = check_in(registration, checkpoint_for(event, chosen.code))
    assert attendance.session_id == chosen.id and attendance.checkpoint == chosen.code
    assert registration.checked_in_at is None
    check_in(registration, checkpoint_for(event, VENUE))
    assert registration.checked_in_at is not None


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (Status.PENDING, "not_approved"),
        (Status.WAITLISTED, "not_approved"),
        (Status.WITHDRAWN, "withdrawn"),
        (Status.REJECTED, "rejected"),
    ],
)
def test_only_approved_registrations_enter(event, make_registration, status, code):
    registration = make_registration(status)
    with pytest.raises(CheckInError) as error:
        check_in(registration, checkpoint_for(event, VENUE))
    assert _code(error) == code
    assert registration.checked_in_at is None


def test_already_checked_in_names_the_first_entry(event, make_registration):
    registration = make_registration("approved")
    first = check_in(registration, checkpoint_for(event, VENUE))
    with pytest.raises(CheckInError) as error:
        check_in(registration, checkpoint_for(event, VENUE))
    assert _code(error) == "already_checked_in"
    assert error.value.attendance is first
    assert "Already checked in at" in error.value.message


def test_wrong_event(event, other_registration):
    with pytest.raises(CheckInError) as error:
        check_in(other_registration, checkpoint_for(event, VENUE))
    assert _code(error) == "wrong_event"


def test_unknown_checkpoint(event):
    with pytest.raises(CheckInError) as error:
        checkpoint_for(event, "no-such-session")
    assert _code(error) == "unknown_checkpoint"


def test_session_not_chosen_unless_forced(event, make_registration):
    registration = make_registration("approved")
    other = next(s for s in event.sessions if s not in registration.sessions)
    with pytest.raises(CheckInError) as error:
        check_in(registration, checkpoint_for(event, other.code))
    assert _code(error) == "session_not_chosen"
    attendance = check_in(registration, checkpoint_for(event, other.code), force=True)
    assert attendance.session_id == other.id


def test_annul_clears_checked_in_at_and_allows_a_new_entry(
    db, event, make_registration, make_staff
):
    staff = make_staff("checkin")
    staff_registration = make_registration("approved")
    venue = checkpoint_for(event, VENUE)
    first = check_in(staff_registration, venue)
    services.annul(first, "  scanned   the wrong badge ", by=staff)
    assert first.annulled_at is not None and first.annul_reason == "scanned the wrong badge"
    assert staff_registration.checked_in_at is None
    audit = db.session.execute(
        db.select(AuditEvent).filter_by(action="check_in_annulled")
    ).scalar_one()
    assert audit.changes["annul_reason"] == ["", "scanned the wrong badge"]
    assert audit.actor_type == "staff" and audit.actor_staff_id == staff.id
    second = check_in(staff_registration, venue)
    assert second.id != first.id
    assert staff_registration.checked_in_at == second.checked_in_at


def test_annul_needs_a_reason_and_happens_once(event, make_registration, make_staff):
    staff = make_staff("checkin")
    attendance = check_in(make_registration("approved"), checkpoint_for(event, VENUE))
    with pytest.raises(CheckInError) as error:
        services.annul(attendance, "   ", by=staff)
    assert _code(error) == "reason_required"
    services.annul(attendance, "mistake", by=staff)
    with pytest.raises(CheckInError) as error:
        services.annul(attendance, "again", by=staff)
    assert _code(error) == "already_annulled"


def test_the_database_keeps_one_current_entry(db, event, make_registration):
    """uq_attendance_current is the final guard, whatever the Python checks do."""
    registration = make_registration("approved")
    check_in(registration, checkpoint_for(event, VENUE))
    db.session.commit()
    db.session.add(Attendance(registration_id=registration.id, checkpoint=VENUE))
    with pytest.raises(IntegrityError):
        db.session.flush()


def _scan(event, staff, **fields) -> Scan:
    fields.setdefault("checkpoint", VENUE)
    return services.scan(event, ScanRequest(**fields), staff=staff)


def test_every_scan_is_logged_with_its_result(db, event, make_registration, make_staff):
    staff = make_staff("checkin")
    registration = make_registration("approved")
    results = [
        _scan(event, staff, token="nobody-has-this-token").result,
        _scan(event, staff, token=registration.badge_token, checkpoint="nowhere").result,
        _scan(event, staff, token=registration.badge_token).result,
        _scan(event, staff, token=registration.badge_token).result,
    ]
    assert results == ["unknown_token", "unknown_checkpoint", "ok", "already_checked_in"]
    logged = db.session.execute(db.select(Scan).order_by(Scan.id)).scalars().all()
    assert [scan.result for scan in logged] == results
    assert all(scan.staff_id == staff.id and scan.client_key == f"s{staff.id}" for scan in logged)
    assert logged[0].registration_id is None
    assert logged[3].attendance_id == logged[2].attendance_id


def test_forced_is_logged_only_when_the_warning_was_overridden(
    event, make_registration, make_staff
):
    staff = make_staff("checkin")
    registration = make_registration("approved")
    chosen = registration.sessions[0].code
    other = next(s.code for s in event.sessions if s not in registration.sessions)
    assert _scan(event, staff, registration_id=registration.id, checkpoint=other).forced is False
    forced = _scan(event, staff, registration_id=registration.id, checkpoint=other, force=True)
    assert forced.result == "ok" and forced.forced is True
    unneeded = _scan(event, staff, registration_id=registration.id, checkpoint=chosen, force=True)
    assert unneeded.result == "ok" and unneeded.forced is False


def test_same_nonce_gives_the_same_scan_and_one_record(db, event, make_registration, make_staff):
    staff = make_staff("checkin")
    registration = make_registration("approved")
    first = _scan(event, staff, token=registration.badge_token, nonce="n-1")
    again = _scan(event, staff, token=registration.badge_token, nonce="n-1")
    assert again.id == first.id and again.result == "ok" and again.replayed
    assert db.session.execute(db.select(db.func.count(Scan.id))).scalar_one() == 1
    assert db.session.execute(db.select(db.func.count(Attendance.id))).scalar_one() == 1
    other_desk = make_staff("checkin")
    assert _scan(event, other_desk, token=registration.badge_token, nonce="n-1").result == (
        "already_checked_in"
    )


def test_the_scan_log_is_append_only(db, event, make_registration, make_staff):
    logged = _scan(event, make_staff("checkin"), token="unknown")
    db.session.commit()
    logged.result = "ok"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(logged)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()


def test_walk_in_registers_approves_and_checks_in(db, event, registration_data, make_staff):
    staff = make_staff("checkin")
    assert event.moderation  # the demo meeting: registrations wait for approval
    logged = services.walk_in(event, registration_data(family_name="Walker"), by=staff)
    registration = logged.registration
    assert logged.result == "ok" and logged.source == "walk_in"
    assert registration.status == Status.APPROVED and registration.checked_in_at is not None
    actions = db.session.execute(
        db.select(AuditEvent.action).where(AuditEvent.registration_id == registration.id)
    ).scalars()
    assert set(actions) >= {"created", "approved", "checked_in"}


def test_walk_in_of_someone_registered_is_refused(
    event, registration_data, make_registration, make_staff
):
    existing = make_registration("approved")
    data = registration_data(
        given_name=existing.given_name, family_name=existing.family_name, email=existing.email
    )
    with pytest.raises(RegistrationError) as error:
        services.walk_in(event, data, by=make_staff("checkin"))
    assert _code(error) == "duplicate"
