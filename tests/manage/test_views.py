"""The back office through the test client: list, bulk, detail, edit, decisions, email."""

import io
import re

import pytest
from sqlalchemy import event as sa_event

from registration.audit.models import AuditEvent
from registration.delegates import photos
from registration.delegates.email_templates import EmailTemplate
from registration.delegates.models import Registration, Status
from registration.mail.models import OutboxEmail
from tests.conftest import run_jobs
from tests.delegates.photo_files import image_bytes


def _list(client, event, **args):
    return client.get(f"/manage/e/{event.slug}/registrations", query_string=args)


def _listed(response) -> list[str]:
    return re.findall(r'<tr data-reference="([^"]+)"', response.text)


def _emails(db, template):
    return (
        db.session.execute(db.select(OutboxEmail).where(OutboxEmail.template == template))
        .scalars()
        .all()
    )


# The list -----------------------------------------------------------------------------------


def test_dashboard_links_to_the_list(client, sign_in, event, make_registration):
    sign_in("viewer")
    make_registration()
    response = client.get("/manage/")
    assert response.status_code == 200
    assert f"/manage/e/{event.slug}/registrations" in response.text


def test_list_search_and_filters(client, sign_in, event, make_registration):
    sign_in("registrar")
    anna = make_registration("pending", given_name="Ánna")
    other = make_registration("approved", given_name="Bob", email="bob@example.org")

    assert set(_listed(_list(client, event))) == {anna.reference, other.reference}
    assert _listed(_list(client, event, q="anna")) == [anna.reference]
    assert _listed(_list(client, event, status="approved")) == [other.reference]
    response = _list(client, event, q="nobody-like-this")
    assert "No registration matches these filters." in response.text


def test_empty_list_says_so(client, sign_in, event):
    sign_in("registrar")
    assert "Nobody has registered yet." in _list(client, event).text


def test_list_never_fails_on_odd_arguments(client, sign_in, event, make_registration):
    sign_in("registrar")
    make_registration()
    response = _list(
        client, event, page="0", per_page="abc", sort="x;drop", status="?", q="%_\\'\"<b>"
    )
    assert response.status_code == 200
    assert "<b>" not in response.text.split('id="q"')[1].split(">")[0]


def test_unknown_event_is_404(client, sign_in):
    sign_in("registrar")
    assert client.get("/manage/e/no-such-meeting/registrations").status_code == 404


def test_viewer_gets_no_bulk_actions(client, sign_in, event, make_registration):
    sign_in("viewer")
    make_registration()
    response = _list(client, event)
    assert response.status_code == 200
    assert 'name="ids"' not in response.text
    assert "Bulk action" not in response.text


def _count_queries(app, client, url) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        from registration.extensions import db

        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_list_queries_do_not_grow_with_rows(app, client, sign_in, event, make_registration):
    sign_in("registrar")
    url = f"/manage/e/{event.slug}/registrations?per_page=100&sort=entity"
    make_registration()
    few = _count_queries(app, client, url)
    states = [e for e in event.entities if e.iso_code and e.category.code == "member-state"]
    for number in range(40):
        status = "approved" if number % 2 else "pending"
        make_registration(status, entity_id=states[number % len(states)].id)
    many = _count_queries(app, client, url)
    assert many == few


# Bulk ---------------------------------------------------------------------------------------


def _bulk(client, event, **data):
    return client.post(f"/manage/e/{event.slug}/registrations/bulk", data=data)


def test_bulk_approve_asks_for_confirmation_then_applies(
    client, sign_in, db, event, make_registration
):
    sign_in("registrar")
    first, second, untouched = (make_registration("pending") for _ in range(3))
    ids = [str(first.id), str(second.id)]

    response = _bulk(
        client, event, action="approve", scope="selected", ids=ids, filter_args="status=pending"
    )
    assert response.status_code == 200
    assert "2 registrations" in response.text
    assert first.reference in response.text
    db.session.expire_all()
    assert first.status == Status.PENDING

    response = _bulk(
        client,
        event,
        action="approve",
        scope="selected",
        ids=ids,
        filter_args="status=pending",
        confirmed="yes",
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/manage/e/{event.slug}/registrations?status=pending")
    db.session.expire_all()
    assert (first.status, second.status, untouched.status) == (
        Status.APPROVED,
        Status.APPROVED,
        Status.PENDING,
    )
    assert len(_emails(db, "status_approved")) == 2


def test_bulk_reject_everything_matching_the_filter(client, sign_in, db, event, make_registration):
    sign_in("registrar")
    dutch = [make_registration("pending") for _ in range(3)]
    colombia = next(e for e in event.entities if e.iso_code == "CO")
    other = make_registration("pending", entity_id=colombia.id)

    response = _bulk(
        client,
        event,
        action="reject",
        scope="all",
        reason="No letter.",
        filter_args=f"entity={dutch[0].entity_id}",
        confirmed="yes",
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert [item.status for item in dutch] == [Status.REJECTED] * 3
    assert other.status == Status.PENDING
    assert all(item.status_reason == "No letter." for item in dutch)


def test_bulk_reject_without_reason_changes_nothing(client, sign_in, db, event, make_registration):
    sign_in("registrar")
    registration = make_registration("pending")
    response = _bulk(
        client, event, action="reject", scope="selected", ids=[registration.id], confirmed="yes"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert registration.status == Status.PENDING
    page = client.get(response.location)
    assert "Give the reason that the delegates will read." in page.text


def test_bulk_ignores_other_events_and_bad_input(client, sign_in, db, event, make_registration):
    sign_in("registrar")
    registration = make_registration("pending")
    for data in (
        {"action": "explode", "scope": "selected", "ids": [registration.id]},
        {"action": "approve", "scope": "selected", "ids": ["abc"]},
        {"action": "approve", "scope": "selected"},
        {"action": "approve", "scope": "selected", "ids": ["999999"], "confirmed": "yes"},
    ):
        response = _bulk(client, event, **data)
        assert response.status_code == 302, data
    db.session.expire_all()
    assert registration.status == Status.PENDING


def test_bulk_refuses_more_than_the_limit(
    client, sign_in, db, event, make_registration, monkeypatch
):
    from registration.manage import views

    monkeypatch.setattr(views, "BULK_LIMIT", 2)
    sign_in("registrar")
    registrations = [make_registration("pending") for _ in range(3)]
    response = _bulk(client, event, action="approve", scope="all", confirmed="yes")
    page = client.get(response.location)
    assert "3 registrations match: at most 2 can be changed at once." in page.text
    db.session.expire_all()
    assert {item.status for item in registrations} == {Status.PENDING}


def test_bulk_reports_refusals(client, sign_in, db, event, make_registration):
    sign_in("registrar")
    approved = make_registration("approved")
    response = _bulk(
        client, event, action="approve", scope="selected", ids=[approved.id], confirmed="yes"
    )
    page = client.get(response.location)
    assert f"{approved.reference}: This registration is already approved." in page.text


# Detail and decisions ---------------------------------------------------------------------------


def test_detail_shows_data_trail_and_emails(client, sign_in, db, event, make_registration):
    sign_in("registrar")
    registration = make_registration("pending", phone="+31 70 000", dietary_needs="Vegan")
    client.post(f"/manage/registrations/{registration.id}/approve")

    response = client.get(f"/manage/registrations/{registration.id}")

    assert response.status_code == 200
    text = response.text
    for expected in (
        registration.email,
        "+31 70 000",
        "Vegan",
        "Netherlands",
        event.sessions[3].title_in("en"),
    ):
        assert expected in text
    audit = text.split('id="audit"')[1]
    assert "Approved" in audit and "Pending approval → Approved" in audit
    assert "Registered" in audit
    emails = text.split('id="emails"')[1]
    assert "Registration approved" in emails
    assert ("documents.badge" in client.application.view_functions) == ("Badge (PDF)" in text)


def test_viewer_sees_the_detail_without_actions(client, sign_in, make_registration):
    sign_in("viewer")
    registration = make_registration("pending")
    response = client.get(f"/manage/registrations/{registration.id}")
    assert response.status_code == 200
    assert 'id="approve"' not in response.text
    assert 'id="edit"' not in response.text
    # The badge button leads to a 403 for viewers and to nothing for a pending registration.
    assert 'id="badge"' not in response.text
    registration.status = "approved"
    assert 'id="badge"' not in client.get(f"/manage/registrations/{registration.id}").text


def test_the_badge_button_appears_only_where_it_works(client, sign_in, db, make_registration):
    sign_in("registrar")
    pending = make_registration("pending")
    approved = make_registration("approved")
    assert 'id="badge"' not in client.get(f"/manage/registrations/{pending.id}").text
    page = client.get(f"/manage/registrations/{approved.id}").text
    assert f'href="/manage/registrations/{approved.id}/badge.pdf"' in page


def test_photo_is_served_to_staff_only(client, sign_in, db, make_registration):
    registration = make_registration()
    url = f"/manage/registrations/{registration.id}/photo"
    sign_in("viewer")
    assert client.get(url).status_code == 404
    registration.photo = photos.store_photo(photos.process_photo(image_bytes()))
    db.session.commit()
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert "no-store" in response.headers["Cache-Control"]


def test_approve_and_reset_buttons(client, sign_in, db, make_registration):
    sign_in("registrar")
    registration = make_registration("pending")
    response = client.post(f"/manage/registrations/{registration.id}/approve")
    assert response.status_code == 302
    db.session.expire_all()
    assert registration.status == Status.APPROVED
    again = client.post(f"/manage/registrations/{registration.id}/approve", follow_redirects=True)
    assert "This registration is already approved." in again.text
    client.post(f"/manage/registrations/{registration.id}/reset")
    db.session.expire_all()
    assert registration.status == Status.PENDING


def test_reject_asks_for_a_reason(client, sign_in, db, make_registration):
    sign_in("registrar")
    registration = make_registration("pending")
    url = f"/manage/registrations/{registration.id}/reject"
    assert "Reason (the delegate reads it)" in client.get(url).text
    assert client.post(url, data={"reason": ""}).status_code == 400
    response = client.post(url, data={"reason": "Not eligible."})
    assert response.status_code == 302
    db.session.expire_all()
    assert (registration.status, registration.status_reason) == (
        Status.REJECTED,
        "Not eligible.",
    )


def test_withdraw_after_confirmation_promotes(client, sign_in, db, event, make_registration):
    sign_in("registrar")
    event.capacity = 1
    db.session.commit()
    held = make_registration("approved")
    waiting = make_registration("waitlisted")
    url = f"/manage/registrations/{held.id}/withdraw"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"reason": ""}, follow_redirects=True)
    assert "Registration withdrawn." in response.text
    assert f"Promoted from the waiting list: {waiting.reference}" in response.text
    db.session.expire_all()
    assert waiting.status == Status.PENDING


def test_promote_button(client, sign_in, db, event, make_registration):
    sign_in("registrar")
    waiting = make_registration("waitlisted")
    response = client.post(f"/manage/e/{event.slug}/waiting-list/promote", follow_redirects=True)
    assert f"Promoted: {waiting.reference}" in response.text
    response = client.post(f"/manage/e/{event.slug}/waiting-list/promote", follow_redirects=True)
    assert "No place is free for the waiting list." in response.text


# Staff edit ---------------------------------------------------------------------------------


def _form_of(registration, **changes):
    data = {
        "category": str(registration.category_id),
        "entity": str(registration.entity_id),
        "honorific": registration.honorific,
        "given_name": registration.given_name,
        "family_name": registration.family_name,
        "email": registration.email,
        "language": registration.language,
        "sessions": [str(session.id) for session in registration.sessions],
    }
    return data | changes


def test_staff_edit_keeps_an_approved_registration_approved(client, sign_in, db, make_registration):
    staff = sign_in("registrar")
    registration = make_registration("approved")
    url = f"/manage/registrations/{registration.id}/edit"
    page = client.get(url)
    assert page.status_code == 200
    assert f'value="{registration.family_name}"' in page.text
    assert "privacy notice" not in page.text

    response = client.post(
        url,
        data=_form_of(registration, family_name="Jansen-Smit")
        | {"photo": (io.BytesIO(image_bytes()), "p.jpg")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert registration.family_name == "Jansen-Smit"
    assert registration.status == Status.APPROVED
    assert registration.photo
    entry = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "updated")
    ).scalar_one()
    assert entry.actor_staff_id == staff.id
    assert set(entry.changes) >= {"family_name", "photo"}


def test_staff_edit_errors_keep_what_was_typed(client, sign_in, event, make_registration):
    sign_in("registrar")
    registration = make_registration("pending")
    igo = next(c for c in event.categories if c.code == "igo")
    url = f"/manage/registrations/{registration.id}/edit"

    response = client.post(url, data=_form_of(registration, family_name="", function="Typed"))
    assert response.status_code == 400
    assert 'value="Typed"' in response.text

    response = client.post(url, data=_form_of(registration, category=str(igo.id)))
    assert response.status_code == 400
    assert "Choose a State or organisation of the chosen category." in response.text

    response = client.post(
        url,
        data=_form_of(registration) | {"photo": (io.BytesIO(b"not an image"), "x.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "The photo must be a JPEG or PNG image." in response.text


# Bulk email and templates ------------------------------------------------------------------


def test_compose_preview_confirm_then_a_job_sends_to_the_filtered_set(
    client, sign_in, db, event, make_registration
):
    sign_in("registrar")
    pending = [make_registration("pending", given_name=f"P{n}") for n in range(2)]
    make_registration("approved")
    url = f"/manage/e/{event.slug}/email?status=pending"
    page = client.get(url)
    assert "2 recipients" in page.text and 'id="send"' not in page.text

    message = {
        "subject_en": "Visa for {reference}\r\nBcc: x@evil.example",
        "body_en": "Dear {given_name},\nbring your passport.\n{manage_link}",
    }
    preview = client.post(url, data=message | {"preview": "Preview"})
    assert preview.status_code == 200
    assert f"Visa for {pending[0].reference}" in preview.text
    assert "Dear P0," in preview.text and 'id="send"' in preview.text

    unconfirmed = client.post(url, data=message | {"send": "Send", "expected": "2"})
    assert unconfirmed.status_code == 400
    assert "tick the box to send" in unconfirmed.text and _emails(db, "staff_message") == []

    response = client.post(url, data=message | {"send": "Send", "expected": "2", "confirm": "y"})
    assert response.status_code == 302 and "/manage/jobs/" in response.location
    assert _emails(db, "staff_message") == []  # the request only queued the job
    run_jobs()
    progress = client.get(f"{response.location}/progress").get_json()
    assert progress["status"] == "done" and progress["done"] == progress["total"] == 2
    sent = _emails(db, "staff_message")
    assert sorted(email.registration_id for email in sent) == sorted(r.id for r in pending)
    for email in sent:
        assert "\n" not in email.subject and "\r" not in email.subject
        registration = db.session.get(Registration, email.registration_id)
        assert email.body_text.startswith(f"Dear {registration.given_name},")
        assert registration.manage_token in email.body_text


def test_compose_refuses_a_changed_list_and_keeps_the_text(
    client, sign_in, db, event, make_registration
):
    sign_in("registrar")
    make_registration()
    make_registration()
    data = {"subject_en": "Hi", "body_en": "Dear {given_name}", "send": "Send", "confirm": "y"}

    response = client.post(f"/manage/e/{event.slug}/email", data=data | {"expected": "1"})

    assert response.status_code == 400
    assert "The list has changed: 2 people would receive the message now." in response.text
    assert "Dear {given_name}" in response.text and _emails(db, "staff_message") == []


def test_compose_refuses_unknown_placeholders_and_keeps_the_text(
    client, sign_in, event, make_registration
):
    sign_in("registrar")
    make_registration()
    response = client.post(
        f"/manage/e/{event.slug}/email",
        data={"subject_en": "Hi", "body_en": "Dear {name.__class__}", "preview": "Preview"},
    )
    assert response.status_code == 400
    assert "Unknown placeholder" in response.text
    assert "Dear {name.__class__}" in response.text


def test_compose_needs_the_first_language(client, sign_in, event, make_registration):
    sign_in("registrar")
    make_registration()
    response = client.post(
        f"/manage/e/{event.slug}/email",
        data={"subject_fr": "Bonjour", "body_fr": "Madame, Monsieur", "preview": "Preview"},
    )
    assert response.status_code == 400
    assert "Bonjour" in response.text and "Madame, Monsieur" in response.text


def test_preview_for_a_chosen_reference(client, sign_in, event, make_registration):
    sign_in("registrar")
    make_registration(given_name="First")
    second = make_registration(given_name="Second")
    url = f"/manage/e/{event.slug}/email"
    data = {"subject_en": "S", "body_en": "Hello {given_name}", "preview": "Preview"}
    response = client.post(url, data=data | {"preview_reference": second.reference.lower()})
    assert "Hello Second" in response.text
    response = client.post(url, data=data | {"preview_reference": "NOPE-1"})
    assert "No registration has this reference." in response.text


def test_edit_and_restore_a_status_email(client, sign_in, db, event):
    sign_in("registrar")
    listing = client.get(f"/manage/e/{event.slug}/email-templates")
    assert listing.status_code == 200
    url = f"/manage/e/{event.slug}/email-templates/rejected/fr"
    assert client.get(url).status_code == 200

    bad = client.post(url, data={"subject": "", "body": "{oops}"})
    assert bad.status_code == 400 and "{oops}" in bad.text

    client.post(url, data={"subject": "Refus {reference}", "body": "Motif : {reason}"})
    override = db.session.execute(db.select(EmailTemplate)).scalar_one()
    assert (override.kind, override.language, override.body) == (
        "rejected",
        "fr",
        "Motif : {reason}",
    )
    listing = client.get(f"/manage/e/{event.slug}/email-templates").text
    assert 'data-template="rejected-fr">This meeting\'s text' in listing

    client.post(url, data={"subject": "", "body": ""})
    assert db.session.execute(db.select(EmailTemplate)).scalar_one_or_none() is None


@pytest.mark.parametrize("path", ["unknown/fr", "approved/de"])
def test_unknown_status_email_is_404(client, sign_in, event, path):
    sign_in("registrar")
    assert client.get(f"/manage/e/{event.slug}/email-templates/{path}").status_code == 404
