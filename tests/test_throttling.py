"""Rate limits: spraying stopped, the real user never locked out, public forms and emails
limited per address and per recipient, one budget across app instances through Redis, and
a Redis outage that degrades to memory instead of failing."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import timedelta

import pytest
import redis

from registration.auth.models import StaffUser
from registration.database import utcnow
from registration.delegates.models import Status
from registration.desk.devices import create_device
from registration.extensions import db as _db
from tests.conftest import _TMP, DATABASE_URL, PASSWORD, free_port, make_test_app

REDIS_URL = "redis://127.0.0.1:6379/2"  # this suite's Redis database


@pytest.fixture
def limited():
    """limited(**config) → a test client of an app whose rate limits are on (memory storage
    unless told); the app's database connections are closed after the test."""
    made = []

    def factory(**config):
        application = make_test_app(RATELIMIT_ENABLED=True, **config)
        made.append(application)
        return application.test_client()

    yield factory
    for application in made:
        with application.app_context():
            _db.engine.dispose()


def _sign_in(client, email, password, address):
    return client.post(
        "/auth/sign-in",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_password_spraying_across_accounts_is_stopped(limited, db, make_staff):
    accounts = [make_staff() for _ in range(20)]
    client = limited(RATELIMIT_LOGIN_ADDRESS="10 per 15 minutes")
    codes = [
        _sign_in(client, user.email, "Summer2026!", "203.0.113.66").status_code for user in accounts
    ]
    assert codes == [400] * 10 + [429] * 10
    # The attacker's address is stopped even with a right password...
    assert _sign_in(client, accounts[-1].email, PASSWORD, "203.0.113.66").status_code == 429
    # ...while the real user, elsewhere, signs in.
    assert _sign_in(client, accounts[-1].email, PASSWORD, "198.51.100.7").status_code == 302


def test_guessing_one_account_from_many_addresses_never_locks_its_owner_out(
    limited, app, db, make_staff
):
    user = make_staff()
    client = limited()
    for number in range(12):
        _sign_in(client, user.email, f"guess number {number}", f"203.0.113.{number}")
    waiting = _sign_in(client, user.email, PASSWORD, "198.51.100.7")
    assert waiting.status_code == 429
    assert "Please wait" in waiting.text and f'value="{user.email}"' in waiting.text
    db.session.rollback()  # a fresh snapshot: the requests above wrote the failure count
    account = db.session.get(StaffUser, user.id)
    # The delay is bounded: after it, the right password from a clean address gets in.
    account.last_failed_sign_in_at = utcnow() - timedelta(
        seconds=app.config["LOGIN_DELAY_MAX_SECONDS"]
    )
    db.session.commit()
    assert _sign_in(client, user.email, PASSWORD, "198.51.100.7").status_code == 302


def test_one_account_from_one_address_is_limited(limited, db, make_staff):
    user = make_staff()
    client = limited(RATELIMIT_LOGIN="3 per minute")
    codes = [_sign_in(client, user.email, "x", "192.0.2.1").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]


def test_successful_sign_ins_do_not_spend_the_budget(limited, db, make_staff):
    user = make_staff()
    client = limited(RATELIMIT_LOGIN="2 per minute", RATELIMIT_LOGIN_ADDRESS="2 per minute")
    for _ in range(4):
        assert _sign_in(client, user.email, PASSWORD, "192.0.2.1").status_code == 302
        client.post("/auth/sign-out")


def test_no_limit_applies_to_the_scans_of_devices(limited, db, event, make_registration):
    """Even a site-wide default limit: a door's scans are never refused with 429."""
    _device, token = create_device(event, "Busy door")
    db.session.commit()
    people = [make_registration(status=Status.APPROVED) for _ in range(4)]
    client = limited(RATELIMIT_DEFAULT="2 per minute")
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]
    headers = {"Authorization": f"Bearer {token}"}
    codes = [
        client.post(
            "/api/v1/scans",
            json={"token": person.badge_token, "checkpoint": "venue"},
            headers=headers,
        ).status_code
        for person in people
    ]
    assert codes == [201] * 4


def test_the_public_form_is_limited_per_address_with_an_explained_page(limited, db, event):
    client = limited(RATELIMIT_PUBLIC_POST="3 per hour")
    url = f"/e/{event.slug}/register?lang=fr"
    codes = [client.post(url, data={}).status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    refused = client.post(url, data={})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Trop de tentatives" in refused.text and "Veuillez patienter" in refused.text
    # Another address is not affected.
    other = client.post(url, data={}, environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert other.status_code == 400


def test_emails_to_one_address_are_limited_whoever_asks(limited, db, event, make_registration):
    registration = make_registration()
    client = limited(RATELIMIT_PER_EMAIL="3 per hour")
    codes = [
        client.post(
            f"/e/{event.slug}/lost-link",
            data={"email": registration.email.upper()},
            environ_base={"REMOTE_ADDR": f"203.0.113.{number}"},
        ).status_code
        for number in range(4)
    ]
    assert codes == [302, 302, 302, 429]


def test_the_lost_link_limit_counts_only_well_formed_addresses(limited, db, event):
    client = limited(RATELIMIT_LOST_LINK="3 per minute")
    url = f"/e/{event.slug}/lost-link"
    typos = [client.post(url, data={"email": "anna@@example"}).status_code for _ in range(5)]
    assert 429 not in typos
    codes = [client.post(url, data={"email": f"p{n}@example.org"}).status_code for n in range(4)]
    assert codes == [302, 302, 302, 429]


def test_password_reset_requests_are_limited_per_recipient(limited, db, make_staff):
    user = make_staff()
    client = limited(RATELIMIT_PER_EMAIL="2 per hour")
    codes = [
        client.post(
            "/auth/forgot", data={"email": user.email}, environ_base={"REMOTE_ADDR": f"192.0.2.{n}"}
        ).status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the suite's Redis database; its keys are removed."""
    prefix = f"test-b-{uuid.uuid4().hex[:8]}"
    yield prefix
    connection = redis.Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"{prefix}*"):
        connection.delete(key)
    connection.close()


def test_limits_are_counted_in_redis(limited, db, redis_prefix):
    client = limited(
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_STORAGE_OPTIONS={"key_prefix": redis_prefix},
        RATELIMIT_LOGIN_ADDRESS="2 per minute",
    )
    codes = [_sign_in(client, "nobody@example.org", "x", "192.0.2.1").status_code for _ in range(3)]
    assert codes == [400, 400, 429]
    connection = redis.Redis.from_url(REDIS_URL)
    assert list(connection.scan_iter(f"{redis_prefix}*"))
    connection.close()


def _serve(port: int, prefix: str) -> subprocess.Popen:
    """A separate app process (its own limiter, as on another worker or host)."""
    environment = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REGISTRATION_INSTANCE_PATH": str(_TMP / f"instance-{port}"),
        "REGISTRATION_WTF_CSRF_ENABLED": "false",
        "REGISTRATION_RATELIMIT_STORAGE_URI": REDIS_URL,
        "REGISTRATION_RATELIMIT_STORAGE_OPTIONS": f'{{"key_prefix": "{prefix}"}}',
        "REGISTRATION_RATELIMIT_LOGIN_ADDRESS": "4 per minute",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "registration", "run", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _status(url: str, data: dict | None = None) -> int:
    """The status code of a GET (or a form POST with ``data``)."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with urllib.request.urlopen(url, data=body, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            _status(url)
            return
        except urllib.error.URLError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not start")


def test_two_app_instances_share_one_budget(db, redis_prefix):
    ports = [free_port(), free_port()]
    servers = [_serve(port, redis_prefix) for port in ports]
    try:
        urls = [f"http://127.0.0.1:{port}/auth/sign-in" for port in ports]
        for url in urls:
            _wait_until_up(url)
        codes = [
            _status(urls[attempt % 2], {"email": "nobody@example.org", "password": "x"})
            for attempt in range(6)
        ]
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
    # Three attempts on each instance: only one shared budget of four explains the refusals.
    assert codes == [400, 400, 400, 400, 429, 429]


def test_a_redis_outage_falls_back_to_memory_with_a_warning(limited, db, caplog):
    client = limited(
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/2",  # nothing listens there
        RATELIMIT_LOGIN_ADDRESS="3 per minute",
    )
    codes = [_sign_in(client, "nobody@example.org", "x", "192.0.2.1").status_code for _ in range(5)]
    assert codes == [400, 400, 400, 429, 429]  # still limited, never a 500
    assert "falling back to in-memory storage" in caplog.text
