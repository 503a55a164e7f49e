"""Two admins closing each other's accounts at once leave one admin (row locks, PostgreSQL)."""

import threading

import pytest

from registration.auth.models import Role, StaffUser
from registration.extensions import db as _db
from registration.setup import staff
from registration.setup.staff import StaffAccountError


@pytest.mark.postgres
def test_two_admins_cannot_close_each_other_at_the_same_time(app, db, make_staff):
    first, second = make_staff(Role.ADMIN), make_staff(Role.ADMIN)
    pairs = [(first.id, second.id), (second.id, first.id)]
    db.session.remove()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def close(actor_id, target_id):
        with app.app_context():
            actor, target = (
                _db.session.get(StaffUser, actor_id),
                _db.session.get(StaffUser, target_id),
            )
            _db.session.commit()
            barrier.wait()
            try:
                staff.deactivate(target, by=actor)
                _db.session.commit()
                outcome = "closed"
            except StaffAccountError as error:
                _db.session.rollback()
                outcome = error.code
            finally:
                _db.session.remove()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=close, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["closed", "last_admin"]
    active = db.select(db.func.count()).where(StaffUser.role == Role.ADMIN, StaffUser.active)
    assert db.session.execute(active).scalar_one() == 1
