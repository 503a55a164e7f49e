"""The mail log at /manage/mail through the client: filters, pages, a message, resend, roles."""

import re

import pytest

from registration.auth.models import Role
from registration.mail.models import MailStatus, OutboxEmail
from registration.mail.views import PER_PAGE
from tests.conftest import PASSWORD, make_test_app

ICS = {"filename": "agenda.ics", "content_type": "text/calendar", "data": "QkVHSU46VkNBTEVOREFS"}


def _rows(response) -> list[int]:
    return [int(number) for number in re.findall(r'data-message="(\d+)"', response.text)]


def test_anonymous_visitors_are_sent_to_sign_in(client, make_email):
    email = make_email()
    for url in ("/manage/mail/", f"/manage/mail/{email.id}", f"/manage/mail/{email.id}/resend"):
        response = client.post(url) if url.endswith("resend") else client.get(url)
        assert response.status_code == 302
        assert response.location.startswith("/auth/sign-in")


def test_checkin_staff_never_see_the_mail(client, sign_in, make_email):
    email = make_email(attachments=[ICS])
    sign_in("checkin")
    for url in (
        "/manage/mail/",
        f"/manage/mail/{email.id}",
        f"/manage/mail/{email.id}/attachments/0",
    ):
        assert client.get(url).status_code == 403
    assert client.post(f"/manage/mail/{email.id}/resend").status_code == 403


def test_a_viewer_reads_but_cannot_resend(client, db, sign_in, make_email):
    email = make_email(status=MailStatus.FAILED, last_error="SMTPDataError: 554 no")
    sign_in("viewer")

    assert client.get("/manage/mail/").status_code == 200
    page = client.get(f"/manage/mail/{email.id}")
    assert page.status_code == 200
    assert "554 no" in page.text
    assert "/resend" not in page.text
    assert client.post(f"/manage/mail/{email.id}/resend").status_code == 403
    db.session.rollback()  # end the snapshot; read what the requests committed
    assert email.status == MailStatus.FAILED


def test_the_log_shows_status_attempts_error_transport_and_sent_time(client, sign_in, make_email):
    failed = make_email(status=MailStatus.FAILED, attempts=8, last_error="TimeoutError: timed out")
    sent = make_email(status=MailStatus.SENT, attempts=1, transport="mailbox")
    sign_in("registrar")

    response = client.get("/manage/mail/")

    assert _rows(response) == [sent.id, failed.id]  # newest first
    assert 'data-status="failed"' in response.text and 'data-status="sent"' in response.text
    assert "TimeoutError: timed out" in response.text
    assert "Local mailbox" in response.text
    assert "2 messages" in response.text


def test_filters_by_recipient_and_status(client, sign_in, make_email):
    anna = make_email(recipient="anna.jansen@minbuza.example.nl", status=MailStatus.FAILED)
    make_email(recipient="anna.jansen@minbuza.example.nl", status=MailStatus.SENT)
    make_email(recipient="pedro@example.org", status=MailStatus.FAILED)
    sign_in("viewer")

    both = client.get("/manage/mail/", query_string={"recipient": "JANSEN@minbuza"})
    assert len(_rows(both)) == 2
    one = client.get("/manage/mail/", query_string={"recipient": "jansen", "status": "failed"})
    assert _rows(one) == [anna.id]
    assert 'value="jansen"' in one.text  # the filter keeps what was typed
    none = client.get("/manage/mail/", query_string={"recipient": "nobody"})
    assert _rows(none) == [] and "No messages match these filters." in none.text


@pytest.mark.parametrize(
    "query", [{"status": "bogus"}, {"event": "x"}, {"recipient": "a" * 300}, {"page": "-3"}]
)
def test_bad_filters_show_an_error_not_a_500(client, sign_in, make_email, query):
    make_email()
    sign_in("viewer")

    response = client.get("/manage/mail/", query_string=query)

    assert response.status_code == 200
    assert len(_rows(response)) == 1  # the invalid filter is not applied
    assert ('class="errors"' in response.text) == ("page" not in query)


def test_pages_keep_the_filters(client, sign_in, make_email):
    for _ in range(PER_PAGE + 3):
        make_email(recipient="many@example.org")
    make_email(recipient="other@example.org")
    sign_in("viewer")

    first = client.get("/manage/mail/", query_string={"recipient": "many"})
    assert len(_rows(first)) == PER_PAGE
    assert "/manage/mail/?page=2&amp;recipient=many" in first.text
    second = client.get("/manage/mail/", query_string={"recipient": "many", "page": 2})
    assert len(_rows(second)) == 3
    assert not set(_rows(first)) & set(_rows(second))
    assert client.get("/manage/mail/", query_string={"page": 99}).status_code == 200


def test_a_message_shows_text_html_in_a_sandbox_and_attachments(client, sign_in, make_email):
    email = make_email(
        body_text="Dear <Anna>",
        body_html='<p onclick="steal()">Hi</p><script>alert(1)</script>',
        attachments=[ICS],
    )
    sign_in("viewer")

    page = client.get(f"/manage/mail/{email.id}").text

    assert "Dear &lt;Anna&gt;" in page
    assert '<iframe class="mail-html" sandbox=""' in page
    assert "<script>alert(1)" not in page
    assert 'srcdoc="&lt;p onclick=&#34;steal()&#34;&gt;Hi&lt;/p&gt;&lt;script&gt;' in page
    assert "agenda.ics" in page
    download = client.get(f"/manage/mail/{email.id}/attachments/0")
    assert download.status_code == 200
    assert download.data == b"BEGIN:VCALENDAR"
    assert download.mimetype == "text/calendar"
    assert "attachment" in download.headers["Content-Disposition"]
    assert client.get(f"/manage/mail/{email.id}/attachments/1").status_code == 404
    assert client.get("/manage/mail/999999").status_code == 404


def test_a_registrar_retries_a_failed_message(client, db, sign_in, make_email):
    failed = make_email(status=MailStatus.FAILED, attempts=8, last_error="refused")
    sign_in("registrar")

    response = client.post(f"/manage/mail/{failed.id}/resend")

    assert response.status_code == 302
    assert response.location == f"/manage/mail/{failed.id}"
    db.session.rollback()
    assert (failed.status, failed.attempts) == (MailStatus.QUEUED, 0)
    assert "queued" in client.get(response.location).text


def test_an_admin_resends_a_copy_of_a_sent_message(client, db, sign_in, make_email):
    sent = make_email(status=MailStatus.SENT, attempts=1, transport="smtp")
    sign_in("admin")

    response = client.post(f"/manage/mail/{sent.id}/resend")

    copy = db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.id != sent.id)).one()
    assert response.location == f"/manage/mail/{copy.id}"
    assert (copy.status, copy.recipient) == (MailStatus.QUEUED, sent.recipient)


def test_resending_a_queued_message_explains_why_not(client, db, sign_in, make_email):
    queued = make_email()
    sign_in("registrar")

    page = f"http://localhost/manage/mail/{queued.id}"
    response = client.post(
        f"/manage/mail/{queued.id}/resend", headers={"Referer": page}, follow_redirects=True
    )

    assert response.status_code == 200
    assert response.request.path == f"/manage/mail/{queued.id}"  # back where the button was
    assert "already waiting to be sent" in response.text
    assert db.session.scalar(db.select(db.func.count(OutboxEmail.id))) == 1

    # Without a Referer (not a browser) the refusal is the answer itself.
    response = client.post(f"/manage/mail/{queued.id}/resend")
    assert response.status_code == 409 and "already waiting to be sent" in response.text


def test_resend_needs_the_csrf_token(db, make_staff, make_email):
    email = make_email(status=MailStatus.FAILED)
    staff = make_staff("registrar")
    client = make_test_app(WTF_CSRF_ENABLED=True).test_client()

    def token(url: str) -> str:
        page = client.get(url).text
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]

    signed_in = client.post(
        "/auth/sign-in",
        data={"email": staff.email, "password": PASSWORD, "csrf_token": token("/auth/sign-in")},
    )
    assert signed_in.status_code == 302
    page_token = token(f"/manage/mail/{email.id}")

    assert client.post(f"/manage/mail/{email.id}/resend").status_code == 400
    db.session.rollback()  # end the snapshot; read what the requests committed
    assert email.status == MailStatus.FAILED
    accepted = client.post(f"/manage/mail/{email.id}/resend", data={"csrf_token": page_token})
    assert accepted.status_code == 302
    db.session.rollback()  # end the snapshot; read what the requests committed
    assert email.status == MailStatus.QUEUED


def test_viewers_never_see_the_secret_of_a_link(client, sign_in, make_registration, db):
    registration = make_registration()
    message = db.session.execute(
        db.select(OutboxEmail).where(OutboxEmail.registration_id == registration.id)
    ).scalar_one()
    sign_in(Role.VIEWER)
    page = client.get(f"/manage/mail/{message.id}").text
    assert registration.manage_token not in page
    assert "/r/…" in page


def test_registrars_see_the_link_they_may_resend(client, sign_in, make_registration, db):
    registration = make_registration()
    message = db.session.execute(
        db.select(OutboxEmail).where(OutboxEmail.registration_id == registration.id)
    ).scalar_one()
    sign_in(Role.REGISTRAR)
    assert registration.manage_token in client.get(f"/manage/mail/{message.id}").text
