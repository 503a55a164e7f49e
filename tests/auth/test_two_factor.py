"""Sign-in steps: TOTP enrolment (required for admins), codes, recovery codes, forced change."""

import re

import pyotp
import pytest

from registration.auth import two_factor
from registration.auth.models import Role, StaffUser
from registration.auth.services import create_staff
from registration.database import utcnow
from tests.conftest import PASSWORD

NEW_PASSWORD = "violet tractor umbrella"


@pytest.fixture
def admins_need_two_factor(app, monkeypatch):
    """The production rule: admins must use two-factor authentication."""
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", ["admin"])


def _password(client, user, password=PASSWORD):
    return client.post("/auth/sign-in", data={"email": user.email, "password": password})


def _enrol(client, db, user) -> list[str]:
    """Walk through the enrolment page; returns the recovery codes shown."""
    page = client.get("/auth/two-factor/enrol")
    assert page.status_code == 200
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    assert 'src="data:image/svg+xml' in page.text  # the QR code, nothing fetched
    wrong = client.post("/auth/two-factor/enrol", data={"code": "000000"})
    assert wrong.status_code == 400 and "does not match" in wrong.text
    done = client.post("/auth/two-factor/enrol", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", done.text)
    assert len(codes) == two_factor.RECOVERY_CODES
    db.session.expire_all()
    return codes


def test_an_admin_enrols_at_first_sign_in(client, db, make_staff, admins_need_two_factor):
    admin = make_staff(Role.ADMIN)
    response = _password(client, admin)
    assert response.location == "/auth/two-factor/enrol"
    assert client.get("/manage/").status_code == 302  # not signed in before enrolment
    codes = _enrol(client, db, admin)
    assert client.get("/manage/").status_code == 200
    stored = db.session.get(StaffUser, admin.id)
    assert stored.two_factor_enabled
    # Only hashes of the recovery codes are kept.
    assert not any(code.replace("-", "") in str(stored.recovery_code_hashes) for code in codes)


def test_the_code_is_asked_after_the_password(app, db, make_staff, admins_need_two_factor):
    admin = make_staff(Role.ADMIN)
    first = app.test_client()
    _password(first, admin)
    codes = _enrol(first, db, admin)
    secret = db.session.get(StaffUser, admin.id).totp_secret

    client = app.test_client()
    assert _password(client, admin).location == "/auth/two-factor"
    assert client.get("/manage/").status_code == 302  # the password alone opens nothing
    assert client.get("/auth/two-factor/enrol").status_code == 302  # no step is skipped
    wrong = client.post("/auth/two-factor", data={"code": "123456"})
    assert wrong.status_code == 400 and "not valid" in wrong.text
    # The code used at enrolment moments ago cannot be replayed.
    replay = client.post("/auth/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert replay.status_code == 400
    # A recovery code works, once.
    assert client.post("/auth/two-factor", data={"code": codes[0].lower()}).status_code == 302
    assert client.get("/manage/").status_code == 200
    other = app.test_client()
    _password(other, admin)
    assert other.post("/auth/two-factor", data={"code": codes[0]}).status_code == 400
    assert other.post("/auth/two-factor", data={"code": codes[1]}).status_code == 302


def test_an_admin_set_password_is_replaced_first(client, db, admins_need_two_factor):
    admin = create_staff("new.admin@iom.example", Role.ADMIN, PASSWORD, must_change_password=True)
    db.session.commit()
    assert _password(client, admin).location == "/auth/new-password"
    assert client.get("/auth/two-factor/enrol").location == "/auth/new-password"
    weak = client.post(
        "/auth/new-password", data={"password": "password1234", "confirm": "password1234"}
    )
    assert weak.status_code == 400 and "too easy to guess" in weak.text
    differ = client.post("/auth/new-password", data={"password": NEW_PASSWORD, "confirm": "other"})
    assert differ.status_code == 400 and "The two passwords differ." in differ.text
    done = client.post(
        "/auth/new-password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert done.location == "/auth/two-factor/enrol"
    _enrol(client, db, admin)
    assert client.get("/manage/").status_code == 200
    stored = db.session.get(StaffUser, admin.id)
    assert not stored.must_change_password


def test_two_factor_is_optional_for_other_roles(client, db, make_staff, admins_need_two_factor):
    registrar = make_staff(Role.REGISTRAR)
    assert _password(client, registrar).location == "/manage/"
    page = client.get("/auth/account")
    assert "Off: signing in asks only for your password." in page.text
    _enrol(client, db, registrar)
    assert db.session.get(StaffUser, registrar.id).two_factor_enabled
    refused = client.post("/auth/account/two-factor/off", data={"current_password": "nope"})
    assert refused.status_code == 400 and "The current password is wrong." in refused.text
    off = client.post("/auth/account/two-factor/off", data={"current_password": PASSWORD})
    assert off.status_code == 302
    db.session.expire_all()
    assert not db.session.get(StaffUser, registrar.id).two_factor_enabled


def test_admins_cannot_turn_their_own_two_factor_off(
    client, db, make_staff, admins_need_two_factor
):
    admin = make_staff(Role.ADMIN)
    _password(client, admin)
    _enrol(client, db, admin)
    page = client.get("/auth/account")
    assert "Turn two-factor authentication off" not in page.text
    client.post("/auth/account/two-factor/off", data={"current_password": PASSWORD})
    assert db.session.get(StaffUser, admin.id).two_factor_enabled
    renewed = client.post("/auth/account/recovery-codes", data={"current_password": PASSWORD})
    assert len(re.findall(r"<code>[A-Z0-9]{5}-[A-Z0-9]{5}</code>", renewed.text)) == 10


def test_two_factor_changes_are_logged(client, db, make_staff, caplog):
    registrar = make_staff(Role.REGISTRAR)
    _password(client, registrar)
    _enrol(client, db, registrar)
    lines = [r.getMessage() for r in caplog.records if r.name == "registration.security"]
    assert any('event="two_factor_enabled" outcome="failure"' in line for line in lines)
    assert any('event="two_factor_enabled" outcome="success"' in line for line in lines)


def test_wrong_codes_slow_the_account_down_too(app, db, make_staff):
    registrar = make_staff(Role.REGISTRAR)
    two_factor.confirm(registrar, pyotp.TOTP(two_factor.pending_secret(registrar)).now())
    db.session.commit()
    client = app.test_client()
    _password(client, registrar)
    free = app.config["LOGIN_FREE_FAILURES"]
    codes = [
        client.post("/auth/two-factor", data={"code": "000000"}).status_code for _ in range(free)
    ]
    assert codes == [400] * free
    db.session.rollback()
    account = db.session.get(StaffUser, registrar.id)
    assert account.failed_sign_ins == free
    account.last_failed_sign_in_at = utcnow()  # the delay of one second starts now
    db.session.commit()
    waiting = client.post("/auth/two-factor", data={"code": "000000"})
    assert waiting.status_code == 429 and "Please wait" in waiting.text
