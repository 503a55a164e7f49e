"""Invisible and control characters are refused in names and short texts, with a clear message."""

import pytest

from registration.auth.models import Role
from registration.delegates.models import Registration
from registration.delegations.models import FocalPoint
from registration.text import first_invisible


@pytest.mark.parametrize(
    "text",
    [
        "Fern\u200bando",  # zero-width space
        "Anna\u202eevlaM",  # right-to-left override
        "\u2066Anna\u2069",  # isolates
        "Jan\u00adsen",  # soft hyphen
        "\ufeffAnna",  # byte order mark
        "Anna\x07",  # C0 control (bell)
        "Anna\x85",  # C1 control (next line)
        "Anna\u2028Jansen",  # line separator
        "Anna\ue000",  # private use
        "\u200dAnna",  # a joiner that joins nothing
        "Line\none",  # a line break in a one-line field
    ],
)
def test_what_cannot_be_seen_is_refused(text):
    assert first_invisible(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "Zoë N\u0301guyễn",  # combining marks
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian with a ZWNJ between letters
        "Ольга Σοφία 李小龍",
        "O'Brien-Smith Jr.",
    ],
)
def test_real_names_pass(text):
    assert first_invisible(text) is None


def test_line_breaks_pass_only_in_multiline_fields():
    assert first_invisible("No nuts,\r\nno gluten\tplease", multiline=True) is None
    assert first_invisible("No nuts\u200b", multiline=True) == 7


def test_the_public_form_refuses_them_and_keeps_what_was_typed(client, db, event):
    category = next(c for c in event.categories if c.code == "member-state")
    entity = next(e for e in event.entities if e.iso_code == "CO")
    response = client.post(
        f"/e/{event.slug}/register",
        data={
            "category": str(category.id),
            "entity": str(entity.id),
            "given_name": "Fern\u200bando",
            "family_name": "Alzate",
            "email": "f.alzate@cancilleria.example.co",
            "function": "Director",
            "dietary_needs": "Vegetarian\r\nno nuts",
            "language": "en",
            "privacy": "y",
        },
    )
    assert response.status_code == 400
    assert "Remove the invisible or control character (ZERO WIDTH SPACE) after “Fern”." in (
        response.text
    )
    assert 'value="Fern\u200bando"' in response.text
    assert 'value="Director"' in response.text
    assert db.session.execute(db.select(Registration)).first() is None


def test_a_focal_point_name_is_checked_too(client, db, event, sign_in):
    sign_in(Role.REGISTRAR)
    netherlands = next(e for e in event.entities if e.iso_code == "NL")
    response = client.post(
        f"/manage/e/{event.slug}/delegations/{netherlands.id}/focal-points",
        data={"name": "\u202eEva", "email": "eva@minbuza.example.nl", "language": "en"},
    )
    assert response.status_code == 400
    assert "at the start" in response.text
    assert db.session.execute(db.select(FocalPoint)).first() is None
