"""The registrations list fits a 1,280 × 800 laptop and a tablet; staff choose more columns."""

import os

import pytest
from playwright.sync_api import Page, expect

from registration.auth.models import Role
from tests.e2e.test_back_office import _sign_in

pytestmark = pytest.mark.e2e

FIXED = ("reference", "name", "entity", "category", "status")
LONG_NAME = "Maximiliana Alexandrina Guadalupe Fernández-Villavicencio de la Santísima Trinidad"


def _screenshot(page: Page, tmp_path, name: str) -> None:
    """Keep a picture of the page to look at (under SCREENSHOT_DIR when set)."""
    folder = os.environ.get("SCREENSHOT_DIR") or tmp_path
    page.screenshot(path=os.path.join(folder, name), full_page=True)


def _assert_fits(page: Page, width: int) -> None:
    """Every fixed column's header lies inside the window and nothing scrolls sideways."""
    for key in FIXED:
        box = page.locator(f'th[data-column="{key}"]').bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, key
    wrap = page.locator(".manage-table-wrap")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_list_fits_a_laptop_and_remembers_the_chosen_columns(
    page: Page, live_server, event, make_registration, make_staff, tmp_path
):
    long_one = make_registration(
        "approved", given_name=LONG_NAME, family_name="Ortiz-Montenegro y Valderrama"
    )
    make_registration(
        "pending",
        other_organisation="Réseau des migrants de retour",
        entity_id=None,
        category_id=next(c.id for c in event.categories if c.code == "ngo"),
    )
    for number in range(5):
        make_registration("pending", given_name=f"Person{number}")
    staff = make_staff(Role.REGISTRAR)
    page.set_viewport_size({"width": 1280, "height": 800})
    _sign_in(page, live_server.base_url, f"/manage/e/{event.slug}/registrations", staff.email)
    expect(page.locator("tbody tr")).to_have_count(7)
    _assert_fits(page, 1280)

    # The long name wraps in its cell and keeps its full text on hover and focus.
    name = page.locator(f'tr[data-reference="{long_one.reference}"] .col-name a')
    assert name.get_attribute("title") == long_one.full_name
    height = name.bounding_box()["height"]
    assert 30 < height < 80  # wraps, but at most three lines until hovered
    name.focus()
    assert name.bounding_box()["height"] > height  # the whole name on focus
    _screenshot(page, tmp_path, "list-1280.png")

    # Choose the columns: email in, dates out; the choice stays with the account.
    page.locator("#columns summary").click()
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Registered", exact=True).uncheck()
    page.get_by_label("Checked in", exact=True).last.uncheck()
    page.get_by_role("button", name="Show these columns").click()
    expect(page.get_by_role("status").first).to_contain_text("Your choice of columns is saved.")
    expect(page.locator('th[data-column="email"]')).to_be_visible()
    expect(page.locator('th[data-column="created"]')).to_have_count(0)
    page.goto(f"{live_server.base_url}/manage/e/{event.slug}/registrations")
    expect(page.locator('th[data-column="email"]')).to_be_visible()
    _assert_fits(page, 1280)

    # The free-text organisation can be chosen as a filter.
    page.get_by_label("Other organisation (typed by the delegate)").select_option(
        "Réseau des migrants de retour"
    )
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(1)

    # A tablet in portrait: the page itself never scrolls sideways.
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(f"{live_server.base_url}/manage/e/{event.slug}/registrations")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for key in ("reference", "name", "status"):
        box = page.locator(f'th[data-column="{key}"]').bounding_box()
        assert box["x"] + box["width"] <= 820, key
    _screenshot(page, tmp_path, "list-tablet.png")
