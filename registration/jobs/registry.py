"""The tasks a worker knows, registered by kind, and the periodic ones with their period.

Features register their tasks when they are imported (their ``init_app``)::

    @task("badges", title=_l("Badges"), roles=PRINT_ROLES, back="documents.index")
    def build_badges(job: JobContext) -> None: ...

    @periodic("badge-cache-prune", every=timedelta(days=1))
    def prune(job: JobContext) -> None: ...

A periodic task is scheduled through rows (one per occurrence, guarded by a unique key), so
however many workers run, each occurrence runs once.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from registration.auth.models import Role

#: A handler returns nothing when its job is done, or WAIT to be run again once its parts end.
WAIT = object()


@dataclass(frozen=True)
class Task:
    """A kind of job: its handler, its title for staff, and who may start and follow it."""

    kind: str
    handler: Callable
    title: object = ""
    #: Staff roles that may start and follow the job (admins always); empty: internal only.
    roles: frozenset[Role] = field(default_factory=frozenset)
    max_attempts: int = 3
    #: Endpoint (taking the event's ``slug``) of the page the job's page links back to.
    back: str = ""


@dataclass(frozen=True)
class Periodic:
    """A task run once per period by whichever worker gets to it first."""

    name: str
    every: timedelta

    @property
    def kind(self) -> str:
        """The kind of the job rows of this task."""
        return f"periodic:{self.name}"


TASKS: dict[str, Task] = {}
PERIODIC: dict[str, Periodic] = {}


def task(
    kind: str,
    *,
    title: object = "",
    roles: Iterable[Role] = (),
    max_attempts: int = 3,
    back: str = "",
) -> Callable:
    """Register the decorated function as the handler of jobs of ``kind``."""

    def decorator(handler: Callable) -> Callable:
        TASKS[kind] = Task(kind, handler, title, frozenset(roles), max_attempts, back)
        return handler

    return decorator


def periodic(name: str, *, every: timedelta, max_attempts: int = 1) -> Callable:
    """Register the decorated function to run once every ``every`` (on some worker)."""

    def decorator(handler: Callable) -> Callable:
        schedule = Periodic(name, every)
        PERIODIC[name] = schedule
        return task(schedule.kind, max_attempts=max_attempts)(handler)

    return decorator
