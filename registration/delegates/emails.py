"""The emails a delegate receives about their registration."""

from flask_babel import lazy_gettext as _l
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from registration.delegates.models import Registration, Status
from registration.links import public_url
from registration.mail.services import Attachment, queue_email

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
    title = event.title_in(registration.language)
    for session in registration.sessions or event.sessions:
        entry = CalendarEvent()
        entry.add("uid", f"{registration.reference}-{session.code}@registration")
        entry.add("summary", f"{session.title} — {title}")
        entry.add("dtstart", session.starts_at)
        entry.add("dtend", session.ends_at)
        entry.add("dtstamp", registration.created_at)
        entry.add("location", ", ".join(part for part in (session.room, event.venue) if part))
        calendar.add_component(entry)
    return calendar.to_ical()


def queue_registration_email(registration: Registration, kind: str, *, changes=None) -> None:
    """Queue the ``kind`` email (created, updated, withdrawn, link) in the delegate's language."""
    subject = _SUBJECTS.get((kind, registration.status)) or _SUBJECTS[(kind, None)]
    event = registration.event
    attachments = []
    if kind in ("created", "updated") and registration.status != Status.WITHDRAWN:
        attachments.append(Attachment("agenda.ics", "text/calendar", agenda_calendar(registration)))
    queue_email(
        registration.email,
        f"registration_{kind}",
        {
            "registration": registration,
            "event": event,
            "manage_link": public_url("delegates.manage", token=registration.manage_token),
            "changes": changes or {},
        },
        registration.language,
        subject=subject(
            event=event.title_in(registration.language), reference=registration.reference
        ),
        registration=registration,
        attachments=attachments,
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
