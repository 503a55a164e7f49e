"""A delegate registers in Chromium with a photo; the confirmation email reaches the mailbox."""

import re

import pytest
from playwright.sync_api import Page, expect

from registration.auth.models import Role
from registration.delegates.models import Registration
from tests.conftest import PASSWORD
from tests.delegates.photo_files import image_bytes

pytestmark = pytest.mark.e2e


def test_delegate_registers_and_the_confirmation_is_in_the_mailbox(
    page: Page, live_server, event, make_staff, db, tmp_path
):
    photo = tmp_path / "portrait.jpg"
    photo.write_bytes(image_bytes("JPEG", size=(800, 1000)))
    base = live_server.base_url

    page.goto(f"{base}/e/{event.slug}/")
    page.get_by_role("link", name="Register", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Register for")

    page.get_by_label("I am registering as").select_option(label="Member States")
    entity = page.get_by_label("State or organisation represented")
    # Only the chosen category's States are offered (registration.js).
    expect(entity.locator("option[data-category]:not([disabled])")).to_have_count(10)
    entity.select_option(label="Netherlands")
    page.get_by_label("Honorific").select_option(label="Mr")
    page.get_by_label("Given name(s)").fill("Han-Maurits")
    page.get_by_label("Family name").fill("Schaapveld")
    page.get_by_label("Function or title").fill("Director, Migration and Aliens Affairs")
    page.get_by_label("Ministry, department or unit").fill("Ministry of Foreign Affairs")
    page.get_by_label("Email").fill("hm.schaapveld@minbuza.example.nl")
    page.get_by_label("Photo for your badge").set_input_files(str(photo))
    page.get_by_label("Session I: Exploring the Return-Development Nexus - Case Studies").check()
    page.get_by_label("Include my name").check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()

    confirmation = page.locator("#confirmation")
    expect(confirmation).to_contain_text("Thank you, your registration is recorded.")
    expect(page.locator("#status")).to_have_text("Pending approval")
    reference = re.search(r"IDM-[A-Z0-9]{5}", confirmation.inner_text()).group(0)
    expect(page.get_by_role("img", name="Your photo")).to_be_visible()

    db.session.rollback()  # end the test's read transaction to see what the server committed
    registration = db.session.execute(db.select(Registration)).scalar_one()
    assert registration.reference == reference and registration.photo

    staff = make_staff(Role.REGISTRAR)
    page.goto(f"{base}/manage/mail/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    row = page.get_by_role("row").filter(has_text="hm.schaapveld@minbuza.example.nl")
    expect(row).to_contain_text(
        f"Registration received: Enhancing the Role of Return Migration "
        f"in Fostering Development ({reference})"
    )
    row.get_by_role("link").click()
    expect(page.locator("#body-text")).to_contain_text(f"/r/{registration.manage_token}")


def test_form_errors_in_the_browser_keep_what_was_typed(page: Page, live_server, event):
    page.goto(f"{live_server.base_url}/e/{event.slug}/register")
    page.get_by_label("Given name(s)").fill("Meera")
    page.get_by_label("Email").fill("meera.sethi@")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert").first).to_contain_text("Please correct the fields")
    expect(page.get_by_label("Given name(s)")).to_have_value("Meera")
    expect(page.get_by_label("Email")).to_have_value("meera.sethi@")


def test_an_invisible_character_is_named_and_the_typing_kept(page: Page, live_server, event):
    page.goto(f"{live_server.base_url}/e/{event.slug}/register")
    page.get_by_label("Given name(s)").fill("Fern\u200bando")
    page.get_by_label("Family name").fill("Alzate")
    page.get_by_label("Email").fill("f.alzate@cancilleria.example.co")
    page.get_by_role("button", name="Register").click()
    message = "Remove the invisible or control character (ZERO WIDTH SPACE) after “Fern”."
    # Beside the field, and in the error summary with a link to it.
    expect(page.get_by_text(message, exact=True)).to_be_visible()
    page.get_by_role("link", name="Given name(s): Remove the invisible").click()
    expect(page.get_by_label("Given name(s)")).to_be_focused()
    expect(page.get_by_label("Given name(s)")).to_have_value("Fern\u200bando")
    expect(page.get_by_label("Family name")).to_have_value("Alzate")
