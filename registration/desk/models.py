"""Attendance at the venue and at each agenda session, desk devices and the scan log."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registration.auth.models import StaffUser
from registration.database import UTCDateTime, utcnow
from registration.delegates.models import Registration
from registration.events.models import AgendaSession, Event
from registration.extensions import db

#: Checkpoint of the venue entrance; a session's checkpoint is its code.
VENUE = "venue"


class Attendance(db.Model):
    """One person's entry at one checkpoint (the venue, or one agenda session).

    At most one entry that is not annulled per registration and checkpoint.
    """

    __table_args__ = (
        sa.Index(
            "uq_attendance_current",
            "registration_id",
            "checkpoint",
            unique=True,
            sqlite_where=sa.text("annulled_at IS NULL"),
            postgresql_where=sa.text("annulled_at IS NULL"),
        ),
        sa.Index("ix_attendance_session", "session_id", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE")
    )
    #: "venue", or the code of the agenda session.
    checkpoint: Mapped[str] = mapped_column(sa.String(64))
    #: The agenda session for a session checkpoint; None at the venue.
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_session.id", ondelete="CASCADE")
    )
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    #: Set when staff annul a mistaken check-in; the row is kept.
    annulled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    annul_reason: Mapped[str] = mapped_column(sa.Text, default="")

    registration: Mapped[Registration] = relationship()
    session: Mapped[AgendaSession | None] = relationship()
    staff: Mapped[StaffUser | None] = relationship()


class DeviceToken(db.Model):
    """A scanner, phone or app at a named desk, allowed to post scans for one event.

    It acts with the rights of the checkin role on the scan API only. The token itself is
    shown once when it is created; only its SHA-256 is stored.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    #: The desk's name, e.g. "Main entrance 2".
    name: Mapped[str] = mapped_column(sa.String(120))
    #: SHA-256 of the bearer token (registration.security.token_hash).
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()

    def __repr__(self) -> str:
        return f"<DeviceToken {self.name!r}>"


class Scan(db.Model):
    """One scan at a desk or by a device, whatever its result: the append-only scan log.

    The badge token itself is never stored; ``registration_id`` says whose badge it was.
    """

    #: Set on a scan given back for a repeated nonce (not a column).
    replayed = False

    __table_args__ = (
        # A retried request (same nonce from the same client) gives the first answer again.
        sa.UniqueConstraint("client_key", "nonce"),
        sa.Index("ix_scan_event_received", "event_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    device_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("device_token.id", ondelete="SET NULL")
    )
    staff_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    #: "d<device id>" or "s<staff id>": the client whose nonces are unique.
    client_key: Mapped[str] = mapped_column(sa.String(24))
    #: Chosen by the client for each scan; None when it sent none.
    nonce: Mapped[str | None] = mapped_column(sa.String(100))
    checkpoint: Mapped[str] = mapped_column(sa.String(64))
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL")
    )
    #: The entry created ("ok") or found ("already_checked_in").
    attendance_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("attendance.id", ondelete="SET NULL")
    )
    #: "ok", or the reason of the refusal (unknown_token, already_checked_in, …).
    result: Mapped[str] = mapped_column(sa.String(32))
    #: The desk overrode a warning (session_not_chosen).
    forced: Mapped[bool] = mapped_column(default=False)
    #: How the badge was read: api, scanner, camera, search or walk_in.
    source: Mapped[str] = mapped_column(sa.String(16))
    #: When the device says it read the badge (its own clock), if it said.
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration | None] = relationship()
    attendance: Mapped[Attendance | None] = relationship()
    device: Mapped[DeviceToken | None] = relationship()

    def __repr__(self) -> str:
        return f"<Scan {self.checkpoint} {self.result}>"


@sa.event.listens_for(Scan, "before_update")
@sa.event.listens_for(Scan, "before_delete")
def _scan_log_is_append_only(_mapper, _connection, target: Scan) -> None:
    """The ORM never changes or removes a logged scan."""
    raise RuntimeError(f"the scan log is append-only ({target!r})")
