"""The emails a delegate receives about their registration."""

import io

import segno
from flask_babel import lazy_gettext as _l
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from registration.delegates.models import FIELD_LABELS, Registration, Status
from registration.links import public_url
from registration.mail.services import Attachment, queue_email

#: Content-ID of the e-badge's QR code inside the approval email's HTML.
E_BADGE_CID = "e-badge-qr"

# Subjects are lazy: queue_email evaluates them in the delegate's language.
_SUBJECTS = {
    ("created", Status.PENDING): lambda **v: _l(
        "Registration received: %(event)s (%(reference)s)", **v
    ),
    ("created", Status.APPROVED): lambda **v: _l(
        "Registration confirmed: %(event)s (%(reference)s)", **v
    ),
    ("created", Status.WAITLISTED): lambda **v: _l(
        "On the waiting list: %(event)s (%(reference)s)", **v
    ),
    ("updated", None): lambda **v: _l("Registration updated: %(event)s (%(reference)s)", **v),
    ("withdrawn", None): lambda **v: _l("Registration withdrawn: %(event)s (%(reference)s)", **v),
    ("link", None): lambda **v: _l("Your registration link: %(event)s (%(reference)s)", **v),
    ("email_changed", None): lambda **v: _l(
        "Email address changed: %(event)s (%(reference)s)", **v
    ),
}


def agenda_calendar(registration: Registration) -> bytes:
    """An iCalendar file of the sessions chosen (the whole meeting when none are)."""
    calendar = Calendar()
    calendar.add("prodid", "-//registration//agenda//EN")
    calendar.add("version", "2.0")
    event = registration.event
    language = registration.language
    title = event.title_in(language)
    venue = event.localized("venue", language)
    # Agenda order, whatever order the sessions were chosen or stored in.
    chosen = registration.sessions or event.sessions
    for session in sorted(chosen, key=lambda item: (item.starts_at, item.id)):
        entry = CalendarEvent()
        entry.add("uid", f"{registration.reference}-{session.code}@registration")
        entry.add("summary", f"{session.title_in(language)} — {title}")
        entry.add("dtstart", session.starts_at)
        entry.add("dtend", session.ends_at)
        entry.add("dtstamp", registration.created_at)
        if session.description:
            entry.add("description", session.localized("description", language))
        entry.add("location", ", ".join(part for part in (session.room, venue) if part))
        calendar.add_component(entry)
    return calendar.to_ical()


def e_badge(registration: Registration) -> tuple[dict, list[Attachment]]:
    """What an approved delegate needs at the venue: the e-badge and practical information.

    Returns template context (the badge PDF link through the secret manage link, the
    meeting's practical information) and the QR code as an inline PNG, so that the desk can
    scan a phone. Empty for a registration that is not approved.
    """
    if registration.status != Status.APPROVED:
        return {}, []
    png = io.BytesIO()
    # Only the badge token, like the printed badge: a scan of the phone is a scan of the badge.
    segno.make(registration.badge_token, error="m").save(png, kind="png", scale=8, border=4)
    context = {
        "e_badge": {
            "cid": E_BADGE_CID,
            "pdf_link": public_url("documents.own_badge", token=registration.manage_token),
        },
        "practical_info": registration.event.practical_info,
    }
    return context, [Attachment("e-badge.png", "image/png", png.getvalue(), E_BADGE_CID)]


def queue_registration_email(registration: Registration, kind: str, *, changes=None) -> None:
    """Queue the ``kind`` email (created, updated, withdrawn, link) in the delegate's language."""
    subject = _SUBJECTS.get((kind, registration.status)) or _SUBJECTS[(kind, None)]
    event = registration.event
    attachments = []
    extra: dict = {}
    if kind in ("created", "updated") and registration.status != Status.WITHDRAWN:
        attachments.append(Attachment("agenda.ics", "text/calendar", agenda_calendar(registration)))
    if kind == "created":
        extra, badge = e_badge(registration)
        attachments += badge
    queue_email(
        registration.email,
        f"registration_{kind}",
        {
            "registration": registration,
            "event": event,
            "manage_link": public_url("delegates.manage", token=registration.manage_token),
            "changes": changes or {},
            **extra,
        },
        registration.language,
        subject=subject(
            event=event.title_in(registration.language), reference=registration.reference
        ),
        registration=registration,
        attachments=attachments,
    )


def notify_secretariat(registration: Registration, changes: dict[str, list]) -> None:
    """Tell the event's secretariat address (if set) which fields a delegate changed.

    Written in the meeting's first language; the back-office page shows the values.
    """
    event = registration.event
    if not event.secretariat_email:
        return
    language = (event.languages or ["en"])[0]
    queue_email(
        event.secretariat_email,
        "secretariat_registration_changed",
        {
            "registration": registration,
            "event": event,
            "fields": [name for name in changes if name != "status"],
            "field_labels": FIELD_LABELS,
            "back_to_review": "status" in changes,
            "manage_link": public_url("manage.registration", registration_id=registration.id),
        },
        language,
        subject=_l(
            "Registration changed by the delegate: %(reference)s", reference=registration.reference
        ),
        event=event,
    )


def masked_address(address: str) -> str:
    """``address`` with most of its local part hidden (f…@example.org)."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}…@{domain}"


def queue_email_change_notice(registration: Registration, old_address: str) -> None:
    """Tell the previous address that the registration's address changed, without its link.

    Whoever lost control of their registration learns it at the address they still read; the
    secret link goes only to the new address.
    """
    event = registration.event
    queue_email(
        old_address,
        "registration_email_changed",
        {
            "registration": registration,
            "event": event,
            "new_address": masked_address(registration.email),
        },
        registration.language,
        subject=_SUBJECTS[("email_changed", None)](
            event=event.title_in(registration.language), reference=registration.reference
        ),
        registration=registration,
    )
