"""WCAG 2.1 AA: axe-core (shipped by the axe-playwright-python package, injected from disk, never
fetched) finds no violation on any page type in English, French and Spanish."""

import os
from importlib.resources import files

import pytest
from playwright.sync_api import Page, expect

from registration.auth.models import Role
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.e2e,
    # Markup does not depend on the database: the PostgreSQL pass of CI need not run it again.
    pytest.mark.skipif(
        bool(os.environ.get("TEST_DATABASE_URL")), reason="database-independent; runs on SQLite"
    ),
]

AXE_SOURCE = files("axe_playwright_python").joinpath("axe.min.js").read_text()
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def _violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations of the page as it is now, one line each."""
    page.evaluate(AXE_SOURCE)  # evaluated by the driver, so the page's strict CSP still holds
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']} — {violation['help']}"
        for violation in result["violations"]
        for node in violation["nodes"]
    ]


def _check(page: Page, url: str, found: dict[str, list[str]]) -> None:
    page.goto(url)
    if problems := _violations(page):
        found[url] = problems


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/sign-in")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_every_page_type_passes_axe(
    page: Page, live_server, event, make_registration, make_staff, language
):
    base = live_server.base_url
    registration = make_registration("approved", given_name="Aïssata", family_name="Touré")
    found: dict[str, list[str]] = {}
    page.goto(f"{base}/?lang={language}")  # the language is remembered for the session

    public = [
        "/",
        f"/e/{event.slug}/",
        f"/e/{event.slug}/register",
        f"/e/{event.slug}/lost-link",
        f"/r/{registration.manage_token}",
        f"/r/{registration.manage_token}/edit",
        "/auth/sign-in",
    ]
    for path in public:
        _check(page, base + path, found)

    # The form after a failed submit: the error summary takes the focus and links to the fields.
    page.goto(f"{base}/e/{event.slug}/register")
    page.locator("#registration-form button[type=submit]").last.click()
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    first_link = summary.locator("a").first
    target = first_link.get_attribute("href")
    assert target and page.locator(target).count() == 1
    if problems := _violations(page):
        found["registration form with errors"] = problems

    _sign_in(page, base, make_staff(Role.ADMIN).email)
    staff = [
        "/manage/",
        f"/manage/e/{event.slug}/registrations",
        f"/manage/registrations/{registration.id}",
        f"/manage/registrations/{registration.id}/edit",
        f"/manage/e/{event.slug}/email",
        f"/manage/e/{event.slug}/email-templates",
        f"/manage/e/{event.slug}/delegations/",
        f"/manage/e/{event.slug}/documents",
        f"/manage/e/{event.slug}/statistics",
        f"/manage/e/{event.slug}/setup/",
        f"/manage/e/{event.slug}/setup/categories",
        f"/manage/e/{event.slug}/setup/entities",
        f"/manage/e/{event.slug}/setup/sessions",
        "/manage/staff/",
        "/manage/mail/",
        f"/desk/e/{event.slug}",
        f"/desk/e/{event.slug}/dashboard",
        f"/desk/e/{event.slug}/walk-in",
    ]
    for path in staff:
        _check(page, base + path, found)

    assert not found, "\n".join(
        f"{url}:\n  " + "\n  ".join(problems) for url, problems in found.items()
    )
