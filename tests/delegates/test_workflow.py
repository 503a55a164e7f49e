"""The secretariat's decisions: transitions, emails, audit, capacity, the waiting list."""

import pytest

from registration.audit.models import AuditEvent
from registration.delegates import workflow
from registration.delegates.models import Status
from registration.mail.models import OutboxEmail


def _emails(db, registration, template):
    return (
        db.session.execute(
            db.select(OutboxEmail).where(
                OutboxEmail.registration_id == registration.id, OutboxEmail.template == template
            )
        )
        .scalars()
        .all()
    )


def test_approve_pending_audits_and_emails_in_the_delegates_language(
    db, make_registration, make_staff
):
    staff = make_staff("registrar")
    registration = make_registration("pending", language="fr")

    workflow.approve(registration, by=staff)
    db.session.commit()

    assert registration.status == Status.APPROVED
    (email,) = _emails(db, registration, "status_approved")
    assert email.language == "fr"
    assert registration.reference in email.subject
    audit = db.session.execute(
        db.select(AuditEvent).where(
            AuditEvent.registration_id == registration.id, AuditEvent.action == "approved"
        )
    ).scalar_one()
    assert audit.changes == {"status": ["pending", "approved"]}
    assert audit.actor_staff_id == staff.id


@pytest.mark.parametrize("status", ["approved"])
def test_approve_twice_is_refused(db, make_registration, make_staff, status):
    registration = make_registration(status)
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.approve(registration, by=make_staff())
    assert error.value.code == "already_approved"
