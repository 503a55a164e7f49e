"""The desk screen in Chromium: hidden means hidden, one answer per panel, search, walk-ins,
print on arrival."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from registration.audit.models import AuditEvent
from registration.auth.models import Role
from registration.delegates.models import Registration
from registration.delegates.photos import read_photo
from tests.desk.qr_frames import write_y4m
from tests.documents.conftest import decode_qr
from tests.e2e.test_desk import _sign_in, _wedge

pytestmark = pytest.mark.e2e

ACTIONS = ("#force-button", "#print-button", "#reprint-form", "#annul-form")


def _visible(page: Page, selector: str) -> bool:
    """Whether the element exists and Chromium's computed style shows it."""
    return page.evaluate(
        """(selector) => {
            const element = document.querySelector(selector);
            if (!element) return false;
            const style = getComputedStyle(element);
            return style.display !== "none" && style.visibility !== "hidden"
                && element.getClientRects().length > 0;
        }""",
        selector,
    )


def _open_desk(page: Page, live_server, event, staff) -> None:
    """Sign in to the desk and wait until the scanner input has the focus."""
    _sign_in(page, f"{live_server.base_url}/desk/e/{event.slug}", staff)
    expect(page.locator("#scan-input")).to_be_focused()


@pytest.fixture
def printing_page(browser_type, browser_type_launch_args):
    """A page of a Chromium whose print() opens the system dialog, not the print preview.

    Headless Chromium's print preview crashes the page that calls print(); the system dialog
    has no printer to show here and returns at once, as a desk's dialog does after "Print".
    """
    args = [*browser_type_launch_args["args"], "--disable-print-preview"]
    browser = browser_type.launch(**{**browser_type_launch_args, "args": args})
    try:
        yield browser.new_context().new_page()
    finally:
        browser.close()


def _capture_badges(page: Page) -> list[bytes]:
    """Record every badge PDF the page downloads (passed on unchanged)."""
    captured: list[bytes] = []

    def keep(route):
        response = route.fetch()
        captured.append(response.body())
        route.fulfill(response=response)

    page.route("**/badge.pdf", keep)
    return captured


def test_hidden_controls_and_unknown_after_ok(
    page: Page, live_server, event, make_staff, make_registration
):
    anna = make_registration("approved", given_name="Anna", family_name="Lindqvist")
    _open_desk(page, live_server, event, make_staff(Role.CHECKIN))
    # The idle desk offers no action, and its hidden parts are computed invisible.
    for selector in (*ACTIONS, "#camera", "#offline-banner", "#sync-conflicts"):
        assert not _visible(page, selector), selector
    _wedge(page, anna.badge_token)
    expect(page.locator("#result")).to_have_class("result result-ok")
    expect(page.locator(".result-icon")).to_have_text("✔")
    expect(page.locator(".result-word")).to_have_text("ADMIT")
    assert _visible(page, "#annul-form") and _visible(page, "#print-button")
    assert not _visible(page, "#force-button")  # only for a session not chosen
    _wedge(page, "not-a-badge")
    expect(page.locator("#result")).to_have_class("result result-bad")
    expect(page.locator(".result-icon")).to_have_text("✖")
    expect(page.locator("#result-message")).to_contain_text("Unknown badge")
    # Nothing of Anna survives on screen, and no action refers to her.
    expect(page.locator("#result")).not_to_contain_text("LINDQVIST")
    for selector in (*ACTIONS, "#result-person", "#result-photo"):
        assert not _visible(page, selector), selector


def test_accent_free_search(page: Page, live_server, event, make_staff, make_registration):
    make_registration("approved", given_name="María José", family_name="GÓMEZ-ÑÚÑEZ")
    make_registration("approved", given_name="Bert", family_name="Mensah")
    _open_desk(page, live_server, event, make_staff(Role.CHECKIN))
    page.get_by_label("Search by name").fill("gomez nunez")
    rows = page.locator("#search-results li")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("María José GÓMEZ-ÑÚÑEZ")
    rows.first.get_by_role("button", name="Check in").click()
    expect(page.locator("#result-name")).to_have_text("Ms María José GÓMEZ-ÑÚÑEZ")


def test_a_search_typed_before_the_desk_script_ran_is_answered(
    page: Page, live_server, event, make_staff, make_registration
):
    """The page takes keys before its script runs (a slow network): nothing typed is lost."""
    make_registration("approved", given_name="Ana", family_name="PÉREZ")
    held = []
    page.route("**/static/desk/desk.js*", lambda route: held.append(route))
    _sign_in(page, f"{live_server.base_url}/desk/e/{event.slug}", make_staff(Role.CHECKIN))
    search = page.get_by_label("Search by name")
    expect(search).to_be_visible()
    # A badge read now would be lost: the scanner input takes the focus only once the script
    # can handle a scan.
    expect(page.locator("#scan-input")).not_to_be_focused()
    search.fill("perez")
    rows = page.locator("#search-results li")
    expect(rows).to_have_count(0)  # no script yet to answer
    held[0].continue_()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ana PÉREZ")
    expect(search).to_be_focused()  # the script did not take the focus from the clerk


def test_times_follow_the_pages_language_not_the_browsers(
    page: Page, live_server, event, make_staff, make_registration
):
    make_registration("approved")
    _open_desk(page, live_server, event, make_staff(Role.CHECKIN))
    page.goto(f"{live_server.base_url}/desk/e/{event.slug}?lang=fr")
    # The browser is American (en-US): its own clock would say "5:09 PM".
    expect(page.locator("#roster-state")).to_have_text(
        re.compile(r"^Liste de 1 personnes, mise à jour à \d{2}:\d{2}\.$")
    )


def test_walk_in_with_a_registered_email_is_offered_the_registration(
    page: Page, live_server, event, make_staff, make_registration, db
):
    existing = make_registration("pending", given_name="Kofi", family_name="Mensah")
    _sign_in(page, f"{live_server.base_url}/desk/e/{event.slug}/walk-in", make_staff(Role.CHECKIN))
    category = next(c for c in event.categories if c.code == "member-state")
    page.get_by_label("Category", exact=True).select_option(str(category.id))
    page.locator("#entity").select_option(str(existing.entity_id))
    page.get_by_label("Given name(s)").fill("K.")
    page.get_by_label("Family name").fill("Mensah-Owusu")
    page.get_by_label("Email").fill(existing.email.upper())
    page.get_by_label(
        "The participant has been informed of the privacy notice", exact=False
    ).check()
    page.get_by_role("button", name="Register and check in").click()
    offer = page.locator("#walk-in-matches")
    expect(offer).to_contain_text(existing.reference)
    expect(offer).to_contain_text("same email")
    expect(page.get_by_role("button", name="None of these")).to_have_count(0)
    expect(page.get_by_label("Given name(s)")).to_have_value("K.")  # nothing typed is lost
    offer.get_by_role("button", name="Approve and check in").click()
    expect(page.locator("#walked-in")).to_contain_text("Registered, approved and checked in.")
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(Registration.id))).scalar_one() == 1
    assert db.session.get(Registration, existing.id).checked_in_at is not None


def test_print_on_arrival(
    printing_page: Page, live_server, event, make_staff, make_registration, db
):
    page = printing_page
    anna = make_registration("approved", given_name="Anna", family_name="Lindqvist")
    _open_desk(page, live_server, event, make_staff(Role.CHECKIN))
    badges = _capture_badges(page)
    _wedge(page, anna.badge_token)
    expect(page.locator("#result")).to_have_class("result result-ok")
    with page.expect_response(lambda r: r.url.endswith(f"/{anna.id}/badge.pdf")):
        page.keyboard.press("F8")
    frame = page.locator("#print-frame")
    expect(frame).to_have_attribute("data-printed-for", anna.reference)
    assert frame.get_attribute("src").startswith("blob:")
    # What the frame handed to the print dialog: Anna's badge, by its QR code.
    size = page.evaluate(
        "() => fetch(document.getElementById('print-frame').src).then((r) => r.blob())"
        ".then((b) => b.size).catch(() => null)"
    )
    assert len(badges) == 1 and size in (None, len(badges[0]))
    assert badges[0].startswith(b"%PDF") and decode_qr(badges[0]) == [anna.badge_token]
    expect(page.locator("#result-message")).to_have_text(
        "Badge sent to the printer: Ms Anna LINDQVIST."
    )
    db.session.rollback()
    assert db.session.get(Registration, anna.id).badge_printed_at is not None

    # Back at the desk with a damaged badge: a reprint asks for a reason and is logged.
    _wedge(page, anna.badge_token)
    expect(page.locator("#result")).to_have_class("result result-warn")
    assert not _visible(page, "#print-button")
    page.keyboard.press("F8")
    expect(page.locator("#reprint-reason")).to_be_focused()
    page.locator("#reprint-reason").fill("Badge torn")
    with page.expect_response(lambda r: r.url.endswith("/badge.pdf")):
        page.get_by_role("button", name="Reprint").click()
    expect(page.locator("#result-message")).to_contain_text("Badge sent to the printer")
    db.session.rollback()
    reprint = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "badge_reprinted")
    ).scalar_one()
    assert reprint.changes["reprint_reason"] == ["", "Badge torn"]


def test_print_every_admitted_badge(
    printing_page: Page, live_server, event, make_staff, make_registration, db
):
    page = printing_page
    people = [make_registration("approved") for _ in range(2)]
    _open_desk(page, live_server, event, make_staff(Role.CHECKIN))
    page.get_by_label("Print every admitted badge").check()
    for person in people:
        with page.expect_response(lambda r, p=person: r.url.endswith(f"/{p.id}/badge.pdf")):
            _wedge(page, person.badge_token)
        expect(page.locator("#print-frame")).to_have_attribute("data-printed-for", person.reference)
    page.reload()
    expect(page.get_by_label("Print every admitted badge")).to_be_checked()
    db.session.rollback()
    assert all(db.session.get(Registration, p.id).badge_printed_at for p in people)


def test_walk_in_photo_from_the_webcam(
    browser_type, browser_type_launch_args, live_server, event, make_staff, db, tmp_path
):
    scene = Image.new("RGB", (640, 480), "#3a6ea5")  # what the desk's webcam sees
    video = write_y4m(tmp_path / "face.y4m", scene)
    args = [
        *browser_type_launch_args["args"],
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    browser = browser_type.launch(**{**browser_type_launch_args, "args": args})
    try:
        context = browser.new_context()
        context.grant_permissions(["camera"], origin=live_server.base_url)
        page = context.new_page()
        url = f"{live_server.base_url}/desk/e/{event.slug}/walk-in"
        _sign_in(page, url, make_staff(Role.CHECKIN))
        ngo = next(c for c in event.categories if c.code == "ngo")
        page.get_by_label("Category", exact=True).select_option(str(ngo.id))
        page.locator("#entity").select_option("other")
        page.locator("#other_organisation").fill("Migrants' Voice Network")
        page.get_by_label("Given name(s)").fill("Amaka")
        page.get_by_label("Family name").fill("Eze")
        page.get_by_label("Email").fill("amaka.eze@example.org")
        page.get_by_role("button", name="Use the webcam").click()
        expect(page.locator("#webcam-video")).to_be_visible()
        page.wait_for_function("() => document.getElementById('webcam-video').videoWidth > 0")
        page.get_by_role("button", name="Take the photo").click()
        expect(page.locator("#webcam-preview")).to_be_visible()
        page.get_by_label(
            "The participant has been informed of the privacy notice", exact=False
        ).check()
        page.get_by_role("button", name="Register and check in").click()
        expect(page.locator("#walked-in")).to_contain_text("Registered, approved and checked in.")
    finally:
        browser.close()
    db.session.rollback()
    registration = db.session.execute(db.select(Registration)).scalar_one()
    with Image.open(io.BytesIO(read_photo(registration.photo))) as stored:
        assert stored.size == (600, 800)
        red, _green, blue = stored.convert("RGB").getpixel((300, 400))
        assert blue > red + 60  # the webcam's picture, re-encoded for the badge
