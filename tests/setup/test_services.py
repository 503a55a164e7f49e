"""Event setup at the service level: local times, validation by code, audit."""

from datetime import UTC, date, datetime

import pytest

from registration.audit.models import AuditEvent
from registration.auth.models import Role
from registration.events.models import Entity
from registration.setup import services
from registration.setup.services import CategoryData, EntityData, SessionData, SetupError


@pytest.fixture
def admin(make_staff):
    return make_staff(Role.ADMIN)


def _event_data(event, **overrides):
    values = {
        "title": {"en": "Return Migration", "fr": "Migration de retour", "es": " "},
        "start_date": event.start_date,
        "end_date": event.end_date,
        "timezone": "Europe/Zurich",
        "venue": {"en": " Geneva ", "fr": "Genève"},
        "registration_opens": datetime(2030, 5, 15, 9, 0),
        "registration_closes": datetime(2030, 7, 4, 18, 0),
        "capacity": 250,
        "moderation": False,
        "review_fields": ["photo", "bogus", "name"],
    }
    values.update(overrides)
    return services.EventData(**values)


def test_event_times_are_entered_at_the_venue_and_stored_in_utc(db, event, admin):
    changes = services.update_event(event, _event_data(event), by=admin)
    db.session.commit()
    db.session.refresh(event)
    # Geneva is UTC+2 in summer.
    assert event.registration_opens == datetime(2030, 5, 15, 7, 0, tzinfo=UTC)
    assert event.registration_closes == datetime(2030, 7, 4, 16, 0, tzinfo=UTC)
    assert services.to_local(event.registration_opens, event.timezone) == datetime(2030, 5, 15, 9)
    assert event.title == {"en": "Return Migration", "fr": "Migration de retour"}
    assert event.venue == {"en": "Geneva", "fr": "Genève"}
    assert event.capacity == 250 and not event.moderation
    assert changes["capacity"] == [400, 250]
    assert event.review_fields == ["name", "photo"]  # known codes only, in their order
    entry = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "event_updated")
    ).scalar_one()
    assert entry.actor_staff_id == admin.id and entry.event_id == event.id


def test_a_new_timezone_applies_to_the_times_given_with_it(db, event, admin):
    services.update_event(event, _event_data(event, timezone="America/New_York"), by=admin)
    assert event.registration_opens == datetime(2030, 5, 15, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "invalid_timezone", "timezone"),
        ({"end_date": date(2000, 1, 1)}, "invalid_dates", "end_date"),
        ({"registration_closes": datetime(2030, 5, 1)}, "invalid_window", "registration_closes"),
        # 02:30 on the last Sunday of March does not exist in Geneva.
        (
            {"registration_opens": datetime(2030, 3, 31, 2, 30)},
            "invalid_time",
            "registration_opens",
        ),
        ({"title": {"en": " ", "fr": "Titre"}}, "invalid_name", "title_en"),
    ],
)
def test_event_rules(event, admin, overrides, code, field):
    with pytest.raises(SetupError) as caught:
        services.update_event(event, _event_data(event, **overrides), by=admin)
    assert caught.value.code == code and caught.value.field == field


def test_categories_are_added_and_edited_with_a_fixed_code(db, event, admin):
    category = services.save_category(
        event, CategoryData("press-officer", {"en": "Press officers"}, "#00aa11", 9), by=admin
    )
    assert category.badge_colour == "#00AA11" and category.position == 9
    services.save_category(
        event,
        CategoryData("ignored", {"en": "Press", "fr": "Presse"}, "#112233", 2),
        category=category,
        by=admin,
    )
    assert category.code == "press-officer" and category.name == {"en": "Press", "fr": "Presse"}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (CategoryData("media", {"en": "Media again"}, "#000000"), "duplicate_code"),
        (CategoryData("Not A Code", {"en": "X"}, "#000000"), "invalid_code"),
        (CategoryData("new", {"en": "X"}, "red"), "invalid_colour"),
        (CategoryData("new", {"en": "X"}, "#12345G"), "invalid_colour"),
        (CategoryData("new", {"fr": "Seulement français"}, "#123456"), "invalid_name"),
    ],
)
def test_category_rules(event, admin, data, code):
    with pytest.raises(SetupError) as caught:
        services.save_category(event, data, by=admin)
    assert caught.value.code == code


def _category(event, code):
    return next(c for c in event.categories if c.code == code)


def test_states_are_entered_by_iso_code_and_organisations_by_name(db, event, admin):
    state = services.save_entity(
        event, EntityData(_category(event, "member-state").id, iso_code="deu", quota=3), by=admin
    )
    assert (state.name, state.iso_code, state.quota) == ("Germany", "DE", 3)
    ngo = services.save_entity(
        event, EntityData(_category(event, "ngo").id, name="  Migrants   Rights  "), by=admin
    )
    assert ngo.name == "Migrants Rights" and ngo.iso_code is None and ngo.quota is None


@pytest.mark.parametrize(
    ("category", "data", "code"),
    [
        ("member-state", {"iso_code": "XX"}, "invalid_country"),
        ("member-state", {"iso_code": "NL"}, "duplicate_entity"),
        ("ngo", {"name": " "}, "invalid_name"),
        ("ngo", {"name": "Damayan Habagat Foundation"}, "duplicate_entity"),
    ],
)
def test_entity_rules(event, admin, category, data, code):
    with pytest.raises(SetupError) as caught:
        services.save_entity(event, EntityData(_category(event, category).id, **data), by=admin)
    assert caught.value.code == code


def test_an_entity_of_another_event_category_is_refused(event, admin):
    with pytest.raises(SetupError) as caught:
        services.save_entity(event, EntityData(category_id=999_999, name="X"), by=admin)
    assert caught.value.code == "invalid_category"


def test_an_entity_with_registrations_keeps_its_category(db, event, admin, make_registration):
    make_registration()
    netherlands = next(e for e in event.entities if e.iso_code == "NL")
    observer = _category(event, "observer-state")
    with pytest.raises(SetupError) as caught:
        services.save_entity(
            event, EntityData(observer.id, iso_code="NL"), entity=netherlands, by=admin
        )
    assert caught.value.code == "entity_in_use"
    # The quota may change.
    services.save_entity(
        event,
        EntityData(netherlands.category_id, iso_code="NL", quota=4),
        entity=netherlands,
        by=admin,
    )
    assert db.session.get(Entity, netherlands.id).quota == 4


def test_sessions_are_entered_at_the_venue_and_stored_in_utc(db, event, admin):
    session = services.save_session(
        event,
        SessionData(
            "side-event-1",
            {"en": " Diaspora bonds ", "fr": "Obligations de la diaspora", "de": "ignored"},
            datetime(2030, 7, 7, 13, 0),
            datetime(2030, 7, 7, 14, 30),
            kind="side-event",
            speakers=["A. Speaker", " ", "B. Speaker"],
            capacity=60,
        ),
        by=admin,
    )
    assert session.starts_at == datetime(2030, 7, 7, 11, 0, tzinfo=UTC)
    assert session.title == {"en": "Diaspora bonds", "fr": "Obligations de la diaspora"}
    assert session.speakers == ["A. Speaker", "B. Speaker"]
    with pytest.raises(SetupError) as caught:
        services.save_session(
            event,
            SessionData("x", {"en": "T"}, datetime(2030, 7, 7, 13), datetime(2030, 7, 7, 13)),
            session=session,
            by=admin,
        )
    assert caught.value.code == "invalid_session_times"
    with pytest.raises(SetupError) as caught:
        services.save_session(
            event,
            SessionData("opening", {"en": "T"}, datetime(2030, 7, 7, 9), datetime(2030, 7, 7, 10)),
            by=admin,
        )
    assert caught.value.code == "duplicate_code"
