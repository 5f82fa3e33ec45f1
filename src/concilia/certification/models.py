"""Certification's tables: certificates, published policy versions, acknowledgements.

Training issues certificates when a quiz is passed and publishes the policy it renders; the
records live here, below sources, tracing and outreach, because those services check them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from concilia.db import Base, BigIntId, IdPk, UTCDateTime


class Certificate(Base):
    """Lets its holder use social channels until it expires or is revoked."""

    __tablename__ = "certification_certificates"

    id: Mapped[IdPk]
    user_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # What it rests on: "quiz" (a passed training quiz) or "demo" (issued by the demo script
    # to its own users, never to a person's account by anything else).
    basis: Mapped[str] = mapped_column(String(10))
    # The training quiz attempt behind a "quiz" certificate. No foreign key: training sits
    # above this domain and owns that table.
    attempt_ref: Mapped[int | None] = mapped_column(BigIntId, nullable=True, unique=True)
    jurisdiction: Mapped[str | None] = mapped_column(String(5), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class PolicyVersion(Base):
    """One published version of the social-media policy (a new one when its content changes)."""

    __tablename__ = "certification_policy_versions"

    id: Mapped[IdPk]
    number: Mapped[int] = mapped_column(Integer, unique=True)
    content_sha256: Mapped[str] = mapped_column(String(64))
    html: Mapped[str] = mapped_column(Text)
    packs_version: Mapped[str] = mapped_column(String(300))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by: Mapped[str] = mapped_column(String(200))


class PolicyAcknowledgement(Base):
    """A staff member's acknowledgement of one policy version."""

    __tablename__ = "certification_policy_acknowledgements"
    __table_args__ = (UniqueConstraint("user_id", "policy_version_id"),)

    id: Mapped[IdPk]
    user_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    policy_version_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("certification_policy_versions.id", ondelete="CASCADE")
    )
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime)
