"""`flask worker`: the background process of a deployment.

It delivers email (the outbox) in a thread of its own, so that a message is never kept waiting
behind a long print job, and runs jobs (documents, bulk email, pre-rendering, clean-ups,
periodic tasks) claimed from the job table. ``--concurrency N`` runs jobs in N processes, which
render the parts of a large badge batch at the same time; run several workers on several hosts
as well, they share the queue. A worker that loses the database waits and carries on.
"""

import logging
import multiprocessing
import pickle
import threading
import time

import click
from flask import Flask, current_app

from registration.background import stop_on_signals, worker_options
from registration.extensions import db
from registration.jobs import runner
from registration.jobs.process import job_process
from registration.mail import worker as mail_worker

log = logging.getLogger(__name__)

#: Seconds a stopping worker gives its job processes to finish their job before killing them.
_GRACE = 60


def _mail_thread(app: Flask, *, batch: int, interval: float, stop: threading.Event, once: bool):
    """Email delivery in a thread of this process, with an application context of its own."""
    counts = {"sent": 0}

    def deliver() -> None:
        with app.app_context():
            counts["sent"] = mail_worker.run(batch=batch, interval=interval, stop=stop, once=once)

    thread = threading.Thread(target=deliver, name="mail-delivery", daemon=True)
    thread.start()
    return thread, counts


def _picklable_config(app: Flask) -> dict:
    """The settings of this application that a job process is created with."""
    config = {}
    for key, value in app.config.items():
        try:
            pickle.dumps(value)
        except (pickle.PicklingError, TypeError, AttributeError):
            continue
        config[key] = value
    return config


def _supervise(app: Flask, concurrency: int, interval: float, stop: threading.Event) -> None:
    """Keep ``concurrency`` job processes running until ``stop``; a process that dies is
    replaced (its job is taken over when its lease lapses)."""
    context = multiprocessing.get_context("spawn")
    config = _picklable_config(app)
    processes: list = []
    try:
        while not stop.is_set():
            for process in [p for p in processes if not p.is_alive()]:
                log.warning(
                    "worker: job process %s ended (%s); starting another",
                    process.pid,
                    process.exitcode,
                )
                processes.remove(process)
            while len(processes) < concurrency:
                process = context.Process(target=job_process, args=(config, interval), daemon=False)
                process.start()
                processes.append(process)
            stop.wait(1)
    finally:
        for process in processes:
            process.terminate()  # SIGTERM: the process finishes its current job, then stops
        deadline = time.monotonic() + _GRACE
        for process in processes:
            process.join(max(0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()


@click.command("worker")
@worker_options
@click.option(
    "--concurrency",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes running jobs (email has a thread of its own).",
)
def worker_command(once: bool, batch: int, interval: float, concurrency: int) -> None:
    """Run the background worker: email delivery and jobs."""
    app = current_app._get_current_object()
    with stop_on_signals() as stop:
        mail, counts = _mail_thread(app, batch=batch, interval=interval, stop=stop, once=once)
        if once:
            ran = runner.run_due(stop=stop, periodic=True)
        elif concurrency == 1:
            ran = runner.run(stop=stop, interval=interval)
        else:
            ran = 0
            _supervise(app, concurrency, interval, stop)
        if not once:
            stop.set()
        mail.join()
        db.session.remove()
    click.echo(f"Worker stopped: {counts['sent']} message(s) sent, {ran} job(s) run.")


def init_app(app: Flask) -> None:
    """Register `flask worker`."""
    app.cli.add_command(worker_command)
