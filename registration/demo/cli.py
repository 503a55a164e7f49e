"""`flask demo …` commands."""

from datetime import date

import click
from flask.cli import AppGroup

from registration.demo import services
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
