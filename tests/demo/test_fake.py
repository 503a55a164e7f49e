"""The synthetic data generator (`flask demo fake`)."""

from collections import Counter

from registration.delegates.models import Registration, Status
from registration.delegates.photos import is_stored_photo
from registration.demo.fake import fake_registrations
from registration.mail.models import OutboxEmail


def _registrations(db, event):
    return (
        db.session.execute(db.select(Registration).where(Registration.event_id == event.id))
        .scalars()
        .all()
    )


def test_fills_every_category_with_people_from_many_countries(db, event):
    ids = fake_registrations(event, 400, seed=1)
    db.session.commit()

    registrations = _registrations(db, event)
    assert len(ids) == len(registrations) == 400
    assert {r.category_id for r in registrations} == {c.id for c in event.categories}
    assert len({r.nationality for r in registrations}) >= 15
    assert any(not r.given_name.isascii() or not r.family_name.isascii() for r in registrations)
    assert {r.status for r in registrations} >= {Status.APPROVED, Status.PENDING}
    assert all(r.entity_id or r.other_organisation for r in registrations)
    states = [r for r in registrations if r.category.is_state]
    assert all(r.entity is not None for r in states)  # an ISO code, or an observer entity
    assert any(r.entity.iso_code for r in states)
    assert sum(len(r.sessions) for r in registrations) > 400
    assert any(r.head_of_delegation for r in registrations)
    assert all(r.email.endswith(".example.org") for r in registrations)
    assert len({r.badge_token for r in registrations}) == 400
    assert len({r.reference for r in registrations}) == 400
    assert db.session.execute(db.select(OutboxEmail)).first() is None


def test_status_and_photos(db, event):
    fake_registrations(event, 30, status="approved", photos=True, seed=2)
    db.session.commit()

    registrations = _registrations(db, event)
    assert Counter(r.status for r in registrations) == {Status.APPROVED: 30}
    assert all(is_stored_photo(r.photo) for r in registrations)


def test_adds_to_existing_registrations(db, event, make_registration):
    make_registration("approved")
    fake_registrations(event, 5, seed=3)
    fake_registrations(event, 5, seed=3)
    db.session.commit()

    assert len(_registrations(db, event)) == 11


def test_command(runner, db, event):
    result = runner.invoke(
        args=["demo", "fake", "--event", event.slug, "--count", "12", "--status", "approved"]
    )

    assert result.exit_code == 0, result.output
    assert "Added 12 synthetic registrations" in result.output
    assert len(_registrations(db, event)) == 12


def test_command_refuses_an_unknown_event(runner, event):
    result = runner.invoke(args=["demo", "fake", "--event", "nope", "--count", "1"])

    assert result.exit_code != 0
    assert "No event" in result.output
