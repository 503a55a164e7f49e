"""Races are stopped by the database: the same person registering from 20 threads at once."""

import threading

import pytest

from registration.delegates import services
from registration.delegates.models import BADGE, MANAGE, Registration, token_columns
from registration.events.models import Event
from tests.concurrency import run_together

THREADS = 20


@pytest.mark.postgres
def test_twenty_simultaneous_registrations_of_one_person_make_one(
    app, db, event, registration_data
):
    data = registration_data()
    event_id = event.id

    def attempt(ready):
        ready()
        services.register(db.session.get(Event, event_id), data)
        return "registered"

    outcomes = run_together(app, [attempt] * THREADS)
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
        event_id=event.id,
        reference="IDM-XXXXX",
        **token_columns(MANAGE, "m" * 32),
        **token_columns(BADGE, "b" * 32),
        given_name=first.given_name,
        family_name=first.family_name,
        email=first.email,
        person_key=first.person_key,
        category_id=first.category_id,
    )
    db.session.add(clone)
    with pytest.raises(IntegrityError):
        db.session.flush()


@pytest.mark.postgres  # SQLite: a writing request takes the write lock when it begins
def test_an_approval_never_overwrites_a_committed_withdrawal(
    app, db, make_registration, make_staff
):
    """Staff opened the registration before the delegate withdrew it in another request: the
    approval re-reads it under its row lock and refuses, instead of approving a copy."""
    from registration.auth.models import Role
    from registration.delegates import workflow
    from registration.delegates.models import Status

    registration = make_registration()
    staff = make_staff(Role.REGISTRAR)
    assert registration.status == Status.PENDING  # loaded now, in this session

    def withdraw_elsewhere():
        with app.app_context():
            services.withdraw(db.session.get(Registration, registration.id))
            db.session.commit()
            db.session.remove()

    other = threading.Thread(target=withdraw_elsewhere)
    other.start()
    other.join(timeout=30)
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.approve(registration, by=staff)
    assert error.value.code == "invalid_transition"
    assert registration.status == Status.WITHDRAWN
