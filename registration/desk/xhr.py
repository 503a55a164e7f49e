"""JSON endpoints of the desk page: signed-in staff, CSRF token in the X-CSRFToken header.

They live under /api/ so that every error, including a missing sign-in (401), is JSON.
"""

from flask import Blueprint, abort, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registration.auth.decorators import DESK_ROLES, READ_ROLES, role_required
from registration.desk import devices, people, reports, services
from registration.desk.answers import (
    attendance_summary,
    error_answer,
    registration_summary,
    scan_answer,
)
from registration.desk.frames import decode_badge
from registration.desk.models import Attendance
from registration.desk.payloads import PayloadError, given_reason, read_json, scan_request
from registration.desk.views import event_registration
from registration.events.lookup import load_event
from registration.events.models import Event
from registration.extensions import db

bp = Blueprint("desk_xhr", __name__, url_prefix="/api/desk")

#: A downscaled camera frame is 20–150 kB; refuse anything beyond this before reading it.
MAX_FRAME_BYTES = 2 * 1024 * 1024
#: How the desk page may say it read a badge.
DESK_SOURCES = ("scanner", "camera", "search")


def _with_links(person: dict, event: Event) -> dict:
    """Add the badge links that the desk page offers beside a person's summary."""
    person["badge_url"] = url_for("documents.badge", registration_id=person["id"])
    person["printed_url"] = url_for(
        "desk_xhr.badge_printed", slug=event.slug, registration_id=person["id"]
    )
    return person


def _answer(event: Event, wanted: services.ScanRequest):
    """Scan for the signed-in staff member, commit, and answer as the scan API does."""
    logged = services.scan(event, wanted, staff=current_user)
    body, status = scan_answer(logged)
    if "registration" in body:
        _with_links(body["registration"], event)
    if "attendance" in body:
        body["attendance"]["annul_url"] = url_for(
            "desk_xhr.annul", slug=event.slug, attendance_id=body["attendance"]["id"]
        )
    db.session.commit()
    return jsonify(body), status


def _invalid(error: PayloadError):
    """400 with the reason invalid_request."""
    body, status = error_answer(error.code, error.message, 400)
    return jsonify(body), status


@bp.post("/<slug>/scans")
@role_required(*DESK_ROLES)
def scan(slug: str):
    """Check in a badge read by a scanner, or a person picked in the search (desk staff)."""
    event = load_event(slug)
    try:
        payload = read_json()
        source = payload.get("source") if isinstance(payload, dict) else None
        wanted = scan_request(
            payload, source=source if source in DESK_SOURCES else "scanner", by_id=True
        )
    except PayloadError as error:
        return _invalid(error)
    return _answer(event, wanted)


@bp.post("/<slug>/frames")
@role_required(*DESK_ROLES)
def frame(slug: str):
    """Read a badge QR code in a camera frame (JPEG body) and check it in (desk staff).

    ``?checkpoint=&nonce=&force=1`` as in a scan; ``{"status": "no_code"}`` when the frame
    holds no readable code.
    """
    event = load_event(slug)
    request.max_content_length = MAX_FRAME_BYTES
    token = decode_badge(request.get_data(cache=False))
    if token is None:
        return jsonify(status="no_code")
    payload = {
        "token": token,
        "checkpoint": request.args.get("checkpoint") or None,
        "nonce": request.args.get("nonce") or None,
        "force": request.args.get("force") == "1",
    }
    try:
        wanted = scan_request(payload, source="camera")
    except PayloadError as error:
        return _invalid(error)
    return _answer(event, wanted)


@bp.get("/<slug>/search")
@role_required(*DESK_ROLES)
def search(slug: str):
    """People of the meeting matching a name, organisation, reference or ISO code (desk staff)."""
    event = load_event(slug)
    found = people.search(event, request.args.get("q", "")[:100])
    return jsonify(results=[_with_links(registration_summary(r), event) for r in found])


@bp.post("/<slug>/attendances/<int:attendance_id>/annul")
@role_required(*DESK_ROLES)
def annul(slug: str, attendance_id: int):
    """Annul a mistaken check-in with a reason (desk staff)."""
    event = load_event(slug)
    attendance = db.get_or_404(Attendance, attendance_id)
    if attendance.registration.event_id != event.id:
        abort(404)
    try:
        reason = given_reason(read_json())
        services.annul(attendance, reason, by=current_user)
    except PayloadError as error:
        return _invalid(error)
    except services.CheckInError as error:
        db.session.rollback()
        body, status = error_answer(
            error.code, error.message, 400 if error.code == "reason_required" else 409
        )
        return jsonify(body), status
    body = {
        "status": "ok",
        "message": _("Check-in annulled."),
        "attendance": attendance_summary(attendance),
        "registration": _with_links(registration_summary(attendance.registration), event),
    }
    db.session.commit()
    return jsonify(body)


@bp.get("/<slug>/counts")
@role_required(*DESK_ROLES, *READ_ROLES)
def counts(slug: str):
    """Live counts for the dashboard, polled every few seconds (desk staff and viewers)."""
    return jsonify(reports.live_counts(load_event(slug)))


@bp.post("/<slug>/device")
@role_required(*DESK_ROLES)
def register_device(slug: str):
    """Give this browser desk a device token, for its offline roster and queue (desk staff).

    The token is answered once and kept by the page; only its hash is stored.
    """
    event = load_event(slug)
    name = _("Browser desk of %(email)s", email=current_user.email)
    device, token = devices.create_device(event, name, by=current_user)
    db.session.commit()
    body = {"status": "ok", "device_id": device.id, "token": token, "event": event.slug}
    return jsonify(body), 201, {"Cache-Control": "no-store"}


@bp.post("/<slug>/registrations/<int:registration_id>/badge-printed")
@role_required(*DESK_ROLES)
def badge_printed(slug: str, registration_id: int):
    """Record that the desk printed a person's badge; a reprint needs a reason (desk staff)."""
    event = load_event(slug)
    registration = event_registration(event, registration_id)
    try:
        reason = given_reason(read_json())
        services.mark_badge_printed(registration, reason, by=current_user)
    except PayloadError as error:
        return _invalid(error)
    except services.CheckInError as error:
        db.session.rollback()
        body, status = error_answer(error.code, error.message, 400)
        return jsonify(body), status
    db.session.commit()
    return jsonify(status="ok", message=_("Badge printed."))
