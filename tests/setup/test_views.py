"""Setup and staff account pages through the client: wiring, admin-only, refusals as pages."""

import io

import pytest

from registration.auth.models import Role, StaffSession, StaffUser
from registration.auth.services import start_session
from registration.events.models import AgendaSession, Category, Entity


def _setup(event, path=""):
    return f"/manage/e/{event.slug}/setup{path}"


def _pages(event):
    category = event.categories[0]
    entity = event.entities[0]
    session = event.sessions[0]
    return [
        _setup(event, "/"),
        _setup(event, "/categories"),
        _setup(event, f"/categories/{category.id}"),
        _setup(event, "/entities"),
        _setup(event, f"/entities/{entity.id}"),
        _setup(event, "/entities/import"),
        _setup(event, "/sessions"),
        _setup(event, f"/sessions/{session.id}"),
        "/manage/staff/",
    ]


def test_admin_sees_every_setup_page(client, event, sign_in):
    sign_in("admin")
    for url in _pages(event):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["registrar", "viewer", "checkin"])
def test_other_roles_are_refused(client, event, sign_in, role):
    sign_in(role)
    for url in _pages(event):
        assert client.get(url).status_code == 403, url
    assert client.post(_setup(event, "/entities/import/confirm")).status_code == 403
    assert client.post("/manage/staff/1/deactivate").status_code == 403


def test_visitors_are_sent_to_sign_in(client, event):
    for url in _pages(event):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/sign-in" in response.location


def test_ids_of_another_event_are_not_found(client, event, sign_in):
    sign_in("admin")
    for path in ("/categories/999999", "/entities/999999", "/sessions/999999"):
        assert client.get(_setup(event, path)).status_code == 404
    assert client.get("/manage/e/nope/setup/").status_code == 404


def _event_form(event, **overrides):
    data = {
        "title_en": "Return Migration",
        "title_fr": "Migration de retour",
        "title_es": "",
        "series_en": "",
        "organiser_en": "IOM",
        "venue_en": "Geneva",
        "venue_fr": "Genève",
        "start_date": event.start_date.isoformat(),
        "end_date": event.end_date.isoformat(),
        "timezone": "Europe/Zurich",
        "registration_opens": "2030-05-15T09:00",
        "registration_closes": "2030-07-04T18:00",
        "capacity": "300",
        "moderation": "y",
    }
    data.update(overrides)
    return data


def test_admin_edits_the_event_in_local_time(client, db, event, sign_in):
    sign_in("admin")
    page = client.get(_setup(event, "/"))
    # The stored UTC window is shown as the venue's wall-clock time.
    assert 'value="' in page.text and "Europe/Zurich" in page.text
    response = client.post(_setup(event, "/"), data=_event_form(event))
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.registration_opens.hour == 7 and event.capacity == 300
    assert event.review_fields == [] and event.moderation
    assert 'value="2030-05-15T09:00"' in client.get(_setup(event, "/")).text
    response = client.post(
        _setup(event, "/"),
        data=_event_form(
            event,
            review_fields=["sessions", "category"],
            secretariat_email="idm@iom.example.int",
            practical_info="Palais des Nations, Door 40. Bring your passport.",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.review_fields == ["category", "sessions"]
    assert event.secretariat_email == "idm@iom.example.int"
    assert event.practical_info.startswith("Palais des Nations")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_date": "2000-01-01"}, "cannot end before it starts"),
        ({"registration_closes": "2030-05-01T09:00"}, "must close after it opens"),
        ({"start_date": "not a date"}, "Not a valid date value"),
        ({"capacity": "-3"}, "Number must be between 1 and 2147483647"),
        ({"capacity": "99999999999999"}, "Number must be between 1 and 2147483647"),
        ({"timezone": "Mars/Olympus"}, "Not a valid choice"),
    ],
)
def test_bad_event_settings_are_explained_and_kept(client, db, event, sign_in, overrides, message):
    sign_in("admin")
    response = client.post(_setup(event, "/"), data=_event_form(event, **overrides))
    assert response.status_code == 400
    assert message in response.text
    assert 'value="Migration de retour"' in response.text
    db.session.refresh(event)
    assert event.capacity == 400


def test_admin_adds_and_edits_a_category(client, db, event, sign_in):
    sign_in("admin")
    response = client.post(
        _setup(event, "/categories"),
        data={"code": "press", "name_en": "Press", "badge_colour": "#112233", "position": "20"},
    )
    assert response.status_code == 302
    category = db.session.execute(db.select(Category).where(Category.code == "press")).scalar_one()
    response = client.post(
        _setup(event, f"/categories/{category.id}"),
        data={"name_en": "Press", "name_fr": "Presse", "badge_colour": "#445566", "position": "1"},
    )
    assert response.status_code == 302
    db.session.refresh(category)
    assert category.badge_colour == "#445566" and category.name["fr"] == "Presse"
    refused = client.post(
        _setup(event, "/categories"),
        data={"code": "press", "name_en": "Again", "badge_colour": "#112233", "position": "2"},
    )
    assert refused.status_code == 400 and "already used" in refused.text
    refused = client.post(
        _setup(event, "/categories"),
        data={"code": "x", "name_en": "X", "badge_colour": "blue", "position": "2"},
    )
    assert refused.status_code == 400 and "like #0033A0" in refused.text


def test_admin_adds_an_entity_and_sets_a_quota(client, db, event, sign_in):
    sign_in("admin")
    states = next(c for c in event.categories if c.code == "member-state")
    response = client.post(
        _setup(event, "/entities"),
        data={"category": str(states.id), "iso_code": "SN", "name": "", "quota": "2"},
    )
    assert response.status_code == 302
    senegal = db.session.execute(db.select(Entity).where(Entity.iso_code == "SN")).scalar_one()
    assert senegal.quota == 2
    response = client.post(
        _setup(event, f"/entities/{senegal.id}"),
        data={"category": str(states.id), "iso_code": "SN", "name": "", "quota": ""},
    )
    assert response.status_code == 302
    db.session.refresh(senegal)
    assert senegal.quota is None
    refused = client.post(
        _setup(event, "/entities"),
        data={"category": str(states.id), "iso_code": "QQ", "name": "", "quota": ""},
    )
    assert refused.status_code == 400 and "ISO 3166-1 code" in refused.text


def _upload(client, event, category, data: bytes):
    return client.post(
        _setup(event, "/entities/import"),
        data={"category": str(category.id), "file": (io.BytesIO(data), "states.csv")},
        content_type="multipart/form-data",
    )


def test_csv_import_previews_then_imports(client, db, event, sign_in):
    sign_in("admin")
    states = next(c for c in event.categories if c.code == "member-state")
    preview = _upload(client, event, states, b"code,quota\nSN,3\nNL\nXX\nFR\n")
    assert preview.status_code == 200
    assert 'data-count="new">2<' in preview.text and 'data-count="rejected">1<' in preview.text
    assert "XX is not an ISO 3166-1 country code" in preview.text
    assert db.session.execute(db.select(Entity).where(Entity.iso_code == "SN")).first() is None
    text = preview.text.split('name="text" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        _setup(event, "/entities/import/confirm"),
        data={"category": str(states.id), "text": text.replace("&#10;", "\n")},
    )
    assert response.status_code == 302
    names = {e.iso_code for e in db.session.execute(db.select(Entity)).scalars()}
    assert {"SN", "FR"} <= names
    assert "2 added, 1 already in the list, 1 rejected" in client.get(response.location).text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV text file"),
        (b" \r\n", "The file is empty"),
    ],
)
def test_a_bad_file_is_explained_not_a_server_error(client, event, sign_in, data, message):
    sign_in("admin")
    states = next(c for c in event.categories if c.code == "member-state")
    response = _upload(client, event, states, data)
    assert response.status_code == 400 and message in response.text


def test_the_file_is_required(client, event, sign_in):
    sign_in("admin")
    response = client.post(_setup(event, "/entities/import"), data={"category": "1"})
    assert response.status_code == 400 and "Choose a CSV file" in response.text


def test_a_tampered_confirmation_is_refused(client, event, sign_in):
    sign_in("admin")
    assert client.post(_setup(event, "/entities/import/confirm"), data={}).status_code == 400
    response = client.post(
        _setup(event, "/entities/import/confirm"), data={"category": "999999", "text": "SN"}
    )
    assert response.status_code == 404
    response = client.post(
        _setup(event, "/entities/import/confirm"), data={"category": "9" * 25, "text": "SN"}
    )
    assert response.status_code == 400


def test_admin_adds_and_edits_a_session(client, db, event, sign_in):
    sign_in("admin")
    data = {
        "code": "side-1",
        "title_en": "Side event",
        "title_fr": "Manifestation parallèle",
        "kind": "side-event",
        "starts_at": "2030-07-07T13:00",
        "ends_at": "2030-07-07T14:00",
        "room": "Room B",
        "speakers": "A\r\nB",
        "capacity": "40",
    }
    assert client.post(_setup(event, "/sessions"), data=data).status_code == 302
    session = db.session.execute(
        db.select(AgendaSession).where(AgendaSession.code == "side-1")
    ).scalar_one()
    assert session.starts_at.hour == 11 and session.speakers == ["A", "B"]
    edit = client.get(_setup(event, f"/sessions/{session.id}"))
    assert 'value="2030-07-07T13:00"' in edit.text
    refused = client.post(
        _setup(event, f"/sessions/{session.id}"), data={**data, "ends_at": "2030-07-07T12:00"}
    )
    assert refused.status_code == 400 and "must end after it starts" in refused.text


def test_admin_creates_an_account(client, db, sign_in):
    sign_in("admin")
    response = client.post(
        "/manage/staff/",
        data={
            "email": "new@example.org",
            "name": "New",
            "role": "viewer",
            "password": "a long password",
        },
    )
    assert response.status_code == 302
    user = db.session.execute(
        db.select(StaffUser).where(StaffUser.email == "new@example.org")
    ).scalar_one()
    assert user.role == Role.VIEWER and user.password_hash.startswith("$argon2id$")
    refused = client.post(
        "/manage/staff/",
        data={"email": "other@example.org", "name": "", "role": "viewer", "password": "short"},
    )
    assert refused.status_code == 400
    assert "Use at least 12 characters" in refused.text
    assert 'value="other@example.org"' in refused.text and "short" not in refused.text
    taken = client.post(
        "/manage/staff/",
        data={
            "email": "new@example.org",
            "name": "",
            "role": "viewer",
            "password": "a long password",
        },
    )
    assert taken.status_code == 400 and "exists already" in taken.text


def test_admin_changes_a_role_and_closes_an_account(client, db, sign_in, make_staff):
    admin = sign_in("admin")
    registrar = make_staff(Role.REGISTRAR)
    start_session(registrar)
    db.session.commit()
    response = client.post(f"/manage/staff/{registrar.id}/role", data={"role": "viewer"})
    assert response.status_code == 302
    db.session.refresh(registrar)
    assert registrar.role == Role.VIEWER
    client.post(f"/manage/staff/{registrar.id}/deactivate")
    db.session.refresh(registrar)
    assert not registrar.active
    count = db.select(db.func.count()).where(StaffSession.user_id == registrar.id)
    assert db.session.execute(count).scalar_one() == 0
    client.post(f"/manage/staff/{registrar.id}/reactivate")
    db.session.refresh(registrar)
    assert registrar.active
    refused = client.post(f"/manage/staff/{admin.id}/deactivate", follow_redirects=True)
    assert "your own account" in refused.text
    assert client.post("/manage/staff/999999/deactivate").status_code == 404
    bad = client.post(
        f"/manage/staff/{registrar.id}/role", data={"role": "emperor"}, follow_redirects=True
    )
    assert bad.status_code == 200 and "Choose a role" in bad.text
