"""What offline desks need from the server: the roster, scan times, duplicates, printed badges."""

from datetime import UTC, datetime, timedelta

from registration.audit.models import AuditEvent
from registration.database import utcnow
from registration.delegates.models import Registration
from registration.delegates.photos import store_photo
from registration.desk import devices
from registration.desk.models import Attendance, Scan
from registration.security import token_hash
from tests.desk.qr_frames import frame_bytes, qr_picture


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def test_roster_is_keyed_by_badge_hash_without_contact_details(
    db, client, device, make_registration, other_registration
):
    anna = make_registration("approved", given_name="Anna", family_name="Lindqvist")
    anna.photo = store_photo(frame_bytes(qr_picture("photo")))
    make_registration("pending")
    db.session.commit()
    response = client.get("/api/v1/roster", headers={"Authorization": f"Bearer {device[1]}"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["full"] is True and body["total"] == 2 and len(body["people"]) == 2
    assert body["event"]["slug"] == anna.event.slug
    entry = next(p for p in body["people"] if p["id"] == anna.id)
    assert entry["key"] == token_hash(anna.badge_token)
    assert entry["name"] == "Ms Anna LINDQVIST" and entry["status"] == "approved"
    assert entry["sessions"] == [s.code for s in anna.sessions]
    assert not {"email", "phone", "nationality", "badge_token", "manage_token"} & set(entry)
    assert anna.badge_token not in response.text
    assert other_registration.family_name not in response.text
    small = client.get(entry["photo_url"])  # opens without a sign-in: the link is the secret
    assert small.status_code == 200 and small.mimetype == "image/jpeg"
    small.close()


def test_roster_delta_and_refusals(db, client, device, make_registration):
    headers = {"Authorization": f"Bearer {device[1]}"}
    old = make_registration("approved")
    db.session.execute(
        db.update(Registration).values(updated_at=utcnow() - timedelta(hours=1))
    )  # a Core update: the ORM would stamp updated_at again
    db.session.commit()
    cursor = client.get("/api/v1/roster", headers=headers).json["cursor"]
    delta = client.get("/api/v1/roster", query_string={"since": cursor}, headers=headers).json
    assert delta["full"] is False and delta["people"] == [] and delta["total"] == 1
    changed = make_registration("approved", given_name="Zoë")
    delta = client.get("/api/v1/roster", query_string={"since": cursor}, headers=headers).json
    assert [p["id"] for p in delta["people"]] == [changed.id] and old.id != changed.id
    bad = client.get("/api/v1/roster?since=yesterday", headers=headers)
    assert bad.status_code == 400 and bad.json["reason"] == "invalid_request"
    assert client.get("/api/v1/roster").status_code == 401
    devices.revoke_device(device[0])
    db.session.commit()
    refused = client.get("/api/v1/roster", headers=headers)
    assert refused.status_code == 401 and "revoked" in refused.json["message"]


def test_attendance_time_is_the_scan_time(db, post_scan, make_registration):
    registration = make_registration("approved")
    scanned = utcnow() - timedelta(minutes=42)
    response = post_scan(token=registration.badge_token, nonce="q1", scanned_at=_iso(scanned))
    assert response.status_code == 201
    db.session.rollback()
    attendance = db.session.execute(db.select(Attendance)).scalar_one()
    assert abs(attendance.checked_in_at - scanned) < timedelta(seconds=1)
    assert attendance.registration.checked_in_at == attendance.checked_in_at
    future = make_registration("approved")
    post_scan(token=future.badge_token, scanned_at=_iso(utcnow() + timedelta(hours=3)))
    db.session.rollback()
    assert db.session.get(Registration, future.id).checked_in_at <= utcnow()


def test_two_offline_desks_count_once_and_keep_the_earliest_time(
    db, client, event, device, post_scan, make_registration
):
    registration = make_registration("approved")
    _second, second_token = devices.create_device(event, "Side door")
    db.session.commit()
    late, early = utcnow() - timedelta(minutes=5), utcnow() - timedelta(minutes=20)
    first = post_scan(
        token=registration.badge_token, nonce="n1", scanned_at=_iso(late), admitted_offline=True
    )
    assert first.status_code == 201
    body = {
        "token": registration.badge_token,
        "checkpoint": "venue",
        "nonce": "n1",  # the same nonce from another device is another scan
        "scanned_at": _iso(early),
        "admitted_offline": True,
    }
    headers = {"Authorization": f"Bearer {second_token}"}
    duplicate = client.post("/api/v1/scans", json=body, headers=headers)
    assert duplicate.status_code == 409 and duplicate.json["reason"] == "duplicate"
    assert "counted once" in duplicate.json["message"]
    again = client.post("/api/v1/scans", json=body, headers=headers)  # a retried sync
    assert again.json["reason"] == "duplicate" and again.headers["Idempotent-Replayed"] == "true"
    db.session.rollback()
    scans = db.session.execute(db.select(Scan).order_by(Scan.id)).scalars().all()
    assert [scan.result for scan in scans] == ["ok", "duplicate"]
    attendance = db.session.execute(db.select(Attendance)).scalar_one()
    assert abs(attendance.checked_in_at - early) < timedelta(seconds=1)
    assert attendance.registration.checked_in_at == attendance.checked_in_at


def test_a_plain_repeat_is_not_a_duplicate(post_scan, make_registration):
    registration = make_registration("approved")
    post_scan(token=registration.badge_token)
    assert post_scan(token=registration.badge_token).json["reason"] == "already_checked_in"


def test_badge_printed_then_reprint_needs_a_reason(db, client, sign_in, event, make_registration):
    staff = sign_in("checkin")
    registration = make_registration("approved")
    url = f"/api/desk/{event.slug}/registrations/{registration.id}/badge-printed"
    assert client.post(url, json={}).json["status"] == "ok"
    db.session.rollback()
    assert db.session.get(Registration, registration.id).badge_printed_at is not None
    refused = client.post(url, json={"reason": "  "})
    assert refused.status_code == 400 and refused.json["reason"] == "reprint_reason_required"
    assert client.post(url, json={"reason": "Coffee on the badge"}).json["status"] == "ok"
    db.session.rollback()
    logged = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "badge_reprinted")
    ).scalar_one()
    assert logged.changes["reprint_reason"] == ["", "Coffee on the badge"]
    assert logged.actor_staff_id == staff.id
    pending = make_registration("pending")
    url = f"/api/desk/{event.slug}/registrations/{pending.id}/badge-printed"
    assert client.post(url, json={}).json["reason"] == "not_printable"


def test_browser_desk_gets_a_device_token(db, client, sign_in, event):
    staff = sign_in("checkin")
    response = client.post(f"/api/desk/{event.slug}/device")
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    token = response.json["token"]
    roster = client.get("/api/v1/roster", headers={"Authorization": f"Bearer {token}"})
    assert roster.status_code == 200
    device = devices.authenticate_device(token)
    assert device.created_by_id == staff.id and staff.email in device.name


def test_service_worker_may_control_the_whole_site(client):
    response = client.get("/desk/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert '"/auth/sign-out"' in response.text and "desk/offline.js" in response.text
