"""`flask worker`: the background process of a deployment.

Each round delivers the email that is due (the outbox) and pre-renders the badge pages of
registrations approved or changed since the last round, so that printing 1,000 badges only merges
cached pages. Run one or several; they never send a message twice.
"""

import logging
import threading

import click
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from registration.background import stop_on_signals, worker_options
from registration.documents.services import prerender_badges
from registration.extensions import db
from registration.mail import worker as mail_worker

log = logging.getLogger(__name__)

#: Badge pages rendered per round, so that email is never kept waiting long.
BADGES_PER_ROUND = 20


def run_round(*, batch: int) -> tuple[int, int]:
    """Deliver the email that is due, then render missing badge pages; returns both counts."""
    sent = mail_worker.run(batch=batch, interval=0, stop=threading.Event(), once=True)
    try:
        rendered = prerender_badges(BADGES_PER_ROUND)
    except (SQLAlchemyError, OSError):
        # Badges are a cache: a failure here must never stop email delivery.
        log.exception("worker: badge pre-rendering failed")
        rendered = 0
    finally:
        db.session.rollback()
        db.session.remove()
    return sent, rendered


@click.command("worker")
@worker_options
def worker_command(once: bool, batch: int, interval: float) -> None:
    """Run the background worker: email delivery and badge pre-rendering."""
    sent_total = rendered_total = 0
    with stop_on_signals() as stop:
        while not stop.is_set():
            sent, rendered = run_round(batch=batch)
            sent_total, rendered_total = sent_total + sent, rendered_total + rendered
            if once:
                break
            if rendered < BADGES_PER_ROUND:
                stop.wait(interval)
    click.echo(
        f"Worker stopped: {sent_total} message(s) sent, {rendered_total} badge page(s) rendered."
    )


def init_app(app: Flask) -> None:
    """Register `flask worker`."""
    app.cli.add_command(worker_command)
