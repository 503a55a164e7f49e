"""Finding people at the desk (accents, case, order, entity, ISO code) and walk-in matches."""

from registration.delegates.models import Registration, Status, fold_search
from registration.demo.fake import fake_registrations
from registration.desk import people


def test_fold_search_drops_case_accents_and_punctuation():
    assert fold_search("GÓMEZ-ÑÚÑEZ") == "gomez nunez"
    assert fold_search("  Lefèvre,  Zoë  ") == "lefevre zoe"


def test_search_ignores_accents_and_case(event, make_registration, other_registration):
    gomez = make_registration("approved", given_name="María José", family_name="GÓMEZ-ÑÚÑEZ")
    lefevre = make_registration("pending", given_name="Hélène", family_name="Lefèvre")
    make_registration("approved", given_name="Bert", family_name="Zandvoort")
    assert people.search(event, "gomez nunez") == [gomez]
    assert people.search(event, "nunez MARIA") == [gomez]
    assert people.search(event, "jose") == [gomez]
    assert people.search(event, "LEFEVRE helene") == [lefevre]
    assert people.search(event, gomez.reference.lower()) == [gomez]
    assert people.search(event, "omar") == []  # another meeting's delegate
    assert people.search(event, "%") == []  # wildcards are plain characters
    assert people.search(event, "   ") == []


def test_search_by_organisation_state_name_or_iso_code(event, make_registration):
    ngo = next(c for c in event.categories if c.code == "ngo")
    voice = make_registration(
        "approved", category_id=ngo.id, entity_id=None, other_organisation="Migrants' Vóice"
    )
    dutch = make_registration("approved")  # the Netherlands
    assert people.search(event, "migrants voice") == [voice]
    assert people.search(event, "netherlands") == [dutch]
    assert people.search(event, "pays-bas") == [dutch]  # the State's name in French
    assert people.search(event, "nl") == [dutch]


def test_search_column_follows_edits(db, event, make_registration):
    registration = make_registration("approved", family_name="Old")
    registration.family_name = "Ñandú"
    db.session.commit()
    assert people.search(event, "nandu") == [registration]
    assert people.search(event, "old") == []


def test_bulk_inserted_registrations_are_searchable(db, event):
    fake_registrations(event, 10_000, status=Status.APPROVED, seed=11)
    db.session.commit()
    some = db.session.execute(db.select(Registration).limit(1)).scalar_one()
    assert some.search_text == fold_search(
        f"{some.given_name} {some.family_name} {some.other_organisation} {some.reference}"
    )
    typed = f"{some.family_name.upper()} {some.given_name.lower()} {some.reference[-5:]}"
    assert people.search(event, typed) == [some]


def test_walk_in_matches_by_email_or_name(event, make_registration):
    anna = make_registration("pending", given_name="Ána", family_name="Pérez", email="ana@x.org")
    # Another State: the same name in the same delegation would be refused as a duplicate.
    colombia = next(entity for entity in event.entities if entity.iso_code == "CO")
    other = make_registration(
        "approved", given_name="Ana", family_name="Perez", email="a@y.org", entity_id=colombia.id
    )
    make_registration("approved", given_name="Bob", family_name="Brown", email="bob@z.org")
    by_email = people.walk_in_matches(event, "ANA@x.org", "Someone", "Else")
    assert by_email == [anna]
    by_name = people.walk_in_matches(event, "new@w.org", "ana", "PEREZ")
    assert set(by_name) == {anna, other}
    both = people.walk_in_matches(event, "a@y.org", "Ana", "Perez")
    assert both[0] == other and set(both) == {anna, other}  # the email match first
    assert people.walk_in_matches(event, "nobody@w.org", "No", "Body") == []
