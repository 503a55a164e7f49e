"""Staff accounts: passwords, sign-in and server-side sessions."""

import functools
import logging
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

from registration.auth.models import Role, StaffSession, StaffUser
from registration.errors import DomainError
from registration.extensions import db
from registration.security import new_token, token_hash

log = logging.getLogger(__name__)


class AuthError(DomainError):
    """A sign-in or account rule was broken."""


_STRONG_HASHER = PasswordHasher()
_FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _hasher() -> PasswordHasher:
    """argon2id with library defaults; cheap parameters only in tests."""
    return _FAST_HASHER if current_app.config["PASSWORD_HASH_FAST"] else _STRONG_HASHER


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a random password, made once per hasher configuration."""
    return hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher().hash(password)


def create_staff(email: str, role: Role, password: str, *, name: str = "") -> StaffUser:
    """Create a staff account. Raises AuthError('email_taken' | 'weak_password')."""
    email = email.strip().lower()
    if len(password) < 10:
        raise AuthError(_("The password must have at least 10 characters."), "weak_password")
    if db.session.execute(db.select(StaffUser.id).where(StaffUser.email == email)).first():
        raise AuthError(_("A staff account with this email exists already."), "email_taken")
    user = StaffUser(email=email, name=name, role=Role(role), password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> StaffUser | None:
    """The active account with this email and password, or None (the failure is logged)."""
    user = db.session.execute(
        db.select(StaffUser).where(StaffUser.email == email.strip().lower())
    ).scalar_one_or_none()
    hasher = _hasher()
    # An unknown email still costs one hash, so that timing does not reveal which accounts exist.
    stored_hash = user.password_hash if user else _dummy_hash(hasher)
    try:
        hasher.verify(stored_hash, password)
        if user is None:
            raise VerificationError
    except (VerificationError, InvalidHashError):
        log.warning("failed staff sign-in for %r", email)
        return None
    if not user.active:
        log.warning("sign-in refused for inactive account %r", email)
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def start_session(user: StaffUser, user_agent: str = "") -> str:
    """Open a server-side session for ``user``; returns the secret for the cookie."""
    secret = new_token()
    db.session.add(
        StaffSession(token_hash=token_hash(secret), user=user, user_agent=user_agent[:300])
    )
    db.session.flush()
    return secret


def load_session_user(secret: str) -> StaffUser | None:
    """The active user of the server-side session behind ``secret``, if it still exists."""
    staff_session = db.session.execute(
        db.select(StaffSession).where(StaffSession.token_hash == token_hash(secret))
    ).scalar_one_or_none()
    if staff_session is None or not staff_session.user.active:
        return None
    return staff_session.user


def end_session(secret: str) -> None:
    """Delete the server-side session: the cookie that carried ``secret`` is now worthless."""
    db.session.execute(db.delete(StaffSession).where(StaffSession.token_hash == token_hash(secret)))
