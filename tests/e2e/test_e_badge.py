"""The approval email carries an e-badge that the desk can scan from a phone."""

import base64
import io
import os

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Page

from registration.delegates import workflow
from registration.mail.worker import deliver_due
from tests.documents.conftest import decode_qr, pdf_pages

pytestmark = pytest.mark.e2e


def test_the_approval_email_shows_the_e_badge_and_practical_information(
    page: Page, live_server, event, make_registration, make_staff, db, smtp_server, tmp_path
):
    event.practical_info = "Venue: Palais des Nations, Door 40.\nBring your passport."
    registration = make_registration("pending", given_name="Fatou", family_name="Diallo")
    workflow.approve(registration, by=make_staff())
    db.session.commit()
    assert deliver_due(50) >= 1
    [approval] = [
        message
        for message in smtp_server.wait_for(2)
        if message["Subject"].startswith("Registration approved")
    ]

    # The QR code travels as an inline image that the HTML shows through its Content-ID.
    html = approval.get_body(("html",)).get_content()
    [image] = [part for part in approval.walk() if part.get_content_type() == "image/png"]
    content_id = image["Content-ID"].strip("<>")
    assert f'src="cid:{content_id}"' in html
    text = approval.get_body(("plain",)).get_content()
    assert "Palais des Nations, Door 40." in text and "Bring your passport." in text
    pdf_path = f"/r/{registration.manage_token}/badge.pdf"
    assert pdf_path in text and pdf_path in html

    # Rendered as a mail reader would (cid: resolved), the QR code on screen is the badge's.
    inline = base64.b64encode(image.get_content()).decode()
    page.set_viewport_size({"width": 800, "height": 900})
    page.set_content(html.replace(f"cid:{content_id}", f"data:image/png;base64,{inline}"))
    assert page.locator("img").first.evaluate("img => img.complete && img.naturalWidth > 0")
    folder = os.environ.get("SCREENSHOT_DIR") or tmp_path
    shot = page.screenshot(path=os.path.join(folder, "e-badge-email.png"), full_page=True)
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))] == [
        registration.badge_token
    ]

    # The link opens the badge PDF through the secret link, without marking it printed.
    response = page.request.get(live_server.base_url + pdf_path)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert decode_qr(response.body()) == [registration.badge_token]
    assert "DIALLO" in pdf_pages(response.body())[0]
    db.session.refresh(registration)
    assert registration.badge_printed_at is None
