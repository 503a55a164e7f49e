"""The check-in desk in Chromium: keyboard-wedge scanner, live counts, session doors, camera."""

import pytest
from playwright.sync_api import Page, expect

from registration.auth.models import Role
from registration.delegates import workflow
from registration.delegates.models import Registration
from tests.conftest import PASSWORD
from tests.desk.qr_frames import qr_picture, write_y4m

pytestmark = pytest.mark.e2e


def _sign_in(page: Page, url: str, staff) -> None:
    """Open a staff page and sign in on the form it redirects to."""
    page.goto(url)
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _wedge(page: Page, text: str) -> None:
    """What a USB barcode scanner does: type the code into whatever has focus, then Enter."""
    page.keyboard.type(text, delay=5)
    page.keyboard.press("Enter")


def test_keyboard_wedge_session_door_and_live_counts(
    page: Page, live_server, event, make_staff, make_registration
):
    base = live_server.base_url
    anna = make_registration("approved", given_name="Anna", family_name="Lindqvist")
    bert = make_registration("approved", given_name="Bert", family_name="Mensah")
    _sign_in(page, f"{base}/desk/e/{event.slug}", make_staff(Role.CHECKIN))

    scan_input = page.locator("#scan-input")
    result = page.locator("#result")
    expect(scan_input).to_be_focused()

    dashboard = page.context.new_page()
    dashboard.goto(f"{base}/desk/e/{event.slug}/dashboard")
    checked_in = dashboard.locator('[data-count="checked_in"]')
    expect(checked_in).to_have_text("0")
    expect(dashboard.locator('[data-count="approved"]')).to_have_text("2")

    page.bring_to_front()
    _wedge(page, anna.badge_token)
    expect(result).to_have_class("result result-ok")
    expect(page.locator("#result-name")).to_have_text("Ms Anna LINDQVIST")
    expect(page.locator("#result-entity")).to_have_text("Netherlands (Kingdom of the)")
    expect(page.locator("#result-sessions")).to_contain_text(anna.sessions[0].title_in("en"))
    expect(scan_input).to_be_focused()
    expect(checked_in).to_have_text("1")  # the dashboard moved without a reload

    _wedge(page, anna.badge_token)
    expect(result).to_have_class("result result-warn")
    expect(page.locator("#result-message")).to_contain_text("Already checked in at")

    _wedge(page, "not-a-badge")
    expect(result).to_have_class("result result-bad")

    # Session door: Bert chose another session; the desk admits him anyway.
    door = next(s for s in event.sessions if s not in bert.sessions)
    page.locator("#checkpoint").select_option(door.code)
    _wedge(page, bert.badge_token)
    expect(result).to_have_class("result result-warn")
    expect(page.locator("#result-message")).to_contain_text("did not choose this session")
    page.get_by_role("button", name="Admit anyway").click()
    expect(result).to_have_class("result result-ok")
    session_count = dashboard.locator(f'[data-count="session-{door.code}-attended"]')
    expect(session_count).to_have_text("1")

    # A mistake is annulled with a reason.
    page.get_by_label("Mistake? Reason").fill("Wrong room")
    page.get_by_role("button", name="Annul this check-in").click()
    expect(page.locator("#result-message")).to_have_text("Check-in annulled.")
    expect(session_count).to_have_text("0")

    # The checkpoint sticks for this desk.
    page.reload()
    expect(page.locator("#checkpoint")).to_have_value(door.code)

    # Fallback search with one-click check-in, at the venue.
    page.locator("#checkpoint").select_option("venue")
    page.get_by_label("Search by name").fill("mensah")
    page.locator("#search-results").get_by_role("button", name="Check in").click()
    expect(result).to_have_class("result result-ok")
    expect(page.locator("#result-name")).to_have_text("Ms Bert MENSAH")
    expect(checked_in).to_have_text("2")


def _register_through_the_public_form(client, db, event) -> Registration:
    """What a delegate does on /e/<slug>/register (the app's own form handler)."""
    category = next(c for c in event.categories if c.code == "member-state")
    entity = next(e for e in event.entities if e.iso_code == "NL")
    response = client.post(
        f"/e/{event.slug}/register",
        data={
            "category": str(category.id),
            "entity": str(entity.id),
            "honorific": "mr",
            "given_name": "Camiel",
            "family_name": "Vos",
            "email": "camiel.vos@minbuza.example.nl",
            "language": "en",
            "gender": "",
            "nationality": "",
            "sessions": [str(event.sessions[3].id)],
            "privacy": "y",
        },
    )
    assert response.status_code == 302, response.text
    return db.session.execute(db.select(Registration).filter_by(family_name="Vos")).scalar_one()


def test_camera_checks_a_delegate_in(
    browser_type, browser_type_launch_args, live_server, event, make_staff, client, db, tmp_path
):
    registration = _register_through_the_public_form(client, db, event)
    workflow.approve(registration, by=make_staff(Role.REGISTRAR))
    db.session.commit()
    video = write_y4m(tmp_path / "badge.y4m", qr_picture(registration.badge_token))
    browser = browser_type.launch(
        **{
            **browser_type_launch_args,
            "args": [
                *browser_type_launch_args["args"],
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        }
    )
    try:
        context = browser.new_context()
        context.grant_permissions(["camera"], origin=live_server.base_url)
        page = context.new_page()
        _sign_in(page, f"{live_server.base_url}/desk/e/{event.slug}", make_staff(Role.CHECKIN))
        # The desk's script has run (it gives the scanner the focus): the Camera button works.
        expect(page.locator("#scan-input")).to_be_focused()
        # Chromium on Linux has no BarcodeDetector: frames go to the server for zxing-cpp.
        with page.expect_request(lambda request: "/frames?" in request.url):
            page.get_by_role("button", name="Camera").click()
        expect(page.locator("#camera-video")).to_be_visible()
        expect(page.locator("#result")).to_have_class("result result-ok", timeout=15_000)
        expect(page.locator("#result-name")).to_have_text("Mr Camiel VOS")
        # The badge stays in front of the camera: the next reading says so.
        expect(page.locator("#result")).to_have_class("result result-warn", timeout=15_000)
        expect(page.locator("#result-message")).to_contain_text("Already checked in")
    finally:
        browser.close()
    db.session.rollback()
    assert db.session.get(Registration, registration.id).checked_in_at is not None
