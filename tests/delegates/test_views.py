"""The public registration form, the manage link and "Lost your link?" through the client."""

import io
from datetime import timedelta

import pytest

from registration.database import utcnow
from registration.delegates.models import Registration, Status
from registration.mail.models import OutboxEmail
from tests.conftest import make_test_app
from tests.delegates.photo_files import image_bytes


def _post(client, event, data, photo: bytes | None = None, filename="photo.jpg"):
    if photo is not None:
        data = {**data, "photo": (io.BytesIO(photo), filename)}
    return client.post(f"/e/{event.slug}/register", data=data, content_type="multipart/form-data")


def _one(db) -> Registration:
    return db.session.execute(db.select(Registration)).scalar_one()


def test_register_with_photo_redirects_to_the_confirmation(client, db, event, form_data):
    response = _post(client, event, form_data(), photo=image_bytes("PNG"), filename="me.png")
    registration = _one(db)
    assert response.status_code == 302
    assert response.location == f"/r/{registration.manage_token}?welcome=1"
    assert registration.photo and registration.honorific == "he"
    assert [s.code for s in registration.sessions] == ["session-1", "session-2"]
    page = client.get(response.location)
    assert "Thank you, your registration is recorded." in page.text
    assert registration.reference in page.text
    assert "H.E. Fernando ALZATE DONOSO" in page.text
    photo = client.get(f"/r/{registration.manage_token}/photo")
    assert photo.mimetype == "image/jpeg" and photo.data[:2] == b"\xff\xd8"
    photo.close()
    assert db.session.execute(db.select(OutboxEmail)).scalar_one().language == "es"


def test_missing_fields_keep_what_was_typed(client, db, event, form_data):
    response = _post(client, event, form_data(family_name="", email="not-an-address"))
    assert response.status_code == 400
    assert "Please correct the fields marked below" in response.text
    assert 'value="Fernando"' in response.text
    assert 'value="Director of Consular Affairs"' in response.text
    assert 'value="not-an-address"' in response.text
    assert "Invalid email address." in response.text
    assert db.session.execute(db.select(Registration)).first() is None


def test_refused_photo_keeps_the_rest_of_the_form(client, db, event, form_data):
    response = _post(client, event, form_data(), photo=b"MZ\x90\x00 evil.exe", filename="me.jpg")
    assert response.status_code == 400
    assert "The photo must be a JPEG or PNG image." in response.text
    assert 'value="Alzate Donoso"' in response.text
    assert db.session.execute(db.select(Registration)).first() is None


def test_good_photo_is_kept_when_another_field_fails(client, db, event, form_data):
    response = _post(client, event, form_data(given_name=""), photo=image_bytes())
    assert response.status_code == 400
    assert "Your photo has been received" in response.text
    kept = response.text.split('name="uploaded_photo" type="hidden" value="')[1].split('"')[0]
    response = _post(client, event, form_data(uploaded_photo=kept))
    assert response.status_code == 302
    assert _one(db).photo == kept


def test_forged_uploaded_photo_name_is_ignored(client, db, event, form_data):
    response = _post(client, event, form_data(uploaded_photo="../../../etc/passwd"))
    assert response.status_code == 302
    assert _one(db).photo is None


def test_duplicate_points_to_lost_link_without_showing_data(client, db, event, form_data):
    assert _post(client, event, form_data()).status_code == 302
    reference = _one(db).reference
    response = _post(client, event, form_data(function="Somebody else"))
    assert response.status_code == 400
    assert "You are already registered for this meeting" in response.text
    assert "Lost your link?" in response.text
    assert reference not in response.text


def test_entity_of_another_category_is_refused_with_a_message(client, db, event, form_data):
    ngo = next(c for c in event.categories if c.code == "ngo")
    response = _post(client, event, form_data(category=str(ngo.id)))
    assert response.status_code == 400
    assert "Choose a State or organisation of the chosen category." in response.text


@pytest.mark.parametrize(
    "tampered",
    [{"category": "abc"}, {"entity": "99999999"}, {"sessions": ["x"]}, {"language": "de"}],
)
def test_tampered_choices_get_a_clear_message_not_a_500(client, db, event, form_data, tampered):
    response = _post(client, event, form_data(**tampered))
    assert response.status_code == 400
    assert "Please correct the fields marked below" in response.text


def test_closed_registration_shows_a_clear_page(client, db, event, form_data):
    event.registration_closes = utcnow() - timedelta(hours=1)
    db.session.commit()
    response = client.get(f"/e/{event.slug}/register")
    assert response.status_code == 403
    assert "Registration for this meeting is closed." in response.text
    assert _post(client, event, form_data()).status_code == 403


def test_full_meeting_tells_the_person_they_are_waitlisted(client, db, event, form_data):
    event.capacity = 0 + 1
    db.session.commit()
    _post(client, event, form_data())
    response = _post(client, event, form_data(email="second@example.org", given_name="Ana"))
    token = response.location.split("/r/")[1].split("?")[0]
    page = client.get(f"/r/{token}?welcome=1")
    assert "you are on the waiting list" in page.text


def test_unknown_manage_token_is_404(client, event):
    assert client.get("/r/not-a-token").status_code == 404


def test_edit_through_the_link(client, db, event, form_data, make_registration):
    registration = make_registration()
    page = client.get(f"/r/{registration.manage_token}/edit")
    assert f'value="{registration.family_name}"' in page.text
    data = form_data(
        email=registration.email,
        given_name=registration.given_name,
        family_name=registration.family_name,
        function="Ambassador",
        entity=str(registration.entity_id),
    )
    response = client.post(f"/r/{registration.manage_token}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(registration)
    assert registration.function == "Ambassador"
    assert "Your changes are saved." in client.get(response.location).text


def test_edit_errors_keep_input(client, db, event, form_data, make_registration):
    registration = make_registration()
    response = client.post(
        f"/r/{registration.manage_token}/edit",
        data=form_data(email="broken", function="Typed text"),
    )
    assert response.status_code == 400
    assert 'value="Typed text"' in response.text


def test_withdraw_asks_then_withdraws(client, db, make_registration):
    registration = make_registration()
    page = client.get(f"/r/{registration.manage_token}/withdraw")
    assert "Yes, withdraw my registration" in page.text
    response = client.post(f"/r/{registration.manage_token}/withdraw")
    assert response.status_code == 302
    db.session.refresh(registration)
    assert registration.status == Status.WITHDRAWN
    assert "Your registration is withdrawn." in client.get(response.location).text


def test_lost_link_answers_the_same_for_everyone(client, db, event, make_registration):
    registration = make_registration()
    old_link = f"/r/{registration.manage_token}"
    answers = []
    for email in (registration.email, "x@example.org"):
        answer = client.post(f"/e/{event.slug}/lost-link", data={"email": email})
        answers.append((answer.status_code, answer.location, client.get(answer.location)))
    (known_code, known_location, known_page), (code, location, unknown_page) = answers
    assert (known_code, known_location) == (code, location) == (302, f"/e/{event.slug}/lost-link")
    assert known_page.text == unknown_page.text
    assert "If this address is registered" in known_page.text
    messages = db.session.execute(db.select(OutboxEmail)).scalars().all()
    sent = [m for m in messages if "Your registration link" in m.subject]
    assert [m.recipient for m in sent] == [registration.email]
    # The link is a new one: the one sent or seen before no longer opens the registration.
    assert client.get(old_link).status_code == 404
    new_link = sent[0].body_text.split("http://testserver.local")[1].split()[0]
    assert new_link != old_link
    assert client.get(new_link).status_code == 200
    assert "no longer work" in sent[0].body_text


def test_lost_link_answers_known_and_unknown_addresses_at_the_same_moment(
    app, client, event, make_registration, monkeypatch
):
    """Both answers wait for the same deadline after the request began (no timing asserted)."""
    from registration.delegates import views

    registration = make_registration()
    clock, waits = iter(range(100, 200)), []
    monkeypatch.setattr(views, "monotonic", lambda: next(clock))
    monkeypatch.setattr(views, "sleep", waits.append)
    monkeypatch.setitem(app.config, "LOST_LINK_ANSWER_SECONDS", 30)
    for email in (registration.email, "nobody@example.org"):
        client.post(f"/e/{event.slug}/lost-link", data={"email": email})
    # Each request read the clock when it began and once more before waiting out the rest.
    assert waits == [29, 29]


def test_lost_link_is_rate_limited(db, event):
    limited = make_test_app(RATELIMIT_ENABLED=True, RATELIMIT_LOST_LINK="3 per minute")
    client = limited.test_client()
    codes = [
        client.post(f"/e/{event.slug}/lost-link", data={"email": "a@example.org"}).status_code
        for _ in range(4)
    ]
    assert codes == [302, 302, 302, 429]


def test_csrf_is_required(db, event, form_data):
    protected = make_test_app(WTF_CSRF_ENABLED=True).test_client()
    response = protected.post(f"/e/{event.slug}/register", data=form_data())
    assert response.status_code == 400
    assert "The form expired" in response.text
    assert 'value="Fernando"' in response.text


def test_pages_in_french_and_spanish(client, event):
    assert 'lang="fr"' in client.get(f"/e/{event.slug}/?lang=fr").text
    page = client.get(f"/e/{event.slug}/register?lang=es").text
    assert "Países Bajos" in page


def test_event_home_shows_the_agenda(client, event):
    page = client.get(f"/e/{event.slug}/").text
    assert "Session II: Tools and Measures for Return" in page
    assert "Meera Sethi" in page
    assert f"/e/{event.slug}/register" in page
