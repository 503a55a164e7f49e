"""A job process of `flask worker --concurrency N`, spawned so that it starts clean.

Its own module, importing little: a spawned process imports the module of its target before
anything else, and the feature packages must be imported in create_app's order.
"""

import os
import threading

from registration.background import stop_on_signals
from registration.jobs import runner


def _stop_with_parent(parent: int, stop: threading.Event) -> None:
    """Stop when the supervising worker is gone (killed without a chance to stop us)."""
    while not stop.wait(1):
        if os.getppid() != parent:
            stop.set()


def job_process(config: dict, interval: float) -> None:
    """A job process (spawned, so it starts clean): the same settings, jobs only.

    It leads a session of its own: Linux shares the CPU fairly between sessions
    (autogroups), so processes of one session would share one CPU's worth of time however many
    there are, as if the worker had one process. The supervisor stops it when it stops.
    """
    from registration import create_app

    parent = os.getppid()
    os.setsid()
    app = create_app(config)
    with app.app_context(), stop_on_signals() as stop:
        threading.Thread(target=_stop_with_parent, args=(parent, stop), daemon=True).start()
        runner.run(stop=stop, interval=interval)
