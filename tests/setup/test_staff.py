"""Staff accounts at the service level: creation, roles, deactivation ends sessions."""

import pyotp
import pytest
from argon2 import PasswordHasher

from registration.audit.models import AuditEvent
from registration.auth import two_factor
from registration.auth.models import AccountToken, Role, StaffSession, StaffUser
from registration.auth.services import AuthError, authenticate, load_session_user, start_session
from registration.mail.models import OutboxEmail
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


def test_an_account_without_a_password_is_invited_by_email(db, admin):
    user = staff.create_account("invited@iom.example", Role.REGISTRAR, None, by=admin)
    db.session.commit()
    (message,) = db.session.execute(db.select(OutboxEmail)).scalars()
    assert message.recipient == "invited@iom.example"
    assert "/auth/set-password/" in message.body_text and not user.must_change_password
    with pytest.raises(AuthError):
        authenticate("invited@iom.example", "")  # no usable password until one is chosen


def test_an_admin_set_password_must_be_changed(db, admin):
    user = staff.create_account("set@iom.example", Role.VIEWER, "violet tractor umbrella", by=admin)
    assert user.must_change_password


def test_the_invitation_is_sent_again_with_a_new_link(db, admin, make_staff):
    registrar = make_staff(Role.REGISTRAR)
    staff.resend_invitation(registrar, by=admin)
    staff.resend_invitation(registrar, by=admin)
    db.session.commit()
    tokens = db.session.execute(db.select(AccountToken)).scalars().all()
    assert len(tokens) == 2 and sum(token.used_at is None for token in tokens) == 1
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert actions.count("staff_invitation_sent") == 2
    staff.deactivate(registrar, by=admin)
    with pytest.raises(StaffAccountError) as caught:
        staff.resend_invitation(registrar, by=admin)
    assert caught.value.code == "inactive"


def test_role_changes_are_audited_and_logged(db, admin, make_staff, caplog):
    viewer = make_staff(Role.VIEWER)
    staff.change_role(viewer, Role.REGISTRAR, by=admin)
    entry = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "staff_role_changed")
    ).scalar_one()
    assert entry.changes["role"] == ["viewer", "registrar"] and entry.actor_staff_id == admin.id
    assert any(
        'event="role_changed"' in record.getMessage()
        and f'account="{viewer.email}"' in record.getMessage()
        and f'by="{admin.email}"' in record.getMessage()
        for record in caplog.records
    )


def test_a_lost_second_factor_is_reset_by_an_admin(db, admin, make_staff):
    registrar = make_staff(Role.REGISTRAR)
    secret = two_factor.pending_secret(registrar)
    two_factor.confirm(registrar, pyotp.TOTP(secret).now())
    session = start_session(registrar)
    staff.reset_two_factor(registrar, by=admin)
    assert not registrar.two_factor_enabled and registrar.recovery_code_hashes == []
    assert load_session_user(session) is None
    with pytest.raises(StaffAccountError):
        staff.reset_two_factor(admin, by=admin)


def test_the_staff_page_shows_sign_ins_and_two_factor(client, db, sign_in, make_staff):
    admin = sign_in(Role.ADMIN)
    viewer = make_staff(Role.VIEWER)
    page = client.get("/manage/staff/")
    row = page.text.split(f'data-account="{viewer.email}"')[1].split("</tr>")[0]
    assert "Never" in row and "Off" in row and "Resend the invitation" in row
    own = page.text.split(f'data-account="{admin.email}"')[1].split("</tr>")[0]
    assert "Never" not in own  # the admin just signed in
    response = client.post(f"/manage/staff/{viewer.id}/invitation", follow_redirects=True)
    assert f"A new invitation is on its way to {viewer.email}." in response.text
    (message,) = db.session.execute(db.select(OutboxEmail)).scalars()
    assert message.recipient == viewer.email
