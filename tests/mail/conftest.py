"""Fixtures of the mail tests: messages in the outbox, settings changed for one test, time."""

import pytest
import sqlalchemy as sa

from registration.database import utcnow
from registration.mail.models import MailStatus, OutboxEmail


@pytest.fixture
def make_email(db):
    """make_email(**overrides) → a committed OutboxEmail, queued and due."""
    counter = iter(range(1, 100_000))

    def factory(**overrides) -> OutboxEmail:
        number = next(counter)
        values = {
            "template": "test",
            "recipient": f"delegate{number}@example.org",
            "subject": f"Message {number}",
            "body_text": f"Text body {number}",
            "body_html": f"<p>HTML body {number}</p>",
            "attachments": [],
            "status": MailStatus.QUEUED,
        }
        values.update(overrides)
        email = OutboxEmail(**values)
        db.session.add(email)
        db.session.commit()
        return email

    return factory


@pytest.fixture
def mail_settings(app):
    """mail_settings(KEY=value, …) changes the app's settings for this test only."""
    saved: dict = {}

    def change(**settings):
        for key in settings:
            saved.setdefault(key, app.config.get(key))
        app.config.update(settings)

    yield change
    app.config.update(saved)


@pytest.fixture
def time_passes(db):
    """time_passes() makes every queued message due now, as if the backoff had elapsed."""

    def advance() -> None:
        db.session.execute(
            sa.update(OutboxEmail)
            .where(OutboxEmail.status == MailStatus.QUEUED)
            .values(next_attempt_at=utcnow())
        )
        db.session.commit()

    return advance
