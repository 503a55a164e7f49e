"""The scan API's lean path: what a device scan writes, how few statements it takes, and how
long a process trusts a device token."""

import sqlalchemy as sa

from registration.audit.models import AuditEvent
from registration.delegates.models import Registration
from registration.desk import devices
from registration.desk.models import Attendance, DeviceToken, Scan
from registration.extensions import db as _db


def _statements(db, action) -> list[str]:
    """The SQL statements ``action()`` sends, one line each."""
    sent: list[str] = []

    def capture(_connection, _cursor, statement, *_args):
        sent.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", capture)
    try:
        action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", capture)
    return sent


def test_a_first_venue_scan_writes_the_entry_the_audit_event_and_the_log(
    db, post_scan, make_registration, device
):
    registration = make_registration("approved")
    body = post_scan(token=registration.badge_token, nonce="n1", scanned_at="2020-01-01T09:00Z")
    assert body.status_code == 201
    db.session.rollback()
    entry = db.session.execute(db.select(Attendance)).scalar_one()
    assert entry.registration_id == registration.id and entry.checkpoint == "venue"
    assert entry.checked_in_at.isoformat() == "2020-01-01T09:00:00+00:00"
    assert entry.annulled_at is None and entry.annul_reason == "" and entry.staff_id is None
    assert body.json["attendance"]["id"] == entry.id
    person = db.session.get(Registration, registration.id)
    assert person.checked_in_at == entry.checked_in_at
    assert body.json["registration"]["checked_in_at"]["utc"] == entry.checked_in_at.isoformat()
    audit = db.session.execute(db.select(AuditEvent).filter_by(action="checked_in")).scalar_one()
    assert (audit.action, audit.actor_type, audit.actor_staff_id) == ("checked_in", "device", None)
    assert audit.registration_id == registration.id and audit.event_id == registration.event_id
    assert audit.changes == {"checked_in_at": [None, "2020-01-01T09:00:00+00:00"]}
    logged = db.session.execute(db.select(Scan)).scalar_one()
    assert logged.attendance_id == entry.id and logged.device_id == device[0].id


def test_a_first_scan_takes_one_locked_read_and_three_inserts(
    db, client, post_scan, make_registration, device
):
    post_scan(token="warm-up")  # the device token is checked and trusted from now on
    badge = make_registration("approved").badge_token
    sent = _statements(db, lambda: post_scan(token=badge, nonce="counted"))
    # The locked read, the three inserts and the update of checked_in_at, plus the meeting's row:
    # names shown in the reader's language fall back to the meeting's first language.
    assert len(sent) == 6, sent
    assert sent[-1].startswith("SELECT") and "FROM event" in sent[-1]
    assert sent[0].startswith("SELECT") and "FROM registration" in sent[0]
    assert "device_token" not in " ".join(sent)
    assert sorted(s.split()[2] for s in sent if s.startswith("INSERT")) == [
        "attendance",
        "audit_event",
        "scan",
    ]
    assert [s.split()[1] for s in sent if s.startswith("UPDATE")] == ["registration"]
    # Only what a desk is shown is read: no contact details, needs or sealed tokens.
    assert "email" not in sent[0] and "badge_token_sealed" not in sent[0]


def test_a_revocation_in_this_process_takes_effect_at_once(
    db, post_scan, device, make_registration
):
    assert post_scan(token="warm-up").status_code == 404
    devices.revoke_device(device[0])
    db.session.commit()
    assert post_scan(token=make_registration("approved").badge_token).status_code == 401


def test_a_revocation_elsewhere_takes_effect_within_the_trust_time(
    db, post_scan, device, make_registration, monkeypatch
):
    assert post_scan(token="warm-up").status_code == 404
    # Revoked by another process (another worker, the command line): this one still trusts it …
    db.session.execute(
        sa.update(DeviceToken)
        .where(DeviceToken.id == device[0].id)
        .values(revoked_at=sa.func.now())
    )
    db.session.commit()
    badge = make_registration("approved").badge_token
    assert post_scan(token=badge, nonce="trusted").status_code == 201
    # … until DEVICE_TRUST_SECONDS have passed.
    later = devices.time.monotonic() + devices.DEVICE_TRUST_SECONDS + 1
    monkeypatch.setattr(devices.time, "monotonic", lambda: later)
    refused = post_scan(token=badge, nonce="refused")
    assert refused.status_code == 401 and "revoked" in refused.json["message"]


def test_a_trusted_device_answers_without_reading_its_token(db, app, device):
    with app.test_request_context():
        first = devices.checked_device(device[1])
        assert first == devices.CheckedDevice(device[0].id, device[0].event_id, "Europe/Zurich")
        assert _statements(_db, lambda: devices.checked_device(device[1])) == []
        assert devices.checked_device("not-a-device-token") is None
