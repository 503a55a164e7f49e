"""`flask privacy purge` and `flask privacy clean-uploads`."""

import click
from flask.cli import AppGroup

from registration.extensions import db
from registration.privacy import services

privacy_cli = AppGroup("privacy", help="Retention of personal data and orphaned uploads.")


@privacy_cli.command("purge")
def purge_command() -> None:
    """Erase the personal data of meetings whose retention period has ended."""
    report = services.purge_expired_events()
    db.session.commit()
    if not report.events:
        click.echo("No meeting is past its retention period.")
    for slug, counts in report.events.items():
        done = ", ".join(f"{value} {name}" for name, value in counts.as_dict().items())
        click.echo(f"{slug}: {done}")
    click.echo("The worker deletes the cached badge pages that no approved person shows any more.")


@privacy_cli.command("clean-uploads")
def clean_uploads_command() -> None:
    """Delete photos and letters that no registration or delegation uses any more."""
    report = services.remove_orphaned_uploads()
    click.echo(f"Removed {report.photos} photo(s) and {report.letters} letter(s).")
