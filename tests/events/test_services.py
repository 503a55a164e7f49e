"""Importing events from YAML: the demo file, re-imports, and errors that name line and field."""

from datetime import UTC, date, datetime

import pytest

from registration.demo.services import DEMO_FILE, demo_shift_days, load_demo
from registration.events.models import AgendaSession, Category, Entity, Event
from registration.events.services import EventFileError, import_event

DEMO_TEXT = DEMO_FILE.read_text(encoding="utf-8")


def _count(db, model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def test_demo_file_imports_with_local_times_in_utc(db):
    event = import_event(DEMO_TEXT)
    db.session.commit()
    assert event.title_in("fr").startswith("Renforcer le rôle")
    assert [category.code for category in event.categories][:3] == [
        "member-state",
        "observer-state",
        "un-system",
    ]
    assert len(event.sessions) == 9
    session_1 = next(s for s in event.sessions if s.code == "session-1")
    # 11:00 in Geneva in July (CEST, UTC+2) is 09:00 UTC.
    assert session_1.starts_at == datetime(2008, 7, 7, 9, 0, tzinfo=UTC)
    assert session_1.moderator.startswith("Jean-Christophe Dumont")
    assert len(session_1.speakers) == 3
    states = sorted(e.iso_code for e in event.entities if e.iso_code)
    assert {"SL", "NL", "CO", "SV", "MU", "NZ", "MD", "CV", "VN", "DO", "VA", "PS"} <= set(states)
    netherlands = next(e for e in event.entities if e.iso_code == "NL")
    assert netherlands.name_in("fr") == "Pays-Bas (Royaume des)"
    assert netherlands.name_in("es") == "Países Bajos (Reino de los)"
    assert event.reference_prefix == "IDM"
    assert event.capacity == 400 and event.moderation is True


def test_reimport_updates_in_place_and_never_duplicates(db):
    import_event(DEMO_TEXT)
    db.session.commit()
    changed = DEMO_TEXT.replace('room: "Main hall"', 'room: "Salle XIX"')
    event = import_event(changed)
    db.session.commit()
    assert _count(db, Event) == 1
    assert _count(db, AgendaSession) == 9
    assert _count(db, Category) == 9
    assert _count(db, Entity) == 33
    assert {s.room for s in event.sessions if s.kind == "plenary"} == {"Salle XIX"}


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (("  timezone: Europe/Zurich", "  timezone: Mars/Olympus"), "line 35: event.timezone"),
        (("    [SL, NL, CO", "    [SL, XX, CO"), "line 61: entities.member-state[1]"),
        (("    start: 2008-07-07T11:00", "    start: tomorrow"), "sessions[3].start"),
        (("  - code: opening", "  - code: registration"), "sessions: session codes must be unique"),
        (('badge_colour: "#0033A0"', 'badge_colour: "red; x: y"'), "categories[0].badge_colour"),
        (("    capacity: 400 ", "    capacity: -4 "), "event.registration.capacity"),
    ],
)
def test_errors_name_the_line_and_field_and_change_nothing(db, broken, expected):
    old, new = broken
    assert old in DEMO_TEXT
    with pytest.raises(EventFileError) as error:
        import_event(DEMO_TEXT.replace(old, new, 1))
    assert error.value.code == "invalid_event_file"
    assert expected in error.value.message
    db.session.rollback()
    assert _count(db, Event) == 0


def test_invalid_yaml_names_the_line(db):
    with pytest.raises(EventFileError, match=r"line 4: not valid YAML"):
        import_event("event:\n  slug: x\n  title: [unclosed\n  venue: x\n")


def test_demo_is_moved_so_that_registration_is_open_today(db):
    today = date(2026, 11, 26)
    event = load_demo(today)
    assert event.start_date == date(2026, 12, 17)
    assert event.end_date == date(2026, 12, 18)
    assert event.registration_open_at(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
    assert demo_shift_days(DEMO_TEXT, today) == (event.start_date - date(2008, 7, 7)).days
    # Times of day and their order are kept.
    assert [s.code for s in event.sessions][:3] == ["registration", "opening", "setting-the-scene"]
