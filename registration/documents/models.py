"""Background jobs that build long documents while a progress page polls them."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registration.database import UTCDateTime, utcnow
from registration.events.models import Event
from registration.extensions import db


class JobStatus(enum.StrEnum):
    """Where a document job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class DocumentJob(db.Model):
    """A batch of badges, a list of participants or an export being built outside the request."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Secret of the job's pages and download (≥128 random bits).
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: "badges", "participants" or "export".
    kind: Mapped[str] = mapped_column(sa.String(32))
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    #: What to build: layout, filters, language… (plain JSON values).
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(
        sa.Enum(
            JobStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
        ),
        default=JobStatus.QUEUED,
    )
    #: Units of work done and to do (badges, people; 0 of 0 while it is not known yet).
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    #: Message shown to staff when the job failed.
    error: Mapped[str] = mapped_column(sa.Text, default="")
    #: File name of the result under the document output folder.
    file_name: Mapped[str | None] = mapped_column(sa.String(100))
    #: Name offered to the browser when downloading.
    download_name: Mapped[str] = mapped_column(sa.String(200), default="document.pdf")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Last sign of life; a running job silent for long is shown as failed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()

    def __repr__(self) -> str:
        return f"<DocumentJob {self.kind} {self.status} {self.done}/{self.total}>"
