"""Races are stopped by the database: the same person registering from 20 threads at once."""

import threading

import pytest

from registration.delegates import services
from registration.delegates.models import Registration
from registration.delegates.services import RegistrationError

THREADS = 20


@pytest.mark.postgres
def test_twenty_simultaneous_registrations_of_one_person_make_one(app, db, event,
                                                                  registration_data):
    data = registration_data()
    event_id = event.id
    db.session.remove()
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt():
        with app.app_context():
            barrier.wait()
            try:
                services.register(db.session.get(type(event), event_id), data)
                db.session.commit()
                outcome = "registered"
            except RegistrationError as error:
                db.session.rollback()
                outcome = error.code
            finally:
                db.session.remove()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(set(outcomes)) == ["duplicate", "registered"]
    assert outcomes.count("registered") == 1
    assert outcomes.count("duplicate") == THREADS - 1
    count = db.session.execute(db.select(db.func.count(Registration.id))).scalar_one()
    assert count == 1


def test_unique_index_holds_without_the_service_check(app, db, event, registration_data):
    """Even past the Python check, the partial unique index refuses a second active row."""
    from sqlalchemy.exc import IntegrityError

    first = services.register(event, registration_data())
    db.session.commit()
    clone = Registration(
        event_id=event.id, reference="IDM-XXXXX", manage_token="m" * 32, badge_token="b" * 32,
        given_name=first.given_name, family_name=first.family_name, email=first.email,
        person_key=first.person_key, category_id=first.category_id,
    )
    db.session.add(clone)
    with pytest.raises(IntegrityError):
        db.session.flush()
