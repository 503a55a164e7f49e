"""What the long-running worker commands share: their options and a graceful stop."""

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator

import click


@contextlib.contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or Ctrl-C, so that a loop can finish its current step."""
    stop = threading.Event()
    previous = {
        number: signal.signal(number, lambda *_: stop.set())
        for number in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def worker_options(command: Callable) -> Callable:
    """--once, --batch and --interval, as `flask worker` and `flask mail worker` take them."""
    options = [
        click.option("--once", is_flag=True, help="Do what is due now, then exit."),
        click.option(
            "--batch",
            default=20,
            show_default=True,
            type=click.IntRange(1, 1000),
            help="Messages claimed at a time.",
        ),
        click.option(
            "--interval",
            default=2.0,
            show_default=True,
            type=click.FloatRange(0.1, 3600),
            help="Seconds to wait when nothing is due or sending fails.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command
