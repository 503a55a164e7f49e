"""One claim/lease/attempts mechanism for every table that is a queue: the email outbox and jobs.

A worker claims rows in one short transaction: it writes a random claim token and a lease end
on them. PostgreSQL locks the candidates with ``FOR UPDATE SKIP LOCKED`` so that concurrent
workers take different rows instead of waiting; SQLite runs the claim as one conditional
``UPDATE`` (SQLite serialises writers, and the repeated condition makes the update a no-op for a
row another worker claimed first). Only the holder of the token records the outcome; a worker
that dies simply stops renewing its lease, and the row is claimed again once the lease has run
out. Attempts and the last error are kept on the row.
"""

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registration.database import UTCDateTime, utcnow
from registration.extensions import db


class Leased:
    """Columns of a queue row: attempts, last error, and the claim that holds it."""

    #: Attempts so far (for jobs counted when claimed, for email when recorded).
    attempts: Mapped[int] = mapped_column(default=0)
    #: Technical description of the last failure (staff see it in the logs).
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    #: Set by the worker that claimed the row; only that worker records the outcome.
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    #: The claim lapses at this time, so a row held by a worker that died is taken over.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Claim:
    """Rows claimed together: their token, when the lease ends, and the rows (still attached)."""

    token: str
    lease_end: datetime
    rows: list


def lease_free(model: type[Leased], now: datetime) -> sa.ColumnElement[bool]:
    """Not held by a live claim."""
    return sa.or_(model.claimed_until.is_(None), model.claimed_until < now)


def claim(
    model: type[Leased],
    ready: Callable[[datetime], sa.ColumnElement[bool]],
    order: Sequence,
    *,
    limit: int,
    lease: timedelta,
    values: dict | None = None,
) -> Claim:
    """Claim up to ``limit`` rows for which ``ready(now)`` holds and no live claim exists.

    ``values`` are written on the claimed rows with the claim (a status, a counter). The caller
    reads what it needs of ``Claim.rows`` and then commits: the claim is one short transaction
    (on SQLite preceded by a read-only look, committed, so call it with nothing pending).
    """
    now = utcnow()
    token = secrets.token_hex(16)
    lease_end = now + lease
    condition = sa.and_(ready(now), lease_free(model, now))
    candidates = db.select(model.id).where(condition).order_by(*order).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        # Lock the candidates now: concurrent workers skip them instead of waiting for them.
        candidates = db.session.scalars(candidates.with_for_update(skip_locked=True)).all()
    else:
        # SQLite: an idle worker never takes the write lock, even for an update of nothing
        # (a request that read first and then writes would fail with "database is locked");
        # the look ends its read transaction, so the claim's update starts a fresh one that
        # waits its turn for the lock instead of failing on a stale snapshot.
        found = db.session.execute(candidates).first() is not None
        db.session.commit()
        if not found:
            return Claim(token, lease_end, [])
    db.session.execute(
        sa.update(model)
        .where(model.id.in_(candidates), condition)
        .values(claim_token=token, claimed_until=lease_end, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    rows = db.session.scalars(
        db.select(model).where(model.claim_token == token).order_by(*order)
    ).all()
    return Claim(token, lease_end, list(rows))


def settle(model: type[Leased], row_id: int, token: str, values: dict) -> bool:
    """Record the outcome of a claimed row and end its claim; False if the claim had lapsed
    (another worker took the row over, and its outcome wins). Does not commit."""
    result = db.session.execute(
        sa.update(model)
        .where(model.id == row_id, model.claim_token == token)
        .values(claim_token=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release(
    model: type[Leased], token: str, ids: Sequence[int], values: dict | None = None
) -> None:
    """Give back claimed rows that were not worked on (stopping, or the lease ran short).
    Does not commit."""
    if not ids:
        return
    db.session.execute(
        sa.update(model)
        .where(model.id.in_(ids), model.claim_token == token)
        .values(claim_token=None, claimed_until=None, **(values or {}))
        .execution_options(synchronize_session=False)
    )


def renew(
    connection: sa.Connection,
    model: type[Leased],
    row_id: int,
    token: str,
    lease: timedelta,
    values: dict | None = None,
) -> bool:
    """Extend a claim on ``connection`` (a heartbeat, outside the worker's session); False
    when the claim is lost, so the holder stops working on the row."""
    result = connection.execute(
        sa.update(model)
        .where(model.id == row_id, model.claim_token == token)
        .values(claimed_until=utcnow() + lease, **(values or {}))
    )
    return result.rowcount == 1
