"""The security log: one line per sign-in, throttle, password, 2FA, role change or export.

Lines go to the ``registration.security`` logger as ``key=value`` pairs with JSON-quoted
values (a newline typed into an email field cannot forge a second line). Secrets never reach
it: callers pass what happened, never a password, code or token.
"""

import json
import logging

from flask import has_request_context, request

from registration.database import utcnow

logger = logging.getLogger("registration.security")


def log_security_event(
    action: str, outcome: str, *, account: str | None = None, **details: str | int | None
) -> None:
    """Write one security event with its time (UTC), source address, account and outcome.

    ``action`` is e.g. sign_in, sign_in_throttled, password_changed, two_factor_enabled,
    role_changed, export; ``outcome`` is success, failure or refused.
    """
    fields = {
        "time": utcnow().isoformat(timespec="seconds"),
        "event": action,
        "outcome": outcome,
        "account": account or "-",
        "address": request.remote_addr if has_request_context() else "-",
        **{key: value for key, value in details.items() if value is not None},
    }
    level = logging.INFO if outcome == "success" else logging.WARNING
    logger.log(level, " ".join(f"{key}={json.dumps(value)}" for key, value in fields.items()))
