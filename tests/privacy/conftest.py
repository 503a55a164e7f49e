"""A meeting full of personal data: registrations of every status, photos, letters, a focal
point, emails, changes in the audit trail and attendance at the venue and at sessions."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from registration.auth.models import Role
from registration.delegates import photos
from registration.delegates import services as delegate_services
from registration.delegates.models import Registration, Status
from registration.delegations import letters
from registration.delegations import services as delegation_services
from registration.desk import services as desk_services
from registration.desk.models import VENUE
from tests.delegates.photo_files import image_bytes
from tests.delegations.pdf_files import pdf_bytes

#: Strings that name or describe people in the meeting below; none may survive a purge.
PERSONAL = (
    "Ingrid",
    "Zebrowska",
    "ingrid.zebrowska@",
    "+41 22 717 9111",
    "Mehmet",
    "Karaoglu",
    "mehmet.k@",
    "Lactose-free meals",
    "Step-free access",
    "Hearing loop",
    "Not a delegate of this body",
    "Eva de Vries",
    "focal.point@minbuza",
    "Personal_nomination",
    "Counsellor for returns",
    "Friends of Return",
)


@dataclass
class Meeting:
    """The populated meeting and its people."""

    event: object
    approved: Registration
    pending: Registration
    rejected: Registration
    checked_in: Registration
    photo: str


@pytest.fixture
def meeting(db, event, registration_data, make_staff) -> Meeting:
    """The demo meeting with people of several categories, genders, entities and statuses."""
    staff = make_staff(Role.REGISTRAR)
    netherlands = next(e for e in event.entities if e.iso_code == "NL")
    ngo = next(c for c in event.categories if c.code == "ngo")
    session = event.sessions[3]
    photo = photos.store_photo(photos.process_photo(image_bytes()))

    def register(status, **values):
        registration = delegate_services.register(
            event, registration_data(**values), enforce_window=False
        )
        registration.status = Status(status)
        db.session.flush()
        return registration

    ingrid = {
        "given_name": "Ingrid",
        "family_name": "Zebrowska",
        "email": "ingrid.zebrowska@minbuza.example.nl",
        "gender": "female",
        "phone": "+41 22 717 9111",
        "nationality": "PL",
        "dietary_needs": "Lactose-free meals",
        "accessibility_needs": "Step-free access",
        "photo": photo,
        "function": "Counsellor for returns",
    }
    approved = register("approved", **ingrid)
    pending = register(
        "pending",
        given_name="Mehmet",
        family_name="Karaoglu",
        email="mehmet.k@example.org",
        gender="male",
        category_id=ngo.id,
        entity_id=None,
        other_organisation="Friends of Return",
        language="fr",
    )
    rejected = register("rejected", gender="other")
    rejected.status_reason = "Not a delegate of this body"
    checked_in = register("approved", gender="female", accessibility_needs="Hearing loop")
    register("waitlisted")
    register("withdrawn", gender="male")
    # A change by the delegate: personal values old → new in the audit trail.
    data = registration_data(**ingrid, unit="Directorate of Consular Affairs")
    delegate_services.update_registration(approved, data)
    letters.add_letter(
        pdf_bytes(),
        "Personal nomination.pdf",
        event=event,
        registration=approved,
        actor_type="delegate",
    )
    delegation_services.invite_focal_point(
        netherlands,
        delegation_services.FocalPointData("Eva de Vries", "focal.point@minbuza.example.nl"),
        by=staff,
    )
    letters.add_letter(
        pdf_bytes(2), "NV.pdf", event=event, entity=netherlands, by=staff, actor_type="staff"
    )
    venue = desk_services.checkpoint_for(event, VENUE)
    at_session = desk_services.checkpoint_for(event, session.code)
    for registration in (approved, checked_in):
        desk_services.check_in(registration, venue, by=staff)
        desk_services.check_in(registration, at_session, by=staff)
    db.session.commit()
    return Meeting(event, approved, pending, rejected, checked_in, photo)


def end_meeting(db, event, days_ago: int) -> None:
    """Move the meeting so that it ended ``days_ago`` days ago."""
    length = event.end_date - event.start_date
    event.end_date = date.today() - timedelta(days=days_ago)
    event.start_date = event.end_date - length
    db.session.commit()
