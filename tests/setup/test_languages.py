"""Setup in every meeting language: one input per language, names overridden per language (by
form and CSV), markup kept as text and escaped, the badge language."""

import io
import re

from registration.documents import services as documents
from registration.events.models import Entity
from tests.documents.conftest import pdf_pages


def _setup(event, path=""):
    return f"/manage/e/{event.slug}/setup{path}"


def _category(event, code):
    return next(c for c in event.categories if c.code == code)


def test_the_event_form_has_one_input_per_meeting_language_with_the_fallback(
    client, event, sign_in
):
    sign_in("admin")
    page = client.get(_setup(event, "/")).text
    for prefix in ("title", "series", "organiser", "venue"):
        for language in ("en", "fr", "es"):
            assert f'id="{prefix}_{language}"' in page
    event.languages = ["fr", "en"]
    page = client.get(_setup(event, "/")).text
    assert 'id="venue_es"' not in page  # Spanish is not a language of this meeting
    # An empty language shows, as placeholder, the text of the first language (French here).
    assert re.search(r'id="venue_en"[^>]*placeholder="Genève, Suisse', page) or re.search(
        r'placeholder="Genève, Suisse[^"]*"[^>]*id="venue_en"', page
    )


def test_an_override_with_markup_is_stored_as_text_and_escaped(client, db, event, sign_in):
    sign_in("admin")
    colombia = next(e for e in event.entities if e.iso_code == "CO")
    response = client.post(
        _setup(event, f"/entities/{colombia.id}"),
        data={
            "category": str(colombia.category_id),
            "iso_code": "CO",
            "name": "",
            "names_fr": '<script>alert("x")</script>Colombie',
            "names_es": "",
        },
    )
    assert response.status_code == 302
    db.session.refresh(colombia)
    assert colombia.names == {"fr": '<script>alert("x")</script>Colombie'}
    page = client.get(f"/e/{event.slug}/register?lang=fr").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;Colombie" in page
    assert '<script>alert("x")' not in page
    assert ">Colombia<" in client.get(f"/e/{event.slug}/register?lang=es").text


def test_an_unknown_iso_code_is_a_clear_message_and_keeps_the_typing(client, event, sign_in):
    sign_in("admin")
    response = client.post(
        _setup(event, "/entities"),
        data={
            "category": str(_category(event, "member-state").id),
            "iso_code": "QQ",
            "name": "",
            "names_fr": "Mon État",
        },
    )
    assert response.status_code == 400
    assert "QQ is not an ISO 3166-1 code" in response.text
    assert 'value="Mon État"' in response.text


def test_csv_names_per_language_preview_exactly_what_is_printed(client, db, event, sign_in):
    sign_in("admin")
    states = _category(event, "member-state")
    text = "code;quota;fr;es\nKE;2;;\nGR;;République hellénique;\nTW\nPS;;;\n"
    preview = client.post(
        _setup(event, "/entities/import"),
        data={"category": str(states.id), "file": (io.BytesIO(text.encode()), "s.csv")},
        content_type="multipart/form-data",
    ).text
    rows = re.findall(r"<tr><td>(\d+)</td>(.*?)</tr>", preview)
    cells = {line: re.findall(r'data-language="(\w+)">([^<]*)<', row) for line, row in rows}
    assert cells["2"] == [("en", "Kenya"), ("fr", "Kenya"), ("es", "Kenya")]
    assert cells["3"] == [("en", "Greece"), ("fr", "République hellénique"), ("es", "Grecia")]
    assert cells["5"] == [
        ("en", "State of Palestine"),
        ("fr", "État de Palestine"),
        ("es", "Estado de Palestina"),
    ]
    assert "TW is not an ISO 3166-1 country code" in preview  # no "Taiwan" as a State
    confirm = re.search(r'name="text" type="hidden" value="([^"]*)"', preview)
    client.post(
        _setup(event, "/entities/import/confirm"),
        data={"category": str(states.id), "text": text},
    )
    greece = db.session.execute(db.select(Entity).where(Entity.iso_code == "GR")).scalar_one()
    assert confirm is not None
    assert greece.name_in("fr") == "République hellénique" and greece.name_in("es") == "Grecia"


def test_badges_print_in_the_meetings_badge_language(db, event, make_registration, badge_cache):
    registration = make_registration("approved", honorific="mrs", language="en")
    event.badge_language = "fr"
    db.session.commit()
    text = pdf_pages(documents.render_badge(registration))[0]
    assert "États Membres" in text and "Pays-Bas" in text and "Mme" in text
    assert "Renforcer le rôle" in text
