"""Queueing in the caller's transaction, resending, and the mail log query."""

import pytest

from registration.audit.models import AuditEvent
from registration.mail import services
from registration.mail.models import MailStatus, OutboxEmail
from registration.mail.services import Attachment, MailError, queue_email


def _count(db) -> int:
    return db.session.scalar(db.select(db.func.count(OutboxEmail.id)))


def _queue(registration, **overrides):
    values = {
        "recipient": registration.email,
        "template": "registration_link",
        "context": {
            "registration": registration,
            "event": registration.event,
            "manage_link": "https://example.org/r/secret",
        },
        "language": "en",
        "subject": "Your link",
        "registration": registration,
    }
    values.update(overrides)
    return queue_email(
        values.pop("recipient"),
        values.pop("template"),
        values.pop("context"),
        values.pop("language"),
        **values,
    )


def test_a_rollback_drops_the_email_with_the_change(db, make_registration):
    registration = make_registration()
    before = _count(db)

    _queue(registration)
    assert _count(db) == before + 1  # flushed into the open transaction
    db.session.rollback()

    assert _count(db) == before


def test_a_commit_keeps_the_rendered_email(db, make_registration):
    registration = make_registration()

    email = _queue(registration, attachments=[Attachment("a.ics", "text/calendar", b"BEGIN")])
    db.session.commit()

    db.session.expire_all()
    assert email.status == MailStatus.QUEUED and email.attempts == 0
    assert registration.reference in email.body_text and "https://example.org/r/secret" in (
        email.body_html
    )
    assert email.attachments == [
        {"filename": "a.ics", "content_type": "text/calendar", "data": "QkVHSU4="}
    ]
    assert (email.registration_id, email.event_id) == (registration.id, registration.event_id)


def test_line_breaks_are_folded_out_of_subject_recipient_and_filenames(db, make_registration):
    registration = make_registration()

    email = _queue(
        registration,
        recipient="a@example.org\r\nBcc: b@example.org",
        subject="Hello\r\n\tBcc: b@example.org",
        attachments=[Attachment("a\r\n.ics", "text/calendar", b"")],
    )

    assert email.recipient == "a@example.org Bcc: b@example.org"
    assert email.subject == "Hello Bcc: b@example.org"
    assert email.attachments[0]["filename"] == "a .ics"


def test_resending_a_failed_message_retries_it(db, make_email, make_staff):
    staff = make_staff("registrar")
    failed = make_email(status=MailStatus.FAILED, attempts=8, last_error="refused")

    queued = services.resend(failed, by=staff)
    db.session.commit()

    assert queued.id == failed.id
    assert (queued.status, queued.attempts, queued.last_error) == (MailStatus.QUEUED, 0, "")
    assert _count(db) == 1
    audit = db.session.scalars(db.select(AuditEvent)).one()
    assert (audit.action, audit.actor_staff_id) == ("email_resent", staff.id)


def test_resending_a_sent_message_queues_a_copy(db, make_email, make_staff):
    attachments = [{"filename": "a.ics", "content_type": "text/calendar", "data": "QkVHSU4="}]
    sent = make_email(status=MailStatus.SENT, attempts=1, transport="smtp", attachments=attachments)

    copy = services.resend(sent, by=make_staff("registrar"))
    db.session.commit()

    assert copy.id != sent.id
    assert (copy.status, copy.attempts, copy.transport, copy.sent_at) == (
        MailStatus.QUEUED,
        0,
        "",
        None,
    )
    for column in ("recipient", "subject", "body_text", "body_html", "attachments", "language"):
        assert getattr(copy, column) == getattr(sent, column)
    assert db.session.get(OutboxEmail, sent.id).status == MailStatus.SENT


def test_a_queued_message_is_not_resent(db, make_email, make_staff):
    with pytest.raises(MailError) as refused:
        services.resend(make_email(), by=make_staff("registrar"))
    assert refused.value.code == "already_queued"


def test_the_log_filters_by_part_of_the_recipient_status_and_event(db, event, make_email):
    make_email(recipient="Anna.Jansen@minbuza.example.nl", event_id=event.id)
    make_email(recipient="anna_b@example.org", status=MailStatus.FAILED)
    make_email(recipient="annaxb@example.org")

    def recipients(**filters) -> list[str]:
        return [e.recipient for e in db.session.scalars(services.log_query(**filters))]

    assert recipients(recipient="jansen@MINBUZA") == ["Anna.Jansen@minbuza.example.nl"]
    assert recipients(recipient="anna_b") == ["anna_b@example.org"]  # "_" is not a wildcard
    assert recipients(recipient="%") == []
    assert recipients(status=MailStatus.FAILED) == ["anna_b@example.org"]
    assert recipients(event_id=event.id) == ["Anna.Jansen@minbuza.example.nl"]
    assert len(recipients()) == 3
