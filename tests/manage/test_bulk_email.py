"""Bulk email services: who receives it, in which language, and a fan-out job that resumes
without writing a message twice."""

import pytest

from registration.database import utcnow
from registration.delegates.filters import RegistrationFilter
from registration.delegates.models import Status
from registration.jobs.models import Job, JobStatus
from registration.mail.models import OutboxEmail
from registration.manage import bulk_email
from registration.manage.services import ManageError
from tests.conftest import run_jobs

TEXTS = {
    "en": ("News for {reference}", "Dear {given_name}, the venue changed."),
    "fr": ("Nouvelles pour {reference}", "Bonjour {given_name}, le lieu a changé."),
}


def _queue(db, event, staff, selection=None, texts=TEXTS):
    selection = bulk_email.recipient_filter(selection or RegistrationFilter())
    expected = len(
        db.session.execute(bulk_email.filters.select_registrations(event, selection)).all()
    )
    job = bulk_email.queue_bulk_email(event, selection, texts, by=staff, expected=expected)
    db.session.commit()
    return job


def _messages(db):
    """The staff messages in the outbox (registering also queues a confirmation)."""
    return (
        db.session.execute(
            db.select(OutboxEmail)
            .where(OutboxEmail.template == "staff_message")
            .order_by(OutboxEmail.id)
        )
        .scalars()
        .all()
    )


def test_active_registrations_by_default_and_any_status_when_named(db, event, make_registration):
    active = {make_registration(status).id for status in ("pending", "approved", "waitlisted")}
    make_registration("rejected")
    make_registration("withdrawn")
    select = bulk_email.filters.select_registrations

    default = bulk_email.recipient_filter(RegistrationFilter())
    named = bulk_email.recipient_filter(RegistrationFilter(status=[Status.REJECTED]))

    assert {r.id for r in db.session.execute(select(event, default)).scalars()} == active
    assert [r.status for r in db.session.execute(select(event, named)).scalars()] == [
        Status.REJECTED
    ]


@pytest.mark.parametrize(
    ("language", "chosen"), [("fr", "fr"), ("en", "en"), ("es", "en"), (None, "en")]
)
def test_each_person_gets_their_language_or_the_first_one(language, chosen):
    assert bulk_email.choose_language(language, TEXTS, ["en", "fr", "es"]) == chosen


def test_the_job_writes_each_message_in_its_language(db, event, make_registration, make_staff):
    people = {
        code: make_registration("approved", language=code, given_name=f"G{code}")
        for code in ("en", "fr", "es")
    }
    job = _queue(db, event, make_staff("registrar"))
    assert _messages(db) == []

    run_jobs()

    messages = {message.registration_id: message for message in _messages(db)}
    assert len(messages) == 3
    assert messages[people["fr"].id].subject == f"Nouvelles pour {people['fr'].reference}"
    assert messages[people["fr"].id].body_text.startswith("Bonjour Gfr, le lieu a changé.")
    assert messages[people["es"].id].subject == f"News for {people['es'].reference}"
    assert messages[people["es"].id].language == "en"
    db.session.expire_all()
    finished = db.session.get(Job, job.id)
    assert finished.status == JobStatus.DONE and finished.done == finished.total == 3


def test_previews_count_each_language_version(db, event, make_registration):
    make_registration(language="fr", given_name="Zoé")
    make_registration(language="es")
    make_registration(language="en")

    previews = bulk_email.previews(event, bulk_email.recipient_filter(RegistrationFilter()), TEXTS)

    assert [(p.language, p.count) for p in previews] == [("en", 2), ("fr", 1)]
    assert previews[1].text.startswith("Bonjour Zoé, le lieu a changé.")
    assert previews[1].subject.startswith("Nouvelles pour ")


def test_nothing_is_queued_without_the_first_language_or_recipients(db, event, make_staff):
    staff = make_staff("registrar")
    selection = bulk_email.recipient_filter(RegistrationFilter())

    with pytest.raises(ManageError) as missing:
        bulk_email.queue_bulk_email(event, selection, {"fr": TEXTS["fr"]}, by=staff, expected=0)
    with pytest.raises(ManageError) as nobody:
        bulk_email.queue_bulk_email(event, selection, TEXTS, by=staff, expected=0)

    assert missing.value.code == "first_language_missing"
    assert nobody.value.code == "no_recipients"
    assert db.session.execute(db.select(Job)).first() is None


def test_a_fan_out_that_fails_midway_resumes_without_duplicates(
    db, event, make_registration, make_staff, monkeypatch
):
    people = [make_registration("approved") for _ in range(5)]
    job = _queue(db, event, make_staff("registrar"))
    monkeypatch.setattr(bulk_email, "BATCH", 2)
    real = bulk_email.queue_email
    calls = {"count": 0}

    def flaky(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 4:  # the second batch fails once, after the first committed
            raise OSError("database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(bulk_email, "queue_email", flaky)

    run_jobs()
    db.session.expire_all()
    failed_once = db.session.get(Job, job.id)
    assert failed_once.status == JobStatus.QUEUED and failed_once.done == 2
    assert len(_messages(db)) == 2
    failed_once.run_after = utcnow()
    db.session.commit()
    run_jobs()

    recipients = [message.registration_id for message in _messages(db)]
    assert sorted(recipients) == sorted(person.id for person in people)
    assert db.session.get(Job, job.id).status == JobStatus.DONE
