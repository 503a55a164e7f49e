"""Sign-in, sign-out, safe redirects, throttling and the role guard."""

import pytest

from registration.auth.models import Role
from tests.conftest import PASSWORD, make_test_app


def test_sign_in_page_and_wrong_password(client, make_staff):
    user = make_staff()
    assert client.get("/auth/sign-in").status_code == 200
    response = client.post("/auth/sign-in", data={"email": user.email, "password": "nope"})
    assert response.status_code == 400
    assert "Wrong email or password." in response.text
    assert f'value="{user.email}"' in response.text


def test_anonymous_is_sent_to_sign_in_and_back(client, make_staff):
    response = client.get("/manage/")
    assert response.status_code == 302
    assert response.location.startswith("/auth/sign-in?next=")
    user = make_staff()
    response = client.post(
        "/auth/sign-in?next=/manage/mail/", data={"email": user.email, "password": PASSWORD}
    )
    assert response.location == "/manage/mail/"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_next_never_leaves_the_app(client, make_staff, target):
    user = make_staff()
    response = client.post(
        "/auth/sign-in",
        query_string={"next": target},
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.location == "/manage/"


def test_sign_out_makes_a_copied_cookie_useless(app, client, sign_in):
    sign_in(Role.ADMIN)
    stolen = client.get_cookie("session").value
    assert client.get("/manage/").status_code == 200
    assert client.post("/auth/sign-out").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/manage/")
    assert response.status_code == 302 and "/auth/sign-in" in response.location


def test_role_guard(client, sign_in):
    sign_in(Role.CHECKIN)
    assert client.get("/manage/").status_code == 403


def test_failed_sign_ins_are_throttled(db, make_staff):
    user = make_staff()
    client = make_test_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute").test_client()
    codes = [
        client.post("/auth/sign-in", data={"email": user.email, "password": "x"}).status_code
        for _ in range(4)
    ]
    assert codes == [400, 400, 400, 429]


def test_check_in_staff_land_on_the_desk(client, make_staff):
    user = make_staff(Role.CHECKIN)
    response = client.post("/auth/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.location == "/desk"
    page = client.get("/desk").text
    assert "Check-in desk" in page and "Back office" not in page
