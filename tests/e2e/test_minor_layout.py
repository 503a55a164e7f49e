"""Rough edges seen in Chromium: chart labels, the styled selector, buttons that never touch,
text inputs in error outlined like selects."""

import os

import pytest
from playwright.sync_api import Page, expect

from registration.auth.models import Role
from tests.e2e.test_back_office import _sign_in

pytestmark = pytest.mark.e2e


def test_statistics_labels_are_readable_and_whole(
    page: Page, live_server, event, make_registration, make_staff, tmp_path
):
    un = next(c for c in event.categories if c.code == "un-system")
    make_registration("approved", category_id=un.id, entity_id=None, other_organisation="UNDP")
    make_registration("approved")
    page.set_viewport_size({"width": 1280, "height": 800})
    _sign_in(page, live_server.base_url, f"/manage/e/{event.slug}/statistics", make_staff().email)
    expect(page.locator("figure.chart").first).to_be_visible()
    labels = page.locator("figure.chart svg text")
    assert labels.count() > 10
    for index in range(labels.count()):
        label = labels.nth(index)
        box = label.bounding_box()
        chart = label.locator("xpath=ancestor::*[local-name()='svg']").bounding_box()
        assert box["height"] >= 11, label.text_content()  # 13 px glyphs, never scaled down
        assert chart["x"] <= box["x"] and box["x"] + box["width"] <= chart["x"] + chart["width"]
    # The long category name is whole or shortened with its full text on hover.
    long = page.locator("figure.chart svg text", has_text="United Nations and related")
    assert long.first.locator("title").text_content() == (
        "United Nations and related organizations"
    )
    scope = page.get_by_label("Count")
    assert scope.evaluate("el => getComputedStyle(el).borderTopLeftRadius") != "0px"
    assert scope.bounding_box()["height"] >= 32
    folder = os.environ.get("SCREENSHOT_DIR") or tmp_path
    page.screenshot(path=os.path.join(folder, "statistics.png"))


def test_buttons_are_spaced_and_text_inputs_in_error_are_red(
    page: Page, live_server, event, make_registration, make_staff
):
    registration = make_registration("pending")
    staff = make_staff(Role.REGISTRAR)
    _sign_in(page, live_server.base_url, f"/manage/registrations/{registration.id}", staff.email)
    approve = page.locator("#approve").bounding_box()
    reject = page.locator("#reject").bounding_box()
    assert reject["x"] - (approve["x"] + approve["width"]) >= 6

    page.goto(f"{live_server.base_url}/e/{event.slug}/register")
    page.get_by_role("button", name="Register").click()
    given = page.get_by_label("Given name(s)")
    category = page.get_by_label("I am registering as")
    expect(given).to_have_attribute("aria-invalid", "true")

    def colour(locator):
        return locator.evaluate("el => getComputedStyle(el).borderTopColor")

    assert colour(given) == colour(category) == "rgb(179, 38, 30)"
