"""People who sign in to the private side, and their sessions.

A user has one role; regional managers and data clerks also have an area, and see and change
only what lies inside that area's subtree. Passwords are stored as Argon2 hashes. A session is
a random token given to the browser in an HttpOnly cookie; only its SHA-256 is stored, so a
copy of the database does not let anyone sign in.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthforce.store.models.base import Base

ROLES = ("admin", "national_planner", "regional_manager", "data_clerk")


class User(Base):
    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'national_planner', 'regional_manager', 'data_clerk')",
            name="role_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class UserSession(Base):
    __tablename__ = "user_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SignInFailure(Base):
    """Failed sign-ins in a row for one user name from one address, and until when that
    address must wait. Kept for any user name, existing or not, so the answer never tells
    whether an account exists; kept per address, so nobody elsewhere can lock an account
    (the admin's) for everyone."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (UniqueConstraint("username", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Activity(Base):
    """What people did on the private side that is not a change set: sign-ins (and refused
    ones), sign-outs, exports, uploads and changes to users. The audit page shows these with
    the change sets."""

    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    username: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
