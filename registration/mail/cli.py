"""`flask mail …` commands."""

import click
from flask import current_app
from flask.cli import AppGroup

from registration.background import stop_on_signals, worker_options
from registration.mail import worker as mail_worker

mail_cli = AppGroup("mail", help="The email outbox.")


@mail_cli.command("worker")
@worker_options
def worker(once: bool, batch: int, interval: float) -> None:
    """Send queued email: SMTP when MAIL_SERVER is set, else the local mailbox.

    Several workers may run at once. SIGTERM or Ctrl-C stops after the message in flight.
    """
    server = current_app.config.get("MAIL_SERVER")
    if server:
        click.echo(f"Mail worker: sending through {server}:{current_app.config['MAIL_PORT']}.")
    else:
        click.echo("Mail worker: no MAIL_SERVER, delivering into the mailbox at /manage/mail.")
    with stop_on_signals() as stop:
        sent = mail_worker.run(batch=batch, interval=interval, stop=stop, once=once)
    click.echo(f"Mail worker stopped: {sent} message(s) sent.")
