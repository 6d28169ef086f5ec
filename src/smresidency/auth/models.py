"""People, their roles, their signed-in devices, pending registrations and reset tokens."""

import secrets
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smresidency.db import Base, utcnow


def new_session_token() -> str:
    """A fresh random token; replacing it ends every session of its user."""
    return secrets.token_urlsafe(32)


# A device session's cookie value starts with this; per-user tokens never contain a dot.
DEVICE_COOKIE_PREFIX = "d."


class User(Base):
    """Anyone who signs in; what they may do comes from their roles."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the learner's own IANA zone ("" = the cohort's or the site's) and reminder-mail choice
    timezone: Mapped[str] = mapped_column(String(64), default="", server_default="")
    reminder_mail: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())

    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", lazy="selectin", cascade="all, delete-orphan"
    )

    # The device session this request was signed in through: its row (id, …) from the session
    # loader, or the new DeviceSession at sign-in; views read only its id.
    current_device = None
    # The role names read in the same statement as the user (set by the session loader).
    role_names = None  # frozenset[str] once loaded

    # Flask-Login protocol: the session stores a token, not the id. login_user() stores this
    # per-user token, and the sign-in hook (auth.session) replaces it with a device token.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token

    @property
    def roles(self) -> set[str]:
        # the session loader reads the names with the user; loaded rows (edited?) win
        if "role_rows" not in self.__dict__ and self.role_names is not None:
            return set(self.role_names)
        return {r.role for r in self.role_rows}

    def has_role(self, role: str) -> bool:
        """True when the user holds the role."""
        return role in self.roles

    def has_any_role(self, roles) -> bool:
        """True when the user holds at least one of the roles."""
        return bool(self.roles.intersection(roles))


class UserRole(Base):
    """One role held by one user; a user may hold several."""

    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class PasswordResetToken(Base):
    """A single-use, expiring reset link; only its hash is stored."""

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class DeviceSession(Base):
    """One signed-in browser; the cookie holds its token, so ending the row ends that device."""

    __tablename__ = "device_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship()


class PendingRegistration(Base):
    """A registration waiting for its e-mail link; the account exists only once it is opened."""

    __tablename__ = "pending_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # registered through a cohort invitation: {"cohort_id", "profession", "department"}
    invitation: Mapped[dict | None] = mapped_column(JSON)
