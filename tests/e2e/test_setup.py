"""An admin imports States from a CSV file through the preview, and edits the event's window."""

import pytest
from playwright.sync_api import Page, expect

from registration.auth.models import Role
from registration.events.models import Entity
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def _sign_in_as_admin(page: Page, url: str, make_staff) -> None:
    admin = make_staff(Role.ADMIN)
    page.goto(url)
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_admin_imports_states_after_a_preview(
    page: Page, live_server, event, make_staff, db, tmp_path
):
    csv_file = tmp_path / "states.csv"
    csv_file.write_text("code;quota\r\nSN;3\r\nNL\r\nXX\r\nfra;two\r\nDEU\r\n", encoding="utf-8")
    _sign_in_as_admin(
        page, f"{live_server.base_url}/manage/e/{event.slug}/setup/entities", make_staff
    )

    page.get_by_role("link", name="Import a CSV file").click()
    page.get_by_label("Category").select_option(label="Member States")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Preview").click()

    expect(page.locator("[data-count='new']")).to_have_text("2")
    expect(page.locator("[data-count='existing']")).to_have_text("1")
    rejected = page.locator("#rejected")
    expect(rejected).to_contain_text("XX is not an ISO 3166-1 country code")
    expect(rejected).to_contain_text("The quota two is not a whole number above zero")
    db.session.rollback()
    assert db.session.execute(db.select(Entity).where(Entity.iso_code == "SN")).first() is None

    page.get_by_role("button", name="Add 2 States or organisations").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "2 added, 1 already in the list, 2 rejected."
    )
    table = page.locator("#entities")
    expect(table.get_by_role("row").filter(has_text="Senegal")).to_contain_text("3")
    expect(table).to_contain_text("Germany")
    db.session.rollback()
    codes = set(db.session.execute(db.select(Entity.iso_code)).scalars())
    assert {"SN", "DE"} <= codes


def test_admin_sets_the_registration_window_in_the_venue_timezone(
    page: Page, live_server, event, make_staff, db
):
    _sign_in_as_admin(page, f"{live_server.base_url}/manage/e/{event.slug}/setup/", make_staff)
    page.get_by_label("Registration closes").fill("2030-07-04T18:00")
    page.get_by_label("Registration opens").fill("2030-05-15T09:00")
    page.get_by_label("Capacity").fill("0")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#capacity-errors")).to_contain_text(
        "Number must be between 1 and 2147483647"
    )
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.get_by_label("Registration opens")).to_have_value("2030-05-15T09:00")
    page.get_by_label("Capacity").fill("250")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_have_text("The meeting is saved.")
    expect(page.get_by_label("Registration closes")).to_have_value("2030-07-04T18:00")
    db.session.rollback()
    db.session.refresh(event)
    assert event.registration_closes.isoformat() == "2030-07-04T16:00:00+00:00"
    assert event.capacity == 250
    assert event.timezone == "Europe/Zurich"
