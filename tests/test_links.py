"""Absolute links come from PUBLIC_BASE_URL, never from the request; other hosts are refused."""

import re

import pytest
from flask import request

from registration.auth.models import Role
from registration.delegations.services import FocalPointData, invite_focal_point
from registration.links import hide_secret_links, public_url
from registration.mail.models import OutboxEmail
from registration.mail.worker import deliver_due
from registration.security import new_token
from tests.conftest import PASSWORD, make_test_app

FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
BASE = "http://testserver.local"
LINK = re.compile(r"https?://[^\s\"'<>]+")


def _links_in_sent_mail(smtp_server, count: int) -> list[str]:
    """Deliver the outbox through the real SMTP server; every absolute link of every part."""
    assert deliver_due() == count
    links = []
    for message in smtp_server.wait_for(count):
        for part in message.walk():
            if part.get_content_maintype() == "text":
                links += LINK.findall(part.get_content())
    assert links
    return links


def test_a_forged_host_never_reaches_the_lost_link_email(
    client, db, event, make_registration, smtp_server
):
    registration = make_registration()
    db.session.execute(db.delete(OutboxEmail))
    db.session.commit()
    response = client.post(
        f"/e/{event.slug}/lost-link", data={"email": registration.email}, headers=FORGED
    )
    assert response.status_code == 302
    links = _links_in_sent_mail(smtp_server, 1)
    assert all(link.startswith(f"{BASE}/") for link in links), links
    assert any("/r/" in link for link in links)


def test_a_forged_host_never_reaches_the_confirmation(client, db, event, form_data, smtp_server):
    data = form_data(family_name="Alzate", language="en")
    response = client.post(f"/e/{event.slug}/register", data=data, headers=FORGED)
    assert response.status_code == 302, response.text
    assert "evil.example" not in response.headers["Location"]
    links = _links_in_sent_mail(smtp_server, 1)
    assert all(link.startswith(f"{BASE}/") for link in links), links
    assert any("/r/" in link for link in links)


def test_a_forged_host_never_reaches_a_focal_point_invitation(
    client, db, event, make_staff, smtp_server
):
    staff = make_staff(Role.REGISTRAR)
    signed_in = client.post(
        "/auth/sign-in", data={"email": staff.email, "password": PASSWORD}, headers=FORGED
    )
    assert signed_in.status_code == 302
    netherlands = next(e for e in event.entities if e.iso_code == "NL")
    response = client.post(
        f"/manage/e/{event.slug}/delegations/{netherlands.id}/focal-points",
        data={"name": "Eva de Vries", "email": "eva@minbuza.example.nl", "language": "en"},
        headers=FORGED,
    )
    assert response.status_code == 302, response.text
    links = _links_in_sent_mail(smtp_server, 1)
    assert all(link.startswith(f"{BASE}/") for link in links), links
    assert any("/fp/" in link for link in links)


def test_a_forged_host_never_reaches_a_status_email(
    client, db, event, make_registration, make_staff, smtp_server
):
    registration = make_registration()
    db.session.execute(db.delete(OutboxEmail))
    db.session.commit()
    staff = make_staff(Role.REGISTRAR)
    client.post("/auth/sign-in", data={"email": staff.email, "password": PASSWORD}, headers=FORGED)
    response = client.post(f"/manage/registrations/{registration.id}/approve", headers=FORGED)
    assert response.status_code == 302
    links = _links_in_sent_mail(smtp_server, 1)
    assert all(link.startswith(f"{BASE}/") for link in links), links
    assert any("/r/" in link for link in links)


def test_links_made_outside_a_request_use_the_base_url_too(db, event, make_staff):
    netherlands = next(e for e in event.entities if e.iso_code == "NL")
    staff = make_staff(Role.REGISTRAR)
    invite_focal_point(netherlands, FocalPointData("Eva", "eva@example.org", "en"), by=staff)
    body = db.session.execute(db.select(OutboxEmail.body_text)).scalar_one()
    assert f"{BASE}/fp/" in body


def test_a_base_url_with_a_path_keeps_it(db):
    mounted = make_test_app(PUBLIC_BASE_URL="https://meetings.example.org/registration")
    with mounted.app_context():
        assert public_url("delegates.manage", token="abc") == (
            "https://meetings.example.org/registration/r/abc"
        )


@pytest.fixture
def production_like(db):
    """An app whose trusted hosts are derived from PUBLIC_BASE_URL, as in production."""
    return make_test_app(
        TRUSTED_HOSTS=None, PUBLIC_BASE_URL="https://registration.example.org"
    ).test_client()


def test_a_forged_host_is_refused_in_production(production_like, event):
    page = f"/e/{event.slug}/lost-link"
    assert production_like.get(page, headers={"Host": "registration.example.org"}).status_code == (
        200
    )
    refused = production_like.post(
        page, data={"email": "a@example.org"}, headers={"Host": "evil.example"}
    )
    assert refused.status_code == 400
    assert production_like.get(page, headers={"Host": "evil.example"}).status_code == 400


def test_a_loopback_base_url_trusts_every_loopback_name(db, event):
    local = make_test_app(TRUSTED_HOSTS=None, PUBLIC_BASE_URL="http://127.0.0.1:5000")
    client = local.test_client()
    page = f"/e/{event.slug}/lost-link"
    assert client.get(page, headers={"Host": "localhost:5000"}).status_code == 200
    assert client.get(page, headers={"Host": "127.0.0.1:5000"}).status_code == 200
    assert client.get(page, headers={"Host": "evil.example"}).status_code == 400


def _client_address(app, **environ) -> str:
    """The address the app (and so the rate limits) sees for one request."""
    seen = []
    app.before_request(lambda: seen.append(request.remote_addr))
    app.test_client().get("/", environ_base={"REMOTE_ADDR": "10.0.0.2", **environ})
    return seen[0]


def test_proxy_hops_decide_whose_forwarded_address_is_believed(db):
    forwarded = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert _client_address(make_test_app(), **forwarded) == "10.0.0.2"
    assert _client_address(make_test_app(PROXY_FIX_HOPS=1), **forwarded) == "198.51.100.7"
    spoofed = {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.7"}
    assert _client_address(make_test_app(PROXY_FIX_HOPS=1), **spoofed) == "198.51.100.7"


@pytest.mark.parametrize(
    "path",
    ["/r/{}/edit", "/fp/{}", "/manage/jobs/{}/download", "/auth/set-password/{}"],
)
def test_every_kind_of_secret_link_is_hidden(path):
    token = new_token()
    link = "https://registration.example.org" + path.format(token)
    assert hide_secret_links(link) == link.replace(token, "…")
    encoded = "/auth/login?next=" + path.format(token).replace("/", "%2F")
    assert hide_secret_links(encoded) == encoded.replace(token, "…")
