"""The outbox worker: claims due messages, sends them, and records every attempt.

Each step is its own short transaction: claim a batch (a claim token and a lease time), then,
for each message, talk to the SMTP server with no transaction open and record the outcome.
A message is recorded right after it is sent, so a crash can repeat at most the message in
flight; its Message-ID is derived from the row, so a repeat is recognisable as the same message.
"""

import base64
import logging
import re
import smtplib
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

import sqlalchemy as sa
from flask import current_app
from flask_mail import BadHeaderError, Connection, Message
from sqlalchemy.exc import SQLAlchemyError

from registration import queue
from registration.database import utcnow
from registration.extensions import db, mail
from registration.links import hide_secret_links
from registration.mail.models import MailAttempt, MailStatus, OutboxEmail

log = logging.getLogger(__name__)

_ADDRESS = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+")
#: Seconds: however many attempts MAIL_MAX_ATTEMPTS allows, retry at least once a day.
_LONGEST_DELAY = 24 * 3600


@dataclass(frozen=True)
class _Claimed:
    """What the worker needs of a claimed message, read before the claim commits."""

    id: int
    recipient: str
    subject: str
    body_text: str
    body_html: str
    attachments: list
    attempts: int
    created_at: datetime

    @classmethod
    def of(cls, row: OutboxEmail) -> "_Claimed":
        """A snapshot of ``row`` (no lazy loads, hence no transaction, while sending)."""
        return cls(
            row.id,
            row.recipient,
            row.subject,
            row.body_text,
            row.body_html,
            list(row.attachments),
            row.attempts,
            row.created_at,
        )


class _TimeoutConnection(Connection):
    """Flask-Mail's connection with a socket timeout (Flask-Mail 0.10 sets none)."""

    def __init__(self, state, timeout: float):
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP:
        """Connect, STARTTLS and log in as Flask-Mail does, but never wait forever."""
        factory = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = factory(self.mail.server, self.mail.port, timeout=self.timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


class _Mailbox:
    """Delivery into the local mailbox read at /manage/mail: the row itself is the message."""

    name = "mailbox"

    def send(self, message: Message) -> None:
        """Check the message as SMTP would; nothing leaves the machine."""
        if message.has_bad_headers():
            raise BadHeaderError

    def close(self) -> None:
        """Nothing to close."""


class _Smtp:
    """Delivery through MAIL_SERVER, over one connection per batch."""

    name = "smtp"

    def __init__(self, config):
        # Read the settings now rather than at start-up, so that a changed configuration
        # (and the test SMTP server) is used; TESTING must not suppress a worker's sending.
        self.state = mail.init_mail(config)
        self.timeout = config["MAIL_TIMEOUT"]
        self.connection: Connection | None = None
        #: Why the server could not be reached; the rest of the batch fails the same way.
        self.unreachable: Exception | None = None

    def send(self, message: Message) -> None:
        """Send ``message``; a failed conversation is dropped and the next one reconnects."""
        if self.unreachable is not None:
            raise self.unreachable
        if self.connection is None:
            try:
                self.connection = _TimeoutConnection(self.state, self.timeout)
                self.connection.host = self.connection.configure_host()
            except (OSError, smtplib.SMTPException) as error:
                self.connection = None
                self.unreachable = error
                raise
        try:
            self.connection.send(message)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        """Say goodbye to the server if it is still listening."""
        connection, self.connection = self.connection, None
        if connection is not None and connection.host is not None:
            try:
                connection.host.quit()
            except (OSError, smtplib.SMTPException):
                connection.host.close()


def _due(now: datetime) -> sa.ColumnElement[bool]:
    """Queued and due (the queue adds: not held by a live claim)."""
    return sa.and_(OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.next_attempt_at <= now)


def _claim(limit: int) -> tuple[str, datetime, list[_Claimed]]:
    """Claim up to ``limit`` due messages in one short transaction; oldest due first."""
    claimed = queue.claim(
        OutboxEmail,
        _due,
        (OutboxEmail.next_attempt_at, OutboxEmail.id),
        limit=limit,
        lease=timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"]),
    )
    items = [_Claimed.of(row) for row in claimed.rows]
    db.session.commit()
    return claimed.token, claimed.lease_end, items


def message_id(email_id: int, created_at: datetime, sender: str) -> str:
    """A Message-ID that stays the same across attempts (receivers can spot a repeat)."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<outbox.{email_id}.{created_at:%Y%m%d%H%M%S}@{domain}>"


def _message(item: _Claimed) -> Message:
    """The Flask-Mail message for a claimed row: text and HTML parts, attachments."""
    if not _ADDRESS.fullmatch(item.recipient):
        # queue_email folds line breaks into spaces, so an injected header ends up here.
        raise ValueError(f"not a single email address: {item.recipient!r}")
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    message = Message(
        item.subject,
        recipients=[item.recipient],
        body=item.body_text,
        html=item.body_html or None,
        sender=sender,
        charset="utf-8",
    )
    message.msgId = message_id(item.id, item.created_at, sender)
    for attachment in item.attachments:
        content_id = attachment.get("content_id")
        message.attach(
            attachment["filename"],
            attachment["content_type"],
            base64.b64decode(attachment["data"], validate=True),
            # An inline image that the HTML body shows through cid:, not a file to save.
            disposition="inline" if content_id else None,
            headers={"Content-ID": f"<{content_id}>"} if content_id else None,
        )
    return message


def _is_permanent(error: Exception) -> bool:
    """Errors that retrying cannot fix: a malformed message, or one refused for good."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return isinstance(error, BadHeaderError | ValueError | KeyError)


def _describe(error: Exception) -> str:
    """A short technical description for the mail log."""
    detail = str(error) or (
        "a header contains a line break" if isinstance(error, BadHeaderError) else ""
    )
    return f"{type(error).__name__}: {detail}"[:1000]


def _record(item: _Claimed, token: str, transport: str, error: Exception | None) -> bool:
    """Record one attempt in its own transaction; False if our claim had lapsed meanwhile."""
    config = current_app.config
    now = utcnow()
    attempts = item.attempts + 1
    if error is None:
        values = {
            "status": MailStatus.SENT,
            "sent_at": now,
            "transport": transport,
            "last_error": "",
        }
        if transport != _Mailbox.name:
            # Delivered: the copy kept for the mail log must not open anyone's registration.
            values["body_text"] = hide_secret_links(item.body_text)
            values["body_html"] = hide_secret_links(item.body_html)
    else:
        give_up = attempts >= config["MAIL_MAX_ATTEMPTS"] or _is_permanent(error)
        delay = timedelta(
            seconds=min(config["MAIL_BACKOFF_SECONDS"] * 2 ** (attempts - 1), _LONGEST_DELAY)
        )
        values = {
            "status": MailStatus.FAILED if give_up else MailStatus.QUEUED,
            "last_error": _describe(error),
            "next_attempt_at": now + delay,
        }
    recorded = queue.settle(OutboxEmail, item.id, token, {"attempts": attempts, **values})
    if recorded:
        db.session.add(
            MailAttempt(
                email_id=item.id,
                attempted_at=now,
                transport=transport,
                error=values["last_error"],
            )
        )
    else:
        log.warning("mail %s: claim lapsed before its outcome was recorded", item.id)
    db.session.commit()
    return recorded


def _release(token: str, ids: list[int]) -> None:
    """Give back claimed messages that were not attempted (stopping, or the lease ran short)."""
    queue.release(OutboxEmail, token, ids)
    db.session.commit()


def deliver_due(limit: int = 50, *, stop: threading.Event | None = None) -> int:
    """Claim up to ``limit`` due messages, deliver them and record each attempt; returns how
    many were sent.

    SMTP when MAIL_SERVER is set, else the local mailbox. Commits its own short transactions:
    call it with no transaction of your own pending (the CLI worker, tests, background steps).
    ``stop`` ends the batch early; unattempted messages are released for the next run.
    """
    token, lease_end, claimed = _claim(limit)
    if not claimed:
        return 0
    config = current_app.config
    transport = _Smtp(config) if config.get("MAIL_SERVER") else _Mailbox()
    # Stop while there is time left to finish one SMTP conversation within the lease.
    last_start = lease_end - timedelta(seconds=3 * config["MAIL_TIMEOUT"])
    pending = [item.id for item in claimed]
    sent = 0
    try:
        for position, item in enumerate(claimed):
            # The first message is always tried, so that a long MAIL_TIMEOUT still makes progress.
            if (stop is not None and stop.is_set()) or (position and utcnow() > last_start):
                break
            pending.remove(item.id)
            try:
                transport.send(_message(item))
            except Exception as error:  # one bad message must not stop the rest of the batch
                _record(item, token, transport.name, error)
            else:
                sent += _record(item, token, transport.name, None)
    finally:
        transport.close()
        db.session.rollback()
        _release(token, pending)
    return sent


def run(*, batch: int, interval: float, stop: threading.Event, once: bool = False) -> int:
    """Deliver due messages until ``stop`` is set (or, with ``once``, until none are due).

    Waits ``interval`` seconds whenever a batch was not entirely sent (idle, or failing), so a
    server that is down is not hammered. Returns how many messages were sent.
    """
    total = 0
    while not stop.is_set():
        try:
            sent = deliver_due(batch, stop=stop)
        except SQLAlchemyError:
            # The database may be restarting: keep the worker alive and try again later.
            log.exception("mail worker: database error")
            db.session.rollback()
            sent = 0
        finally:
            db.session.remove()
        total += sent
        if sent < batch:
            if once:
                break
            stop.wait(interval)
    return total
