"""Staff accounts in the browser: an admin's first sign-in (own password, then TOTP enrolment)
and the staff accounts page (invite, role, resend, close)."""

import io

import pyotp
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect

from registration.auth.models import Role, StaffUser
from registration.auth.services import create_staff
from registration.mail.models import OutboxEmail
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "violet tractor umbrella"


def test_an_admin_chooses_a_password_and_enrols_at_first_sign_in(page: Page, live_server, db):
    live_server.config["TWO_FACTOR_REQUIRED_ROLES"] = ["admin"]
    create_staff("first.admin@iom.example", Role.ADMIN, PASSWORD, must_change_password=True)
    db.session.commit()

    page.goto(f"{live_server.base_url}/manage/")
    page.get_by_label("Email").fill("first.admin@iom.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Choose a password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("password1234")
    page.get_by_label("New password again").fill("password1234")
    page.get_by_role("button", name="Save the password").click()
    expect(page.locator("#password-errors")).to_contain_text("This password is too easy to guess")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the password").click()

    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    qr = page.locator("#totp-qr")
    expect(qr).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    # The QR code, as the browser draws it, holds the same key for the authenticator app.
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    assert decoded.text.startswith("otpauth://totp/") and f"secret={secret}" in decoded.text
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.locator("#code-errors")).to_contain_text("This code does not match.")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()

    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    page.get_by_role("link", name="I have saved my codes, continue").click()
    expect(page).to_have_url(f"{live_server.base_url}/manage/")
    expect(page.get_by_role("button", name="Sign out (first.admin@iom.example)")).to_be_visible()

    db.session.rollback()
    admin = db.session.execute(
        db.select(StaffUser).where(StaffUser.email == "first.admin@iom.example")
    ).scalar_one()
    assert admin.two_factor_enabled and not admin.must_change_password


def test_an_admin_manages_staff_accounts(page: Page, live_server, db, make_staff):
    admin = make_staff(Role.ADMIN)
    registrar = make_staff(Role.REGISTRAR)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.base_url}/manage/staff/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    table = page.locator("#accounts")
    own = table.locator(f"tr[data-account='{admin.email}']")
    expect(own.locator(".last-sign-in")).not_to_have_text("Never")
    other = table.locator(f"tr[data-account='{registrar.email}']")
    expect(other.locator(".last-sign-in")).to_have_text("Never")
    expect(other.locator(".two-factor")).to_have_text("Off")

    # A new colleague is invited by email (no password typed by the admin).
    form = page.locator("#staff-form")
    form.get_by_label("Email", exact=True).fill("new.colleague@iom.example")
    form.get_by_label("Name").fill("New Colleague")
    form.get_by_label("Role").select_option("checkin")
    form.get_by_role("button", name="Create the account").click()
    expect(page.get_by_role("status").first).to_contain_text("an invitation is on its way")
    invited = table.locator("tr[data-account='new.colleague@iom.example']")
    expect(invited).to_contain_text("New Colleague")

    # Another role, then the invitation again, then the account closed.
    invited.get_by_label("Role of new.colleague@iom.example").select_option("viewer")
    invited.get_by_role("button", name="Change role").click()
    expect(page.get_by_role("status").first).to_contain_text("The role of new.colleague")
    invited = page.locator("#accounts tr[data-account='new.colleague@iom.example']")
    expect(invited.get_by_label("Role of new.colleague@iom.example")).to_have_value("viewer")
    invited.get_by_role("button", name="Resend the invitation").click()
    expect(page.get_by_role("status").first).to_contain_text("A new invitation is on its way")
    page.locator("#accounts tr[data-account='new.colleague@iom.example']").get_by_role(
        "button", name="Close the account"
    ).click()
    expect(page.get_by_role("status").first).to_contain_text("is closed")
    expect(page.locator("#accounts tr[data-account='new.colleague@iom.example']")).to_contain_text(
        "Closed"
    )

    db.session.rollback()
    sent = (
        db.session.execute(
            db.select(OutboxEmail.template).where(
                OutboxEmail.recipient == "new.colleague@iom.example"
            )
        )
        .scalars()
        .all()
    )
    assert sent == ["staff_invitation", "staff_invitation"]
