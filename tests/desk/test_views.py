"""Desk pages and the desk's JSON endpoints: wiring, roles, CSRF, walk-ins, lists and exports."""

import csv
import io
import re

import pytest
from PIL import Image

from registration.delegates.models import Registration, Status
from registration.delegates.photos import store_photo
from registration.desk.models import Attendance, DeviceToken, Scan
from registration.security import token_hash
from tests.conftest import PASSWORD, make_test_app
from tests.desk.qr_frames import frame_bytes, qr_picture


@pytest.fixture
def desk_url(event):
    """desk_url(path) → /api/desk/<slug>/<path>."""
    return lambda path: f"/api/desk/{event.slug}/{path}"


def _fresh(db, model, ident):
    db.session.rollback()
    return db.session.get(model, ident)


@pytest.mark.parametrize(
    ("role", "status"), [("checkin", 200), ("registrar", 200), ("viewer", 403)]
)
def test_desk_page_roles(client, sign_in, event, role, status):
    sign_in(role)
    response = client.get(f"/desk/e/{event.slug}")
    assert response.status_code == status
    if status == 200:
        assert 'id="scan-input"' in response.text and "desk/desk.js" in response.text
        assert 'name="csrf-token"' in response.text


def test_anonymous_staff_are_sent_to_sign_in_and_json_callers_get_401(client, event, desk_url):
    assert client.get(f"/desk/e/{event.slug}").status_code == 302
    response = client.post(desk_url("scans"), json={"token": "x"})
    assert response.status_code == 401 and response.json["status"] == "error"


def test_desk_index_goes_straight_to_the_only_meeting(client, sign_in, event):
    sign_in("checkin")
    response = client.get("/desk")
    assert response.status_code == 302 and response.location.endswith(f"/desk/e/{event.slug}")


def test_scan_from_the_desk_page(db, client, sign_in, make_registration, desk_url, event):
    staff = sign_in("checkin")
    registration = make_registration("approved")
    registration.photo = store_photo(frame_bytes(qr_picture("photo")))
    db.session.commit()
    response = client.post(
        desk_url("scans"),
        json={"token": registration.badge_token, "checkpoint": "venue", "nonce": "d1"},
    )
    assert response.status_code == 201
    person = response.json["registration"]
    assert person["photo_url"].startswith(f"/desk/photos/{registration.id}/")
    annul_url = response.json["attendance"]["annul_url"]
    assert annul_url.startswith(desk_url("attendances/"))
    photo = client.get(person["photo_url"])
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(photo.data)).size == (300, 400)
    photo.close()
    logged = db.session.execute(db.select(Scan)).scalar_one()
    assert logged.staff_id == staff.id and logged.source == "scanner"


def test_search_then_one_click_check_in(db, client, sign_in, make_registration, desk_url):
    sign_in("checkin")
    registration = make_registration("approved", family_name="Okonkwo")
    found = client.get(desk_url("search"), query_string={"q": "okonk"}).json["results"]
    assert [person["id"] for person in found] == [registration.id]
    assert "email" not in found[0]
    response = client.post(
        desk_url("scans"), json={"registration_id": registration.id, "source": "search"}
    )
    assert response.status_code == 201
    assert db.session.execute(db.select(Scan.source)).scalar_one() == "search"


def test_desk_scans_check_their_input(client, sign_in, desk_url):
    sign_in("checkin")
    for body in ({}, {"registration_id": "1"}, {"registration_id": True}, [1]):
        response = client.post(desk_url("scans"), json=body)
        assert response.status_code == 400 and response.json["reason"] == "invalid_request"


def test_camera_frame_checks_in(db, client, sign_in, make_registration, desk_url):
    sign_in("checkin")
    registration = make_registration("approved")
    frame = frame_bytes(qr_picture(registration.badge_token))
    response = client.post(
        desk_url("frames") + "?checkpoint=venue&nonce=f1", data=frame, content_type="image/jpeg"
    )
    assert response.status_code == 201 and response.json["registration"]["id"] == registration.id
    again = client.post(
        desk_url("frames") + "?checkpoint=venue&nonce=f1", data=frame, content_type="image/jpeg"
    )
    assert again.json == response.json
    assert db.session.execute(db.select(Scan.source)).scalar_one() == "camera"


def test_frames_without_a_code_record_nothing(db, client, sign_in, desk_url):
    sign_in("checkin")
    for data in (frame_bytes(qr_picture("")), b"", b"garbage"):
        response = client.post(desk_url("frames"), data=data, content_type="image/jpeg")
        assert response.status_code == 200 and response.json == {"status": "no_code"}
    big = client.post(desk_url("frames"), data=b"x" * (3 * 1024 * 1024))
    assert big.status_code == 413 and big.json["status"] == "error"
    assert db.session.execute(db.select(db.func.count(Scan.id))).scalar_one() == 0


def test_annul_from_the_desk(db, client, sign_in, make_registration, desk_url):
    sign_in("checkin")
    registration = make_registration("approved")
    scanned = client.post(desk_url("scans"), json={"token": registration.badge_token}).json
    url = scanned["attendance"]["annul_url"]
    assert client.post(url, json={"reason": " "}).json["reason"] == "reason_required"
    response = client.post(url, json={"reason": "wrong badge"})
    assert response.status_code == 200 and response.json["attendance"]["annulled"] is True
    assert _fresh(db, Registration, registration.id).checked_in_at is None
    assert client.post(url, json={"reason": "again"}).status_code == 409
    assert client.post(url, data=b"{", content_type="application/json").status_code == 400


def test_annul_refuses_an_entry_of_another_meeting(
    db, client, sign_in, other_registration, desk_url
):
    sign_in("checkin")
    entry = Attendance(registration_id=other_registration.id, checkpoint="venue")
    db.session.add(entry)
    db.session.commit()
    response = client.post(desk_url(f"attendances/{entry.id}/annul"), json={"reason": "x"})
    assert response.status_code == 404 and response.json["status"] == "error"


def test_counts_move_after_a_check_in(client, sign_in, make_registration, desk_url):
    sign_in("viewer")
    registration = make_registration("approved")
    make_registration("pending")
    before = client.get(desk_url("counts")).json
    assert (before["approved"], before["checked_in"]) == (1, 0)
    client.post("/auth/sign-out")
    sign_in("checkin")
    client.post(desk_url("scans"), json={"token": registration.badge_token})
    chosen = registration.sessions[0].code
    client.post(desk_url("scans"), json={"token": registration.badge_token, "checkpoint": chosen})
    after = client.get(desk_url("counts")).json
    assert (after["approved"], after["checked_in"]) == (1, 1)
    member_states = next(row for row in after["categories"] if row["name"] == "Member States")
    assert (member_states["approved"], member_states["checked_in"]) == (1, 1)
    session = next(row for row in after["sessions"] if row["code"] == chosen)
    assert (session["chosen"], session["attended"]) == (1, 1)


def test_csrf_header_is_required_when_csrf_is_on(db, event, make_staff, make_registration):
    app = make_test_app(WTF_CSRF_ENABLED=True)
    staff = make_staff("checkin")
    registration = make_registration("approved")
    url = f"/api/desk/{event.slug}/scans"
    with app.test_client() as browser:
        form = browser.get("/auth/sign-in").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        browser.post(
            "/auth/sign-in",
            data={"email": staff.email, "password": PASSWORD, "csrf_token": token},
        )
        page = browser.get(f"/desk/e/{event.slug}").text
        header = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        refused = browser.post(url, json={"token": registration.badge_token})
        assert refused.status_code == 400 and refused.json["status"] == "error"
        accepted = browser.post(
            url, json={"token": registration.badge_token}, headers={"X-CSRFToken": header}
        )
        assert accepted.status_code == 201


def _walk_in_form(event, **overrides) -> dict:
    category = next(c for c in event.categories if c.code == "ngo")
    values = {
        "category": str(category.id),
        "entity": "other",
        "other_organisation": "Migrants' Voice Network",
        "honorific": "dr",
        "given_name": "Amaka",
        "family_name": "Eze",
        "email": "amaka.eze@example.org",
        "function": "Director",
        "language": "en",
        "gender": "",
        "nationality": "",
        "privacy": "y",
    }
    values.update(overrides)
    return values


def test_walk_in_registers_approves_and_checks_in(db, client, sign_in, event):
    sign_in("checkin")
    assert client.get(f"/desk/e/{event.slug}/walk-in").status_code == 200
    response = client.post(f"/desk/e/{event.slug}/walk-in", data=_walk_in_form(event))
    assert response.status_code == 302
    db.session.rollback()
    registration = db.session.execute(db.select(Registration)).scalar_one()
    assert registration.status == Status.APPROVED and registration.checked_in_at is not None
    assert response.location.endswith(f"/desk/e/{event.slug}/walk-in/{registration.id}")
    done = client.get(response.location)
    assert done.status_code == 200 and "Dr Amaka EZE" in done.text
    assert 'id="print-button"' in done.text and "/badge-printed" in done.text
    assert "frame-src 'self' blob:" in done.headers["Content-Security-Policy"]


def test_walk_in_errors_keep_what_was_typed(db, client, sign_in, event, make_registration):
    sign_in("checkin")
    response = client.post(
        f"/desk/e/{event.slug}/walk-in", data=_walk_in_form(event, email="not-an-email")
    )
    assert response.status_code == 400 and 'value="Amaka"' in response.text
    existing = make_registration("approved")
    duplicate = _walk_in_form(
        event,
        given_name=existing.given_name,
        family_name=existing.family_name,
        email=existing.email,
    )
    response = client.post(f"/desk/e/{event.slug}/walk-in", data=duplicate)
    # The registered person is offered instead, and what was typed is kept.
    assert response.status_code == 409 and 'id="walk-in-matches"' in response.text
    assert existing.reference in response.text and 'value="Anna"' in response.text
    assert db.session.execute(db.select(db.func.count(Registration.id))).scalar_one() == 1


def test_dashboard_renders_counts_and_polls(client, sign_in, event, make_registration):
    make_registration("approved")
    sign_in("viewer")
    response = client.get(f"/desk/e/{event.slug}/dashboard")
    assert response.status_code == 200
    assert 'data-count="approved">1<' in response.text and "desk/dashboard.js" in response.text


def test_attendance_list_and_csv(db, client, sign_in, event, make_registration, desk_url):
    sign_in("registrar")
    registration = make_registration("approved", family_name="=HYPERLINK(evil)")
    chosen = registration.sessions[0]
    client.post(
        desk_url("scans"), json={"token": registration.badge_token, "checkpoint": chosen.code}
    )
    page = client.get(f"/desk/e/{event.slug}/attendance/{chosen.code}")
    assert page.status_code == 200 and registration.reference in page.text
    assert client.get(f"/desk/e/{event.slug}/attendance/nowhere").status_code == 404
    response = client.get(f"/desk/e/{event.slug}/attendance/{chosen.code}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][0] == "Reference" and rows[1][0] == registration.reference
    assert rows[1][2] == "'=HYPERLINK(evil)"
    venue = client.get(f"/desk/e/{event.slug}/attendance/venue/export.csv")
    assert len(list(csv.reader(io.StringIO(venue.data.decode("utf-8-sig"))))) == 1


def test_check_in_staff_see_lists_but_not_exports(client, sign_in, event):
    sign_in("checkin")
    assert client.get(f"/desk/e/{event.slug}/attendance/venue").status_code == 200
    assert client.get(f"/desk/e/{event.slug}/attendance/venue/export.csv").status_code == 403


def test_admin_creates_a_device_token_shown_once(db, client, sign_in, event):
    sign_in("admin")
    assert client.get("/manage/desk/devices").status_code == 200
    response = client.post("/manage/desk/devices", data={"event": str(event.id), "name": "Door B"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    token = re.search(r'<code class="token">([^<]+)</code>', response.text).group(1)
    device = db.session.execute(db.select(DeviceToken)).scalar_one()
    assert device.name == "Door B" and device.token_hash == token_hash(token)
    listing = client.get("/manage/desk/devices").text
    assert "Door B" in listing and token not in listing
    assert client.post("/manage/desk/devices", data={"event": str(event.id)}).status_code == 400
    client.post(f"/manage/desk/devices/{device.id}/revoke")
    assert _fresh(db, DeviceToken, device.id).revoked_at is not None


@pytest.mark.parametrize("role", ["registrar", "checkin", "viewer"])
def test_only_admins_manage_devices(client, sign_in, role):
    sign_in(role)
    assert client.get("/manage/desk/devices").status_code == 403
    assert client.post("/manage/desk/devices/1/revoke").status_code == 403
