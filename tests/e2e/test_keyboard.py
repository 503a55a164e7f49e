"""A delegate registers with the keyboard alone: Tab, typing, Space and Enter, no pointer."""

import pytest
from playwright.sync_api import Page, expect

from registration.delegates.models import Registration

pytestmark = pytest.mark.e2e

#: What to type into each text field the Tab key reaches.
TYPED = {
    "given_name": "Keyboard",
    "family_name": "Only",
    "email": "keyboard.only@example.org",
}
#: What to type into a focused select to choose an option by its label (Chromium's type-ahead).
CHOSEN = {"category": "Member", "entity": "Netherlands"}


def _focused(page: Page) -> dict:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return {tag: e.tagName, name: e.name || '', type: e.type || '', id: e.id}; }"
    )


def test_registration_from_start_to_finish_with_the_keyboard(page: Page, live_server, event, db):
    page.goto(f"{live_server.base_url}/e/{event.slug}/register")
    first_session_ticked = False
    for _ in range(200):  # every field of the form is at most this many Tab presses away
        page.keyboard.press("Tab")
        element = _focused(page)
        name = element["name"]
        if element["tag"] == "SELECT" and name in CHOSEN:
            page.keyboard.type(CHOSEN[name])
        elif name in TYPED:
            page.keyboard.type(TYPED[name])
        elif name == "sessions" and not first_session_ticked:
            page.keyboard.press("Space")
            first_session_ticked = True
        elif name == "privacy":
            page.keyboard.press("Space")
        elif element["tag"] == "BUTTON" and element["type"] == "submit":
            page.keyboard.press("Enter")
            break
    else:
        pytest.fail("the submit button was never reached with Tab")

    expect(page.locator("#confirmation")).to_be_visible()
    db.session.rollback()  # end the test's read transaction to see what the server committed
    registration = db.session.execute(
        db.select(Registration).where(Registration.email == TYPED["email"])
    ).scalar_one()
    assert registration.entity.iso_code == "NL" and registration.sessions
