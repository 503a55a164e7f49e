"""Language done right: honorifics and gendered words per language, words instead of codes,
dates in the reader's locale and the meeting's timezone, French typography in emails."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flask import g
from flask_babel import force_locale

from registration.auth.models import Role
from registration.delegates import services
from registration.delegates.forms import RegistrationForm
from registration.delegates.models import HONORIFICS
from registration.documents.exports import COLUMNS
from registration.events.models import Event
from registration.i18n import format_date, format_datetime, format_minute
from registration.mail.models import OutboxEmail
from registration.manage.display import audit_trail


def _created_email(db, registration) -> OutboxEmail:
    return db.session.execute(
        db.select(OutboxEmail).where(
            OutboxEmail.registration_id == registration.id,
            OutboxEmail.template == "registration_created",
        )
    ).scalar_one()


@pytest.mark.parametrize(
    ("language", "honorific", "gender", "greeting", "name"),
    [
        ("es", "he-ms", "", "Excelentísima señora:", "Excma. Sra. Ana"),
        ("es", "he-mr", "", "Excelentísimo señor:", "Excmo. Sr. Ana"),
        ("es", "dr", "female", "Estimada Ana JANSEN", "Dra. Ana"),
        ("es", "", "male", "Estimado Ana JANSEN", "Ana JANSEN"),
        ("es", "mx", "", "Estimado/a Ana JANSEN", "Mx Ana"),
        ("fr", "mrs", "", "Madame Ana JANSEN,", "Mme Ana"),
        ("fr", "mr", "", "Monsieur Ana JANSEN,", "M. Ana"),
        ("fr", "he-ms", "", "Excellence,", "S. E. Mme Ana"),
        ("en", "he-ms", "", "Excellency,", "H.E. Ms Ana"),
        ("en", "rev", "", "Dear Ana JANSEN,", "Rev. Ana"),
    ],
)
def test_greeting_and_honorific_follow_language_and_gender(
    db, make_registration, language, honorific, gender, greeting, name
):
    registration = make_registration(
        given_name="Ana",
        family_name="Jansen",
        honorific=honorific,
        gender=gender,
        language=language,
    )
    body = _created_email(db, registration).body_text
    assert body.splitlines()[0] == greeting or greeting in body.splitlines()[0]
    assert "Estimado/a Excm" not in body
    assert name in body


def test_french_emails_put_a_space_before_colons(db, make_registration):
    body = _created_email(db, make_registration(language="fr")).body_text
    assert "Référence\u00a0:" in body and "Statut\u00a0:" in body
    english = _created_email(db, make_registration(language="en")).body_text
    assert "Reference: " in english


@pytest.mark.parametrize(
    ("language", "gender", "label"),
    [
        ("es", "female", "Jefa de delegación"),
        ("es", "male", "Jefe de delegación"),
        ("fr", "female", "Cheffe de délégation"),
        ("en", "female", "Head of delegation"),
    ],
)
def test_head_of_delegation_in_the_persons_gender(make_registration, language, gender, label):
    registration = make_registration(gender=gender, honorific="", head_of_delegation=True)
    with force_locale(language):
        assert registration.head_of_delegation_label == label


def test_the_form_offers_every_honorific(app, event):
    with app.test_request_context("/"):
        form = RegistrationForm(meta={"csrf": False}).for_event(event, "en")
    offered = {choice.value for choice in form.honorific.choices}
    assert {"mrs", "amb", "hon", "mgr", "rev", "he-mr", "he-ms", "he"} <= offered
    assert set(HONORIFICS) <= offered


def test_dates_are_never_in_us_form_and_in_the_meetings_timezone(app):
    moment = datetime(2026, 11, 30, 8, 5, tzinfo=UTC)
    expected = {"en": "30/11/2026, 09:05", "fr": "30/11/2026 09:05", "es": "30/11/26, 9:05"}
    for language, text in expected.items():
        with app.test_request_context(f"/?lang={language}"):
            app.preprocess_request()
            g.event_timezone = "Europe/Zurich"
            shown = format_datetime(moment, "short")
            assert "11/30" not in shown
            assert shown.replace("\u202f", " ") == text
            assert "novembre" in format_date(moment, "long") if language == "fr" else True


def test_the_minute_shown_at_the_desk_follows_each_reader(app):
    """format_minute remembers its texts, but per language and timezone, and to the minute."""
    moment = datetime(2026, 11, 30, 8, 5, 59, 999999, tzinfo=UTC)
    for zone, hour in (("Europe/Zurich", "09:05"), ("America/Bogota", "03:05")):
        for language in ("en", "fr", "es"):
            with app.test_request_context(f"/?lang={language}"):
                app.preprocess_request()
                g.event_timezone = zone
                shown = format_minute(moment)
                assert shown == format_datetime(moment, "short")
                assert hour.lstrip("0") in shown
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        g.event_timezone = "UTC"
        assert format_minute(moment + timedelta(microseconds=1)).endswith("08:06")
        assert format_minute(None) == ""


def test_mail_log_shows_the_meetings_time_not_utc(client, db, event, sign_in):
    sign_in(Role.ADMIN)
    db.session.add(
        OutboxEmail(
            event_id=event.id,
            template="staff_message",
            language="en",
            recipient="x@example.org",
            subject="Timezone check",
            body_text="x",
            body_html="x",
            created_at=datetime(2026, 11, 30, 8, 5, tzinfo=UTC),
        )
    )
    db.session.commit()
    page = client.get("/manage/mail/?lang=en").text
    assert "30/11/2026, 09:05" in page  # Geneva is UTC+1 in November
    assert "11/30/26" not in page
    # With meetings in two timezones, each message shows its own meeting's time.
    other = Event(
        slug="nyc",
        title={"en": "New York meeting"},
        start_date=event.start_date,
        end_date=event.end_date,
        timezone="America/New_York",
    )
    db.session.add(other)
    db.session.flush()
    db.session.add(
        OutboxEmail(
            event_id=other.id,
            template="staff_message",
            language="en",
            recipient="y@example.org",
            subject="Other zone",
            body_text="y",
            body_html="y",
            created_at=datetime(2026, 11, 30, 8, 5, tzinfo=UTC),
        )
    )
    db.session.commit()
    page = client.get("/manage/mail/?lang=en").text
    assert "30/11/2026, 09:05" in page and "30/11/2026, 03:05" in page


def test_history_and_exports_show_words_not_codes(app, db, event, make_registration, make_staff):
    admin = make_staff(Role.ADMIN)
    registration = make_registration(gender="", nationality="", language="en")
    data = services.RegistrationData(
        **{
            **{name: getattr(registration, name) for name in ("given_name", "family_name")},
            "email": registration.email,
            "category_id": registration.category_id,
            "entity_id": registration.entity_id,
        }
    )
    data = replace(
        data,
        gender="female",
        nationality="CO",
        language="es",
        honorific="he-ms",
        session_ids=[s.id for s in event.sessions if s.code == "session-2"],
    )
    services.update_registration(registration, data, by=admin)
    db.session.commit()
    with app.test_request_context("/?lang=fr"):
        app.preprocess_request()
        rows = audit_trail(registration)
        shown = {label: new for row in rows for label, _old, new in row.changes}
        assert shown["Genre"] == "Femme"
        assert shown["Nationalité"] == "Colombie"
        assert shown["Langue de correspondance"] == "Espagnol"
        assert shown["Titre de civilité"] == "S. E. Mme"
        assert shown["Séances"].startswith("Séance II")
        row = {key: column.value(registration, None) for key, column in COLUMNS.items()}
        assert row["gender"] == "Femme" and row["language"] == "Espagnol"
        assert row["nationality"] == "Colombie" and row["sessions"].startswith("Séance II")
