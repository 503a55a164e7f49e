"""Staff accounts at the service level: creation, roles, deactivation ends sessions."""

import pytest
from argon2 import PasswordHasher

from registration.auth.models import Role, StaffSession, StaffUser
from registration.auth.services import load_session_user, start_session
from registration.setup import staff
from registration.setup.staff import StaffAccountError


@pytest.fixture
def admin(make_staff):
    return make_staff(Role.ADMIN)


def test_accounts_are_created_with_an_argon2_hash(db, admin):
    user = staff.create_account(
        " New.Person@Example.org ", Role.VIEWER, "long enough password", name="New", by=admin
    )
    db.session.commit()
    assert user.email == "new.person@example.org" and user.role == Role.VIEWER
    assert user.password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(user.password_hash, "long enough password")


@pytest.mark.parametrize(
    ("email", "password", "code", "field"),
    [
        ("a@example.org", "short", "weak_password", "password"),
        ("admin1@staff.example.org", "long enough password", "email_taken", "email"),
    ],
)
def test_account_rules_are_explained(admin, email, password, code, field):
    with pytest.raises(StaffAccountError) as caught:
        staff.create_account(email, Role.REGISTRAR, password, by=admin)
    assert caught.value.code == code and caught.value.field == field


def test_deactivation_ends_every_session_of_the_account(db, admin, make_staff):
    registrar = make_staff(Role.REGISTRAR)
    secrets = [start_session(registrar), start_session(registrar)]
    db.session.commit()
    assert load_session_user(secrets[0]).id == registrar.id
    staff.deactivate(registrar, by=admin)
    db.session.commit()
    assert not registrar.active
    count = db.select(db.func.count(StaffSession.id)).where(StaffSession.user_id == registrar.id)
    assert db.session.execute(count).scalar_one() == 0
    assert all(load_session_user(secret) is None for secret in secrets)
    staff.reactivate(registrar, by=admin)
    db.session.commit()
    # Reactivation does not bring the old sessions back.
    assert registrar.active and load_session_user(secrets[0]) is None


def test_roles_change_but_admins_cannot_lock_themselves_out(db, admin, make_staff):
    viewer = make_staff(Role.VIEWER)
    staff.change_role(viewer, Role.REGISTRAR, by=admin)
    assert viewer.role == Role.REGISTRAR
    for action in (
        lambda: staff.change_role(admin, Role.VIEWER, by=admin),
        lambda: staff.deactivate(admin, by=admin),
    ):
        with pytest.raises(StaffAccountError) as caught:
            action()
        assert caught.value.code == "own_account"


def test_the_last_active_admin_stays(db, admin, make_staff):
    # Another admin, whose account is then closed by a third party (a script, say).
    other = make_staff(Role.ADMIN)
    other.active = False
    db.session.commit()
    with pytest.raises(StaffAccountError) as caught:
        staff.change_role(admin, Role.VIEWER, by=other)
    assert caught.value.code == "last_admin"
    with pytest.raises(StaffAccountError):
        staff.deactivate(admin, by=other)
    assert db.session.get(StaffUser, admin.id).role == Role.ADMIN


def test_accounts_are_listed_active_first(db, admin, make_staff):
    closed = make_staff(Role.VIEWER, email="aaa@example.org")
    staff.deactivate(closed, by=admin)
    accounts = staff.list_accounts()
    assert accounts[-1].id == closed.id
