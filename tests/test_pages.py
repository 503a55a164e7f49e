"""Behaviour shared by every page: bounded ids, JSON errors under /api, security headers."""

from registration.auth.models import Role
from registration.delegates.models import Registration
from registration.desk.devices import create_device
from registration.errors import DomainError
from tests.conftest import make_test_app


def test_ids_beyond_an_integer_column_are_404_not_500(client, sign_in):
    sign_in(Role.ADMIN)
    assert client.get(f"/manage/mail/{2**31}").status_code == 404
    assert client.get(f"/manage/mail/{2**31 - 1}").status_code == 404


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_nothing_but_static_files_may_be_stored_by_a_cache(
    client, event, make_registration, sign_in
):
    registration = make_registration()
    public = [f"/r/{registration.manage_token}", f"/e/{event.slug}/register", "/nowhere"]
    for url in public:
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    sign_in(Role.ADMIN)
    staff = [
        f"/manage/registrations/{registration.id}",
        f"/manage/e/{event.slug}/attendance.xlsx",
        f"/manage/e/{event.slug}/statistics.csv",
        "/manage/mail/",
    ]
    for url in staff:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers["Cache-Control"], url
    with client.get("/static/app.css") as style:
        assert style.status_code == 200
        assert "no-store" not in (style.headers.get("Cache-Control") or "")


def test_hsts_only_over_https(client):
    assert (
        client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]
        == f"max-age={365 * 24 * 3600}"
    )
    assert "Strict-Transport-Security" not in client.get("/").headers
    # A client claiming HTTPS through a header is not believed without a configured proxy.
    forged = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forged.headers


def test_hsts_behind_a_configured_proxy(db):
    proxied = make_test_app(PROXY_FIX_HOPS=1).test_client()
    response = proxied.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in proxied.get("/").headers


def test_the_session_cookie_is_read_only_when_sent_and_signed(client):
    """No cookie: an empty session; the language chosen is remembered; a forged cookie is
    an empty session again."""
    assert '<html lang="en">' in client.get("/").text
    assert '<html lang="fr">' in client.get("/?lang=fr").text
    assert '<html lang="fr">' in client.get("/").text
    signed = client.get_cookie("session").value
    client.set_cookie("session", signed[:-2] + ("AA" if not signed.endswith("AA") else "BB"))
    assert '<html lang="en">' in client.get("/").text
    client.delete_cookie("session")
    assert '<html lang="en">' in client.get("/").text


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["status"] == "error"


def test_each_request_loads_its_own_user(app, client, sign_in):
    sign_in(Role.ADMIN)
    assert client.get("/manage/").status_code == 200
    # A second, anonymous client in the same test must not inherit the first one's user.
    assert app.test_client().get("/manage/").status_code == 302


def test_nul_characters_never_reach_the_database(client, db, event, sign_in, make_registration):
    """PostgreSQL refuses NUL in text: they are dropped from forms and query strings, and a
    path or JSON body holding one is refused, never a 500."""
    registration = make_registration()
    assert client.get(f"/r/{registration.manage_token}%00").status_code == 404
    ngo = next(c for c in event.categories if c.code == "ngo")
    response = client.post(
        f"/e/{event.slug}/register",
        data={
            "category": str(ngo.id),
            "entity": "other",
            "other_organisation": "Cari\x00tas",
            "given_name": "Ana\x00",
            "family_name": "Lopez",
            "email": "ana@example.org",
            "language": "es",
            "privacy": "y",
        },
    )
    assert response.status_code == 302
    created = db.session.execute(
        db.select(Registration).where(Registration.email == "ana@example.org")
    ).scalar_one()
    assert (created.given_name, created.other_organisation) == ("Ana", "Caritas")
    _device, device_token = create_device(event, "Door 1")
    db.session.commit()
    response = client.post(
        "/api/v1/scans",
        json={"token": "a\x00b", "checkpoint": "venue"},
        headers={"Authorization": f"Bearer {device_token}"},
    )
    assert response.status_code == 400 and response.json["status"] == "error"
    sign_in(Role.ADMIN)
    assert client.get(f"/manage/e/{event.slug}/registrations?q=an\x00a").status_code == 200


def test_a_refusal_no_view_shows_is_answered_in_one_place():
    """The DomainError handler: JSON under /api, back to the page a button was on, or a page."""
    application = make_test_app()

    def refuse():
        raise DomainError("Not now.", "not_now")

    application.add_url_rule("/api/v1/refuse", "api_refuse", refuse, methods=["GET", "POST"])
    application.add_url_rule("/refuse", "refuse", refuse, methods=["GET", "POST"])
    client = application.test_client()

    api = client.post("/api/v1/refuse")
    assert api.status_code == 409
    assert api.json == {"status": "error", "reason": "not_now", "message": "Not now."}
    page = client.get("/refuse")
    assert page.status_code == 409 and "Not now." in page.text
    back = client.post("/refuse", headers={"Referer": "http://localhost/e/idm/?page=2"})
    assert back.status_code == 303 and back.location == "/e/idm/?page=2"
    assert "Not now." in client.get("/e/idm/").text  # the message waits on that page
    foreign = client.post("/refuse", headers={"Referer": "https://elsewhere.example/"})
    assert foreign.status_code == 409 and "Not now." in foreign.text
