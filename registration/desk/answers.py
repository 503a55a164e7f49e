"""JSON answers of the scan API and the desk page, built from the scan log."""

from registration.delegates.models import Registration, honorific_label, status_label
from registration.desk.models import Attendance, Scan
from registration.desk.photo_links import photo_url
from registration.desk.services import reason_message
from registration.i18n import format_minute

#: HTTP status of each scan result.
HTTP_STATUS = {
    "ok": 201,
    "unknown_token": 404,
    "unknown_checkpoint": 422,
    "wrong_event": 409,
    "not_approved": 409,
    "withdrawn": 409,
    "rejected": 409,
    "already_checked_in": 409,
    "duplicate": 409,
    "session_not_chosen": 409,
}


def registration_summary(registration: Registration) -> dict:
    """What a desk shows about a person: no email, phone, nationality or needs."""
    return {
        "id": registration.id,
        "reference": registration.reference,
        "name": registration.full_name,
        "honorific": honorific_label(registration.honorific, registration.grammatical_gender),
        "given_name": registration.given_name,
        "family_name": registration.family_name,
        "entity": registration.organisation_name,
        "category": registration.category.name_in(),
        "category_colour": registration.category.badge_colour,
        "status": registration.status.value,
        "status_label": status_label(registration.status),
        "checked_in_at": _moment(registration.checked_in_at),
        "sessions": [
            {"code": session.code, "title": session.title_in()} for session in registration.sessions
        ],
        "has_photo": bool(registration.photo),
        # A secret link that a scanning device can open as well as the desk page.
        "photo_url": photo_url(registration),
        "badge_printed": registration.badge_printed_at is not None,
    }


def _moment(value) -> dict | None:
    """A time as ISO 8601 UTC and as the event's local time for people."""
    if value is None:
        return None
    return {"utc": value.isoformat(), "local": format_minute(value)}


def attendance_summary(attendance: Attendance) -> dict:
    """An entry at a checkpoint (its id lets the desk annul it)."""
    return {
        "id": attendance.id,
        "checkpoint": attendance.checkpoint,
        "checked_in_at": _moment(attendance.checked_in_at),
        "annulled": attendance.annulled_at is not None,
    }


def scan_answer(scan: Scan) -> tuple[dict, int]:
    """The JSON body and HTTP status for a logged scan (the same for a replayed nonce)."""
    registration = scan.registration
    known = registration is not None and registration.event_id == scan.event_id
    body: dict = {
        "status": "ok" if scan.result == "ok" else "error",
        "checkpoint": scan.checkpoint,
        "forced": scan.forced,
        "message": reason_message(scan.result, registration, scan.attendance),
    }
    if scan.result != "ok":
        body["reason"] = scan.result
    if known:
        body["registration"] = registration_summary(registration)
    if scan.attendance is not None:
        body["attendance"] = attendance_summary(scan.attendance)
        if scan.result in ("already_checked_in", "duplicate"):
            body["first_checked_in_at"] = _moment(scan.attendance.checked_in_at)
    return body, HTTP_STATUS[scan.result]


def error_answer(reason: str, message: str, status: int) -> tuple[dict, int]:
    """A refusal that is not a scan result (bad request, missing or revoked token)."""
    return {"status": "error", "reason": reason, "message": message}, status
