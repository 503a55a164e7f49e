"""Certificates of attendance, for delegates whose entry was recorded at the desk."""

from zoneinfo import ZoneInfo

from babel.dates import format_date, format_interval, format_time
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from registration.database import utcnow
from registration.delegates.models import HONORIFICS, Registration
from registration.desk.reports import presence
from registration.documents import pdf
from registration.errors import DomainError


class CertificateError(DomainError):
    """No certificate for this registration. Code: not_attended."""


def certificate_data(registration: Registration) -> dict:
    """What the certificate states, in the delegate's language, as plain data.

    Attendance counts only entries that were not annulled: the venue entry proves presence,
    session entries list the sessions attended. Raises CertificateError('not_attended').
    """
    event = registration.event
    entered = presence(event, registration.id).get(registration.id)
    if entered is None or entered.venue is None:
        raise CertificateError(
            _(
                "A certificate of attendance is issued only to participants whose arrival at "
                "the meeting was recorded at the registration desk."
            ),
            "not_attended",
        )
    language = registration.language if registration.language in event.languages else "en"
    zone = ZoneInfo(event.timezone)
    with force_locale(language):
        honorific = str(HONORIFICS.get(registration.honorific, registration.honorific))
    sessions = sorted(
        (session for session in event.sessions if session.id in entered.sessions),
        key=lambda session: session.starts_at,
    )
    return {
        "language": language,
        "reference": registration.reference,
        "name": " ".join(
            part
            for part in (honorific, registration.given_name, registration.family_name.upper())
            if part
        ),
        "organisation": registration.entity.name_in(language)
        if registration.entity
        else registration.other_organisation,
        "title": event.title_in(language),
        "series": event.series,
        "organiser": event.organiser,
        "venue": event.venue,
        "dates": format_interval(event.start_date, event.end_date, "yMMMMd", locale=language),
        "sessions": [
            {
                "title": session.title,
                "day": format_date(session.starts_at.astimezone(zone), "full", locale=language),
                "time": format_time(session.starts_at.astimezone(zone), "short", locale=language)
                + "–"
                + format_time(session.ends_at.astimezone(zone), "short", locale=language),
            }
            for session in sessions
        ],
        "issued": format_date(utcnow().astimezone(zone), "long", locale=language),
    }


def render_certificate(registration: Registration) -> bytes:
    """The certificate of attendance as a PDF. Raises CertificateError('not_attended')."""
    data = certificate_data(registration)
    with force_locale(data["language"]):
        html = render_template("documents/certificate.html", **data)
    return pdf.render_pdf(html, ["certificate.css"])
