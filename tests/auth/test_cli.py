"""`flask staff …`: passwords set on the command line are replaced at first sign-in."""

import re

from registration.auth.models import Role, StaffUser


def _account(db, email: str) -> StaffUser:
    return db.session.execute(db.select(StaffUser).where(StaffUser.email == email)).scalar_one()


def test_a_generated_password_must_be_changed(runner, db):
    result = runner.invoke(
        args=["staff", "create", "desk@iom.example", "--role", "checkin", "--generate-password"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"Password \(shown once; replaced at first sign-in\): \S{16}", result.output)
    user = _account(db, "desk@iom.example")
    assert user.role == Role.CHECKIN and user.must_change_password


def test_a_weak_typed_password_is_refused(runner, db):
    result = runner.invoke(
        args=["staff", "create", "weak@iom.example", "--role", "viewer"],
        input="password1234\npassword1234\n",
    )
    assert result.exit_code == 1 and "too easy to guess" in result.output


def test_ensure_admin_creates_one_admin_once(runner, db):
    first = runner.invoke(args=["staff", "ensure-admin", "--email", "boss@iom.example"])
    assert "set up an authenticator app" in first.output
    assert _account(db, "boss@iom.example").must_change_password
    again = runner.invoke(args=["staff", "ensure-admin", "--email", "other@iom.example"])
    assert "An admin account exists already." in again.output
