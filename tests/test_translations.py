"""English, French and Spanish: catalogues complete and up to date, pages and email translated."""

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from registration import PROJECT_ROOT
from registration.mail.models import OutboxEmail
from tests.conftest import TRANSLATIONS

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHODS = [
    ("registration/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def _source_messages() -> set[str]:
    """Every msgid in the code and templates, as `make extract-messages` finds them."""
    found = extract_from_dir(str(PROJECT_ROOT), METHODS, keywords=KEYWORDS)
    return {message if isinstance(message, str) else message[0] for _, _, message, *_ in found}


@pytest.fixture(scope="module")
def source_messages() -> set[str]:
    return _source_messages()


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_string_is_translated_with_its_placeholders(source_messages, language):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalogue = read_po(source)
    missing = sorted(
        source_messages - {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}
    )
    assert missing == [], "run `make extract-messages` and translate these"
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {ids[0]!r}"
        assert not message.fuzzy, f"fuzzy: {ids[0]!r}"
        for translated in strings:
            assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(ids[0]))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Fields marked * are required."),
        ("fr", "Les champs marqués d'un * sont obligatoires."),
        ("es", "Los campos marcados con * son obligatorios."),
    ],
)
def test_the_registration_form_in_each_language(client, event, language, expected):
    page = client.get(f"/e/{event.slug}/register?lang={language}").text
    assert expected in page
    assert f'<html lang="{language}">' in page


def test_the_browser_language_is_followed(client, event):
    page = client.get(f"/e/{event.slug}/", headers={"Accept-Language": "es-ES,es;q=0.9"}).text
    assert "Inscribirse" in page


@pytest.mark.parametrize(
    ("language", "subject"),
    [("fr", "Inscription reçue"), ("es", "Inscripción recibida"), ("en", "Registration received")],
)
def test_the_confirmation_email_is_in_the_delegates_language(
    db, make_registration, language, subject
):
    registration = make_registration(language=language)
    message = db.session.execute(
        db.select(OutboxEmail).where(OutboxEmail.registration_id == registration.id)
    ).scalar_one()
    assert message.subject.startswith(subject)
