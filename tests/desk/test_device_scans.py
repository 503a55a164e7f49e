"""The scan API's lean path: what a device scan writes, how few statements it takes, and how
long a process trusts a device token."""

import time

import sqlalchemy as sa

from registration.audit.models import AuditEvent
from registration.delegates.models import Registration
from registration.desk import devices, scanned
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


def test_a_first_scan_takes_one_locked_read_and_one_write_statement(
    db, client, post_scan, make_registration, device
):
    first, counted = make_registration("approved"), make_registration("approved")
    db.session.commit()
    # The device token is checked and the meeting's names read: trusted from now on.
    assert post_scan(token=first.badge_token, nonce="warm-up").status_code == 201
    badge = counted.badge_token
    sent = _statements(db, lambda: post_scan(token=badge, nonce="counted"))
    sent = [statement for statement in sent if statement != "BEGIN"]  # SQLite's, sent by us
    assert sent[0].startswith("SELECT") and "FROM registration" in sent[0]
    # Only what a desk is shown is read: no contact details, needs or sealed tokens.
    assert "email" not in sent[0] and "badge_token_sealed" not in sent[0]
    assert "device_token" not in " ".join(sent) and "FROM event" not in " ".join(sent)
    writes = sent[1:]
    if db.engine.dialect.name == "postgresql":
        # The entry, checked_in_at, the audit event and the scan log: one statement.
        assert len(writes) == 1, writes
        assert writes[0].startswith("WITH") and "INSERT INTO scan" in writes[0]
        for part in ("UPDATE registration", "INSERT INTO audit_event", "INSERT INTO attendance"):
            assert part in writes[0]
    else:
        assert [" ".join(s.split()[:3]) for s in writes] == [
            "INSERT INTO attendance",
            "UPDATE registration SET",
            "INSERT INTO audit_event",
            "INSERT INTO scan",
        ]


def test_names_changed_in_this_process_show_on_the_next_scan(
    db, post_scan, make_registration, event
):
    person, other = make_registration("approved"), make_registration("approved")
    db.session.commit()
    before = post_scan(token=person.badge_token, nonce="n1").json["registration"]
    category = person.category
    category.name = {**category.name, "en": "Renamed category"}
    db.session.commit()
    after = post_scan(token=other.badge_token, nonce="n2").json["registration"]
    assert before["category"] != "Renamed category"
    assert after["category"] == "Renamed category"


def test_names_changed_elsewhere_show_within_the_trust_time(
    db, post_scan, make_registration, monkeypatch
):
    people = [make_registration("approved") for _ in range(3)]
    db.session.commit()
    post_scan(token=people[0].badge_token, nonce="n1")
    # Another process renames the category: nothing is flushed in this one.
    category_table = people[0].category.__table__
    db.session.execute(
        sa.update(category_table)
        .where(category_table.c.id == people[0].category_id)
        .values(name={"en": "Renamed elsewhere"})
    )
    db.session.commit()
    held = post_scan(token=people[1].badge_token, nonce="n2").json["registration"]
    assert held["category"] != "Renamed elsewhere"
    later = time.monotonic() + devices.DEVICE_TRUST_SECONDS + 1
    monkeypatch.setattr(scanned.time, "monotonic", lambda: later)
    # The device is checked again as well; the names are read again.
    fresh = post_scan(token=people[2].badge_token, nonce="n3").json["registration"]
    assert fresh["category"] == "Renamed elsewhere"


def test_a_session_added_since_the_names_were_read_is_found_at_once(
    db, post_scan, make_registration, event
):
    person = make_registration("approved")
    db.session.commit()
    post_scan(token=person.badge_token, nonce="n1")
    table = event.sessions[0].__table__
    source = event.sessions[0]
    db.session.execute(
        sa.insert(table).values(
            event_id=event.id,
            code="late-session",
            title={"en": "A late session"},
            description={},
            kind="plenary",
            starts_at=source.starts_at,
            ends_at=source.ends_at,
            room="",
            moderator="",
            speakers=[],
        )
    )
    db.session.commit()
    answer = post_scan(token=person.badge_token, nonce="n2", checkpoint="late-session", force=True)
    assert answer.status_code == 201, answer.json
    assert answer.json["checkpoint"] == "late-session"


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
