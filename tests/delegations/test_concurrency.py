"""The quota holds when a focal point's requests race (row lock on the event, PostgreSQL)."""

import threading

import pytest

from registration.delegates.models import Registration
from registration.delegates.services import RegistrationError
from registration.delegations import services
from registration.extensions import db as _db

THREADS = 10
QUOTA = 3


@pytest.mark.postgres
def test_racing_registrations_never_exceed_the_quota(
    app, db, netherlands, invite, registration_data
):
    netherlands.quota = QUOTA
    db.session.commit()
    _focal_point, token = invite(netherlands)
    data = [registration_data() for _ in range(THREADS)]
    db.session.remove()
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def register(item):
        with app.app_context():
            focal_point = services.find_focal_point(token)
            _db.session.commit()  # start from a fresh transaction, as a request would
            barrier.wait()
            try:
                services.register_delegate(focal_point, item)
                _db.session.commit()
                outcome = "registered"
            except RegistrationError as error:
                _db.session.rollback()
                outcome = error.code
            finally:
                _db.session.remove()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=register, args=(item,)) for item in data]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["quota_reached"] * (THREADS - QUOTA) + ["registered"] * QUOTA
    count = db.select(db.func.count()).where(Registration.entity_id == netherlands.id)
    assert db.session.execute(count).scalar_one() == QUOTA
