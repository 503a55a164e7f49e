"""Document pages and downloads: wiring, roles, jobs with progress, refusals."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest

from registration.delegates.models import Registration
from registration.desk.models import Attendance
from registration.jobs import services as jobs
from registration.jobs.models import Job
from tests.conftest import run_jobs
from tests.documents.conftest import decode_qr, pdf_pages


@pytest.fixture(autouse=True)
def _empty_badge_cache(badge_cache):
    """Every test starts with no cached badge page."""


def _wait_for_job(client, job_url: str) -> dict:
    """Run the queued jobs as the worker would, then read the job's progress as its page does."""
    run_jobs()
    return client.get(f"{job_url}/progress").get_json()


def _download(client, url: str):
    """GET a file and close the response (send_file keeps the file open until then)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def _attended(db, registration):
    at = datetime(2026, 12, 17, 8, 0, tzinfo=UTC)
    db.session.add(
        Attendance(registration_id=registration.id, checkpoint="venue", checked_in_at=at)
    )
    db.session.commit()


@pytest.mark.parametrize(
    ("role", "status"), [(None, 302), ("viewer", 403), ("checkin", 200), ("registrar", 200)]
)
def test_single_badge_roles(client, sign_in, make_registration, role, status):
    registration = make_registration("approved")
    if role:
        sign_in(role)

    response = client.get(f"/manage/registrations/{registration.id}/badge.pdf")

    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "application/pdf"
        assert response.headers["Cache-Control"] == "private, no-store"
        assert decode_qr(response.data) == [registration.badge_token]
    if status == 302:
        assert "/auth/sign-in" in response.location


def test_single_badge_refusals_are_pages(client, sign_in, make_registration):
    sign_in("checkin")
    pending = make_registration("pending")
    approved = make_registration("approved")

    refused = client.get(f"/manage/registrations/{pending.id}/badge.pdf")
    bad_layout = client.get(f"/manage/registrations/{approved.id}/badge.pdf?layout=<x>")
    missing = client.get("/manage/registrations/999999/badge.pdf")

    assert (
        refused.status_code == 409 and "Only approved registrations have a badge." in refused.text
    )
    assert bad_layout.status_code == 409
    assert missing.status_code == 404


def test_documents_page_shows_badges_only_to_printers(client, sign_in, event):
    sign_in("viewer")
    page = client.get(f"/manage/e/{event.slug}/documents")

    assert page.status_code == 200
    assert 'id="badges"' not in page.text and 'id="participants"' in page.text
    assert client.post(f"/manage/e/{event.slug}/badges", data={"which": "all"}).status_code == 403


def test_documents_page_forbidden_to_the_desk(client, sign_in, event):
    sign_in("checkin")
    assert client.get(f"/manage/e/{event.slug}/documents").status_code == 403
    assert client.get(f"/manage/e/{event.slug}/statistics").status_code == 403


def test_print_new_badges_job_marks_them_printed(client, sign_in, db, event, make_registration):
    sign_in("registrar")
    first = make_registration("approved", family_name="Alpha")
    second = make_registration("approved", family_name="Beta")
    make_registration("pending", family_name="Gamma")

    page = client.get(f"/manage/e/{event.slug}/documents")
    assert 'id="badges"' in page.text
    started = client.post(
        f"/manage/e/{event.slug}/badges",
        data={"which": "new", "output": "a6"},
    )
    assert started.status_code == 302
    job_url = started.location
    assert "Waiting for a worker" in client.get(job_url).text
    state = _wait_for_job(client, job_url)

    assert state["status"] == "done" and state["done"] == state["total"] == 2
    download = _download(client, state["download"])
    assert download.mimetype == "application/pdf"
    pages = pdf_pages(download.data)
    assert len(pages) == 2 and "ALPHA" in pages[0] and "BETA" in pages[1]
    db.session.expire_all()
    assert all(db.session.get(Registration, r.id).badge_printed_at for r in (first, second))

    again = client.post(f"/manage/e/{event.slug}/badges", data={"which": "new", "output": "a6"})
    state = _wait_for_job(client, again.location)
    assert state["status"] == "failed" and state["error"] == "There are no badges to print."
    assert "There are no badges to print." in client.get(again.location).text


def test_badge_batch_follows_the_filter_in_the_query_string(
    client, sign_in, event, make_registration
):
    sign_in("registrar")
    make_registration("approved", family_name="Kept")
    make_registration("approved", family_name="Dropped")

    started = client.post(
        f"/manage/e/{event.slug}/badges?q=kept",
        data={"which": "all", "output": "a4-4up", "crop_marks": "y"},
    )
    state = _wait_for_job(client, started.location)

    pages = pdf_pages(_download(client, state["download"]).data)
    assert len(pages) == 1 and "KEPT" in pages[0] and "DROPPED" not in pages[0]


def test_participants_job_for_viewers(client, sign_in, event, make_registration):
    viewer = sign_in("viewer")
    make_registration("approved", family_name="Listed")

    started = client.post(f"/manage/e/{event.slug}/participants", data={"language": "es"})
    state = _wait_for_job(client, started.location)

    assert state["status"] == "done", state
    text = " ".join(pdf_pages(_download(client, state["download"]).data))
    assert "LISTED" in text and "Países Bajos" in text
    assert viewer is not None


def test_badge_jobs_are_hidden_from_viewers(client, sign_in, db, event):
    job = jobs.enqueue("badges", event=event, payload={"filter": {}}, download_name="badges.pdf")
    db.session.commit()
    sign_in("viewer")

    assert client.get(f"/manage/jobs/{job.token}").status_code == 403
    assert client.get(f"/manage/jobs/{job.token}/progress").status_code == 403
    assert client.get(f"/manage/jobs/{job.token}/download").status_code == 403
    assert client.get("/manage/jobs/unknown-token").status_code == 404


def test_export_csv_with_filter_and_column_order(client, sign_in, event, make_registration):
    sign_in("viewer")
    make_registration("approved", family_name="Kept")
    make_registration("pending", family_name="Dropped")

    started = client.post(
        f"/manage/e/{event.slug}/export?status=approved",
        data={"format": "csv", "columns": ["family_name", "reference"]},
    )
    state = _wait_for_job(client, started.location)
    response = _download(client, state["download"])

    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].endswith(f"registrations-{event.slug}.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Family name", "Reference"] and [r[0] for r in rows[1:]] == ["Kept"]


def test_export_headings_follow_the_staff_language(client, sign_in, event, make_registration):
    sign_in("viewer")
    make_registration("approved")

    started = client.post(
        f"/manage/e/{event.slug}/export?lang=fr", data={"format": "xlsx", "columns": ["category"]}
    )
    state = _wait_for_job(client, started.location)

    response = _download(client, state["download"])
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert sheet.cell(row=2, column=1).value == "États Membres"


def test_export_with_bad_columns_keeps_the_page(client, sign_in, event):
    sign_in("registrar")
    response = client.post(
        f"/manage/e/{event.slug}/export", data={"format": "csv", "columns": ["password_hash"]}
    )
    assert response.status_code == 302
    assert "Choose a format and at least one column." in client.get(response.location).text


def test_attendance_and_statistics(client, sign_in, event, make_registration):
    sign_in("viewer")
    make_registration("approved")

    matrix = client.get(f"/manage/e/{event.slug}/attendance.xlsx")
    page = client.get(f"/manage/e/{event.slug}/statistics?scope=nonsense")
    data = client.get(f"/manage/e/{event.slug}/statistics.csv?scope=approved")

    assert matrix.status_code == 200 and matrix.data[:2] == b"PK"
    assert page.status_code == 200
    assert page.text.count("<svg") == 5 and 'data-count="1"' in page.text
    assert data.status_code == 200 and data.data.startswith(b"\xef\xbb\xbf")
    assert data.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset, not two
    assert client.get("/manage/e/no-such-event/statistics").status_code == 404


def test_certificates_for_staff_and_delegates(
    client, sign_in, db, make_registration, meeting_ended
):
    absent = make_registration("approved", family_name="Absent")
    present = make_registration("approved", family_name="Present")
    _attended(db, present)

    refused = client.get(f"/r/{absent.manage_token}/certificate.pdf")
    own = client.get(f"/r/{present.manage_token}/certificate.pdf")

    assert refused.status_code == 403
    assert "certificate of attendance is issued only to participants" in refused.text
    assert own.status_code == 200 and "PRESENT" in pdf_pages(own.data)[0]
    assert client.get("/r/not-a-token/certificate.pdf").status_code == 404
    assert client.get(f"/manage/registrations/{present.id}/certificate.pdf").status_code == 302

    sign_in("viewer")
    assert client.get(f"/manage/registrations/{present.id}/certificate.pdf").status_code == 200
    assert client.get(f"/manage/registrations/{absent.id}/certificate.pdf").status_code == 409


def test_manage_page_links_the_certificate_once_checked_in_and_ended(
    client, db, event, make_registration
):
    registration = make_registration("approved")
    assert 'id="certificate"' not in client.get(f"/r/{registration.manage_token}").text

    registration.checked_in_at = datetime(2026, 12, 17, 8, tzinfo=UTC)
    _attended(db, registration)
    page = client.get(f"/r/{registration.manage_token}").text
    assert 'id="certificate"' not in page and 'id="certificate-later"' in page
    refused = client.get(f"/r/{registration.manage_token}/certificate.pdf")
    assert refused.status_code == 403 and "once the meeting has ended" in refused.text

    event.end_date = date.today() - timedelta(days=1)
    event.start_date = event.end_date
    db.session.commit()
    page = client.get(f"/r/{registration.manage_token}").text
    assert f'href="/r/{registration.manage_token}/certificate.pdf"' in page


def test_an_enormous_or_one_too_many_job_is_refused_with_the_filter_kept(
    app, client, sign_in, db, event, make_registration
):
    sign_in("registrar")
    for name in ("Alpha", "Beta"):
        make_registration("approved", family_name=name)
    url = f"/manage/e/{event.slug}/badges?status=approved"
    data = {"which": "all", "output": "a6"}

    app.config["JOB_MAX_ITEMS"] = 1
    try:
        refused = client.post(url, data=data)
    finally:
        app.config["JOB_MAX_ITEMS"] = 20_000
    assert refused.status_code == 302 and "status=approved" in refused.location
    page = client.get(refused.location).text
    assert "This would make one job of 2 items; at most 1 are done at once." in page

    for _ in range(app.config["JOB_MAX_ACTIVE_PER_STAFF"]):
        assert "/manage/jobs/" in client.post(url, data=data).location
    one_too_many = client.post(url, data=data)
    assert "You already have 3 jobs under way" in client.get(one_too_many.location).text
    run_jobs()  # nothing was lost: the accepted jobs all finish
    states = {job.status.value for job in db.session.execute(db.select(Job)).scalars()}
    assert states == {"done"}
