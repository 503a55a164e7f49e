"""Jobs: long work (documents, bulk email, pre-rendering, clean-ups) done by `flask worker`."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registration.database import UTCDateTime, utcnow
from registration.events.models import Event
from registration.extensions import db
from registration.queue import Leased


class JobStatus(enum.StrEnum):
    """Where a job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    #: Waiting for its parts (chunk jobs) to finish; woken by the last of them.
    WAITING = "waiting"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """The status in the reader's language."""
        return str(_STATUS_LABELS[self])

    @property
    def finished(self) -> bool:
        """Nothing more will happen to the job."""
        return self in (JobStatus.DONE, JobStatus.FAILED)


_STATUS_LABELS = {
    JobStatus.QUEUED: _l("Queued"),
    JobStatus.RUNNING: _l("Running"),
    JobStatus.WAITING: _l("Running"),
    JobStatus.DONE: _l("Done"),
    JobStatus.FAILED: _l("Failed"),
}
#: Statuses of a job that still counts against its requester's limit.
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.WAITING)


class Job(Leased, db.Model):
    """One unit of background work, claimed by a worker through the shared queue."""

    __table_args__ = (sa.Index("ix_job_due", "status", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Secret of the job's pages and download (≥128 random bits).
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: A registered task name ("badges", "bulk_email", "periodic:…").
    kind: Mapped[str] = mapped_column(sa.String(64))
    #: The task's input (plain JSON values).
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
    #: The job this one is a part of (a chunk of a badge batch).
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("job.id", ondelete="CASCADE"), index=True
    )
    #: At most one job per key (one run of a periodic task per occurrence).
    unique_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    status: Mapped[JobStatus] = mapped_column(
        sa.Enum(
            JobStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
        ),
        default=JobStatus.QUEUED,
    )
    #: Units of work done and to do (badges, people; 0 of 0 while not known yet).
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    #: Message shown to staff when the job failed (translated when it was written).
    error: Mapped[str] = mapped_column(sa.Text, default="")
    #: Storage name of the result file, once there is one.
    result_file: Mapped[str | None] = mapped_column(sa.String(120))
    #: Name offered to the browser when downloading.
    download_name: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Not claimed before this time (retry back-off, or a waiting parent's next look).
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Last sign of life (progress, heartbeat).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The row and its result file are deleted after this (by a periodic task).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    event: Mapped[Event | None] = relationship()

    @property
    def status_label(self) -> str:
        """The status in the reader's language."""
        return self.status.label

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status} {self.done}/{self.total}>"
