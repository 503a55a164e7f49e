"""A delegate comes back through the secret link: edits, replaces the photo, withdraws."""

import pytest
from playwright.sync_api import Page, expect

from registration.delegates.models import Registration, Status
from registration.mail.models import OutboxEmail
from tests.delegates.photo_files import image_bytes

pytestmark = pytest.mark.e2e


def test_edit_replace_photo_and_withdraw(page: Page, live_server, db, make_registration, tmp_path):
    registration = make_registration()
    token, reference = registration.manage_token, registration.reference
    photo = tmp_path / "new.png"
    photo.write_bytes(image_bytes("PNG", size=(700, 900), colour="#aa3366"))

    page.goto(f"{live_server.base_url}/r/{token}")
    expect(page.locator("#status")).to_have_text("Pending approval")
    page.get_by_role("link", name="Change my registration").click()
    page.get_by_label("Function or title").fill("Minister Counsellor")
    page.get_by_label("Photo for your badge").set_input_files(str(photo))
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").first).to_contain_text("Your changes are saved.")
    expect(page.get_by_role("cell", name="Minister Counsellor")).to_be_visible()
    expect(page.get_by_role("img", name="Your photo")).to_be_visible()

    page.get_by_role("link", name="Withdraw").click()
    page.get_by_role("button", name="Yes, withdraw my registration").click()
    expect(page.locator("#status")).to_have_text("Withdrawn")
    expect(page.get_by_role("link", name="Change my registration")).to_have_count(0)

    db.session.rollback()
    saved = db.session.execute(
        db.select(Registration).where(Registration.reference == reference)
    ).scalar_one()
    assert saved.status == Status.WITHDRAWN and saved.photo
    subjects = (
        db.session.execute(
            db.select(OutboxEmail.subject).where(OutboxEmail.registration_id == saved.id)
        )
        .scalars()
        .all()
    )
    assert any(s.startswith("Registration updated:") for s in subjects)
    assert any(s.startswith("Registration withdrawn:") for s in subjects)


def test_lost_link_in_the_browser(page: Page, live_server, event, db, make_registration):
    registration = make_registration()
    old_link = f"{live_server.base_url}/r/{registration.manage_token}"
    page.goto(f"{live_server.base_url}/e/{event.slug}/")
    page.get_by_role("link", name="Lost your link?").first.click()
    page.get_by_label("Email used to register").fill(registration.email)
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_role("status").first).to_contain_text("If this address is registered")
    db.session.rollback()
    body = db.session.execute(
        db.select(OutboxEmail.body_text).where(OutboxEmail.template == "registration_link")
    ).scalar_one()
    new_link = next(word for word in body.split() if "/r/" in word)
    assert new_link.startswith(f"{live_server.base_url}/r/") and new_link != old_link
    # The link sent before no longer opens the registration; the new one does.
    assert page.goto(old_link).status == 404
    page.goto(new_link)
    expect(page.get_by_text(registration.reference).first).to_be_visible()
