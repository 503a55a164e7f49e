"""Staff accounts and server-side sessions."""

import pytest

from registration.auth import services
from registration.auth.models import Role, StaffSession
from tests.conftest import PASSWORD


def test_passwords_are_argon2_hashed(db, make_staff):
    user = make_staff(Role.ADMIN)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_authenticate(db, make_staff):
    user = make_staff()
    assert services.authenticate(user.email.upper(), PASSWORD) is user
    assert services.authenticate(user.email, "wrong password") is None
    assert services.authenticate("nobody@example.org", PASSWORD) is None
    user.active = False
    assert services.authenticate(user.email, PASSWORD) is None


def test_failed_sign_in_is_logged(db, make_staff, caplog):
    user = make_staff()
    services.authenticate(user.email, "guess")
    assert f"failed staff sign-in for {user.email!r}" in caplog.text


@pytest.mark.parametrize(
    ("email", "password", "code"),
    [
        ("admin@example.org", "short", "weak_password"),
        ("taken@example.org", PASSWORD * 2, "email_taken"),
    ],
)
def test_create_staff_rules(db, make_staff, email, password, code):
    make_staff(email="taken@example.org")
    with pytest.raises(services.AuthError) as error:
        services.create_staff(email, Role.VIEWER, password)
    assert error.value.code == code


def test_sessions_are_stored_as_hashes_and_end_on_sign_out(db, make_staff):
    user = make_staff()
    secret = services.start_session(user)
    stored = db.session.execute(db.select(StaffSession)).scalar_one()
    assert stored.token_hash != secret and len(secret) >= 32
    assert services.load_session_user(secret) is user
    services.end_session(secret)
    assert services.load_session_user(secret) is None
