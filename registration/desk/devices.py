"""Device tokens: bearer secrets of scanners and apps at named desks."""

import time
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from registration.auth.models import StaffUser
from registration.database import utcnow
from registration.desk.models import DeviceToken, Scan
from registration.errors import DomainError
from registration.events.models import Event
from registration.extensions import db
from registration.security import new_token, token_hash


class DeviceError(DomainError):
    """A device token could not be created or revoked: name_required, already_revoked."""


def create_device(
    event: Event, name: str, *, by: StaffUser | None = None
) -> tuple[DeviceToken, str]:
    """Create a device token for a named desk of ``event`` (admins, `flask desk token create`).

    Returns the row and the token, which is shown once: only its hash is stored.
    """
    name = " ".join(name.split())[:120]
    if not name:
        raise DeviceError(_("Give the desk a name."), "name_required", field="name")
    token = new_token()
    device = DeviceToken(
        event=event, name=name, token_hash=token_hash(token), created_by_id=by.id if by else None
    )
    db.session.add(device)
    db.session.flush()
    return device, token


def revoke_device(device: DeviceToken) -> None:
    """Stop a device token from working (admins). Raises DeviceError('already_revoked')."""
    if device.revoked_at is not None:
        raise DeviceError(_("This device was already revoked."), "already_revoked")
    device.revoked_at = utcnow()
    db.session.flush()
    _checked.pop(device.token_hash, None)


def authenticate_device(token: str) -> DeviceToken | None:
    """The device token that is not revoked and whose hash matches ``token``."""
    return db.session.execute(
        db.select(DeviceToken)
        .where(DeviceToken.token_hash == token_hash(token), DeviceToken.revoked_at.is_(None))
        .options(joinedload(DeviceToken.event))
    ).scalar_one_or_none()


#: How long a process trusts a device token it has checked: a revocation made elsewhere (another
#: worker, the command line) stops the token within this time; in the same process at once.
DEVICE_TRUST_SECONDS = 30.0
#: Tokens checked beyond this number make the process forget them all (and check again).
_CHECKED_LIMIT = 1024


@dataclass(frozen=True)
class CheckedDevice:
    """What the scan API needs of a device: plain values, valid outside any session."""

    id: int
    event_id: int
    timezone: str


#: token hash → (monotonic time until which it is trusted, the device).
_checked: dict[str, tuple[float, CheckedDevice]] = {}


def checked_device(token: str) -> CheckedDevice | None:
    """The device of ``token`` if it is valid and not revoked, remembered for a short while.

    Every scan carries the token: one indexed read per DEVICE_TRUST_SECONDS and process instead
    of one per scan. Unknown tokens are never remembered.
    """
    key = token_hash(token)
    now = time.monotonic()
    known = _checked.get(key)
    if known is not None and known[0] > now:
        return known[1]
    row = db.session.execute(
        db.select(DeviceToken.id, DeviceToken.event_id, Event.timezone)
        .join(Event, Event.id == DeviceToken.event_id)
        .where(DeviceToken.token_hash == key, DeviceToken.revoked_at.is_(None))
    ).first()
    if row is None:
        _checked.pop(key, None)
        return None
    if len(_checked) >= _CHECKED_LIMIT:
        _checked.clear()
    device = CheckedDevice(*row)
    _checked[key] = (now + DEVICE_TRUST_SECONDS, device)
    return device


def list_devices() -> list[tuple[DeviceToken, datetime | None, int]]:
    """Every device with the time of its last scan and its number of scans, newest first."""
    last = (
        db.select(Scan.device_id, db.func.max(Scan.received_at).label("last"), db.func.count())
        .group_by(Scan.device_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(DeviceToken, last.c.last, last.c.count)
        .outerjoin(last, last.c.device_id == DeviceToken.id)
        .order_by(DeviceToken.created_at.desc(), DeviceToken.id.desc())
    ).all()
    return [(device, when, count or 0) for device, when, count in rows]
