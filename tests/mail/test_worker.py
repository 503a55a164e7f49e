"""The outbox worker: the local mailbox, a real SMTP server, backoff, give-up, claims."""

import socket
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from registration.database import utcnow
from registration.mail import worker
from registration.mail.models import MailAttempt, MailStatus, OutboxEmail
from registration.mail.services import queue_email
from registration.mail.worker import deliver_due, message_id
from tests.conftest import free_port


def _all(db) -> list[OutboxEmail]:
    db.session.expire_all()
    return db.session.scalars(db.select(OutboxEmail).order_by(OutboxEmail.id)).all()


def _message_ids(emails: list[OutboxEmail], sender: str = "registration@localhost") -> set[str]:
    return {message_id(email.id, email.created_at, sender) for email in emails}


def _down(mail_settings) -> None:
    """Point the app at a loopback port where nothing listens."""
    mail_settings(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())


def test_without_mail_server_messages_go_to_the_local_mailbox(app, db, make_email):
    assert not app.config["MAIL_SERVER"]
    email = make_email()

    assert deliver_due() == 1

    (delivered,) = _all(db)
    assert delivered.id == email.id
    assert delivered.status == MailStatus.SENT
    assert delivered.transport == "mailbox"
    assert delivered.sent_at is not None and delivered.attempts == 1
    assert delivered.claim_token is None and delivered.claimed_until is None
    assert [(a.transport, a.error) for a in delivered.delivery_attempts] == [("mailbox", "")]
    assert deliver_due() == 0


def test_smtp_delivery_has_text_html_and_the_agenda_attachment(db, smtp_server, make_registration):
    registration = make_registration("approved")
    (queued,) = _all(db)
    assert queued.status == MailStatus.QUEUED  # registering never talked to the server

    assert deliver_due() == 1

    (received,) = smtp_server.wait_for(1)
    assert received["To"] == registration.email
    assert received["From"] == "registration@localhost"
    assert received["Subject"] == queued.subject
    assert received["Message-ID"] in _message_ids([queued])
    assert received.get_content_type() == "multipart/mixed"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert registration.reference in text and registration.reference in html
    assert "<html" in html
    (attachment,) = received.iter_attachments()
    assert attachment.get_filename() == "agenda.ics"
    assert attachment.get_content_type() == "text/calendar"
    calendar = attachment.get_payload(decode=True).decode()
    assert calendar.startswith("BEGIN:VCALENDAR") and registration.reference in calendar
    (sent,) = _all(db)
    assert (sent.status, sent.transport, sent.attempts) == (MailStatus.SENT, "smtp", 1)


def test_server_down_then_up_delivers_every_message_exactly_once(
    db, smtp_server, mail_settings, make_email, time_passes
):
    """The server's port has nothing listening at first; later an SMTP server starts there."""
    emails = [make_email() for _ in range(5)]
    port = free_port()
    mail_settings(MAIL_PORT=port)

    before = utcnow()
    assert deliver_due() == 0
    for email in _all(db):
        assert (email.status, email.attempts) == (MailStatus.QUEUED, 1)
        assert "ConnectionRefusedError" in email.last_error
        assert before + timedelta(seconds=30) <= email.next_attempt_at
        assert email.next_attempt_at <= utcnow() + timedelta(seconds=30)
    assert deliver_due() == 0  # backing off: nothing is due yet
    assert {email.attempts for email in _all(db)} == {1}

    time_passes()
    before = utcnow()
    assert deliver_due() == 0
    for email in _all(db):
        assert email.attempts == 2
        assert email.next_attempt_at >= before + timedelta(seconds=60)  # the delay doubled

    server = Controller(smtp_server, hostname="127.0.0.1", port=port)  # same inbox, new port
    server.start()
    try:
        time_passes()
        assert deliver_due() == 5
        time_passes()
        assert deliver_due() == 0
        received = smtp_server.wait_for(5)
        time.sleep(0.2)  # anything sent twice would have arrived by now
    finally:
        server.stop()

    per_id = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert set(per_id) == _message_ids(emails)
    assert set(per_id.values()) == {1}
    assert len(received) == len(smtp_server.messages) == 5
    for email in _all(db):
        assert (email.status, email.transport, email.attempts) == (MailStatus.SENT, "smtp", 3)
        outcomes = [attempt.error for attempt in email.delivery_attempts]
        assert len(outcomes) == 3 and outcomes[-1] == "" and all(outcomes[:2])


def test_gives_up_after_the_maximum_number_of_attempts(db, mail_settings, make_email, time_passes):
    _down(mail_settings)
    mail_settings(MAIL_MAX_ATTEMPTS=3)
    make_email()

    for _ in range(3):
        time_passes()
        assert deliver_due() == 0

    (email,) = _all(db)
    assert (email.status, email.attempts) == (MailStatus.FAILED, 3)
    assert email.last_error and email.sent_at is None
    time_passes()
    deliver_due()
    assert _all(db)[0].attempts == 3  # failed messages are left alone
    assert db.session.scalar(db.select(db.func.count(MailAttempt.id))) == 3


def test_a_silent_server_times_out(db, mail_settings, make_email):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # connections complete, but no greeting ever comes
        mail_settings(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=1)
        make_email()
        started = time.monotonic()
        assert deliver_due() == 0
        assert time.monotonic() - started < 5

    (email,) = _all(db)
    assert (email.status, email.attempts) == (MailStatus.QUEUED, 1)
    assert "timed out" in email.last_error


def test_registering_while_the_mail_server_is_down_loses_nothing(
    db, mail_settings, make_registration
):
    _down(mail_settings)
    registration = make_registration()

    assert deliver_due() == 0

    (email,) = _all(db)
    assert email.registration_id == registration.id
    assert (email.status, email.attempts) == (MailStatus.QUEUED, 1)


def test_line_breaks_cannot_inject_headers(db, smtp_server, make_registration):
    registration = make_registration()
    context = {"registration": registration, "event": registration.event, "manage_link": "x"}
    injected = queue_email(
        registration.email,
        "registration_link",
        context,
        "en",
        subject=f"Dear {registration.given_name}\r\nBcc: spy@example.net\r\n\r\nFake body",
    )
    folded_address = queue_email(
        f"{registration.email}\r\nBcc: spy@example.net",
        "registration_link",
        context,
        "en",
        subject="Your link",
    )
    db.session.commit()

    assert deliver_due() == 2  # the confirmation and the folded subject

    messages = smtp_server.wait_for(2)
    time.sleep(0.2)
    assert len(smtp_server.messages) == 2
    (received,) = [m for m in messages if m["Message-ID"] in _message_ids([injected])]
    assert received["Subject"] == "Dear Anna Bcc: spy@example.net Fake body"
    assert received["Bcc"] is None
    assert received["To"] == registration.email
    assert "spy@example.net" not in str(received.get_body(("plain",)).get_content())
    refused = db.session.get(OutboxEmail, folded_address.id)
    db.session.refresh(refused)
    assert refused.recipient == f"{registration.email} Bcc: spy@example.net"
    assert (refused.status, refused.attempts) == (MailStatus.FAILED, 1)  # refused for good
    assert "not a single email address" in refused.last_error


@pytest.mark.parametrize("transport", ["smtp", "mailbox"])
def test_a_row_written_with_a_line_break_is_refused_not_sent(
    db, smtp_server, mail_settings, make_email, transport
):
    if transport == "mailbox":
        mail_settings(MAIL_SERVER=None)
    make_email(subject="Hello\r\nBcc: spy@example.net")

    assert deliver_due() == 0

    (email,) = _all(db)
    assert (email.status, email.attempts) == (MailStatus.FAILED, 1)
    assert email.last_error.startswith("BadHeaderError")
    assert smtp_server.messages == []


def test_a_corrupt_attachment_fails_the_message_and_not_the_batch(db, make_email):
    broken = make_email(
        attachments=[{"filename": "a.txt", "content_type": "text/plain", "data": "not base64!"}]
    )
    fine = make_email()

    assert deliver_due() == 1

    assert db.session.get(OutboxEmail, fine.id).status == MailStatus.SENT
    db.session.refresh(broken)
    assert (broken.status, broken.attempts) == (MailStatus.FAILED, 1)


def test_a_live_claim_is_skipped_and_a_lapsed_one_taken_over(db, make_email):
    held = make_email(claim_token="another-worker", claimed_until=utcnow() + timedelta(minutes=1))
    free = make_email()

    assert deliver_due() == 1
    assert [email.status for email in _all(db)] == [MailStatus.QUEUED, MailStatus.SENT]

    held.claimed_until = utcnow() - timedelta(seconds=1)  # that worker died
    db.session.commit()
    assert deliver_due() == 1
    assert {email.id for email in _all(db) if email.status == MailStatus.SENT} == {
        held.id,
        free.id,
    }


def test_two_claims_never_share_a_message(db, make_email):
    for _ in range(3):
        make_email()

    first_token, _, first = worker._claim(2)
    second_token, _, second = worker._claim(2)

    assert first_token != second_token
    assert len(first) == 2 and len(second) == 1
    assert not {item.id for item in first} & {item.id for item in second}
    assert worker._claim(2)[2] == []


def test_a_stopped_worker_gives_its_claims_back(db, make_email):
    make_email()
    stop = threading.Event()
    stop.set()

    assert deliver_due(stop=stop) == 0

    (email,) = _all(db)
    assert (email.status, email.attempts, email.claim_token) == (MailStatus.QUEUED, 0, None)
    assert deliver_due() == 1


def test_a_delivered_message_keeps_no_usable_link(db, smtp_server, make_registration):
    registration = make_registration("approved")
    token = registration.manage_token
    assert deliver_due() == 1

    (received,) = smtp_server.wait_for(1)
    assert f"/r/{token}" in received.get_body(("plain",)).get_content()
    (kept,) = _all(db)
    for body in (kept.body_text, kept.body_html):
        assert token not in body
        assert "/r/…" in body


def test_the_local_mailbox_is_the_inbox_and_keeps_the_link(db, make_registration):
    registration = make_registration("approved")
    assert deliver_due() == 1
    (kept,) = _all(db)
    assert f"/r/{registration.manage_token}" in kept.body_text


def test_a_resent_copy_of_a_delivered_message_carries_the_current_link(
    db, smtp_server, make_registration, make_staff
):
    from registration.mail.services import resend

    registration = make_registration("approved")
    assert deliver_due() == 1
    (sent,) = _all(db)
    copy = resend(sent, by=make_staff())
    db.session.commit()
    assert f"/r/{registration.manage_token}" in copy.body_text
    assert f"/r/{registration.manage_token}" in copy.body_html
    # Sent to an address the registration no longer has, the link stays hidden.
    registration.email = "moved@example.org"
    assert deliver_due() == 1
    db.session.commit()
    moved = resend(_all(db)[-1], by=make_staff())
    assert registration.manage_token not in moved.body_text
