"""Users, teams, API tokens, web sessions and login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, Enum, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from concilia.auth.roles import Role
from concilia.db import Base, BigIntId, IdPk, UTCDateTime

user_teams = Table(
    "user_teams",
    Base.metadata,
    Column("user_id", BigIntId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", BigIntId, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
)


class Team(Base):
    """A team owns cases; agents and supervisors see their teams' cases only."""

    __tablename__ = "teams"

    id: Mapped[IdPk]
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class User(Base):
    """A person who signs in to Concilia."""

    __tablename__ = "users"

    id: Mapped[IdPk]
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=30))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # The UI language the user chose (fr, es, en); None: the browser's Accept-Language.
    language: Mapped[str | None] = mapped_column(String(5), nullable=True, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    teams: Mapped[list[Team]] = relationship(secondary=user_teams, lazy="selectin")


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, it expires and can be revoked."""

    __tablename__ = "api_tokens"

    id: Mapped[IdPk]
    user_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WebSession(Base):
    """A signed-in browser: the cookie carries a random token whose hash is stored here."""

    __tablename__ = "web_sessions"

    id: Mapped[IdPk]
    user_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LoginAttempt(Base):
    """Every password check, kept to rate-limit guessing per account and per address."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[IdPk]
    username: Mapped[str] = mapped_column(String(100))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    success: Mapped[bool] = mapped_column(Boolean)
