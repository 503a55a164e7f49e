"""A delegate registers in Chromium while the file store is down: the message says so, what was
typed stays, and the same form goes through once the store is back."""

import pytest
from playwright.sync_api import Page, expect

from registration.delegates.models import Registration
from tests.delegates.photo_files import image_bytes
from tests.s3server import free_port

pytestmark = pytest.mark.e2e


def test_registration_while_the_file_store_is_down(page: Page, live_server, event, db, tmp_path):
    photo = tmp_path / "portrait.jpg"
    photo.write_bytes(image_bytes("JPEG", size=(800, 1000)))
    names = ("STORAGE_URL", "S3_ENDPOINT_URL", "STORAGE_TIMEOUT")
    saved = {name: live_server.config[name] for name in names}
    live_server.config.update(
        STORAGE_URL="s3://down",
        S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
        STORAGE_TIMEOUT=1,
    )
    try:
        page.goto(f"{live_server.base_url}/e/{event.slug}/register")
        page.get_by_label("I am registering as").select_option(label="Member States")
        entity = page.get_by_label("State or organisation represented")
        entity.select_option(label="Netherlands (Kingdom of the)")
        page.get_by_label("Given name(s)").fill("Hanneke")
        page.get_by_label("Family name").fill("de Vries")
        page.get_by_label("Email").fill("h.devries@minbuza.example.nl")
        page.get_by_label("Photo for your badge").set_input_files(str(photo))
        page.get_by_label("I have read the privacy notice").check()
        page.get_by_role("button", name="Register").click()

        expect(page.get_by_text("The file store cannot be reached just now").first).to_be_visible()
        expect(page.get_by_label("Family name")).to_have_value("de Vries")
        expect(page.get_by_label("Email")).to_have_value("h.devries@minbuza.example.nl")
    finally:
        live_server.config.update(saved)

    page.get_by_label("Photo for your badge").set_input_files(str(photo))
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#confirmation")).to_contain_text("your registration is recorded")
    expect(page.get_by_role("img", name="Your photo")).to_be_visible()
    db.session.rollback()
    assert db.session.execute(db.select(Registration.photo)).scalar_one()
