"""Sign-in, sign-out, safe redirects, throttling and the role guard."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from registration.auth import services
from registration.auth.models import AccountToken, Role, StaffSession, StaffUser
from registration.database import utcnow
from registration.links import hide_secret_links
from registration.mail.models import OutboxEmail
from tests.conftest import PASSWORD, make_test_app

NEW = "violet tractor umbrella"


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


def _csrf(page_text: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page_text).group(1)


def test_the_csrf_token_changes_at_sign_in(db, make_staff):
    user = make_staff()
    client = make_test_app(WTF_CSRF_ENABLED=True).test_client()
    before = _csrf(client.get("/auth/sign-in").text)
    response = client.post(
        "/auth/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": before}
    )
    assert response.status_code == 302
    # A token planted before sign-in (login CSRF, fixation) is worthless afterwards.
    assert client.post("/auth/sign-out", data={"csrf_token": before}).status_code == 400
    after = _csrf(client.get("/auth/account").text)
    assert after != before
    assert client.post("/auth/sign-out", data={"csrf_token": after}).status_code == 302


def test_an_idle_session_ends_and_activity_keeps_it(client, db, sign_in):
    user = sign_in(Role.REGISTRAR)
    stored = db.session.execute(db.select(StaffSession)).scalar_one()
    stored.last_seen_at = utcnow() - timedelta(minutes=25)
    db.session.commit()
    assert client.get("/manage/").status_code == 200
    db.session.refresh(stored)
    assert utcnow() - stored.last_seen_at < timedelta(minutes=1)  # reading pages counts
    stored.last_seen_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    response = client.get("/manage/")
    assert response.status_code == 302 and "/auth/sign-in" in response.location
    assert user.email  # the account itself is untouched


def test_a_backdated_session_is_refused(client, db, sign_in):
    sign_in(Role.ADMIN)
    stored = db.session.execute(db.select(StaffSession)).scalar_one()
    stored.created_at = stored.last_seen_at = utcnow() - timedelta(days=400)
    db.session.commit()
    assert client.get("/manage/").status_code == 302


def test_deactivating_an_account_signs_it_out_at_once(app, client, db, sign_in, make_staff):
    registrar = make_staff(Role.REGISTRAR)
    theirs = app.test_client()
    theirs.post("/auth/sign-in", data={"email": registrar.email, "password": PASSWORD})
    assert theirs.get("/manage/").status_code == 200
    sign_in(Role.ADMIN)
    assert client.post(f"/manage/staff/{registrar.id}/deactivate").status_code == 302
    assert theirs.get("/manage/").status_code == 302


def test_staff_change_their_password(client, db, sign_in):
    user = sign_in(Role.VIEWER)
    wrong = client.post(
        "/auth/account/password",
        data={"current_password": "nope", "password": NEW, "confirm": NEW},
    )
    assert wrong.status_code == 400 and "The current password is wrong." in wrong.text
    weak = client.post(
        "/auth/account/password",
        data={"current_password": PASSWORD, "password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"},
    )
    assert weak.status_code == 400 and "too easy to guess" in weak.text
    done = client.post(
        "/auth/account/password",
        data={"current_password": PASSWORD, "password": NEW, "confirm": NEW},
    )
    assert done.status_code == 302
    assert client.get("/manage/").status_code == 200  # this session stays
    db.session.expire_all()
    assert services.verify_password(db.session.get(StaffUser, user.id), NEW)


def _link(db, recipient: str) -> str:
    """The set-password link of the newest email to ``recipient``."""
    message = (
        db.session.execute(
            db.select(OutboxEmail)
            .where(OutboxEmail.recipient == recipient)
            .order_by(OutboxEmail.id.desc())
        )
        .scalars()
        .first()
    )
    return re.search(r"https?://\S+/auth/set-password/\S+", message.body_text).group(0)


def test_a_forgotten_password_is_reset_once_through_the_emailed_link(app, client, db, make_staff):
    user = make_staff()
    other = app.test_client()
    other.post("/auth/sign-in", data={"email": user.email, "password": PASSWORD})
    unknown = client.post(
        "/auth/forgot", data={"email": "nobody@example.org"}, follow_redirects=True
    )
    known = client.post("/auth/forgot", data={"email": user.email}, follow_redirects=True)
    assert known.text == unknown.text  # the answer does not reveal which accounts exist
    assert db.session.execute(db.select(db.func.count(OutboxEmail.id))).scalar_one() == 1
    link = _link(db, user.email)
    assert link.startswith(f"{app.config['PUBLIC_BASE_URL']}/auth/set-password/")
    secret = link.rsplit("/", 1)[1]
    assert secret not in hide_secret_links(f"GET /auth/set-password/{secret} HTTP/1.1")
    stored = db.session.execute(db.select(AccountToken)).scalar_one()
    assert stored.token_hash != secret and secret not in stored.token_hash  # only a hash kept
    path = urlsplit(link).path
    assert client.get(path).status_code == 200
    weak = client.post(path, data={"password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 400 and "too easy to guess" in weak.text
    assert client.post(path, data={"password": NEW, "confirm": NEW}).status_code == 302
    assert client.get(path).status_code == 404  # used once
    assert "no longer valid" in client.get(path).text
    assert other.get("/manage/").status_code == 302  # whoever was signed in is signed out
    response = client.post("/auth/sign-in", data={"email": user.email, "password": NEW})
    assert response.status_code == 302


def test_reset_links_expire_and_only_the_newest_works(client, db, make_staff):
    user = make_staff()
    client.post("/auth/forgot", data={"email": user.email})
    first = urlsplit(_link(db, user.email)).path
    client.post("/auth/forgot", data={"email": user.email})
    second = urlsplit(_link(db, user.email)).path
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    db.session.execute(db.update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert client.post(second, data={"password": NEW, "confirm": NEW}).status_code == 404
