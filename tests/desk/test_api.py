"""POST /api/v1/scans: every reason, nonce idempotency, device tokens, and JSON for any input."""

import pytest

from registration.desk import devices
from registration.desk.models import Attendance, Scan
from tests.conftest import make_test_app


def _count(db, model) -> int:
    db.session.rollback()  # see what the requests committed
    return db.session.execute(db.select(db.func.count(model.id))).scalar_one()


def test_ok_answers_201_with_the_summary(post_scan, make_registration, device):
    registration = make_registration("approved")
    response = post_scan(token=registration.badge_token, nonce="a1")
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "ok" and body["checkpoint"] == "venue"
    person = body["registration"]
    assert person["name"] == registration.full_name
    assert person["entity"] == "Netherlands (Kingdom of the)"
    assert person["category"] == "Member States" and person["status"] == "approved"
    sessions = registration.sessions
    assert person["sessions"] == [{"code": s.code, "title": s.title_in()} for s in sessions]
    # What a desk sees: nothing about contact details, nationality or needs.
    assert not {"email", "phone", "nationality", "dietary_needs"} & set(person)
    assert body["attendance"]["checked_in_at"]["utc"]


@pytest.mark.parametrize(
    ("status", "reason"),
    [("pending", "not_approved"), ("withdrawn", "withdrawn"), ("rejected", "rejected")],
)
def test_status_reasons(post_scan, make_registration, status, reason):
    response = post_scan(token=make_registration(status).badge_token)
    assert response.status_code == 409
    assert response.json["status"] == "error" and response.json["reason"] == reason
    assert response.json["message"]


def test_unknown_token(post_scan):
    response = post_scan(token="not-a-badge")
    assert response.status_code == 404
    assert response.json["reason"] == "unknown_token" and "registration" not in response.json


def test_already_checked_in_gives_the_first_time(post_scan, make_registration):
    registration = make_registration("approved")
    first = post_scan(token=registration.badge_token).json
    response = post_scan(token=registration.badge_token)
    assert response.status_code == 409
    assert response.json["reason"] == "already_checked_in"
    assert response.json["first_checked_in_at"] == first["attendance"]["checked_in_at"]


def test_wrong_event(post_scan, other_registration):
    response = post_scan(token=other_registration.badge_token)
    assert response.status_code == 409 and response.json["reason"] == "wrong_event"
    assert "registration" not in response.json


def test_session_not_chosen_then_forced(post_scan, make_registration, event):
    registration = make_registration("approved")
    other = next(s for s in event.sessions if s not in registration.sessions)
    refused = post_scan(token=registration.badge_token, checkpoint=other.code)
    assert refused.status_code == 409 and refused.json["reason"] == "session_not_chosen"
    forced = post_scan(token=registration.badge_token, checkpoint=other.code, force=True)
    assert forced.status_code == 201 and forced.json["forced"] is True


def test_unknown_checkpoint(post_scan, make_registration):
    response = post_scan(token=make_registration("approved").badge_token, checkpoint="nowhere")
    assert response.status_code == 422 and response.json["reason"] == "unknown_checkpoint"


def test_venue_and_session_are_separate_records(db, post_scan, make_registration):
    registration = make_registration("approved")
    chosen = registration.sessions[0].code
    assert post_scan(token=registration.badge_token).status_code == 201
    assert post_scan(token=registration.badge_token, checkpoint=chosen).status_code == 201
    assert _count(db, Attendance) == 2


def test_same_nonce_same_answer_one_record(db, post_scan, make_registration):
    registration = make_registration("approved")
    first = post_scan(token=registration.badge_token, nonce="retry-me")
    again = post_scan(token=registration.badge_token, nonce="retry-me")
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.headers["Idempotent-Replayed"] == "false"
    assert _count(db, Scan) == 1 and _count(db, Attendance) == 1
    # A failed scan is replayed the same way.
    refused = post_scan(token="unknown", nonce="retry-refusal")
    assert post_scan(token="unknown", nonce="retry-refusal").json == refused.json
    assert _count(db, Scan) == 2


def test_the_scan_log_records_device_and_details(db, post_scan, make_registration, device):
    registration = make_registration("approved")
    post_scan(token=registration.badge_token, nonce="x", scanned_at="2030-05-01T08:15:00+02:00")
    db.session.rollback()
    logged = db.session.execute(db.select(Scan)).scalar_one()
    assert logged.device_id == device[0].id and logged.staff_id is None
    assert logged.source == "api" and logged.result == "ok" and logged.nonce == "x"
    assert logged.scanned_at.isoformat() == "2030-05-01T06:15:00+00:00"
    assert logged.registration_id == registration.id


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer wrong-token", "Bearer " + "x" * 5000],
)
def test_a_valid_device_token_is_required(client, make_registration, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = client.post(
        "/api/v1/scans",
        json={"token": make_registration("approved").badge_token, "checkpoint": "venue"},
        headers=headers,
    )
    assert response.status_code == 401
    assert response.json["reason"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_stops_working(db, post_scan, device, make_registration):
    devices.revoke_device(device[0])
    db.session.commit()
    assert post_scan(token=make_registration("approved").badge_token).status_code == 401


def test_only_the_hash_of_a_device_token_is_stored(db, device):
    row, token = device
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert devices.authenticate_device(token) == row


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe\x00",
        b"[1, 2]",
        b'"token"',
        b"null",
        b"{}",
        b'{"token": 42}',
        b'{"token": ""}',
        b'{"token": ["a"]}',
        b'{"token": "a", "checkpoint": 7}',
        b'{"token": "a", "checkpoint": ""}',
        b'{"token": "a", "force": "yes"}',
        b'{"token": "a", "nonce": {"n": 1}}',
        b'{"token": "a", "scanned_at": "yesterday"}',
        b'{"token": "a", "scanned_at": "0001-01-01T00:00:00+14:00"}',
        b'{"token": "' + b"t" * 300 + b'"}',
        b'{"token": "a", "checkpoint": "' + b"c" * 65 + b'"}',
        b'{"token": "a", "nonce": "' + b"n" * 101 + b'"}',
        b"[" * 5000 + b"]" * 5000,
    ],
)
def test_malformed_bodies_get_a_json_400(db, client, device, body):
    response = client.post(
        "/api/v1/scans",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {device[1]}"},
    )
    assert response.status_code == 400, response.text
    assert response.json["status"] == "error" and response.json["reason"] == "invalid_request"
    assert _count(db, Scan) == 0


def test_a_huge_body_gets_a_json_413(client, device):
    response = client.post(
        "/api/v1/scans",
        data=b'{"token": "' + b"x" * 100_000 + b'"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {device[1]}"},
    )
    assert response.status_code == 413 and response.json["status"] == "error"


def test_other_methods_get_json(client):
    response = client.get("/api/v1/scans")
    assert response.status_code == 405 and response.json["status"] == "error"


def test_no_csrf_token_is_needed_with_a_bearer_token(db, device, make_registration):
    app = make_test_app(WTF_CSRF_ENABLED=True)
    registration = make_registration("approved")
    with app.test_client() as client:
        response = client.post(
            "/api/v1/scans",
            json={"token": registration.badge_token, "checkpoint": "venue"},
            headers={"Authorization": f"Bearer {device[1]}"},
        )
    assert response.status_code == 201


def test_refusals_carry_a_message_for_people(post_scan):
    response = post_scan(token="unknown", headers={"Accept-Language": "en"})
    assert response.json["message"] == "Unknown badge. Search by name instead."
