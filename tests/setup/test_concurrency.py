"""Two admins closing each other's accounts at once leave one admin (row locks, PostgreSQL)."""

import pytest

from registration.auth.models import Role, StaffUser
from registration.setup import staff
from tests.concurrency import run_together


@pytest.mark.postgres
def test_two_admins_cannot_close_each_other_at_the_same_time(app, db, make_staff):
    first, second = make_staff(Role.ADMIN), make_staff(Role.ADMIN)
    pairs = [(first.id, second.id), (second.id, first.id)]

    def close(actor_id, target_id):
        def call(ready):
            ready()
            actor = db.session.get(StaffUser, actor_id)
            staff.deactivate(db.session.get(StaffUser, target_id), by=actor)
            return "closed"

        return call

    outcomes = run_together(app, [close(*pair) for pair in pairs])
    assert sorted(outcomes) == ["closed", "last_admin"]
    active = db.select(db.func.count()).where(StaffUser.role == Role.ADMIN, StaffUser.active)
    assert db.session.execute(active).scalar_one() == 1
