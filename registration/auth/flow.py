"""The steps between a correct password and a signed-in session.

After the password, the account may still owe a TOTP code, a new password (one chosen by an
admin) and, for roles that require it, a two-factor enrolment. Until then the browser holds
only a short-lived, signed "pending" marker: it is not signed in, and no staff page opens.
"""

import time
from urllib.parse import urlsplit

from flask import redirect, request, session, url_for
from flask_login import current_user, login_user

from registration.auth import services, two_factor
from registration.auth.models import Role, StaffUser
from registration.extensions import db

_KEY = "pending_sign_in"
#: Minutes a person has to finish the steps after typing their password.
_PENDING_SECONDS = 600


def safe_next(target: str | None) -> str:
    """Only a path inside this app: no scheme, no host, no protocol-relative //host.

    Without one, check-in staff land on the desk and everyone else on the back office.
    """
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("desk.index" if current_user.role == Role.CHECKIN else "manage.dashboard")


def begin(user: StaffUser, next_target: str | None):
    """The password was right: remember the account for the next steps and go on."""
    _fresh_session()  # nothing from before the password survives (session fixation)
    session[_KEY] = {"user": user.id, "since": time.time(), "verified": False, "next": next_target}
    return advance()


def _fresh_session() -> None:
    """Empty the cookie session (CSRF token included), keeping only the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def pending_user() -> StaffUser | None:
    """The account whose sign-in is under way in this browser, if it is recent and active."""
    state = session.get(_KEY)
    if not state or time.time() - state["since"] > _PENDING_SECONDS:
        return None
    user = db.session.get(StaffUser, state["user"])
    return user if user is not None and user.active else None


def pending_user_id() -> int | None:
    """The id of the account whose sign-in is under way (a throttling key; unchecked)."""
    return session.get(_KEY, {}).get("user")


def mark_verified() -> None:
    """The second factor was given."""
    session[_KEY] = {**session[_KEY], "verified": True}


def next_step(user: StaffUser) -> str | None:
    """The endpoint of the step still owed, or None when the sign-in can finish."""
    if user.two_factor_enabled and not session[_KEY]["verified"]:
        return "auth.two_factor_code"
    if user.must_change_password:
        return "auth.new_password"
    if two_factor.required_for(user) and not user.two_factor_enabled:
        return "auth.enrol"
    return None


def advance():
    """Redirect to the step still owed, or finish the sign-in."""
    user = pending_user()
    if user is None:
        return redirect(url_for("auth.sign_in"))
    step = next_step(user)
    return redirect(url_for(step)) if step else redirect(finish(user))


def finish(user: StaffUser) -> str:
    """Open the server-side session and sign the browser in; returns where to go.

    The whole cookie session is replaced, so the CSRF token used before signing in is
    worthless afterwards (a new one is made on the next form).
    """
    target = session.get(_KEY, {}).get("next")
    _fresh_session()
    user.session_secret = services.start_session(user, request.headers.get("User-Agent", ""))
    db.session.commit()
    login_user(user)
    return safe_next(target)
