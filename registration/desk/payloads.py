"""Shape checks of the JSON that desks and devices send (rules live in services)."""

import json
from datetime import UTC, datetime

from flask import request
from flask_babel import gettext as _

from registration.desk.models import VENUE
from registration.desk.services import ScanRequest
from registration.errors import DomainError

#: A scan is a few hundred bytes; anything much larger is refused before it is parsed.
MAX_SCAN_BYTES = 16 * 1024


class PayloadError(DomainError):
    """The request body does not have the expected shape (code invalid_request)."""

    code = "invalid_request"


def read_json(limit: int = MAX_SCAN_BYTES) -> object:
    """The request body parsed as JSON; 413 beyond ``limit`` bytes. Raises PayloadError."""
    request.max_content_length = limit
    try:
        return json.loads(request.get_data(cache=False))
    except (ValueError, RecursionError) as error:  # bad JSON, bad UTF-8, absurd nesting
        raise PayloadError(_("The body must be a JSON object.")) from error


def _text(payload: dict, name: str, *, max_length: int, default: str | None = None) -> str | None:
    """A string field of 1 to ``max_length`` characters, or ``default`` when absent or null."""
    value = payload.get(name)
    if value is None:
        return default
    if not isinstance(value, str) or not 0 < len(value) <= max_length:
        raise PayloadError(
            _("%(field)s must be a text of 1 to %(max)s characters.", field=name, max=max_length),
            field=name,
        )
    if "\x00" in value:  # PostgreSQL can neither store nor compare it
        raise PayloadError(_("%(field)s must not contain NUL characters.", field=name), field=name)
    return value


def _moment(payload: dict, name: str) -> datetime | None:
    """An ISO 8601 time (UTC when it names no offset), or None."""
    value = _text(payload, name, max_length=40)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError) as error:  # not a time, or beyond year 1–9999 in UTC
        raise PayloadError(
            _("%(field)s must be an ISO 8601 time.", field=name), field=name
        ) from error


def moment_arg(value: str | None) -> datetime | None:
    """An ISO 8601 time from the query string (as in a scan's ``scanned_at``), or None."""
    return _moment({"since": value}, "since") if value else None


def _flag(payload: dict, name: str) -> bool:
    """A true/false field, false when absent."""
    value = payload.get(name, False)
    if not isinstance(value, bool):
        raise PayloadError(_("%(field)s must be true or false.", field=name), field=name)
    return value


def _identifier(payload: dict, name: str) -> int | None:
    """A positive integer id, or None when absent."""
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise PayloadError(_("%(field)s must be a positive number.", field=name), field=name)
    return value


def scan_request(payload: object, *, source: str, by_id: bool = False) -> ScanRequest:
    """A ScanRequest from ``{"token", "checkpoint", "nonce", "scanned_at", "force",
    "admitted_offline"}`` (the last one sent by a desk syncing what it admitted offline).

    With ``by_id`` (the desk's search), ``registration_id`` may replace the token.
    Raises PayloadError.
    """
    if not isinstance(payload, dict):
        raise PayloadError(_("The body must be a JSON object."))
    registration_id = _identifier(payload, "registration_id") if by_id else None
    token = _text(payload, "token", max_length=256)
    if token is None and registration_id is None:
        raise PayloadError(_("token is required."), field="token")
    return ScanRequest(
        checkpoint=_text(payload, "checkpoint", max_length=64, default=VENUE),
        token=token,
        registration_id=None if token else registration_id,
        nonce=_text(payload, "nonce", max_length=100),
        scanned_at=_moment(payload, "scanned_at"),
        force=_flag(payload, "force"),
        source=source,
        admitted_offline=_flag(payload, "admitted_offline"),
    )


def given_reason(payload: object) -> str:
    """The reason of ``{"reason": …}`` (500 characters at most). Raises PayloadError."""
    if not isinstance(payload, dict):
        raise PayloadError(_("The body must be a JSON object."))
    return _text(payload, "reason", max_length=500, default="")
