"""The quota holds when a focal point's requests race (row lock on the event, PostgreSQL)."""

import pytest

from registration.delegates.models import Registration
from registration.delegations import services
from tests.concurrency import run_together

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

    def register(item):
        def call(ready):
            ready()
            services.register_delegate(services.find_focal_point(token), item)
            return "registered"

        return call

    outcomes = run_together(app, [register(item) for item in data])
    assert sorted(outcomes) == ["quota_reached"] * (THREADS - QUOTA) + ["registered"] * QUOTA
    count = db.select(db.func.count()).where(Registration.entity_id == netherlands.id)
    assert db.session.execute(count).scalar_one() == QUOTA
