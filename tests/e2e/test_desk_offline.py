"""The offline desk in Chromium: a network cut, a reload, two desks, sync, bad input, sign-out."""

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from registration.auth.models import Role
from registration.delegates.models import Registration, Status
from registration.demo.fake import fake_registrations
from registration.desk import devices
from registration.desk.models import VENUE, Attendance, DeviceToken, Scan
from tests.e2e.test_desk import _sign_in

pytestmark = pytest.mark.e2e

#: Reads one object store of the desk's IndexedDB database: (slug, store) → list of values.
READ_STORE = """async ([slug, store]) => {
    const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open("desk-" + slug, 1);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    });
    const values = await new Promise((resolve) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result);
    });
    db.close();
    return values;
}"""

#: Writes into one object store: (slug, store, value, key or null).
WRITE_STORE = """async ([slug, store, value, key]) => {
    const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open("desk-" + slug, 1);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    });
    await new Promise((resolve, reject) => {
        const transaction = db.transaction(store, "readwrite");
        if (key === null) transaction.objectStore(store).add(value);
        else transaction.objectStore(store).put(value, key);
        transaction.oncomplete = resolve;
        transaction.onerror = () => reject(transaction.error);
    });
    db.close();
}"""


def _open_offline_desk(context: BrowserContext, live_server, event, staff, people: int) -> Page:
    """A signed-in desk whose roster is downloaded and whose service worker keeps the page."""
    page = context.new_page()
    _sign_in(page, f"{live_server.base_url}/desk/e/{event.slug}", staff)
    expect(page.locator("#roster-state")).to_contain_text(f"Roster of {people} people")
    page.wait_for_function(
        "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)"
    )
    # The worker has kept the page and its scripts for a reload without network.
    page.wait_for_function(
        """async () => {
            const cache = await caches.open("desk-shell-v1");
            return (await cache.keys()).length >= 4;
        }"""
    )
    expect(page.locator("#scan-input")).to_be_focused()
    return page


def _scan(page: Page, token: str) -> None:
    """A scanner's reading: the code, then Enter, into the focused scan field."""
    page.locator("#scan-input").fill(token)
    page.locator("#scan-input").press("Enter")


def _queued(page: Page):
    return page.locator("#queue-length")


def _tokens(db, event, count: int) -> list[str]:
    fake_registrations(event, count, status=Status.APPROVED, seed=7)
    db.session.commit()
    people = db.session.execute(db.select(Registration).order_by(Registration.id)).scalars()
    tokens = [registration.badge_token for registration in people]
    db.session.rollback()  # no read transaction left open while the desks write
    return tokens


def test_two_desks_offline_then_sync(browser, live_server, event, make_staff, db):
    staff_a, staff_b = make_staff(Role.CHECKIN), make_staff(Role.CHECKIN)
    tokens = _tokens(db, event, 200)
    first = browser.new_context()
    second = browser.new_context()
    try:
        desk_a = _open_offline_desk(first, live_server, event, staff_a, 200)
        desk_b = _open_offline_desk(second, live_server, event, staff_b, 200)
        first.set_offline(True)
        second.set_offline(True)
        # Desk A: 110 badges, with a reload in the middle of the cut.
        for token in tokens[:50]:
            _scan(desk_a, token)
        expect(_queued(desk_a)).to_have_text("50")
        reloaded = desk_a.reload()
        assert reloaded.from_service_worker  # the kept desk page, not the network
        expect(desk_a.locator("#offline-banner")).to_be_visible()
        expect(desk_a.locator("#offline-text")).to_contain_text("Offline")
        expect(_queued(desk_a)).to_have_text("50")
        expect(desk_a.locator("#scan-input")).to_be_focused()
        _scan(desk_a, tokens[0])  # already in on this desk, known after the reload
        expect(desk_a.locator("#result-message")).to_contain_text("Already checked in on this desk")
        for token in tokens[50:110]:
            _scan(desk_a, token)
        expect(_queued(desk_a)).to_have_text("111")
        expect(desk_a.locator("#result")).to_have_class("result result-ok")
        expect(desk_a.locator("#result-message")).to_contain_text("Admitted offline")
        # Desk B: 110 badges, 20 of them people desk A admitted too.
        for token in tokens[90:200]:
            _scan(desk_b, token)
        expect(_queued(desk_b)).to_have_text("110")
        db.session.rollback()
        assert db.session.execute(db.select(db.func.count(Scan.id))).scalar_one() == 0
        db.session.rollback()

        first.set_offline(False)
        expect(_queued(desk_a)).to_have_text("0", timeout=60_000)
        expect(desk_a.locator("#offline-banner")).to_be_hidden()
        second.set_offline(False)
        expect(_queued(desk_b)).to_have_text("0", timeout=60_000)
        conflicts = desk_b.locator("#conflict-list li")
        expect(conflicts).to_have_count(20)
        expect(conflicts.first).to_contain_text("admitted by two desks while offline")
        expect(desk_a.locator("#conflict-list li")).to_have_count(0)
    finally:
        first.close()
        second.close()

    db.session.rollback()
    entries = (
        db.session.execute(
            db.select(Attendance).where(
                Attendance.checkpoint == VENUE, Attendance.annulled_at.is_(None)
            )
        )
        .scalars()
        .all()
    )
    assert len(entries) == 200  # 0 lost
    assert len({entry.registration_id for entry in entries}) == 200  # 0 doubled
    scans = db.session.execute(db.select(Scan)).scalars().all()
    results = [scan.result for scan in scans]
    assert len(scans) == 221  # every scan is in the log, the retried ones once
    assert results.count("ok") == 200 and results.count("duplicate") == 20
    assert results.count("already_checked_in") == 1  # desk A's own repeat
    # Attendance times are the scan times, not the sync times.
    first_scan = {}
    for scan in scans:
        if scan.result == "ok":
            first_scan[scan.registration_id] = scan.scanned_at
    for entry in entries:
        assert entry.checked_in_at == first_scan[entry.registration_id]
        assert entry.registration.checked_in_at == entry.checked_in_at


def test_bad_input_during_sync_loses_nothing(browser, live_server, event, make_staff, db):
    staff = make_staff(Role.CHECKIN)
    tokens = _tokens(db, event, 4)
    context = browser.new_context()
    try:
        page = _open_offline_desk(context, live_server, event, staff, 4)
        context.set_offline(True)
        _scan(page, tokens[0])
        # Queued before the next entry is written: a scan made as the network drops is queued
        # once its retries fail, and the queue keeps the order entries arrive in.
        expect(_queued(page)).to_have_text("1")
        # A corrupted queue entry, between two good scans.
        page.evaluate(WRITE_STORE, [event.slug, "queue", {"nonce": 5, "token": None}, None])
        _scan(page, tokens[1])
        expect(_queued(page)).to_have_text("3")
        # A roster of another meeting is refused, not used; scans are still kept.
        page.evaluate(
            WRITE_STORE,
            [event.slug, "meta", {"event": {"slug": "other", "id": 999}, "full_at": 0}, "roster"],
        )
        page.reload()
        expect(page.locator("#sync-problem")).to_contain_text("belongs to another meeting")
        expect(page.locator("#scan-input")).to_be_focused()
        _scan(page, tokens[2])
        expect(page.locator("#result-message")).to_contain_text("checked when the connection")
        expect(_queued(page)).to_have_text("4")
        # The desk's device token is revoked while it is cut off.
        db.session.rollback()  # see the device the desk registered
        for device in db.session.execute(db.select(DeviceToken)).scalars():
            devices.revoke_device(device)
        db.session.commit()
        context.set_offline(False)
        expect(page.locator("#sync-problem")).to_contain_text("refused (revoked?)")
        expect(_queued(page)).to_have_text("4")
        page.get_by_role("button", name="Register this desk again").click()
        expect(_queued(page)).to_have_text("0", timeout=30_000)
        expect(page.locator("#setaside-length")).to_have_text("1")
        expect(page.locator("#sync-problem")).to_be_hidden()
        kept = page.evaluate(READ_STORE, [event.slug, "setaside"])
        assert kept[0]["entry"]["nonce"] == 5  # set aside for the registrar, not dropped

        # Sign-out forgets the roster; the set-aside scan stays.
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_label("Password")).to_be_visible()
        page.wait_for_function(
            """async (slug) => {
                const db = await new Promise((resolve) => {
                    const request = indexedDB.open("desk-" + slug, 1);
                    request.onsuccess = () => resolve(request.result);
                });
                const count = await new Promise((resolve) => {
                    const request = db.transaction("people").objectStore("people").count();
                    request.onsuccess = () => resolve(request.result);
                });
                db.close();
                return count === 0;
            }""",
            arg=event.slug,
        )
        assert page.evaluate(READ_STORE, [event.slug, "meta"]) != []  # the device: 1 unsent scan
        assert len(page.evaluate(READ_STORE, [event.slug, "setaside"])) == 1
    finally:
        context.close()
    db.session.rollback()
    entered = (
        db.session.execute(
            db.select(Attendance.registration_id).where(Attendance.checkpoint == VENUE)
        )
        .scalars()
        .all()
    )
    assert len(entered) == 3
