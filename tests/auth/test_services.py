"""Staff accounts: password policy, sign-in with growing delays, server-side sessions."""

from datetime import timedelta

import pytest

from registration.auth import services
from registration.auth.models import Role, StaffSession
from registration.auth.passwords import PasswordError, check_password
from registration.database import utcnow
from tests.conftest import PASSWORD


def test_passwords_are_argon2_hashed(db, make_staff):
    user = make_staff(Role.ADMIN)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("aaaaaaaaaaaa", "guessable"),
        ("password1234", "guessable"),
        ("qwertyuiop12", "guessable"),
        (" " * 14, "too_short"),
        ("short pass", "too_short"),
        ("  spaced out  ", "too_short"),  # surrounding spaces do not count
        ("x" * 201, "too_long"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(app, password, code):
    with pytest.raises(PasswordError) as refused:
        check_password(password)
    assert refused.value.code == code and refused.value.field == "password"
    assert refused.value.message  # a sentence a person can act on


def test_passwords_built_from_the_account_name_are_refused(app):
    with pytest.raises(PasswordError):
        check_password("marie.dupont2024", user_inputs=("marie.dupont@iom.example", "Marie Dupont"))
    check_password("violet tractor umbrella")  # unrelated words pass


def test_messages_say_what_to_do(app):
    with pytest.raises(PasswordError) as short:
        check_password(" " * 12)
    assert "12 characters" in short.value.message
    with pytest.raises(PasswordError) as common:
        check_password("password1234")
    assert "too easy to guess" in common.value.message


def test_authenticate(db, make_staff):
    user = make_staff()
    assert services.authenticate(user.email.upper(), PASSWORD) is user
    for email, password in [(user.email, "wrong password"), ("nobody@example.org", PASSWORD)]:
        with pytest.raises(services.SignInError) as refused:
            services.authenticate(email, password)
        assert refused.value.code == "wrong_credentials"
    user.active = False
    with pytest.raises(services.SignInError):
        services.authenticate(user.email, PASSWORD)


def test_sign_in_outcomes_are_in_the_security_log(db, make_staff, caplog):
    user = make_staff()
    with pytest.raises(services.SignInError):
        services.authenticate(user.email, "guess")
    services.start_session(services.authenticate(user.email, PASSWORD))
    lines = [r.getMessage() for r in caplog.records if r.name == "registration.security"]
    assert any(
        'event="sign_in" outcome="failure"' in line
        and f'account="{user.email}"' in line
        and 'reason="wrong_password"' in line
        and "time=" in line
        and "address=" in line
        for line in lines
    )
    assert any('event="sign_in" outcome="success"' in line for line in lines)
    assert not any("guess" in line or PASSWORD in line for line in lines)  # never a secret


def test_a_log_line_cannot_be_forged_through_the_email(db, caplog):
    with pytest.raises(services.SignInError):
        services.authenticate('x@example.org\nsecurity INFO event="sign_in"', "guess")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "registration.security"]
    assert "\n" not in line and "\\n" in line


def _fail(user, times: int) -> None:
    for _ in range(times):
        with pytest.raises(services.SignInError):
            services.authenticate(user.email, "not the password")


def test_failures_slow_the_account_down_but_never_lock_it(app, db, make_staff):
    user = make_staff()
    free = app.config["LOGIN_FREE_FAILURES"]
    _fail(user, free + 3)  # the later ones arrive within the delay and are refused unchecked
    assert user.failed_sign_ins >= free
    with pytest.raises(services.SignInError) as throttled:
        services.authenticate(user.email, PASSWORD)  # even the right password waits
    assert throttled.value.code == "throttled"
    assert 0 < throttled.value.retry_after <= app.config["LOGIN_DELAY_MAX_SECONDS"]
    # Once the delay has passed, the real user's right password gets in and the count restarts.
    user.last_failed_sign_in_at = utcnow() - timedelta(seconds=throttled.value.retry_after + 1)
    db.session.commit()
    assert services.authenticate(user.email, PASSWORD) is user
    services.start_session(user)
    assert user.failed_sign_ins == 0


def test_the_delay_grows_and_is_capped(app, db, make_staff):
    user = make_staff()
    user.failed_sign_ins = app.config["LOGIN_FREE_FAILURES"] + 50
    user.last_failed_sign_in_at = utcnow()
    db.session.commit()
    with pytest.raises(services.SignInError) as throttled:
        services.authenticate(user.email, PASSWORD)
    assert throttled.value.retry_after == app.config["LOGIN_DELAY_MAX_SECONDS"]
    user.failed_sign_ins = app.config["LOGIN_FREE_FAILURES"] + 2
    db.session.commit()
    with pytest.raises(services.SignInError) as shorter:
        services.authenticate(user.email, PASSWORD)
    assert shorter.value.retry_after == 4


@pytest.mark.parametrize(
    ("email", "password", "code"),
    [
        ("admin@example.org", "short", "weak_password"),
        ("admin@example.org", "password1234", "weak_password"),
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


@pytest.mark.parametrize(
    ("created", "seen", "valid"),
    [
        (timedelta(hours=1), timedelta(minutes=29), True),
        (timedelta(hours=1), timedelta(minutes=31), False),  # idle
        (timedelta(hours=13), timedelta(minutes=1), False),  # past the absolute lifetime
        (timedelta(days=400), timedelta(days=400), False),  # a backdated session
    ],
)
def test_sessions_expire_when_idle_or_old(db, make_staff, created, seen, valid):
    user = make_staff()
    secret = services.start_session(user)
    stored = db.session.execute(db.select(StaffSession)).scalar_one()
    stored.created_at = utcnow() - created
    stored.last_seen_at = utcnow() - seen
    db.session.commit()
    assert (services.load_session_user(secret) is user) is valid


def test_activity_keeps_a_session_alive(db, make_staff):
    user = make_staff()
    secret = services.start_session(user)
    stored = db.session.execute(db.select(StaffSession)).scalar_one()
    stored.last_seen_at = utcnow() - timedelta(minutes=20)
    db.session.commit()
    assert services.touch_session(secret)
    db.session.refresh(stored)
    assert utcnow() - stored.last_seen_at < timedelta(minutes=1)
    assert not services.touch_session(secret)  # at most one write a minute
    # An expired session is not revived by a late request.
    stored.last_seen_at = utcnow() - timedelta(minutes=45)
    db.session.commit()
    assert not services.touch_session(secret)
    assert services.load_session_user(secret) is None


def test_a_new_password_signs_out_the_other_sessions(db, make_staff):
    user = make_staff()
    mine, other = services.start_session(user), services.start_session(user)
    with pytest.raises(services.AuthError) as wrong:
        services.change_password(user, "not it", "violet tractor umbrella", keep_session=mine)
    assert wrong.value.code == "wrong_password"
    with pytest.raises(services.AuthError) as same:
        services.change_password(user, PASSWORD, PASSWORD, keep_session=mine)
    assert same.value.code == "same_password"
    services.change_password(user, PASSWORD, "violet tractor umbrella", keep_session=mine)
    assert services.load_session_user(mine) is user
    assert services.load_session_user(other) is None
    assert services.verify_password(user, "violet tractor umbrella")
