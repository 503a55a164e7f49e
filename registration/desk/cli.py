"""`flask desk token …` commands: device tokens for scanners and apps."""

import click
from flask.cli import AppGroup

from registration.desk import devices
from registration.desk.models import DeviceToken
from registration.errors import DomainError
from registration.events.cli import EVENT_OPTION, resolve_event
from registration.extensions import db

desk_cli = AppGroup("desk", help="Check-in desk.")
token_cli = AppGroup("token", help="Device tokens for the scan API.")
desk_cli.add_command(token_cli)


@token_cli.command("create")
@click.argument("name")
@EVENT_OPTION
def create(name: str, slug: str | None) -> None:
    """Create a device token for the desk NAME and print it once (only its hash is kept)."""
    event = resolve_event(slug)
    try:
        device, token = devices.create_device(event, name)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Device {device.id} “{device.name}” for {event.slug}.")
    click.echo(f"Token (shown once): {token}")


@token_cli.command("list")
def list_tokens() -> None:
    """List device tokens with their last scan."""
    for device, last_scan, count in devices.list_devices():
        state = f"revoked {device.revoked_at:%Y-%m-%d %H:%M}" if device.revoked_at else "active"
        last = f"{last_scan:%Y-%m-%d %H:%M} UTC" if last_scan else "never"
        click.echo(
            f"{device.id}\t{device.event.slug}\t{device.name}\t{state}\t{count} scans, last {last}"
        )


@token_cli.command("revoke")
@click.argument("device_id", type=int)
def revoke(device_id: int) -> None:
    """Revoke the device token DEVICE_ID."""
    device = db.session.get(DeviceToken, device_id)
    if device is None:
        raise click.ClickException(f"No device {device_id}.")
    try:
        devices.revoke_device(device)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Revoked device {device.id} “{device.name}”.")
