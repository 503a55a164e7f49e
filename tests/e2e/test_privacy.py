"""A delegate downloads their own data and asks for its erasure through their link; the
secretariat answers in the back office."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from registration.auth.models import Role
from registration.delegates.models import Registration, Status
from registration.privacy.models import Erasure, ErasureStatus
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_own_data_download_and_immediate_erasure(page: Page, live_server, db, make_registration):
    registration = make_registration("pending", given_name="Lotte", dietary_needs="Vegan")
    token, registration_id = registration.manage_token, registration.id

    page.goto(f"{live_server.base_url}/r/{token}")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download all my data (JSON)").first.click()
    download = info.value
    assert download.suggested_filename == f"my-data-{registration.reference}.json"
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["registration"]["given_name"] == "Lotte"
    assert data["registration"]["dietary_needs"] == "Vegan"

    page.get_by_role("link", name="Ask for the erasure of my data").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Erase the data")
    page.get_by_role("button", name="Erase my data").click()
    # The box is not ticked: the page says so and nothing is erased.
    expect(page.get_by_text("Tick the box to confirm.", exact=True)).to_be_visible()
    page.get_by_label("I understand that my registration and its data will be erased").check()
    page.get_by_role("button", name="Erase my data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data is erased")

    db.session.rollback()
    erased = db.session.get(Registration, registration_id)
    assert erased.status == Status.WITHDRAWN
    assert erased.given_name == erased.email == erased.dietary_needs == ""
    assert page.goto(f"{live_server.base_url}/r/{token}").status == 404


def test_request_answered_by_the_secretariat(
    page: Page, live_server, db, make_registration, make_staff
):
    registration = make_registration("approved", given_name="Sven")
    token, slug = registration.manage_token, registration.event.slug
    staff = make_staff(Role.REGISTRAR)
    base = live_server.base_url

    page.goto(f"{base}/r/{token}")
    page.get_by_role("link", name="Ask for the erasure of my data").click()
    page.get_by_label("I understand that my registration and its data will be erased").check()
    page.get_by_role("button", name="Ask for the erasure").click()
    expect(page.get_by_role("status").first).to_contain_text("Your request is recorded")
    expect(page.locator("#erasure-status")).to_contain_text("You asked for the erasure")

    page.goto(f"{base}/auth/sign-in")
    page.locator("input[name=email]").fill(staff.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.goto(f"{base}/manage/e/{slug}/registrations")
    page.get_by_role("link", name="Data protection").first.click()
    row = page.locator(f"tr[data-reference='{registration.reference}']")
    expect(row).to_contain_text("Sven")
    row.get_by_role("button", name="Erase the data").click()
    expect(page.get_by_role("status").first).to_contain_text("The data is erased.")
    expect(page.locator("#erasures-done")).to_contain_text(registration.reference)

    db.session.rollback()
    erasure = db.session.scalar(db.select(Erasure))
    assert erasure.status == ErasureStatus.ERASED and erasure.decided_by_id == staff.id
    assert db.session.get(Registration, registration.id).given_name == ""
