"""Two desks, one badge, the same instant: PostgreSQL's row lock decides (threads + barrier)."""

import re
import threading
import time

import pytest
import sqlalchemy as sa

from registration.delegates.models import Registration
from registration.desk.devices import create_device
from registration.desk.models import VENUE, Attendance, Scan
from registration.desk.services import check_in, checkpoint_for
from registration.events.models import Event
from registration.extensions import db as _db

pytestmark = pytest.mark.postgres


def _together(app, count: int, action) -> list:
    """Run ``action(index)`` in ``count`` threads released at once; return their results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        with app.test_request_context():
            barrier.wait()
            results[index] = action(index)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _count(db, model) -> int:
    db.session.rollback()
    return db.session.execute(db.select(db.func.count(model.id))).scalar_one()


def _post(app, token: str, body: dict):
    with app.test_client() as client:
        response = client.post(
            "/api/v1/scans", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        return response.status_code, response.json


def test_two_desks_same_badge_exactly_one_ok(app, db, event, make_registration):
    tokens = [create_device(event, f"Desk {n}")[1] for n in (1, 2)]
    db.session.commit()
    for round_number in range(5):
        badge = make_registration("approved").badge_token
        results = _together(
            app, 2, lambda index, badge=badge: _post(app, tokens[index], {"token": badge})
        )
        reasons = sorted(body.get("reason", body["status"]) for _status, body in results)
        assert reasons == ["already_checked_in", "ok"], (round_number, results)
        assert sorted(status for status, _body in results) == [201, 409]
    assert _count(db, Attendance) == 5 and _count(db, Scan) == 10


def test_the_same_nonce_twice_at_once_is_recorded_once(app, db, event, make_registration, device):
    badge = make_registration("approved").badge_token
    body = {"token": badge, "checkpoint": VENUE, "nonce": "sent-twice"}
    results = _together(app, 2, lambda _index: _post(app, device[1], body))
    assert results[0] == results[1] and results[0][0] == 201
    assert _count(db, Scan) == 1 and _count(db, Attendance) == 1


def test_check_in_takes_a_row_lock_on_the_registration(db, event, make_registration):
    registration = make_registration("approved")
    statements: list[str] = []

    def capture(_connection, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", capture)
    try:
        check_in(registration, checkpoint_for(event, VENUE))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", capture)
    locks = [
        s
        for s in statements
        if "FROM registration" in s and re.search(r"FOR UPDATE( OF registration)?$", s)
    ]
    assert locks, statements


def test_a_second_transaction_waits_for_the_lock(app, db, event, make_registration):
    """Another transaction holds FOR NO KEY UPDATE on the registration row.

    At a session door check_in changes nothing in that row, and the attendance row's foreign
    key takes only FOR KEY SHARE, which does not conflict: only check_in's FOR UPDATE waits.
    """
    registration = make_registration("approved")
    event_id, registration_id = event.id, registration.id
    door = registration.sessions[0].code
    finished = threading.Event()
    outcome: list = []

    def desk() -> None:
        with app.app_context():
            person = _db.session.get(Registration, registration_id)
            attendance = check_in(person, checkpoint_for(_db.session.get(Event, event_id), door))
            outcome.append(attendance.checkpoint)
            _db.session.commit()
            finished.set()

    with db.engine.connect() as other:
        other.execute(sa.text("SET lock_timeout = '10s'"))
        other.execute(
            sa.text("SELECT id FROM registration WHERE id = :id FOR NO KEY UPDATE"),
            {"id": registration_id},
        )
        thread = threading.Thread(target=desk)
        thread.start()
        time.sleep(0.5)
        assert not finished.is_set(), "check_in did not wait for the row lock"
        other.commit()
    thread.join(timeout=10)
    assert finished.is_set() and outcome == [door]


def test_concurrent_scans_of_different_badges_all_succeed(app, db, event, make_registration):
    badges = [make_registration("approved").badge_token for _ in range(8)]
    token = create_device(event, "Busy desk")[1]
    db.session.commit()
    results = _together(app, 8, lambda index: _post(app, token, {"token": badges[index]}))
    assert [status for status, _body in results] == [201] * 8
    assert _count(db, Attendance) == 8
