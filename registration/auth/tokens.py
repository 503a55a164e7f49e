"""Single-use links to set a password: a reset asked by email, or an admin's invitation."""

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from registration.auth import services
from registration.auth.models import AccountToken, StaffUser
from registration.auth.security_log import log_security_event
from registration.database import utcnow
from registration.extensions import db
from registration.links import public_url
from registration.security import new_token, token_hash

RESET = "reset"
INVITATION = "invitation"
_SUBJECTS = {
    RESET: _l("Choose a new password"),
    INVITATION: _l("Your staff account for the meeting registration"),
}


class TokenError(services.AuthError):
    """The link is unknown, used or expired: invalid_link."""


def send_link(user: StaffUser, purpose: str) -> None:
    """Email ``user`` a link to set their password (``RESET`` or ``INVITATION``).

    Older unused links of the account stop working: only the newest one counts. The link is
    built from PUBLIC_BASE_URL; only the hash of its secret is stored.
    """
    now = utcnow()
    db.session.execute(
        db.update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
    )
    if purpose == RESET:
        lifetime = timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"])
    else:
        lifetime = timedelta(days=current_app.config["STAFF_INVITATION_DAYS"])
    # Imported here: the mail package imports auth's models (and, through them, delegates).
    from registration.mail.services import queue_email

    secret = new_token()
    db.session.add(
        AccountToken(
            token_hash=token_hash(secret),
            user=user,
            purpose=purpose,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    queue_email(
        user.email,
        f"staff_{purpose}",
        {
            "user": user,
            "link": public_url("auth.set_password", token=secret),
            "expires_at": now + lifetime,
        },
        current_app.config["BABEL_DEFAULT_LOCALE"],
        subject=_SUBJECTS[purpose],
    )
    db.session.flush()
    log_security_event(f"{purpose}_link_sent", "success", account=user.email)


def request_reset(email: str) -> None:
    """Send a reset link if ``email`` belongs to an active account; say nothing otherwise."""
    user = db.session.execute(
        db.select(StaffUser).where(StaffUser.email == email.strip().lower(), StaffUser.active)
    ).scalar_one_or_none()
    if user is None:
        log_security_event("reset_link_sent", "refused", account=email, reason="unknown_account")
        return
    send_link(user, RESET)


def find(secret: str, *, lock: bool = False) -> AccountToken | None:
    """The unused, unexpired token behind ``secret`` whose account is active, or None."""
    query = db.select(AccountToken).where(
        AccountToken.token_hash == token_hash(secret),
        AccountToken.used_at.is_(None),
        AccountToken.expires_at > utcnow(),
    )
    token = db.session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    return token if token is not None and token.user.active else None


def redeem(secret: str, password: str) -> StaffUser:
    """Set the password through a link, once. Raises TokenError or AuthError('weak_password').

    Every session of the account ends (whoever took it over is signed out); two-factor
    authentication, if on, stays on and is asked at the next sign-in.
    """
    token = find(secret, lock=True)  # the row lock makes a link usable once, even twice at once
    if token is None:
        raise TokenError(_("This link is no longer valid. Ask for a new one."), "invalid_link")
    services.set_password(token.user, password)
    token.used_at = utcnow()
    db.session.flush()
    return token.user
