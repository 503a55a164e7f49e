"""The scan API for devices: POST /api/v1/scans with a bearer device token (no cookies, no CSRF).

A worker process trusts a device token it has checked for DEVICE_TRUST_SECONDS (30 s): a token
revoked in another process stops scanning within that time (at once in the revoking process).
The roster checks the token on every request.
"""

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _

from registration.desk import roster
from registration.desk.answers import error_answer, scan_answer
from registration.desk.device_scans import device_scan
from registration.desk.devices import CheckedDevice, authenticate_device, checked_device
from registration.desk.models import DeviceToken
from registration.desk.payloads import PayloadError, moment_arg, read_json, scan_request
from registration.extensions import db

bp = Blueprint("desk_api", __name__, url_prefix="/api/v1")


def _bearer() -> str | None:
    """The token of the request's ``Authorization: Bearer <token>``, if it has one."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 256:
        return None
    return token


def _device() -> DeviceToken | None:
    """The device of the bearer token, if valid and not revoked (checked now)."""
    token = _bearer()
    return authenticate_device(token) if token else None


def _scanning_device() -> CheckedDevice | None:
    """The device of the bearer token, as checked within the last DEVICE_TRUST_SECONDS."""
    token = _bearer()
    return checked_device(token) if token else None


def _unauthorized():
    """401 for a missing, unknown or revoked device token."""
    body, status = error_answer(
        "unauthorized", _("A valid device token is required (it may have been revoked)."), 401
    )
    return jsonify(body), status, {"WWW-Authenticate": 'Bearer realm="scans"'}


@bp.get("/roster")
def roster_snapshot():
    """The device's meeting roster for offline check-in (devices with a device token).

    Keyed by the SHA-256 hex of each badge token; names, entity, category, status, sessions
    and a small photo link, never contact details. ``?since=<cursor>`` gives only what changed.
    """
    device = _device()
    if device is None:
        return _unauthorized()
    g.event_timezone = device.event.timezone
    try:
        since = moment_arg(request.args.get("since"))
    except PayloadError as error:
        body, status = error_answer(error.code, error.message, 400)
        return jsonify(body), status
    return jsonify(roster.roster(device.event, since)), 200, {"Cache-Control": "no-store"}


@bp.post("/scans")
def scans():
    """Check a badge in at a checkpoint (devices with a device token, acting as checkin).

    201 with the person's summary, or 4xx with a ``reason``; a repeated nonce gets the first
    answer again (header Idempotent-Replayed: true).
    """
    device = _scanning_device()
    if device is None:
        return _unauthorized()
    g.event_timezone = device.timezone
    try:
        wanted = scan_request(read_json(), source="api")
    except PayloadError as error:
        body, status = error_answer(error.code, error.message, 400)
        return jsonify(body), status
    logged = device_scan(device, wanted)
    body, status = scan_answer(logged)
    replayed = logged.replayed
    db.session.commit()
    return jsonify(body), status, {"Idempotent-Replayed": "true" if replayed else "false"}
