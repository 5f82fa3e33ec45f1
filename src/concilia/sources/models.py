"""Declared sources and the public items imported from them (profiles, edges, posts, mentions).

Every item row carries its provenance (URL, captured-at, captured-by, legal basis), the date
after which the purge job deletes it (``retain_until``) and a fingerprint of the imported
line, which makes re-imports idempotent and tells updated items from unchanged ones.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from concilia.db import Base, BigIntId, IdPk, UTCDateTime


class Source(Base):
    """A declared source: what it is and what its platform's terms let us do with its items."""

    __tablename__ = "sources"

    id: Mapped[IdPk]
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    platform: Mapped[str | None] = mapped_column(String(50), nullable=True)
    allowed_purposes: Mapped[list[str]] = mapped_column(JSON, default=list)
    automated_messaging: Mapped[bool] = mapped_column(Boolean, default=False)
    retention_days: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    terms_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    declared_by: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class _Provenance:
    """Columns every imported item has."""

    url: Mapped[str] = mapped_column(String(1000))
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    captured_by: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(String(200))
    retain_until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    fingerprint: Mapped[str] = mapped_column(String(32))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Profile(_Provenance, Base):
    """A public profile as published by its owner on one source."""

    __tablename__ = "source_profiles"
    __table_args__ = (UniqueConstraint("source_id", "external_id"),)

    id: Mapped[IdPk]
    source_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("sources.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(200))
    network: Mapped[str] = mapped_column(String(30))
    display_name: Mapped[str] = mapped_column(String(300))
    # Indexed: outreach resolves a social address to the profiles it may reach.
    handle: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    city: Mapped[str | None] = mapped_column(String(200), nullable=True)
    country: Mapped[str | None] = mapped_column(String(10), nullable=True)
    employer: Mapped[str | None] = mapped_column(String(300), nullable=True)
    job_title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    school: Mapped[str | None] = mapped_column(String(300), nullable=True)
    birthday_mmdd: Mapped[str | None] = mapped_column(String(5), nullable=True)
    bio: Mapped[str | None] = mapped_column(Text, nullable=True)
    photo_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    account_created: Mapped[date | None] = mapped_column(Date, nullable=True)
    friends_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    followers_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    following_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    posts_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    privacy: Mapped[str] = mapped_column(String(10), default="public")
    language: Mapped[str | None] = mapped_column(String(10), nullable=True)


class ProfileContact(Base):
    """A phone number or e-mail address the owner published: encrypted, with a blind index."""

    __tablename__ = "source_profile_contacts"
    __table_args__ = (UniqueConstraint("profile_id", "kind", "value_index"),)

    id: Mapped[IdPk]
    profile_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("source_profiles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # "phone" or "email"
    value_encrypted: Mapped[str] = mapped_column(Text)
    value_index: Mapped[str] = mapped_column(String(64), index=True)


class FriendEdge(_Provenance, Base):
    """One public friend/follow edge between two profiles of the same source."""

    __tablename__ = "source_friend_edges"
    __table_args__ = (UniqueConstraint("source_id", "external_id"),)

    id: Mapped[IdPk]
    source_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("sources.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(200))
    profile_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("source_profiles.id", ondelete="CASCADE"), index=True
    )
    friend_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("source_profiles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # "friend" or "follows"


class Post(_Provenance, Base):
    """A public post; its text may be redacted (special category) while the row stays."""

    __tablename__ = "source_posts"
    __table_args__ = (UniqueConstraint("source_id", "external_id"),)

    id: Mapped[IdPk]
    source_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("sources.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(200))
    profile_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("source_profiles.id", ondelete="CASCADE"), index=True
    )
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    language: Mapped[str | None] = mapped_column(String(10), nullable=True)
    hashtags: Mapped[list[str]] = mapped_column(JSON, default=list)
    reply_to: Mapped[str | None] = mapped_column(String(200), nullable=True)
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    redaction_reason: Mapped[str | None] = mapped_column(String(30), nullable=True)


class Mention(_Provenance, Base):
    """A public post that mentions a collection agency (for e-reputation)."""

    __tablename__ = "source_mentions"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id"),
        Index("ix_source_mentions_posted_at", "posted_at"),
    )

    id: Mapped[IdPk]
    source_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("sources.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(200))
    author_handle: Mapped[str] = mapped_column(String(200))
    network: Mapped[str] = mapped_column(String(30))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)
    agency: Mapped[str | None] = mapped_column(String(200), nullable=True)
    language: Mapped[str | None] = mapped_column(String(10), nullable=True)
    mention_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)


ITEM_MODELS: dict[str, Any] = {
    "profiles": Profile,
    "friends": FriendEdge,
    "posts": Post,
    "mentions": Mention,
}
