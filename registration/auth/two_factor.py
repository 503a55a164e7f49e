"""TOTP two-factor authentication for staff: enrolment, codes, recovery codes."""

import hmac
import secrets
import time

import pyotp
import segno
from flask import current_app
from flask_babel import gettext as _

from registration.audit.services import record
from registration.auth import services
from registration.auth.models import StaffUser
from registration.auth.security_log import log_security_event
from registration.database import utcnow
from registration.errors import DomainError
from registration.extensions import db
from registration.security import REFERENCE_ALPHABET, token_hash

RECOVERY_CODES = 10


class TwoFactorError(DomainError):
    """A code was refused or a 2FA rule broken: wrong_code, required."""


def required_for(user: StaffUser) -> bool:
    """Whether the account's role must use two-factor authentication (TWO_FACTOR_REQUIRED_ROLES)."""
    return user.role.value in current_app.config["TWO_FACTOR_REQUIRED_ROLES"]


def pending_secret(user: StaffUser) -> str:
    """The secret to enrol with: kept across page reloads until a code confirms it."""
    if user.two_factor_enabled:
        raise TwoFactorError(_("Two-factor authentication is already on."), "already_on")
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        db.session.flush()
    return user.totp_secret


def qr_data_uri(user: StaffUser, secret: str) -> str:
    """The otpauth:// enrolment address as an SVG QR code (a data: URI, nothing fetched)."""
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["TWO_FACTOR_ISSUER"]
    )
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _matching_step(secret: str, code: str) -> int | None:
    """The time step whose code is ``code`` (now, or one step either side for clock drift)."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    for offset in (0, -1, 1):
        moment = now + offset * totp.interval
        if hmac.compare_digest(totp.at(moment), code):
            return totp.timecode(moment)
    return None


def _accept_code(user: StaffUser, code: str) -> bool:
    """Check a TOTP code, refusing one already used (a code seen over a shoulder is spent)."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6 and user.totp_secret):
        return False
    step = _matching_step(user.totp_secret, code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def _new_recovery_codes(user: StaffUser) -> list[str]:
    """Ten fresh one-time codes (shown once); only their hashes are kept."""
    codes = [
        "-".join("".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODES)
    ]
    user.recovery_code_hashes = [token_hash(_normal(code)) for code in codes]
    return codes


def _normal(code: str) -> str:
    """A recovery code as typed, without spaces or dashes, in capitals."""
    return "".join(code.split()).replace("-", "").upper()


def confirm(user: StaffUser, code: str) -> list[str]:
    """Turn two-factor authentication on once a code from the app matches; returns the
    recovery codes to show once. Raises TwoFactorError('wrong_code')."""
    pending_secret(user)
    if not _accept_code(user, code):
        log_security_event("two_factor_enabled", "failure", account=user.email)
        raise TwoFactorError(
            _("This code does not match. Check the time on your phone and type the new code."),
            "wrong_code",
            field="code",
        )
    user.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    db.session.flush()
    log_security_event("two_factor_enabled", "success", account=user.email)
    record("staff_two_factor_enabled", actor=user, changes={"staff": [None, user.email]})
    return codes


def verify(user: StaffUser, code: str) -> None:
    """Check the second factor at sign-in: a TOTP code, or an unused recovery code (spent).

    Raises TwoFactorError('wrong_code') or SignInError('throttled'): wrong codes count with
    wrong passwords towards the account's growing delay. The row is locked so that a code
    counts once even when two requests send it at the same moment.
    """
    db.session.refresh(user, with_for_update=True)
    if wait := services.seconds_to_wait(user):
        log_security_event("two_factor", "throttled", account=user.email, wait_seconds=wait)
        raise services.throttled(wait)
    if _accept_code(user, code):
        db.session.flush()
        return
    hashed = token_hash(_normal(code))
    if hashed in user.recovery_code_hashes:
        user.recovery_code_hashes = [h for h in user.recovery_code_hashes if h != hashed]
        db.session.flush()
        log_security_event(
            "recovery_code_used",
            "success",
            account=user.email,
            remaining=len(user.recovery_code_hashes),
        )
        return
    services.count_failure(user)
    log_security_event("two_factor", "failure", account=user.email)
    raise TwoFactorError(_("This code is not valid."), "wrong_code", field="code")


def regenerate_recovery_codes(user: StaffUser) -> list[str]:
    """Replace the recovery codes (the old ones stop working); returns the new ones."""
    codes = _new_recovery_codes(user)
    db.session.flush()
    log_security_event("recovery_codes_replaced", "success", account=user.email)
    return codes


def disable(user: StaffUser, *, by: StaffUser) -> None:
    """Turn two-factor authentication off: by its owner when the role allows it, or by an admin
    for someone who lost their phone (they enrol again at next sign-in if required).

    Raises TwoFactorError('required') when the owner's role requires it.
    """
    if by.id == user.id and required_for(user):
        raise TwoFactorError(
            _("Your role requires two-factor authentication: it cannot be turned off."),
            "required",
        )
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.recovery_code_hashes = []
    db.session.flush()
    log_security_event("two_factor_disabled", "success", account=user.email, by=by.email)
    record("staff_two_factor_disabled", actor=by, changes={"staff": [None, user.email]})
