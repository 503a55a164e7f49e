"""Certificates of attendance, for delegates whose entry was recorded at the desk."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_interval, format_time
from flask import render_template
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from registration.database import utcnow
from registration.delegates.models import Registration, honorific_label
from registration.desk.reports import presence
from registration.documents import pdf
from registration.errors import DomainError


class CertificateError(DomainError):
    """No certificate for this registration. Codes: not_attended, meeting_not_ended."""


def _check_issuable(registration: Registration, attended: bool) -> None:
    """A certificate needs a recorded arrival and a meeting that has ended."""
    if not attended:
        raise CertificateError(
            _(
                "A certificate of attendance is issued only to participants whose arrival at "
                "the meeting was recorded at the registration desk."
            ),
            "not_attended",
        )
    if not registration.event.has_ended():
        raise CertificateError(
            _(
                "The certificate of attendance is issued once the meeting has ended, from "
                "%(date)s.",
                date=format_date(
                    registration.event.end_date + timedelta(days=1), "long", locale=get_locale()
                ),
            ),
            "meeting_not_ended",
        )


def certificate_data(registration: Registration) -> dict:
    """What the certificate states, in the delegate's language, as plain data.

    Attendance counts only entries that were not annulled: the venue entry proves presence,
    session entries list the sessions attended. Raises CertificateError('not_attended' |
    'meeting_not_ended').
    """
    event = registration.event
    entered = presence(event, registration.id).get(registration.id)
    _check_issuable(registration, entered is not None and entered.venue is not None)
    language = (
        registration.language if registration.language in event.languages else event.first_language
    )
    zone = ZoneInfo(event.timezone)
    with force_locale(language):
        honorific = honorific_label(registration.honorific, registration.grammatical_gender)
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
        "series": event.localized("series", language),
        "organiser": event.localized("organiser", language),
        "venue": event.localized("venue", language),
        "dates": format_interval(event.start_date, event.end_date, "yMMMMd", locale=language),
        "sessions": [
            {
                "title": session.title_in(language),
                "day": format_date(session.starts_at.astimezone(zone), "full", locale=language),
                "time": format_time(session.starts_at.astimezone(zone), "short", locale=language)
                + "–"
                + format_time(session.ends_at.astimezone(zone), "short", locale=language),
            }
            for session in sessions
        ],
        "issued": format_date(utcnow().astimezone(zone), "long", locale=language),
        # Served by the PDF fetcher from the photo store, where the re-encoded logo lives.
        "logo": f"{pdf.SCHEME}:photo/{event.certificate_logo}" if event.certificate_logo else None,
        "signatory": event.certificate_signatory,
        "signatory_title": event.certificate_signatory_title,
    }


def render_certificate(registration: Registration) -> bytes:
    """The certificate of attendance as a PDF. Raises CertificateError('not_attended')."""
    data = certificate_data(registration)
    with force_locale(data["language"]):
        html = render_template("documents/certificate.html", **data)
    return pdf.render_pdf(html, ["certificate.css"])
