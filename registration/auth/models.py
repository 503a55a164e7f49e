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
    #: Set when someone else chose the password (an admin, the CLI): changed at next sign-in.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: Base32 TOTP secret; set at enrolment, used once ``totp_enabled_at`` is set.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Time step of the last accepted code: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: SHA-256 hashes of the unused recovery codes.
    recovery_code_hashes: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Failed sign-ins since the last success, from any address (they slow the next attempt).
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    last_failed_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sessions: Mapped[list["StaffSession"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def get_id(self) -> str | None:
        """Flask-Login keeps the session secret in the cookie, never the account id."""
        return self.session_secret

    @property
    def two_factor_enabled(self) -> bool:
        """Whether sign-in asks for a TOTP code."""
        return self.totp_enabled_at is not None

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
    #: Last request (to the minute): idle sessions end after STAFF_SESSION_IDLE_MINUTES.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")

    user: Mapped[StaffUser] = relationship(back_populates="sessions")


class AccountToken(db.Model):
    """A single-use secret link to set a password: a reset asked by email, or an invitation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the secret in the emailed link; the secret itself is never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="CASCADE"))
    #: reset or invitation.
    purpose: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[StaffUser] = relationship()
