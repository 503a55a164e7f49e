"""`flask desk token create|list|revoke`."""

import re

from registration.desk.devices import authenticate_device
from registration.desk.models import DeviceToken


def test_create_prints_the_token_once_and_stores_its_hash(db, runner, event):
    result = runner.invoke(args=["desk", "token", "create", "Door A", "--event", event.slug])
    assert result.exit_code == 0, result.output
    token = re.search(r"Token \(shown once\): (\S+)", result.output).group(1)
    device = authenticate_device(token)
    assert device.name == "Door A" and device.event_id == event.id
    assert token not in device.token_hash
    listing = runner.invoke(args=["desk", "token", "list"])
    assert "Door A" in listing.output and "active" in listing.output
    assert token not in listing.output


def test_the_only_event_is_the_default(runner, event):
    result = runner.invoke(args=["desk", "token", "create", "Door B"])
    assert result.exit_code == 0 and f"for {event.slug}" in result.output


def test_unknown_event_and_empty_name_are_refused(runner, event):
    assert runner.invoke(args=["desk", "token", "create", "X", "--event", "nope"]).exit_code == 1
    assert runner.invoke(args=["desk", "token", "create", "  "]).exit_code == 1


def test_revoke(db, runner, event):
    runner.invoke(args=["desk", "token", "create", "Door C"])
    device = db.session.execute(db.select(DeviceToken)).scalar_one()
    assert runner.invoke(args=["desk", "token", "revoke", str(device.id)]).exit_code == 0
    db.session.refresh(device)
    assert device.revoked_at is not None
    assert runner.invoke(args=["desk", "token", "revoke", str(device.id)]).exit_code == 1
    assert runner.invoke(args=["desk", "token", "revoke", "9999"]).exit_code == 1
