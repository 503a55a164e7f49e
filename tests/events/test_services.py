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


def test_texts_in_each_language_or_a_plain_string(db):
    warnings = []
    event = import_event(DEMO_TEXT, warnings=warnings)
    assert warnings == []
    assert event.localized("venue", "es") == "Ginebra, Suiza (lugar de demostración)"
    opening = next(s for s in event.sessions if s.code == "opening")
    assert opening.title_in("fr") == "Allocution de bienvenue"
    session_1 = next(s for s in event.sessions if s.code == "session-1")
    assert session_1.localized("description", "es").startswith("Cómo contribuyen")
    assert event.badge_language == "en"
    # A plain string is the first language's text and shows in every language.
    plain = DEMO_TEXT.replace(
        '    title:\n      en: "Welcome Remarks"\n      fr: "Allocution de bienvenue"\n'
        '      es: "Palabras de bienvenida"\n',
        '    title: "Welcome Remarks"\n',
    )
    assert plain != DEMO_TEXT
    event = import_event(plain)
    opening = next(s for s in event.sessions if s.code == "opening")
    assert opening.title == {"en": "Welcome Remarks"}
    assert opening.title_in("es") == "Welcome Remarks"


def test_a_language_missing_from_a_text_is_reported_not_refused(db):
    text = DEMO_TEXT.replace('      es: "Palabras de bienvenida"\n', "")
    warnings = []
    event = import_event(text, warnings=warnings)
    assert len(warnings) == 1
    assert "sessions[1].title: no 'es' text; the 'en' text is shown" in warnings[0]
    assert warnings[0].startswith("line ")
    opening = next(s for s in event.sessions if s.code == "opening")
    assert opening.title_in("es") == "Welcome Remarks"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('      en: "Welcome Remarks"\n', "", "needs a text in 'en', the meeting's first language"),
        ('      fr: "Allocution de bienvenue"\n', '      de: "Begrüßung"\n', "'de' is not one"),
        ("  languages: [en, fr, es]", "  languages: [en, xx]", "'xx' is not an ISO 639-1"),
        ("  languages: [en, fr, es]", "  languages: [en, de]", "'de' is not offered"),
        ("  badge_language: en ", "  badge_language: de ", "event.badge_language"),
        ("    - VA\n", "    - ZZ\n", "'ZZ' is not an ISO 3166-1 alpha-2"),
        (
            '    - name: {en: "Sovereign Order of Malta"',
            '    - name: {fr: "Ordre souverain de Malte"',
            "needs a text in 'en'",
        ),
    ],
)
def test_bad_texts_are_refused_with_line_and_field(db, old, new, expected):
    assert old in DEMO_TEXT
    with pytest.raises(EventFileError) as error:
        import_event(DEMO_TEXT.replace(old, new, 1))
    assert expected in error.value.message and error.value.message.startswith("line ")
    db.session.rollback()
    assert _count(db, Event) == 0
