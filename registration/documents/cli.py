"""`flask documents …`: badges, list of participants, exports and certificates from a shell."""

from pathlib import Path

import click
from flask.cli import AppGroup
from werkzeug.datastructures import MultiDict

from registration.delegates.filters import parse_filter
from registration.delegates.models import Registration, Status
from registration.documents import badges, certificates, exports, participants, services
from registration.errors import DomainError
from registration.events.cli import EVENT_OPTION, resolve_event
from registration.extensions import db

documents_cli = AppGroup("documents", help="Badges, list of participants, exports, certificates.")

_OUT = click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path)
)
_STATUS = click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([status.value for status in Status]),
    help="Only registrations with this status (repeatable).",
)


@documents_cli.command("badges")
@EVENT_OPTION
@_STATUS
@click.option("--layout", type=click.Choice(list(badges.OUTPUTS)), default="a6", show_default=True)
@click.option("--crop-marks", is_flag=True, help="Cut marks on A4 sheets.")
@click.option("--new", "only_new", is_flag=True, help="Only unprinted badges; mark them printed.")
@_OUT
def badges_command(slug, statuses, layout, crop_marks, only_new, out: Path) -> None:
    """Badges of the event's approved registrations as one PDF."""
    event = resolve_event(slug)
    selection = parse_filter(MultiDict([("status", status) for status in statuses]))
    batch = services.badge_batch(event, selection, only_new=only_new)
    db.session.commit()
    with click.progressbar(length=len(batch.ids), label="Badges") as bar:

        def progress(done: int, total: int) -> None:
            bar.update(done - bar.pos)

        try:
            services.write_badges(
                batch, str(out), output=layout, crop_marks=crop_marks, progress=progress
            )
        except DomainError as error:
            raise click.ClickException(error.message) from error
    if only_new:
        services.mark_badges_printed(batch.ids, actor_type="system")
        db.session.commit()
    click.echo(f"{len(batch.ids)} badges written to {out}.")


@documents_cli.command("participants")
@EVENT_OPTION
@click.option("--lang", "language", type=click.Choice(participants.LANGUAGES), default="en")
@click.option("--official", is_flag=True, help="Every approved participant, consent or not.")
@_OUT
def participants_command(slug: str | None, language: str, official: bool, out: Path) -> None:
    """The list of participants in UN order as a PDF."""
    data = participants.participants_data(resolve_event(slug), language, official=official)
    db.session.commit()
    out.write_bytes(participants.render_participants(data))
    click.echo(f"{data['count']} participants written to {out}.")


@documents_cli.command("export")
@EVENT_OPTION
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), required=True)
@click.option(
    "--columns",
    default=",".join(exports.DEFAULT_COLUMNS),
    show_default=True,
    help=f"Comma-separated, in order, among: {', '.join(exports.COLUMNS)}.",
)
@_STATUS
@_OUT
def export_command(slug: str | None, fmt: str, columns: str, statuses, out: Path) -> None:
    """Registrations as CSV or XLSX with chosen columns."""
    selection = parse_filter(MultiDict([("status", status) for status in statuses]))
    names = [name.strip() for name in columns.split(",") if name.strip()]
    try:
        data = exports.export_registrations(resolve_event(slug), selection, names, fmt)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    out.write_bytes(data)
    click.echo(f"Registrations written to {out}.")


@documents_cli.command("attendance")
@EVENT_OPTION
@_OUT
def attendance_command(slug: str | None, out: Path) -> None:
    """The attendance matrix (registrants × sessions) as XLSX."""
    out.write_bytes(exports.export_attendance(resolve_event(slug)))
    click.echo(f"Attendance written to {out}.")


@documents_cli.command("certificate")
@click.option("--reference", required=True)
@_OUT
def certificate_command(reference: str, out: Path) -> None:
    """A delegate's certificate of attendance."""
    registration = db.session.execute(
        db.select(Registration).where(Registration.reference == reference.strip().upper())
    ).scalar_one_or_none()
    if registration is None:
        raise click.ClickException(f"No registration with the reference {reference!r}.")
    try:
        out.write_bytes(certificates.render_certificate(registration))
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Certificate written to {out}.")


@documents_cli.command("warm-badges")
@click.option("--batch", default=200, show_default=True, help="Pages rendered per round.")
def warm_badges(batch: int) -> None:
    """Render every missing badge page into the cache (what the background worker does)."""
    total = 0
    while rendered := services.prerender_badges(batch):
        total += rendered
        click.echo(f"{total} pages rendered…")
    click.echo(f"Badge cache is warm ({total} pages rendered).")


@documents_cli.command("prune-badges")
def prune_badges() -> None:
    """Delete cached badge pages that no approved registration shows any more."""
    click.echo(f"{services.prune_badge_cache()} stale badge pages deleted.")
