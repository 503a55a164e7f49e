"""Several workers released together never send one message twice.

Runs on both databases: on PostgreSQL the claim uses SELECT … FOR UPDATE SKIP LOCKED, on SQLite
a conditional UPDATE.
"""

import threading
import time
from collections import Counter

from registration.mail.models import MailAttempt, MailStatus, OutboxEmail
from registration.mail.worker import deliver_due

MESSAGES = 40
WORKERS = 6


def test_workers_in_threads_deliver_every_message_exactly_once(app, db, smtp_server, make_email):
    for _ in range(MESSAGES):
        make_email()
    db.session.remove()
    barrier = threading.Barrier(WORKERS)
    sent_by_worker: list[int] = []
    lock = threading.Lock()

    def work():
        sent = 0
        with app.app_context():
            barrier.wait()
            try:
                while batch := deliver_due(4):
                    sent += batch
            finally:
                db.session.remove()
        with lock:
            sent_by_worker.append(sent)

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

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
