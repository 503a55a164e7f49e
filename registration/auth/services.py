"""Staff accounts: passwords, sign-in with throttling, and server-side sessions."""

import functools
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

from registration.audit.services import record
from registration.auth.models import Role, StaffSession, StaffUser
from registration.auth.passwords import PasswordError, check_password
from registration.auth.security_log import log_security_event
from registration.database import utcnow
from registration.errors import DomainError
from registration.extensions import db
from registration.security import new_token, token_hash


class AuthError(DomainError):
    """A sign-in or account rule was broken."""


class SignInError(AuthError):
    """Sign-in refused: wrong_credentials, or throttled (``retry_after`` seconds)."""

    retry_after = 0


_STRONG_HASHER = PasswordHasher()
_FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
#: Sessions are marked as seen at most this often (one write a minute, not one per request).
_TOUCH_INTERVAL = timedelta(minutes=1)


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


def verify_password(user: StaffUser, password: str) -> bool:
    """Whether ``password`` is the account's password."""
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _checked(password: str, email: str, name: str) -> str:
    """``password`` if the policy accepts it. Raises AuthError('weak_password')."""
    try:
        check_password(password, user_inputs=(email, name))
    except PasswordError as error:
        raise AuthError(error.message, "weak_password", field="password") from error
    return password


def create_staff(
    email: str,
    role: Role,
    password: str | None,
    *,
    name: str = "",
    must_change_password: bool = False,
) -> StaffUser:
    """Create a staff account. Raises AuthError('email_taken' | 'weak_password').

    Without a password the account cannot sign in until its owner sets one through an
    invitation link.
    """
    email = email.strip().lower()
    if password is not None:
        _checked(password, email, name)
    if db.session.execute(db.select(StaffUser.id).where(StaffUser.email == email)).first():
        raise AuthError(
            _("A staff account with this email exists already."), "email_taken", field="email"
        )
    user = StaffUser(
        email=email,
        name=name,
        role=Role(role),
        password_hash=hash_password(password or secrets.token_urlsafe(32)),
        must_change_password=must_change_password,
    )
    db.session.add(user)
    db.session.flush()
    return user


def seconds_to_wait(user: StaffUser) -> int:
    """Seconds before this account accepts another attempt (0 once the delay has passed).

    After LOGIN_FREE_FAILURES failures each attempt waits twice as long as the previous one,
    up to LOGIN_DELAY_MAX_SECONDS: guessing from many addresses slows to a crawl, while the
    real user, with the right password, never waits longer than the maximum.
    """
    config = current_app.config
    extra = user.failed_sign_ins - config["LOGIN_FREE_FAILURES"]
    if extra < 0 or user.last_failed_sign_in_at is None:
        return 0
    delay = min(2 ** min(extra, 30), config["LOGIN_DELAY_MAX_SECONDS"])
    elapsed = (utcnow() - user.last_failed_sign_in_at).total_seconds()
    return max(0, int(delay - elapsed + 0.999))


def authenticate(email: str, password: str) -> StaffUser:
    """The active account with this email and password. Raises SignInError.

    Every outcome is written to the security log. A failure on a known account is counted
    (the caller commits it even though the sign-in fails).
    """
    email = email.strip().lower()
    user = db.session.execute(
        db.select(StaffUser).where(StaffUser.email == email)
    ).scalar_one_or_none()
    if user is not None and (wait := seconds_to_wait(user)):
        log_security_event("sign_in", "throttled", account=email, wait_seconds=wait)
        raise throttled(wait)
    hasher = _hasher()
    # An unknown email still costs one hash, so that timing does not reveal which accounts exist.
    stored_hash = user.password_hash if user else _dummy_hash(hasher)
    try:
        hasher.verify(stored_hash, password)
        if user is None or not user.active:
            raise VerificationError
    except (VerificationError, InvalidHashError):
        reason = "unknown_account" if user is None else "wrong_password"
        if user is not None and not user.active:
            reason = "inactive_account"
        if user is not None:
            count_failure(user)
        log_security_event("sign_in", "failure", account=email, reason=reason)
        raise SignInError(_("Wrong email or password."), "wrong_credentials") from None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def throttled(wait: int) -> SignInError:
    """The refusal of an attempt that came before the account's delay was over."""
    error = SignInError(
        _(
            "Too many wrong attempts for this account. Please wait %(seconds)d seconds "
            "and try again.",
            seconds=wait,
        ),
        "throttled",
    )
    error.retry_after = wait
    return error


def count_failure(user: StaffUser) -> None:
    """Add one failed sign-in step (password or code) in the database; atomic, so that
    concurrent failures all count."""
    db.session.execute(
        db.update(StaffUser)
        .where(StaffUser.id == user.id)
        .values(failed_sign_ins=StaffUser.failed_sign_ins + 1, last_failed_sign_in_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user)


def start_session(user: StaffUser, user_agent: str = "") -> str:
    """Open a server-side session for ``user``; returns the secret for the cookie.

    The account's failure count starts again, and its expired sessions are removed.
    """
    now = utcnow()
    db.session.execute(
        db.delete(StaffSession).where(StaffSession.user_id == user.id, _expired(now))
    )
    secret = new_token()
    db.session.add(
        StaffSession(
            token_hash=token_hash(secret),
            user=user,
            user_agent=user_agent[:300],
            created_at=now,
            last_seen_at=now,
        )
    )
    user.failed_sign_ins = 0
    user.last_failed_sign_in_at = None
    user.last_sign_in_at = now
    db.session.flush()
    log_security_event("sign_in", "success", account=user.email)
    return secret


def _expired(now: datetime):
    """SQL condition: the session passed its idle timeout or its absolute lifetime."""
    config = current_app.config
    idle = timedelta(minutes=config["STAFF_SESSION_IDLE_MINUTES"])
    lifetime = timedelta(hours=config["STAFF_SESSION_MAX_HOURS"])
    return db.or_(StaffSession.last_seen_at < now - idle, StaffSession.created_at < now - lifetime)


def load_session_user(secret: str) -> StaffUser | None:
    """The active user of the server-side session behind ``secret``, if it is still valid."""
    staff_session = db.session.execute(
        db.select(StaffSession).where(
            StaffSession.token_hash == token_hash(secret), db.not_(_expired(utcnow()))
        )
    ).scalar_one_or_none()
    if staff_session is None or not staff_session.user.active:
        return None
    return staff_session.user


def touch_session(secret: str) -> bool:
    """Record activity on a still-valid session, at most once a minute; True if it did.

    The caller commits (a page that only reads never commits by itself).
    """
    now = utcnow()
    staff_session = db.session.execute(
        db.select(StaffSession).where(
            StaffSession.token_hash == token_hash(secret), db.not_(_expired(now))
        )
    ).scalar_one_or_none()
    if staff_session is None or now - staff_session.last_seen_at < _TOUCH_INTERVAL:
        return False
    staff_session.last_seen_at = now
    db.session.flush()
    return True


def end_session(secret: str) -> None:
    """Delete the server-side session: the cookie that carried ``secret`` is now worthless."""
    db.session.execute(db.delete(StaffSession).where(StaffSession.token_hash == token_hash(secret)))


def end_sessions(user: StaffUser, *, keep: str | None = None) -> None:
    """End every session of ``user`` (but the one behind ``keep``)."""
    query = db.delete(StaffSession).where(StaffSession.user_id == user.id)
    if keep:
        query = query.where(StaffSession.token_hash != token_hash(keep))
    db.session.execute(query)


def set_password(user: StaffUser, password: str, *, keep_session: str | None = None) -> None:
    """Give ``user`` a new password chosen by themselves. Raises AuthError('weak_password' |
    'same_password').

    Every other session of the account ends: whoever knew the old password is signed out.
    """
    _checked(password, user.email, user.name)
    if verify_password(user, password):
        raise AuthError(
            _("Choose a password different from the current one."),
            "same_password",
            field="password",
        )
    user.password_hash = hash_password(password)
    user.must_change_password = False
    end_sessions(user, keep=keep_session)
    db.session.flush()
    log_security_event("password_changed", "success", account=user.email)
    record("staff_password_changed", actor=user, changes={"staff": [None, user.email]})


def change_password(user: StaffUser, current: str, new: str, *, keep_session: str) -> None:
    """Change one's own password (any signed-in staff). Raises AuthError('wrong_password' | …)."""
    if not verify_password(user, current):
        log_security_event("password_changed", "failure", account=user.email, reason="wrong")
        raise AuthError(
            _("The current password is wrong."), "wrong_password", field="current_password"
        )
    set_password(user, new, keep_session=keep_session)
