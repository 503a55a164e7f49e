"""`flask event …` commands."""

from pathlib import Path

import click
from flask.cli import AppGroup

from registration.errors import DomainError
from registration.events import services
from registration.events.models import Event
from registration.extensions import db

event_cli = AppGroup("event", help="Events.")

#: The ``--event SLUG`` option of every command that works on one meeting.
EVENT_OPTION = click.option(
    "--event", "slug", help="Slug of the meeting (optional when there is only one)."
)


def resolve_event(slug: str | None) -> Event:
    """The meeting named by ``--event``, or the only one there is (commands of every feature)."""
    if slug:
        event = services.get_event(slug)
        if event is None:
            raise click.ClickException(f"No event with the slug {slug!r}.")
        return event
    events = db.session.execute(db.select(Event).limit(2)).scalars().all()
    if len(events) != 1:
        raise click.ClickException("There are several meetings: name one with --event SLUG.")
    return events[0]


@event_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--shift-days", default=0, help="Move every date by this many days.")
def import_file(file: Path, shift_days: int) -> None:
    """Create or update an event from a YAML file; an error names the line and changes nothing."""
    warnings: list[str] = []
    try:
        event = services.import_event(
            file.read_text(encoding="utf-8"), shift_days=shift_days, warnings=warnings
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"{file}: {error.message}") from error
    db.session.commit()
    for warning in warnings:
        click.echo(f"{file}: {warning}", err=True)
    click.echo(
        f"Imported {event.slug}: {len(event.sessions)} sessions, "
        f"{len(event.categories)} categories, {len(event.entities)} entities."
    )


@event_cli.command("list")
def list_events() -> None:
    """List events with their dates and registration window."""
    for event in db.session.execute(db.select(Event).order_by(Event.start_date)).scalars():
        click.echo(
            f"{event.slug}\t{event.start_date} to {event.end_date}\t"
            f"registration {event.registration_opens:%Y-%m-%d %H:%M}  to  "
            f"{event.registration_closes:%Y-%m-%d %H:%M} UTC\t{event.title_in('en')}"
            if event.registration_opens and event.registration_closes
            else f"{event.slug}\t{event.start_date} to {event.end_date}\t{event.title_in('en')}"
        )
