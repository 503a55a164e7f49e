"""Racing calls from threads released together, each with its own database session."""

import threading
from collections.abc import Callable

from registration.errors import DomainError
from registration.extensions import db

#: A racing call receives ``ready``: it calls it right before the step that races.
Call = Callable[[Callable[[], object]], object]


def run_together(app, calls: list[Call], *, timeout: float = 120) -> list:
    """Run every call in its own thread and application context, released by one barrier.

    Returns, in the order of ``calls``, what each call returned (its transaction committed),
    or the ``code`` of the DomainError it raised, or the repr of any other exception (both
    rolled back).
    """
    db.session.remove()  # the caller's session must not hold locks or a snapshot
    # A call must not hold a connection while it waits: the pool has fewer than 20.
    barrier = threading.Barrier(len(calls), timeout=timeout / 2)
    outcomes: list = [None] * len(calls)

    def run(index: int, call: Call) -> None:
        with app.app_context():
            try:
                outcomes[index] = call(barrier.wait)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                outcomes[index] = error.code
            except Exception as error:  # reported to the test, which asserts on outcomes
                db.session.rollback()
                outcomes[index] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
