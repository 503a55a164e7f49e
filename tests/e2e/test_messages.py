"""Each waiting-list cause says what happened, full sessions are marked before submitting, and
an approved delegate is warned before an edit sends the registration back to review."""

import os

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

SESSION = "Session I: Exploring the Return-Development Nexus - Case Studies"


def _register(page: Page, base: str, slug: str, family: str, *, session: bool = False) -> None:
    """Fill the public form as a Netherlands delegate and submit it."""
    page.goto(f"{base}/e/{slug}/register")
    page.get_by_label("I am registering as").select_option(label="Member States")
    entity = page.get_by_label("State or organisation represented")
    entity.select_option(label="Netherlands (Kingdom of the)")
    page.get_by_label("Given name(s)").fill("Eva")
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Email").fill(f"eva.{family.lower()}@minbuza.example.nl")
    if session:
        page.get_by_label(SESSION, exact=False).check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#status")).to_have_text("Waiting list")


def test_the_meeting_is_full(page: Page, live_server, event, make_registration, db):
    make_registration("approved")
    event.capacity = 1
    db.session.commit()
    _register(page, live_server.base_url, event.slug, "Full")
    expect(page.locator("#waitlist-cause")).to_have_text(
        "The meeting is full: you are on the waiting list. We will write to you as soon as a "
        "place becomes free."
    )


def test_a_chosen_session_is_full_and_marked_before_submitting(
    page: Page, live_server, event, make_registration, db
):
    session = next(s for s in event.sessions if s.title_in("en") == SESSION)
    make_registration("approved", session_ids=[session.id])
    session.capacity = 1
    db.session.commit()

    page.goto(f"{live_server.base_url}/e/{event.slug}/register")
    expect(page.locator("label", has_text="— full")).to_have_count(1)
    expect(page.locator("label", has_text=SESSION)).to_contain_text("— full")
    expect(page.locator("#registration-form")).to_contain_text("has no seat left")

    _register(page, live_server.base_url, event.slug, "Seat", session=True)
    expect(page.locator("#waitlist-cause")).to_contain_text(f"The session “{SESSION}” is full")
    expect(page.locator("#waitlist-cause")).not_to_contain_text("The meeting is full")


def test_the_delegation_quota_is_reached(page: Page, live_server, event, make_registration, db):
    netherlands = next(e for e in event.entities if e.iso_code == "NL")
    make_registration("approved")
    netherlands.quota = 1
    event.secretariat_email = "idm@iom.example.int"
    db.session.commit()
    _register(page, live_server.base_url, event.slug, "Quota")
    cause = page.locator("#waitlist-cause")
    expect(cause).to_contain_text(
        "The 1 places of the delegation of Netherlands (Kingdom of the) are taken"
    )
    expect(cause).to_contain_text("focal point or the secretariat (idm@iom.example.int)")


def test_the_edit_page_warns_before_an_approval_is_undone(
    page: Page, live_server, event, make_registration, db, tmp_path
):
    registration = make_registration("approved")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.base_url}/r/{registration.manage_token}/edit")
    warning = page.locator("#review-warning")
    expect(warning).to_be_visible()
    expect(warning.locator("li")).to_have_text(["Category", "State or organisation", "Sessions"])
    expect(warning).to_contain_text("such as a typo in a name, keep the approval")
    folder = os.environ.get("SCREENSHOT_DIR") or tmp_path
    page.screenshot(path=os.path.join(folder, "edit-warning.png"))

    # Family name beside given name: same row, family name to the right.
    given = page.get_by_label("Given name(s)").bounding_box()
    family = page.get_by_label("Family name").bounding_box()
    assert abs(given["y"] - family["y"]) < 2 and family["x"] > given["x"] + given["width"]

    # A typo fixed in the name keeps the approval, as the page said.
    page.get_by_label("Family name").fill(registration.family_name + "-Smit")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#status")).to_have_text("Approved")

    # After check-in, neither "Change" nor "Withdraw" is offered.
    db.session.rollback()  # see what the server committed before writing
    registration.checked_in_at = registration.created_at
    db.session.commit()
    page.goto(f"{live_server.base_url}/r/{registration.manage_token}")
    expect(page.get_by_role("link", name="Change my registration")).to_have_count(0)
    expect(page.get_by_role("link", name="Withdraw")).to_have_count(0)
