"""Several workers released together never send one message twice.

Runs on both databases: on PostgreSQL the claim uses SELECT … FOR UPDATE SKIP LOCKED, on SQLite
a conditional UPDATE.
"""

import time
from collections import Counter

from registration.mail.models import MailAttempt, MailStatus, OutboxEmail
from registration.mail.worker import deliver_due
from tests.concurrency import run_together

MESSAGES = 40
WORKERS = 6


def test_workers_in_threads_deliver_every_message_exactly_once(app, db, smtp_server, make_email):
    for _ in range(MESSAGES):
        make_email()

    def work(ready):
        ready()
        sent = 0
        while batch := deliver_due(4):
            sent += batch
        return sent

    sent_by_worker = run_together(app, [work] * WORKERS)
    assert len(sent_by_worker) == WORKERS and sum(sent_by_worker) == MESSAGES
    smtp_server.wait_for(MESSAGES)
    time.sleep(0.2)  # anything sent twice would have arrived by now
    per_id = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert len(per_id) == MESSAGES
    assert set(per_id.values()) == {1}
    statuses = db.session.execute(
        db.select(OutboxEmail.status, OutboxEmail.attempts).distinct()
    ).all()
    assert statuses == [(MailStatus.SENT, 1)]
    assert db.session.scalar(db.select(db.func.count(MailAttempt.id))) == MESSAGES
