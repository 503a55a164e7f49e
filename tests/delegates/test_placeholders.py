"""Staff-written text: only whitelisted placeholders, pasted in as plain text."""

import pytest

from registration.delegates import placeholders


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Dear {name}", "unknown_placeholder"),
        ("{given_name.__class__}", "unknown_placeholder"),
        ("{given_name[0]}", "unknown_placeholder"),
        ("{given_name!r}", "unknown_placeholder"),
        ("{given_name:>99999}", "unknown_placeholder"),
        ("{0}", "unknown_placeholder"),
        ("{}", "unknown_placeholder"),
        ("Hello {given_name", "invalid_template"),
        ("Hello }", "invalid_template"),
    ],
)
def test_refused(text, code):
    with pytest.raises(placeholders.PlaceholderError) as error:
        placeholders.check(text)
    assert error.value.code == code


def test_fill_pastes_values_as_text():
    values = dict.fromkeys(placeholders.PLACEHOLDERS, "") | {
        "given_name": "{family_name}",
        "family_name": "<b>Núñez</b>",
    }
    filled = placeholders.fill("{{literal}} {given_name} {family_name}", values)
    assert filled == "{literal} {family_name} <b>Núñez</b>"


def test_values_for_a_registration(db, make_registration):
    registration = make_registration(language="fr", honorific="he")
    values = placeholders.values_for(registration, reason="Complet")
    assert set(values) == set(placeholders.PLACEHOLDERS)
    assert values["entity"] == "Pays-Bas (Royaume des)"
    assert values["event"].startswith("Renforcer")
    assert values["manage_link"].endswith(f"/r/{registration.manage_token}")
    assert values["reason"] == "Complet"
