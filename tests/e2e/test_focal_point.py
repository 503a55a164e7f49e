"""A registrar invites a focal point, who registers two delegates within a quota of two and is
refused a third with a clear message."""

import re

import pytest
from playwright.sync_api import Page, expect

from registration.auth.models import Role
from registration.delegates.models import Registration
from registration.mail.models import OutboxEmail
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def _register(page: Page, base: str, link: str, given: str, family: str) -> None:
    page.goto(link)
    page.get_by_role("link", name="Register a delegate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a delegate of Netherlands")
    fill_delegate(page, given, family)
    page.get_by_role("button", name="Register the delegate").click()


def fill_delegate(page: Page, given: str, family: str) -> None:
    """Fill the delegate form; the entity is already the focal point's."""
    expect(page.get_by_label("State or organisation represented")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("Given name(s)").fill(given)
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Email").fill(f"{given.lower()}.{family.lower()}@minbuza.example.nl")
    page.get_by_label("The delegate has been informed of the privacy notice").check()


def test_focal_point_registers_two_delegates_within_a_quota_of_two(
    page: Page, live_server, event, make_staff, db
):
    netherlands = next(e for e in event.entities if e.iso_code == "NL")
    netherlands.quota = 2
    db.session.commit()
    base = live_server.base_url
    staff = make_staff(Role.REGISTRAR)

    page.goto(f"{base}/manage/e/{event.slug}/delegations/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Netherlands").click()
    page.get_by_text("Invite a focal point").click()
    invite = page.locator("#invite-form")
    invite.get_by_label("Name").fill("Eva de Vries")
    invite.get_by_label("Email").fill("eva.devries@minbuza.example.nl")
    invite.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "The invitation is sent to eva.devries@minbuza.example.nl"
    )
    page.get_by_role("button", name=re.compile("Sign out")).click()

    db.session.rollback()  # see what the server committed
    message = db.session.execute(db.select(OutboxEmail)).scalar_one()
    link = re.search(r"http://127\.0\.0\.1:\d+/fp/\S+", message.body_text).group(0)

    _register(page, base, link, "Pieter", "Bakker")
    expect(page.get_by_role("status").first).to_contain_text("is registered")
    _register(page, base, link, "Sanne", "Visser")
    expect(page.locator("#delegates")).to_contain_text("Sanne")
    expect(page.locator("[data-count='places-left']")).to_have_text("0")

    # The quota is reached: the page says so instead of offering the form …
    expect(page.locator("#quota-reached")).to_contain_text(
        "The delegation has reached its quota of 2 participants"
    )
    expect(page.get_by_role("link", name="Register a delegate")).to_have_count(0)
    # … and a form opened earlier (or a typed address) is refused with the same reason.
    page.goto(f"{link}/register")
    fill_delegate(page, "Third", "Person")
    page.get_by_role("button", name="Register the delegate").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "The quota of 2 delegates for Netherlands is reached."
    )
    expect(page.get_by_label("Given name(s)")).to_have_value("Third")

    db.session.rollback()
    registrations = db.session.execute(db.select(Registration)).scalars().all()
    assert sorted(r.given_name for r in registrations) == ["Pieter", "Sanne"]
    assert all(r.entity_id == netherlands.id for r in registrations)
