"""A registrar works through the back office in Chromium; the emails reach a real SMTP server."""

import pytest
from playwright.sync_api import Page, expect

from registration.auth.models import Role
from registration.delegates.models import Registration, Status
from registration.mail.models import OutboxEmail
from registration.mail.worker import deliver_due
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def _sign_in(page: Page, base: str, url: str, email: str) -> None:
    """Open a staff page; the sign-in form comes first and leads back to it."""
    page.goto(f"{base}{url}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _entity_id(event, iso: str) -> int:
    return next(entity.id for entity in event.entities if entity.iso_code == iso)


def test_registrar_filters_approves_and_the_email_reaches_smtp(
    page: Page, live_server, event, make_registration, make_staff, db, smtp_server
):
    target = make_registration(
        "pending",
        given_name="Fatou",
        family_name="Diallo",
        email="fatou.diallo@foreign.example.sl",
        entity_id=_entity_id(event, "SL"),
        language="fr",
    )
    make_registration("pending", given_name="Fatmata", family_name="Kamara")
    make_registration("approved", given_name="Fatou", family_name="Diallo-Approved")
    staff = make_staff(Role.REGISTRAR)
    base = live_server.base_url

    _sign_in(page, base, f"/manage/e/{event.slug}/registrations", staff.email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Registrations")
    expect(page.locator("tbody tr")).to_have_count(3)

    page.get_by_label("Search").fill("diallo")
    page.get_by_label("Pending approval").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("#result-count")).to_contain_text("1 registration")

    page.get_by_role("link", name=target.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fatou DIALLO")
    expect(page.locator("#status")).to_have_text("Pending approval")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status").first).to_contain_text("Registration approved.")
    expect(page.locator("#status")).to_have_text("Approved")
    expect(page.locator("#audit")).to_contain_text("Pending approval → Approved")
    expect(page.locator("#audit")).to_contain_text(staff.email)

    db.session.rollback()  # see what the server committed; the worker runs its own transactions
    assert db.session.get(Registration, target.id).status == Status.APPROVED
    assert deliver_due(50) >= 1
    queued = db.session.execute(
        db.select(OutboxEmail).where(
            OutboxEmail.registration_id == target.id, OutboxEmail.template == "status_approved"
        )
    ).scalar_one()
    assert queued.language == "fr"
    messages = smtp_server.wait_for(1)
    approvals = [message for message in messages if message["Subject"] == queued.subject]
    assert len(approvals) == 1
    assert approvals[0]["To"] == target.email
    assert target.reference in approvals[0]["Subject"]
    text = approvals[0].get_body(("plain",)).get_content()
    assert f"/r/{target.manage_token}" in text


def test_registrar_rejects_a_page_in_bulk_after_confirming(
    page: Page, live_server, event, make_registration, make_staff, db
):
    waiting = [make_registration("pending", family_name=f"Bulk{n}") for n in range(3)]
    kept = make_registration("approved", family_name="Kept")
    staff = make_staff(Role.REGISTRAR)
    base = live_server.base_url

    _sign_in(page, base, f"/manage/e/{event.slug}/registrations?status=pending", staff.email)
    expect(page.locator("tbody tr")).to_have_count(3)
    page.get_by_label("Select every registration of this page").check()  # manage.js
    page.get_by_label("Action").select_option("reject")
    page.get_by_label("Reason (for rejections").fill("The nomination letter is missing.")
    page.get_by_role("button", name="Continue…").click()

    expect(page.locator("#bulk-summary")).to_contain_text("3 registrations")
    page.get_by_role("button", name="Yes, apply to 3 registrations").click()
    expect(page.get_by_role("status").first).to_contain_text("3 registrations changed.")
    expect(page.locator("#empty")).to_contain_text("No registration matches these filters.")

    db.session.rollback()
    statuses = {db.session.get(Registration, item.id).status for item in waiting}
    assert statuses == {Status.REJECTED}
    assert db.session.get(Registration, kept.id).status == Status.APPROVED
