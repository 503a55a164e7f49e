"""Bulk email, safely: active registrations by default, a preview per language, a confirmed
count, and the fan-out as a job (each person gets the text in their language).

The request only checks the text and queues one job holding the recipients' ids; the worker
writes the messages into the outbox in batches, each batch committed with the job's position in
the list, so a worker that dies mid-way is taken over without a message queued twice.
"""

import functools
from dataclasses import dataclass, replace

import sqlalchemy as sa
from babel import Locale
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from registration.auth.models import Role, StaffUser
from registration.delegates import filters, placeholders
from registration.delegates.models import Registration, Status
from registration.events.models import Event
from registration.extensions import db
from registration.i18n import current_language
from registration.jobs import services as jobs
from registration.jobs.models import Job
from registration.jobs.registry import task
from registration.jobs.runner import JobContext
from registration.mail.services import queue_email
from registration.manage.services import STAFF_MESSAGE, ManageError, message_context

#: Who bulk email reaches unless the filter names statuses: not rejected, not withdrawn.
ACTIVE_STATUSES = [Status.PENDING, Status.APPROVED, Status.WAITLISTED]
#: Messages written per transaction of the fan-out.
BATCH = 200

#: {language: (subject, body)}; the meeting's first language is always there.
Texts = dict[str, tuple[str, str]]


@dataclass(frozen=True)
class Preview:
    """One language version of a bulk message: who gets it and what a sample person reads."""

    language: str
    language_name: str
    count: int
    registration: Registration | None
    subject: str = ""
    text: str = ""


def recipient_filter(selection: filters.RegistrationFilter) -> filters.RegistrationFilter:
    """The list's filter, limited to active registrations when it names no status."""
    if selection.status:
        return selection
    return replace(selection, status=list(ACTIVE_STATUSES))


def meeting_languages(event: Event) -> list[str]:
    """The languages a bulk message can be written in: the meeting's, first one first."""
    return list(event.languages or ["en"])


def language_name(language: str) -> str:
    """A language's name in the reader's language ("French", « français »…)."""
    return _display_name(language, current_language())


@functools.lru_cache(maxsize=64)
def _display_name(language: str, reader: str) -> str:
    # Babel reads its locale data for each Locale: a name costs milliseconds, a cache nothing.
    return Locale.parse(language).get_display_name(reader) or language


def choose_language(language: str | None, texts: Texts, languages: list[str]) -> str:
    """The version a person receives: their own language if it was written, else the
    meeting's first language."""
    return language if language in texts else languages[0]


def _check(texts: Texts, languages: list[str]) -> None:
    """Refuse a message without its first-language version, or with unknown placeholders."""
    if languages[0] not in texts:
        raise ManageError(
            _("Write the message in %(language)s at least.", language=language_name(languages[0])),
            "first_language_missing",
        )
    for subject, body in texts.values():
        placeholders.check(subject)
        placeholders.check(body)


def _languages_of(event: Event, selection: filters.RegistrationFilter) -> dict[str | None, int]:
    """How many recipients have each language."""
    rows = db.session.execute(
        sa.select(Registration.language, sa.func.count())
        .where(*filters.conditions(event, selection))
        .group_by(Registration.language)
    )
    return dict(rows.all())


def previews(event: Event, selection: filters.RegistrationFilter, texts: Texts) -> list[Preview]:
    """Each written language version: how many people receive it and what the first of them
    reads (anyone on the list when nobody receives it). Raises PlaceholderError or
    ManageError('first_language_missing')."""
    languages = meeting_languages(event)
    _check(texts, languages)
    by_language = _languages_of(event, selection)
    result = []
    for language in languages:
        if language not in texts:
            continue
        receivers = [
            code for code in by_language if choose_language(code, texts, languages) == language
        ]
        query = filters.select_registrations(event, selection)
        if receivers:
            query = query.where(Registration.language.in_(receivers))
        sample = db.session.execute(query.limit(1)).scalar()
        subject, text = preview_message(sample, *texts[language], language) if sample else ("", "")
        count = sum(by_language[code] for code in receivers)
        result.append(Preview(language, language_name(language), count, sample, subject, text))
    return result


def preview_message(
    registration: Registration, subject: str, body: str, language: str
) -> tuple[str, str]:
    """The subject and text body ``registration`` would read in ``language`` (writes nothing)."""
    values, context = message_context(registration, body)
    with force_locale(language):
        text = render_template(f"email/{STAFF_MESSAGE}.txt", **context)
    return placeholders.fill(subject, values), text


def queue_bulk_email(
    event: Event,
    selection: filters.RegistrationFilter,
    texts: Texts,
    *,
    by: StaffUser,
    expected: int,
) -> Job:
    """Queue the fan-out of a message to the registrations of ``selection`` (registrars).

    ``expected`` is the count the sender confirmed; if the list changed since, nothing is sent.
    Raises PlaceholderError, ManageError('first_language_missing' | 'no_recipients' |
    'recipients_changed'), JobError (too many jobs, too many recipients).
    """
    languages = meeting_languages(event)
    _check(texts, languages)
    ids = list(
        db.session.execute(
            sa.select(Registration.id)
            .where(*filters.conditions(event, selection))
            .order_by(Registration.id)
        ).scalars()
    )
    if not ids:
        raise ManageError(_("No registration matches the filter."), "no_recipients")
    if len(ids) != expected:
        raise ManageError(
            _(
                "The list has changed: %(count)d people would receive the message now. "
                "Check the preview and confirm again.",
                count=len(ids),
            ),
            "recipients_changed",
        )
    return jobs.enqueue(
        "bulk_email",
        event=event,
        payload={
            "ids": ids,
            "texts": {language: list(pair) for language, pair in texts.items()},
            "languages": languages,
            "position": 0,
        },
        by=by,
        size=len(ids),
    )


@task(
    "bulk_email",
    title=_l("Email to registrations"),
    roles=(Role.REGISTRAR,),
    back="manage.registrations",
)
def send_bulk(job: JobContext) -> None:
    """Write the messages into the outbox, BATCH at a time, each person in their language."""
    payload = job.payload
    ids, languages = payload["ids"], payload["languages"]
    texts = {language: tuple(pair) for language, pair in payload["texts"].items()}
    position = payload.get("position", 0)
    while position < len(ids):
        batch = ids[position : position + BATCH]
        registrations = db.session.execute(
            db.select(Registration).where(Registration.id.in_(batch)).order_by(Registration.id)
        ).scalars()
        for registration in registrations:
            language = choose_language(registration.language, texts, languages)
            subject, body = texts[language]
            values, context = message_context(registration, body)
            queue_email(
                registration.email,
                STAFF_MESSAGE,
                context,
                language,
                subject=placeholders.fill(subject, values),
                registration=registration,
            )
        position += len(batch)
        # The messages and the position in the list commit together.
        job.checkpoint(position, {**payload, "position": position})
        db.session.commit()
