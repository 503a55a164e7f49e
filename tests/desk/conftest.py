"""Desk fixtures: device tokens, a second meeting, and scans through the API."""

from datetime import date

import pytest

from registration.delegates.models import BADGE, MANAGE, Registration, Status, token_columns
from registration.desk import devices
from registration.events.models import Category, Event
from registration.security import new_token


@pytest.fixture
def device(db, event):
    """(DeviceToken, token) for a desk of the demo meeting."""
    row, token = devices.create_device(event, "Main entrance 1")
    db.session.commit()
    return row, token


@pytest.fixture
def post_scan(client, device):
    """post_scan(token=…, **fields) → response of POST /api/v1/scans with the device token."""

    def do(headers=None, **fields):
        fields.setdefault("checkpoint", "venue")
        return client.post(
            "/api/v1/scans",
            json=fields,
            headers={"Authorization": f"Bearer {device[1]}", **(headers or {})},
        )

    return do


@pytest.fixture
def other_registration(db):
    """An approved registration of another meeting."""
    other = Event(
        slug="other-meeting",
        title={"en": "Another meeting"},
        start_date=date(2030, 1, 1),
        end_date=date(2030, 1, 2),
    )
    category = Category(event=other, code="ngo", name={"en": "NGOs"})
    registration = Registration(
        event=other,
        category=category,
        reference="OTH-33333",
        **token_columns(MANAGE, new_token()),
        **token_columns(BADGE, new_token()),
        status=Status.APPROVED,
        given_name="Omar",
        family_name="Other",
        email="omar@example.org",
        person_key="omar",
        other_organisation="Elsewhere",
    )
    db.session.add(registration)
    db.session.commit()
    return registration
