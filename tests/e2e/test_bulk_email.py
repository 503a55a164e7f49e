"""A registrar writes to the active registrations in two languages: previews per language, a
confirmed count, then a job whose progress the page shows; the messages reach a real SMTP server."""

import pytest
from playwright.sync_api import Page, expect

from registration.auth.models import Role
from registration.mail.models import OutboxEmail
from registration.mail.worker import deliver_due
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_bulk_email_preview_confirm_and_progress(
    page: Page, live_server, event, make_registration, make_staff, db, smtp_server
):
    english = make_registration("approved", given_name="Amina", language="en")
    french = make_registration("pending", given_name="Zoé", language="fr")
    spanish = make_registration("waitlisted", given_name="Lucía", language="es")
    make_registration("rejected", given_name="Rejected")
    make_registration("withdrawn", given_name="Withdrawn")
    staff = make_staff(Role.REGISTRAR)
    base = live_server.base_url

    page.goto(f"{base}/manage/e/{event.slug}/registrations")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#email-link").click()

    expect(page.locator("#recipient-count")).to_contain_text("3 recipients")
    expect(page.locator("#active-only")).to_be_visible()
    expect(page.locator("#send")).to_have_count(0)  # no sending before a preview
    page.get_by_label("Subject (English)").fill("Venue for {reference}")
    page.get_by_label("Message (English)").fill("Dear {given_name}, the venue has moved.")
    page.get_by_label("Subject (French)").fill("Lieu pour {reference}")
    page.get_by_label("Message (French)").fill("Bonjour {given_name}, le lieu a changé.")
    page.get_by_role("button", name="Preview").click()

    expect(page.locator("#preview-en")).to_contain_text("2 recipients")
    expect(page.locator("#preview-fr")).to_contain_text("1 recipient")
    expect(page.locator("#preview-fr .preview-body")).to_contain_text(
        "Bonjour Zoé, le lieu a changé."
    )
    expect(page.locator("#preview-es")).to_have_count(0)  # Spanish speakers get English
    page.locator("#send").click()
    expect(page.locator("#confirm-errors")).to_contain_text("tick the box to send")
    expect(page.get_by_label("Message (French)")).to_have_value(
        "Bonjour {given_name}, le lieu a changé."
    )

    page.get_by_label("I have read the previews; send the message.").check()
    page.get_by_role("button", name="Send to 3 people").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Email to registrations")
    expect(page.locator("#job-state")).to_have_text("Done.", timeout=30_000)
    expect(page.locator("#job-count")).to_have_text("3 of 3")
    db.session.rollback()  # the test's snapshot predates the job's messages
    deliver_due()
    received = {message["To"]: message for message in smtp_server.wait_for(3)}
    assert received[french.email]["Subject"] == f"Lieu pour {french.reference}"
    assert received[spanish.email]["Subject"] == f"Venue for {spanish.reference}"
    assert "Dear Amina" in received[english.email].get_body(("plain",)).get_content()
    assert db.session.query(OutboxEmail).filter_by(template="staff_message").count() == 3
