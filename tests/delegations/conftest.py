"""Fixtures for delegations: an entity with a quota and its focal point."""

import pytest

from registration.auth.models import Role
from registration.delegations import services
from registration.delegations.services import FocalPointData


@pytest.fixture
def netherlands(event):
    """The Netherlands' entity of the demo meeting."""
    return next(e for e in event.entities if e.iso_code == "NL")


@pytest.fixture
def invite(db, make_staff):
    """invite(entity, email=…) → (FocalPoint, token), committed."""

    def do(entity, email="focal.point@minbuza.example.nl", name="Eva de Vries", language="en"):
        staff = make_staff(Role.REGISTRAR)
        token = services.invite_focal_point(entity, FocalPointData(name, email, language), by=staff)
        db.session.commit()
        return services.find_focal_point(token), token

    return do
