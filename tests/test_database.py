"""SQLite settings: savepoints work, and a request that writes takes the write lock first."""

import sqlite3

import pytest

from registration.events.models import Event
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite transaction handling")


def _other_writer_can_start(db) -> bool:
    """Whether a second connection gets the write lock right now (no waiting)."""
    path = db.engine.url.database
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


@pytest.mark.parametrize(("method", "locks"), [("POST", True), ("GET", False)])
def test_a_writing_request_takes_the_lock_at_begin(app, db, event, method, locks):
    db.session.remove()
    with app.test_request_context(method=method):
        db.session.execute(db.select(Event.id)).all()  # only a read so far
        assert _other_writer_can_start(db) is not locks
        db.session.commit()
        db.session.execute(db.select(Event.id)).all()  # after the commit: reads only
        assert _other_writer_can_start(db)
        db.session.remove()


def test_savepoint_rollback_keeps_the_outer_transaction(db, event):
    with db.session.begin_nested() as nested:
        event.venue = "inside the savepoint"
        db.session.flush()
        nested.rollback()
    event.series = "outer change"
    db.session.commit()
    db.session.expire_all()
    assert event.series == "outer change" and event.venue != "inside the savepoint"
