"""Rate limits on what the public and would-be attackers can repeat, and the page that says so.

Limits are counted in the storage of RATELIMIT_STORAGE_URI (Redis in production, so that every
worker and host spends one budget). When Redis cannot be reached, Flask-Limiter logs a warning
and counts in this process's memory until Redis is back (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED):
limits get looser for a while, requests never fail.
"""

import math
import time

from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address

from registration.extensions import limiter


def _setting(name: str):
    """A limit read at request time, so that each app (and each test) uses its own."""
    return lambda: current_app.config[name]


def recipient_key(field: str = "email") -> str:
    """The submitted address, normalised, when it is a well-formed email; else ''.

    Malformed input sends no email, so it spends no one's budget (and cannot be used to fill
    the budget of a real address by varying its spelling).
    """
    value = request.form.get(field, "").strip()
    if not value or len(value) > 254:
        return ""
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return ""


def _failed(response) -> bool:
    """Sign-in steps that did not move on (anything but a redirect) spend the budget."""
    return response.status_code != 302


#: Failed sign-in steps (password or code) from one address, whatever the account: stops
#: password spraying across many accounts.
sign_in_per_address = limiter.shared_limit(
    _setting("RATELIMIT_LOGIN_ADDRESS"),
    scope="sign-in-address",
    methods=["POST"],
    deduct_when=_failed,
)

#: Public forms, uploads and every email the public can trigger, per source address.
public_post = limiter.shared_limit(
    _setting("RATELIMIT_PUBLIC_POST"), scope="public-post", methods=["POST"]
)

#: Emails the public can make us send to one address (confirmations, links, resets).
per_recipient = limiter.shared_limit(
    _setting("RATELIMIT_PER_EMAIL"),
    scope="recipient",
    methods=["POST"],
    key_func=recipient_key,
    exempt_when=lambda: not recipient_key(),
)

#: "Lost your link?" per source address; only well-formed addresses count.
lost_link = limiter.limit(
    _setting("RATELIMIT_LOST_LINK"),
    methods=["POST"],
    key_func=get_remote_address,
    exempt_when=lambda: not recipient_key(),
)


def _seconds_to_wait(error) -> int:
    """Seconds until the exhausted limit resets (the window's length if unknown)."""
    current = limiter.current_limit
    if current is not None and current.breached:
        return max(1, math.ceil(current.reset_at - time.time()))
    return int(error.limit.limit.get_expiry()) if getattr(error, "limit", None) else 60


def too_many_requests(error):
    """Explain a 429 in the reader's language: what happened, why, and how long to wait."""
    seconds = _seconds_to_wait(error)
    minutes = max(1, math.ceil(seconds / 60))
    wait = ngettext(
        "Please wait %(num)d minute and try again.",
        "Please wait %(num)d minutes and try again.",
        minutes,
    )
    headers = {"Retry-After": str(seconds)}
    if request.path.startswith("/api/"):
        message = _("Too many requests.") + " " + wait
        return jsonify(status="error", reason="http_429", message=message), 429, headers
    page = render_template("errors/too_many_requests.html", wait=wait)
    return page, 429, headers


def init_app(app: Flask) -> None:
    """Install the explained 429 page (it takes precedence over the generic error page)."""
    app.register_error_handler(429, too_many_requests)
