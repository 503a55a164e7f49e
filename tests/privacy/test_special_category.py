"""Special-category data (dietary and accessibility needs) is shown and exported only to the
roles that organise catering and access: admins and registrars, not viewers or the desk."""

import pytest
import sqlalchemy as sa

from registration.auth.models import Role
from registration.delegates.filters import RegistrationFilter
from registration.documents import exports
from registration.documents.services import DocumentError
from registration.jobs.models import Job

NEEDS = ("Lactose-free meals", "Step-free access")
BY_ROLE = pytest.mark.parametrize(
    ("role", "sees"), [(Role.ADMIN, True), (Role.REGISTRAR, True), (Role.VIEWER, False)]
)


@BY_ROLE
def test_the_registration_page_and_its_history(client, sign_in, meeting, role, sees):
    sign_in(role)
    page = client.get(f"/manage/registrations/{meeting.approved.id}").text
    assert "Ingrid" in page  # the page itself is shown
    for need in NEEDS:
        assert (need in page) is sees  # in the fields and in the history of changes
    assert ("Dietary requirements" in page) is sees


@BY_ROLE
def test_export_columns_offered(client, sign_in, meeting, role, sees):
    sign_in(role)
    page = client.get(f"/manage/e/{meeting.event.slug}/documents").text
    assert ('value="dietary_needs"' in page) is sees
    assert ('value="accessibility_needs"' in page) is sees
    assert 'value="family_name"' in page


def test_a_viewer_cannot_export_them_even_by_crafting_the_request(client, sign_in, meeting, db):
    sign_in(Role.VIEWER)
    response = client.post(
        f"/manage/e/{meeting.event.slug}/export",
        data={"format": "csv", "columns": ["family_name", "dietary_needs"]},
    )
    assert response.status_code == 302
    assert "Choose the columns to export." in client.get(response.location).text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_a_registrar_exports_them(client, sign_in, meeting, db):
    sign_in(Role.REGISTRAR)
    columns = ["family_name", "dietary_needs", "accessibility_needs"]
    client.post(
        f"/manage/e/{meeting.event.slug}/export", data={"format": "csv", "columns": columns}
    )
    job = db.session.scalar(sa.select(Job))
    assert job.payload["columns"] == columns
    data = exports.export_registrations(meeting.event, RegistrationFilter(), columns, "csv")
    assert all(need.encode() in data for need in NEEDS)


def test_the_column_check(meeting):
    with pytest.raises(DocumentError) as caught:
        exports.check_columns(["email", "accessibility_needs"], special_category=False)
    assert caught.value.code == "unknown_column"
    assert exports.check_columns(["accessibility_needs"], special_category=True) == [
        "accessibility_needs"
    ]
    offered = {key for key, _label, _ticked in exports.column_choices(special_category=False)}
    assert offered and not offered & {"dietary_needs", "accessibility_needs"}
