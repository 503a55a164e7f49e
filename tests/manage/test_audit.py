"""The global audit trail of setup and staff changes."""

from registration.auth.models import Role
from registration.setup import services as setup_services
from registration.setup import staff


def test_admins_read_setup_and_staff_changes(client, db, event, sign_in, make_staff):
    admin = sign_in("admin")
    setup_services.update_certificate(
        event, logo=None, remove_logo=False, signatory="A. Vitorino", signatory_title="", by=admin
    )
    viewer = make_staff(Role.VIEWER)
    staff.change_role(viewer, Role.REGISTRAR, by=admin)
    db.session.commit()

    page = client.get("/manage/audit")

    assert page.status_code == 200
    trail = page.text.split('id="audit-trail"')[1]
    assert "Certificate changed" in trail and "A. Vitorino" in trail
    assert "Staff role changed" in trail and viewer.email in trail and "viewer → registrar" in trail
    assert trail.index("Staff role changed") < trail.index("Certificate changed")  # newest first
    assert event.title["en"] in trail


def test_only_admins_read_the_global_trail(client, sign_in):
    sign_in("registrar")
    assert client.get("/manage/audit").status_code == 403
