"""UN names of States in English, French and Spanish, staff overrides, fallbacks and collation.

Every test runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL: the names come from the
committed data file and the database, and the order is computed in Python after the query.
"""

import pytest
from flask_babel import force_locale

from registration.auth.models import Role
from registration.collation import collated, sort_key
from registration.countries import STATELESS, all_countries, find_country
from registration.delegates.forms import RegistrationForm
from registration.events.models import Entity
from registration.i18n import country_choices, country_name
from registration.setup import services
from registration.setup.services import EntityData, SessionData, SetupError

UN_NAMES = {
    "CD": (
        "Democratic Republic of the Congo",
        "République démocratique du Congo",
        "República Democrática del Congo",
    ),
    "RU": ("Russian Federation", "Fédération de Russie", "Federación de Rusia"),
    "IR": (
        "Iran (Islamic Republic of)",
        "Iran (République islamique d')",
        "Irán (República Islámica del)",
    ),
    "BO": (
        "Bolivia (Plurinational State of)",
        "Bolivie (État plurinational de)",
        "Bolivia (Estado Plurinacional de)",
    ),
    "GB": (
        "United Kingdom of Great Britain and Northern Ireland",
        "Royaume-Uni de Grande-Bretagne et d'Irlande du Nord",
        "Reino Unido de Gran Bretaña e Irlanda del Norte",
    ),
    "VN": ("Viet Nam", "Viet Nam", "Viet Nam"),
    "CV": ("Cabo Verde", "Cabo Verde", "Cabo Verde"),
    "TR": ("Türkiye", "Türkiye", "Türkiye"),
    "VA": ("Holy See", "Saint-Siège", "Santa Sede"),
    "PS": ("State of Palestine", "État de Palestine", "Estado de Palestina"),
}


def _category(event, code):
    return next(c for c in event.categories if c.code == code)


@pytest.mark.parametrize("iso", sorted(UN_NAMES))
def test_demo_states_carry_the_un_short_names_in_each_language(event, iso):
    entity = next(e for e in event.entities if e.iso_code == iso)
    assert tuple(entity.name_in(language) for language in ("en", "fr", "es")) == UN_NAMES[iso]


def test_the_demo_has_observer_states_and_an_observer_without_iso_code(event):
    observers = [e for e in event.entities if e.category.code == "observer-state"]
    assert {e.iso_code for e in observers} == {"VA", "PS", None}
    malta = next(e for e in observers if e.iso_code is None)
    assert malta.name_in("fr") == "Ordre souverain de Malte"
    assert malta.name_in("es") == "Soberana Orden de Malta"


def test_the_names_file_names_its_source_and_follows_un_usage():
    with _data_file().open(encoding="utf-8") as data:
        header = data.readline()
    assert "UN OCHA" in header and "hdx-python-country" in header
    states = [c for c in all_countries() if c.is_state]
    assert len([c for c in states if c.status == "un-member"]) == 193
    assert {c.iso2 for c in states if c.status == "un-observer"} == {"VA", "PS"}
    assert find_country("TW") is None  # no "Taiwan" as a State name
    assert all(c.en and c.fr and c.es for c in all_countries())


def _data_file():
    from registration import countries

    return countries._DATA


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_nationality_choices_are_states_in_the_languages_order_then_stateless(app, language):
    choices = country_choices(language)
    assert choices[-1][0] == STATELESS
    names = [name for _code, name in choices[:-1]]
    assert names == collated(names, language)
    assert len(names) == 195 + 2  # Member States, Observer States, Cook Islands, Niue
    assert not any("Taiwan" in name for name in names)
    with force_locale(language):
        assert country_name(STATELESS, language) == str(choices[-1][1])


def test_french_order_puts_accented_initials_among_their_letter(app):
    names = [name for _code, name in country_choices("fr")[:-1]]
    egypt, ecuador, usa = (names.index(n) for n in ("Égypte", "Équateur", "États-Unis d'Amérique"))
    assert names.index("El Salvador") < ecuador < names.index("Érythrée") < usa
    assert egypt < names.index("El Salvador")
    assert names.index("Îles Cook") < names.index("Inde") < names.index("Zimbabwe")
    assert names[-1] == "Zimbabwe"


def test_spanish_order_has_enye_after_n():
    assert collated(["Ñandú", "Nzara", "Oman", "Nigeria"], "es") == [
        "Nigeria",
        "Nzara",
        "Ñandú",
        "Oman",
    ]
    assert sort_key("Noruega", "es") < sort_key("Ñ", "es") < sort_key("Omán", "es")


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_registration_form_offers_entities_in_the_languages_order(app, event, language):
    with app.test_request_context(f"/?lang={language}"):
        form = RegistrationForm(meta={"csrf": False}).for_event(event, language)
        names = [str(choice.label) for choice in form.entity.choices[1:-1]]
    assert names == collated(names, language)
    if language == "fr":
        usa = names.index("États-Unis d'Amérique")
        assert names.index("Égypte") < names.index("Équateur") < usa
        assert names.index("Équateur") < names.index("Fédération de Russie")


def test_staff_override_a_name_per_language_and_it_is_what_is_shown(db, event, make_staff):
    admin = make_staff(Role.ADMIN)
    turkey = next(e for e in event.entities if e.iso_code == "TR")
    services.save_entity(
        event,
        EntityData(turkey.category_id, iso_code="TR", names={"fr": "<b>Turquie</b> & co"}),
        entity=turkey,
        by=admin,
    )
    db.session.commit()
    db.session.expire_all()
    turkey = db.session.get(Entity, turkey.id)
    assert turkey.name_in("fr") == "<b>Turquie</b> & co"  # stored as typed, escaped when shown
    assert turkey.name_in("en") == "Türkiye" and turkey.name_in("es") == "Türkiye"
    services.save_entity(
        event, EntityData(turkey.category_id, iso_code="TR", names={}), entity=turkey, by=admin
    )
    assert turkey.name_in("fr") == "Türkiye"


def test_an_observer_entity_without_iso_code_and_an_unknown_code(db, event, make_staff):
    admin = make_staff(Role.ADMIN)
    observers = _category(event, "observer-state")
    entity = services.save_entity(
        event, EntityData(observers.id, name="  League of Arab States "), by=admin
    )
    assert entity.iso_code is None and entity.name_in("fr") == "League of Arab States"
    with pytest.raises(SetupError) as caught:
        services.save_entity(event, EntityData(observers.id, iso_code="QQ"), by=admin)
    assert caught.value.code == "invalid_country" and "QQ" in caught.value.message
    assert caught.value.field == "iso_code"


def test_texts_fall_back_to_the_first_meeting_language(db, event, make_staff):
    admin = make_staff(Role.ADMIN)
    session = services.save_session(
        event,
        SessionData(
            "side-2",
            {"en": "Diaspora bonds", "fr": "", "es": "Bonos de la diáspora"},
            event.sessions[0].starts_at.replace(tzinfo=None),
            event.sessions[0].ends_at.replace(tzinfo=None),
        ),
        by=admin,
    )
    assert session.title_in("es") == "Bonos de la diáspora"
    assert session.title_in("fr") == "Diaspora bonds"
    assert session.is_fallback("title", "fr") and not session.is_fallback("title", "es")
    with pytest.raises(SetupError) as caught:
        services.save_session(
            event,
            SessionData(
                "side-3",
                {"fr": "Seulement en français"},
                event.sessions[0].starts_at.replace(tzinfo=None),
                event.sessions[0].ends_at.replace(tzinfo=None),
            ),
            by=admin,
        )
    assert caught.value.field == "title_en" and "first language" in caught.value.message


def _page_names(app, event, language: str, sort: str) -> list:
    from werkzeug.datastructures import MultiDict

    from registration.delegates.filters import page_of, parse_filter

    with app.test_request_context(f"/?lang={language}"):
        app.preprocess_request()
        flt = parse_filter(MultiDict({"sort": sort, "per_page": "100"}))
        return [
            (r.family_name if sort == "name" else r.organisation_name)
            for r in page_of(event, flt).items
        ]


def test_back_office_sorts_names_in_sql_with_the_languages_collation(app, event, make_registration):
    for family in ("Zeeman", "Álvarez", "Éluard", "ávila", "Núñez", "Ñandú", "Nzinga", "Oliveira"):
        make_registration(family_name=family, email=f"{len(family)}{ord(family[0])}@x.org")
    assert _page_names(app, event, "fr", "name") == [
        "Álvarez",
        "ávila",
        "Éluard",
        "Ñandú",
        "Núñez",
        "Nzinga",
        "Oliveira",
        "Zeeman",
    ]
    assert _page_names(app, event, "es", "name")[3:6] == ["Núñez", "Nzinga", "Ñandú"]


def test_back_office_sorts_entities_by_their_name_in_the_readers_language(
    app, event, make_registration
):
    for iso in ("US", "TR", "EG", "NL"):
        entity = next(e for e in event.entities if e.iso_code == iso)
        make_registration(entity_id=entity.id, email=f"{iso}@x.org")
    assert _page_names(app, event, "fr", "entity") == [
        "Égypte",
        "États-Unis d'Amérique",
        "Pays-Bas (Royaume des)",
        "Türkiye",
    ]
    assert _page_names(app, event, "en", "entity") == [
        "Egypt",
        "Netherlands (Kingdom of the)",
        "Türkiye",
        "United States of America",
    ]
