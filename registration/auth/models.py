"""Staff accounts, their roles and their signed-in sessions."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registration.database import UTCDateTime, utcnow
from registration.extensions import db


class Role(enum.StrEnum):
    """What a staff member may do; each role includes the ones below it except where noted."""

    ADMIN = "admin"
    REGISTRAR = "registrar"
    CHECKIN = "checkin"
    VIEWER = "viewer"


class StaffUser(UserMixin, db.Model):
    """A member of the secretariat who signs in to /manage or /desk."""

    #: Secret of the server-side session this object was loaded through (not a column).
    session_secret = None

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    #: argon2id hash.
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sessions: Mapped[list["StaffSession"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def get_id(self) -> str | None:
        """Flask-Login keeps the session secret in the cookie, never the account id."""
        return self.session_secret

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot sign in."""
        return self.active

    def __repr__(self) -> str:
        return f"<StaffUser {self.email} {self.role}>"


class StaffSession(db.Model):
    """A server-side sign-in; signing out deletes it, so a copied cookie stops working."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the random session secret kept in the signed cookie.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")

    user: Mapped[StaffUser] = relationship(back_populates="sessions")
