"""Staff accounts managed by admins: create or invite, change role, deactivate, reactivate,
resend the invitation, reset a lost second factor."""

from flask_babel import gettext as _

from registration.audit.services import record
from registration.auth import services as auth_services
from registration.auth import tokens, two_factor
from registration.auth.models import Role, StaffUser
from registration.auth.security_log import log_security_event
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
    email: str, role: Role, password: str | None, *, name: str = "", by: StaffUser
) -> StaffUser:
    """Create a staff account (admins). Raises StaffAccountError('email_taken' | 'weak_password').

    With a password, its owner must replace it at first sign-in (an admin knew it); without
    one, an invitation with a link to choose it is emailed.
    """
    try:
        user = auth_services.create_staff(
            email,
            role,
            password or None,
            name=name.strip(),
            must_change_password=bool(password),
        )
    except auth_services.AuthError as error:
        raise StaffAccountError(error.message, error.code, field=error.field) from error
    if not password:
        tokens.send_link(user, tokens.INVITATION)
    _audit("staff_created", user, by, {"role": [None, user.role.value]})
    return user


def resend_invitation(user: StaffUser, *, by: StaffUser) -> None:
    """Email a new link to choose a password; earlier links stop working (admins).

    Raises StaffAccountError('inactive') for a closed account.
    """
    if not user.active:
        raise StaffAccountError(_("Open the account again first."), "inactive")
    tokens.send_link(user, tokens.INVITATION)
    _audit("staff_invitation_sent", user, by, {})


def reset_two_factor(user: StaffUser, *, by: StaffUser) -> None:
    """Turn off the second factor of someone who lost their phone (admins; not their own).

    Their sessions end; a role that requires two-factor enrols again at next sign-in.
    """
    _check_not_self(user, by)
    two_factor.disable(user, by=by)
    auth_services.end_sessions(user)


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
    log_security_event(
        "role_changed",
        "success",
        account=user.email,
        by=by.email,
        role=role.value,
        previous=previous.value,
    )


def deactivate(user: StaffUser, *, by: StaffUser) -> None:
    """Close an account and end its sessions at once (admins; not their own, nor the last admin).

    Deleting the server-side sessions makes every cookie of the account worthless now, not at
    its next sign-in.
    """
    _check_not_self(user, by)
    if user.role == Role.ADMIN:
        _check_other_admin(user)
    user.active = False
    auth_services.end_sessions(user)
    db.session.flush()
    _audit("staff_deactivated", user, by, {"active": [True, False]})
    log_security_event("account_deactivated", "success", account=user.email, by=by.email)


def reactivate(user: StaffUser, *, by: StaffUser) -> None:
    """Open a deactivated account again (admins); its owner signs in anew."""
    if user.active:
        return
    user.active = True
    db.session.flush()
    _audit("staff_reactivated", user, by, {"active": [False, True]})
    log_security_event("account_reactivated", "success", account=user.email, by=by.email)


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
