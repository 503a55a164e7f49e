"""`flask demo …` commands."""

from datetime import date

import click
from flask.cli import AppGroup

from registration.delegates.models import Status
from registration.demo import services
from registration.demo.fake import fake_registrations
from registration.events.cli import EVENT_OPTION, resolve_event
from registration.extensions import db

demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("load")
def load() -> None:
    """Import the demo meeting with its dates moved so that registration is open today."""
    event = services.load_demo(date.today())
    db.session.commit()
    click.echo(
        f"Demo meeting {event.slug}: {event.start_date} to {event.end_date}, registration open "
        f"until {event.registration_closes:%Y-%m-%d %H:%M} UTC."
    )


@demo_cli.command("fake")
@EVENT_OPTION
@click.option("--count", type=click.IntRange(1, 100_000), required=True)
@click.option(
    "--status",
    type=click.Choice([status.value for status in Status]),
    help="Give every registration this status (default: a realistic mix).",
)
@click.option("--photos", is_flag=True, help="Store a synthetic portrait for each.")
@click.option("--seed", type=int, help="Make the people reproducible.")
def fake(slug: str | None, count: int, status: str | None, photos: bool, seed: int | None) -> None:
    """Add COUNT synthetic registrations (no emails are sent) to an event."""
    event = resolve_event(slug)
    ids = fake_registrations(event, count, status=status, photos=photos, seed=seed)
    db.session.commit()
    click.echo(f"Added {len(ids)} synthetic registrations to {event.slug}.")
