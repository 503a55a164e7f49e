"""Behaviour shared by every page: bounded ids, JSON errors under /api, security headers."""

from registration.auth.models import Role


def test_ids_beyond_an_integer_column_are_404_not_500(client, sign_in):
    sign_in(Role.ADMIN)
    assert client.get(f"/manage/mail/{2**31}").status_code == 404
    assert client.get(f"/manage/mail/{2**31 - 1}").status_code == 404


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["status"] == "error"


def test_each_request_loads_its_own_user(app, client, sign_in):
    sign_in(Role.ADMIN)
    assert client.get("/manage/").status_code == 200
    # A second, anonymous client in the same test must not inherit the first one's user.
    assert app.test_client().get("/manage/").status_code == 302
