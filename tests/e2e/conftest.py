"""Browser tests: the app served on a loopback port, driven by Playwright in Debian's Chromium."""

import threading

import pytest
from werkzeug.serving import make_server

from registration.extensions import db as _db
from registration.jobs import runner
from tests.conftest import free_port, make_test_app

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, as root, without reaching for the network."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def _run_jobs(application, stop: threading.Event) -> None:
    """A job worker beside the served app, as `flask worker` runs beside a web server."""
    with application.app_context():
        runner.run(stop=stop, interval=0.2, periodic=False)


class _InFlight:
    """The served app, counting the requests being answered: the page's last requests (a
    desk's roster refresh, a poll) may still hold a database connection when a test ends."""

    def __init__(self, application):
        self._application = application
        self._busy = 0
        self._changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self._changed:
            self._busy += 1
        try:
            # Flask has returned the request's connection to the pool when this returns.
            return self._application(environ, start_response)
        finally:
            with self._changed:
                self._busy -= 1
                self._changed.notify_all()

    def wait_idle(self, timeout: float) -> None:
        """Wait until no request is being answered (at most ``timeout`` seconds)."""
        with self._changed:
            self._changed.wait_for(lambda: self._busy == 0, timeout)


@pytest.fixture
def live_server(app):
    """A second app on the same database with CSRF on, served by a thread, with a job worker
    thread; yields the app, its URL as ``base_url``."""
    port = free_port()
    served = make_test_app(WTF_CSRF_ENABLED=True, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
    in_flight = _InFlight(served)
    server = make_server("127.0.0.1", port, in_flight, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stop = threading.Event()
    worker = threading.Thread(target=_run_jobs, args=(served, stop), daemon=True)
    worker.start()
    served.base_url = f"http://127.0.0.1:{port}"
    yield served
    server.shutdown()
    stop.set()
    thread.join(timeout=5)
    worker.join(timeout=60)
    # Requests still being answered would return their connection to the pool disposed below,
    # where nobody closes it (a ResourceWarning, an error under filterwarnings = error).
    in_flight.wait_idle(timeout=30)
    with served.app_context():
        # Close its pooled connections now: a shared PostgreSQL server has few to spare.
        _db.engine.dispose()
