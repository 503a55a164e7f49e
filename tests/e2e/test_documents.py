"""Staff download badges in Chromium: one from the registration page, a batch with progress."""

import pypdf
import pytest
from playwright.sync_api import Page, expect

from registration.auth.models import Role
from registration.delegates.models import Registration
from registration.delegates.photos import store_photo
from tests.conftest import PASSWORD
from tests.delegates.photo_files import image_bytes
from tests.documents.conftest import decode_qr

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _empty_badge_cache(badge_cache):
    """A fresh page cache for the test and for the served application (they share the
    file storage)."""


def _sign_in(page: Page, base: str, url: str, email: str) -> None:
    page.goto(f"{base}{url}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_desk_downloads_a_badge_from_the_registration_page(
    page: Page, live_server, make_registration, make_staff, tmp_path
):
    registration = make_registration(
        "approved", given_name="Aminata", family_name="Sesay", photo=store_photo(image_bytes())
    )
    staff = make_staff(Role.REGISTRAR)

    _sign_in(page, live_server.base_url, f"/manage/registrations/{registration.id}", staff.email)
    link = page.locator("#badge")
    expect(link).to_have_text("Badge (PDF)")
    # The badge opens inline (the desk prints it from the browser's viewer, which does not
    # hand its bytes back): fetch the same link with the browser's signed-in session.
    downloaded = page.request.get(f"{live_server.base_url}{link.get_attribute('href')}")
    with page.expect_response(lambda response: response.url.endswith("/badge.pdf")) as answer:
        link.click()

    assert answer.value.status == 200
    assert answer.value.header_value("content-type") == "application/pdf"
    path = tmp_path / "badge.pdf"
    path.write_bytes(downloaded.body())
    text = pypdf.PdfReader(path).pages[0].extract_text()
    assert "SESAY" in text and registration.reference in text
    assert decode_qr(path.read_bytes()) == [registration.badge_token]


def test_registrar_prints_new_badges_and_sees_progress(
    page: Page, live_server, event, make_registration, make_staff, db, tmp_path
):
    registrations = [
        make_registration("approved", family_name=name) for name in ("Conteh", "Bangura", "Turay")
    ]
    make_registration("pending", family_name="Koroma")
    staff = make_staff(Role.REGISTRAR)

    _sign_in(page, live_server.base_url, f"/manage/e/{event.slug}/documents", staff.email)
    page.get_by_label("Layout").select_option("a4-4up")
    page.get_by_label("Crop marks (A4 sheets)").check()
    page.get_by_label("New badges only", exact=False).check()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Print badges").click()
        expect(page.locator("#job-state")).to_be_visible()

    path = tmp_path / "badges.pdf"
    download.value.save_as(path)
    text = pypdf.PdfReader(path).pages[0].extract_text()
    assert all(name in text for name in ("BANGURA", "CONTEH", "TURAY"))
    assert "KOROMA" not in text
    expect(page.locator("#job-download")).to_be_visible()
    db.session.rollback()  # end the test's snapshot: the server committed the marks
    assert all(db.session.get(Registration, r.id).badge_printed_at for r in registrations)
