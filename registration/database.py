"""Column types and engine settings shared by every model."""

import contextlib
import contextvars
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from registration.collation import register_sqlite_collations


class UTCDateTime(sa.TypeDecorator):
    """A timezone-aware UTC timestamp on every backend (SQLite stores naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


def ping_idle_connections(engine: Engine, after_seconds: float) -> None:
    """Check a pooled connection before use when it has been idle for ``after_seconds``.

    A connection that fails the ping (PostgreSQL restarted, the network dropped it) is replaced
    by a new one before the request gets it. SQLAlchemy's pool_pre_ping pings at every
    checkout: a round trip and a tenth of a millisecond of CPU on every request, while a busy
    worker gets its connections back within milliseconds. A restart takes longer than
    ``after_seconds``, so the connections it broke have been idle long enough to be pinged.
    """
    dialect = engine.dialect

    @sa.event.listens_for(engine, "checkin")
    def _note_return(_dbapi_connection, record) -> None:
        record.info["returned_at"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < after_seconds:
            return  # new, or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and hands out a new one.
            raise sa.exc.DisconnectionError(str(error)) from error


@sa.event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL and a busy timeout let the mail worker and the web server share one SQLite file.

    The driver's own transaction handling is switched off (BEGIN is emitted in _sqlite_begin)
    because it breaks SAVEPOINTs, which the services use to turn a unique-constraint race into a
    clear error.
    """
    if _is_sqlite(dbapi_connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        register_sqlite_collations(dbapi_connection)


#: Set while a worker runs a job (see writing_worker): its transactions will write.
_WORKER_WRITES: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "worker_writes", default=False
)


@contextlib.contextmanager
def writing_worker() -> Iterator[None]:
    """Within this block, SQLite transactions of this thread take the write lock when they
    begin, as a writing request's do: a job reads, then records its outcome, while heartbeats
    and other workers commit on other connections (a deferred transaction would then fail with
    "database is locked"). Jobs keep their transactions short, never across rendering."""
    marker = _WORKER_WRITES.set(True)
    try:
        yield
    finally:
        _WORKER_WRITES.reset(marker)


#: Requests whose transaction will write.
_WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_COMMITTED = "registration.committed"


@sa.event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """Start SQLite transactions ourselves (see _sqlite_pragmas).

    A request that writes takes the write lock at once (BEGIN IMMEDIATE), waiting its turn with
    the busy timeout: a transaction that read first and then tries to write after another
    connection (the worker, a document job) committed would fail with "database is locked".
    Once the request has committed, later transactions (reloading objects to answer) only read.
    """
    if connection.dialect.name != "sqlite":
        return
    immediate = _WORKER_WRITES.get() or (
        has_request_context()
        and request.method in _WRITING_METHODS
        and not request.environ.get(_COMMITTED)
    )
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@sa.event.listens_for(Session, "after_commit")
def _note_request_commit(_session) -> None:
    """Transactions after a request's commit only reload what it answers with (see above)."""
    if has_request_context():
        request.environ[_COMMITTED] = True
