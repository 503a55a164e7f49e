"""The list of participants: UN order, consent, languages, running header and footer."""

import pytest

from registration.collation import sort_key
from registration.documents import participants
from tests.documents.conftest import pdf_pages


@pytest.fixture
def delegates(event, make_registration):
    """Delegates of several States and organisations, entered in a scrambled order."""

    def entity(iso=None, name=None):
        return next(
            e for e in event.entities if (iso and e.iso_code == iso) or (name and e.name == name)
        )

    def category(code):
        return next(c for c in event.categories if c.code == code)

    ngo = category("ngo")
    un = category("un-system")
    undp = entity(name="United Nations Development Programme (UNDP)")
    damayan = entity(name="Damayan Habagat Foundation")
    hassan = entity(name="Hassan II Foundation for Moroccans Living Abroad")
    for status, overrides in [
        ("approved", {"family_name": "Zeeman", "given_name": "Sanne"}),
        ("approved", {"family_name": "Visser", "given_name": "Jan", "head_of_delegation": True}),
        ("approved", {"family_name": "Appel", "given_name": "Eva"}),
        ("approved", {"family_name": "Ospina", "entity_id": entity("CO").id, "honorific": "mr"}),
        ("approved", {"family_name": "Nguyễn", "given_name": "Lan", "entity_id": entity("VN").id}),
        ("approved", {"family_name": "Fernandez", "category_id": ngo.id, "entity_id": damayan.id}),
        ("approved", {"family_name": "El Ftouh", "category_id": ngo.id, "entity_id": hassan.id}),
        ("approved", {"family_name": "Owusu", "category_id": un.id, "entity_id": undp.id}),
        ("approved", {"family_name": "Private", "consent_to_list": False}),
        ("pending", {"family_name": "Waiting"}),
    ]:
        make_registration(status, **overrides)


def _positions(text: str, names: list[str]) -> list[int]:
    return [text.index(name) for name in names]


def test_order_follows_the_un_convention(event, delegates):
    data = participants.participants_data(event, "en")
    text = " ".join(" ".join(pdf_pages(participants.render_participants(data))).split())

    order = [
        "MEMBER STATES",
        "Colombia",
        "Mr Anna OSPINA",
        "Netherlands",
        "Ms Jan VISSER (Head of delegation)",  # head first, then by family name
        "Ms Eva APPEL",
        "Ms Sanne ZEEMAN",
        "Viet Nam",
        "NGUYỄN",
        "UNITED NATIONS AND RELATED ORGANIZATIONS",
        "OWUSU",
        "NON-GOVERNMENTAL ORGANIZATIONS",
        "Damayan Habagat Foundation",
        "FERNANDEZ",
        "Hassan II Foundation",
        "EL FTOUH",
    ]
    positions = _positions(text, order)
    assert positions == sorted(positions)
    assert "PRIVATE" not in text and "WAITING" not in text
    assert data["count"] == 8


def test_official_list_includes_those_who_did_not_consent(event, delegates):
    data = participants.participants_data(event, "en", official=True)
    text = " ".join(pdf_pages(participants.render_participants(data)))

    assert "PRIVATE" in text and "WAITING" not in text
    assert "OFFICIAL LIST OF PARTICIPANTS" in text


def test_french_and_spanish_lists_sort_names_in_their_language(event, delegates):
    french = " ".join(
        " ".join(
            pdf_pages(participants.render_participants(participants.participants_data(event, "fr")))
        ).split()
    )
    spanish = " ".join(
        " ".join(
            pdf_pages(participants.render_participants(participants.participants_data(event, "es")))
        ).split()
    )

    assert "ÉTATS MEMBRES" in french and "ESTADOS MIEMBROS" in spanish
    fr_order = _positions(french, ["Colombie", "Pays-Bas", "Viet Nam"])
    es_order = _positions(spanish, ["Colombia", "Países Bajos", "Viet Nam"])
    assert fr_order == sorted(fr_order)
    assert es_order == sorted(es_order)
    assert "Renforcer le rôle" in french


def test_every_page_has_the_title_page_numbers_and_date_of_issue(event, make_registration):
    for number in range(120):
        make_registration("approved", family_name=f"Delegate{number:03}")
    data = participants.participants_data(event, "en")

    pages = pdf_pages(participants.render_participants(data))

    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert f"Issued on {data['issued']}" in page
        if number > 1:
            assert "Enhancing the Role of Return Migration" in page


def test_empty_list_says_so(event):
    text = pdf_pages(participants.render_participants(participants.participants_data(event, "en")))
    assert "Nobody is on the list yet." in text[0]


def test_collation_ignores_accents_and_case():
    names = ["Zambie", "États-Unis", "Égypte", "estonie", "Allemagne"]
    assert sorted(names, key=lambda name: sort_key(name, "fr")) == [
        "Allemagne",
        "Égypte",
        "estonie",
        "États-Unis",
        "Zambie",
    ]


#: The States of the fixture below in the order of the list in each language (UN short names).
UN_ORDER = {
    "en": [
        "Bolivia (Plurinational State of)",
        "Cabo Verde",
        "Democratic Republic of the Congo",
        "Ecuador",
        "Egypt",
        "Iran (Islamic Republic of)",
        "Russian Federation",
        "Türkiye",
        "United Kingdom of Great Britain and Northern Ireland",
        "United States of America",
        "Viet Nam",
        "OBSERVER STATES",
        "Holy See",
        "State of Palestine",
    ],
    "fr": [
        "Bolivie (État plurinational de)",
        "Cabo Verde",
        "Égypte",
        "Équateur",
        "États-Unis d'Amérique",
        "Fédération de Russie",
        "Iran (République islamique d')",
        "République démocratique du Congo",
        "Royaume-Uni de Grande-Bretagne et d'Irlande du Nord",
        "Türkiye",
        "Viet Nam",
        "ÉTATS OBSERVATEURS",
        "État de Palestine",
        "Saint-Siège",
    ],
    "es": [
        "Bolivia (Estado Plurinacional de)",
        "Cabo Verde",
        "Ecuador",
        "Egipto",
        "Estados Unidos de América",
        "Federación de Rusia",
        "Irán (República Islámica del)",
        "Reino Unido de Gran Bretaña e Irlanda del Norte",
        "República Democrática del Congo",
        "Türkiye",
        "Viet Nam",
        "ESTADOS OBSERVADORES",
        "Estado de Palestina",
        "Santa Sede",
    ],
}


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_un_names_print_in_each_language_in_its_alphabetical_order(
    event, make_registration, language
):
    observers = next(c for c in event.categories if c.code == "observer-state")
    for iso in ("VN", "TR", "GB", "US", "RU", "IR", "EG", "EC", "CD", "CV", "BO", "VA", "PS"):
        entity = next(e for e in event.entities if e.iso_code == iso)
        extra = {"category_id": observers.id} if iso in ("VA", "PS") else {}
        make_registration("approved", family_name=f"Delegate {iso}", entity_id=entity.id, **extra)
    data = participants.participants_data(event, language)
    text = " ".join(" ".join(pdf_pages(participants.render_participants(data))).split())
    text = text.replace("- ", "-")  # a long name wrapped after a hyphen
    positions = _positions(text, UN_ORDER[language])
    assert positions == sorted(positions)
