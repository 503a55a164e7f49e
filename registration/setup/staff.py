"""Staff accounts managed by admins: create, change role, deactivate, reactivate."""

from flask_babel import gettext as _

from registration.audit.services import record
from registration.auth import services as auth_services
from registration.auth.models import Role, StaffSession, StaffUser
from registration.errors import DomainError
from registration.extensions import db


class StaffAccountError(DomainError):
    """An account rule was broken: email_taken, weak_password, own_account, last_admin."""


def list_accounts() -> list[StaffUser]:
    """Every staff account, active ones first, by email."""
    return list(
        db.session.execute(
            db.select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.email)
        ).scalars()
    )


def create_account(
    email: str, role: Role, password: str, *, name: str = "", by: StaffUser
) -> StaffUser:
    """Create a staff account with an argon2 password hash (admins). Raises StaffAccountError."""
    messages = {
        "weak_password": (_("The password must have at least 10 characters."), "password"),
        "email_taken": (_("A staff account with this email exists already."), "email"),
    }
    try:
        user = auth_services.create_staff(email, role, password, name=name.strip())
    except auth_services.AuthError as error:
        message, field = messages.get(error.code, (error.message, None))
        raise StaffAccountError(message, error.code, field=field) from error
    _audit("staff_created", user, by, {"role": [None, user.role.value]})
    return user


def change_role(user: StaffUser, role: Role, *, by: StaffUser) -> None:
    """Give ``user`` another role (admins; not themselves; never the last admin away)."""
    role = Role(role)
    if role == user.role:
        return
    _check_not_self(user, by)
    if user.role == Role.ADMIN:
        _check_other_admin(user)
    previous = user.role
    user.role = role
    db.session.flush()
    _audit("staff_role_changed", user, by, {"role": [previous.value, role.value]})


def deactivate(user: StaffUser, *, by: StaffUser) -> None:
    """Close an account and end its sessions at once (admins; not their own, nor the last admin).

    Deleting the server-side sessions makes every cookie of the account worthless now, not at
    its next sign-in.
    """
    _check_not_self(user, by)
    if user.role == Role.ADMIN:
        _check_other_admin(user)
    user.active = False
    db.session.execute(db.delete(StaffSession).where(StaffSession.user_id == user.id))
    db.session.flush()
    _audit("staff_deactivated", user, by, {"active": [True, False]})


def reactivate(user: StaffUser, *, by: StaffUser) -> None:
    """Open a deactivated account again (admins); its owner signs in anew."""
    if user.active:
        return
    user.active = True
    db.session.flush()
    _audit("staff_reactivated", user, by, {"active": [False, True]})


def _check_not_self(user: StaffUser, by: StaffUser) -> None:
    """Admins cannot lock themselves out."""
    if user.id == by.id:
        raise StaffAccountError(
            _("You cannot change or close your own account here."), "own_account"
        )


def _check_other_admin(user: StaffUser) -> None:
    """Keep at least one active admin besides ``user``.

    Every active admin row is locked, the target's included, so that two admins closing each
    other's accounts at the same moment cannot both succeed.
    """
    admins = db.session.execute(
        db.select(StaffUser.id)
        .where(StaffUser.role == Role.ADMIN, StaffUser.active)
        .with_for_update()
    ).scalars()
    if not set(admins) - {user.id}:
        raise StaffAccountError(_("The meeting needs at least one active admin."), "last_admin")


def _audit(action: str, user: StaffUser, by: StaffUser, changes: dict) -> None:
    """Record an account change in the audit trail."""
    record(action, actor=by, changes={"staff": [None, user.email], **changes})
