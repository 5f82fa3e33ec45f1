"""Training's tables: quiz attempts, certificates, policy versions and acknowledgements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from concilia.db import Base, BigIntId, IdPk, UTCDateTime


class QuizAttempt(Base):
    """Questions drawn for one staff member; answered once."""

    __tablename__ = "training_quiz_attempts"

    id: Mapped[IdPk]
    user_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    lang: Mapped[str] = mapped_column(String(5))
    jurisdiction: Mapped[str | None] = mapped_column(String(5), nullable=True)
    # [{"id", "statement", "answer", "explanation"}]: the expected answers stay server-side.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    passed: Mapped[bool | None] = mapped_column(nullable=True)


class Certificate(Base):
    """A passed quiz: lets its holder use social channels until it expires or is revoked."""

    __tablename__ = "training_certificates"

    id: Mapped[IdPk]
    user_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    attempt_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("training_quiz_attempts.id", ondelete="CASCADE"), unique=True
    )
    jurisdiction: Mapped[str | None] = mapped_column(String(5), nullable=True)
    score: Mapped[float] = mapped_column(Float)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class PolicyVersion(Base):
    """One published version of the social-media policy (a new one when its content changes)."""

    __tablename__ = "training_policy_versions"

    id: Mapped[IdPk]
    number: Mapped[int] = mapped_column(Integer, unique=True)
    content_sha256: Mapped[str] = mapped_column(String(64))
    html: Mapped[str] = mapped_column(Text)
    packs_version: Mapped[str] = mapped_column(String(300))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by: Mapped[str] = mapped_column(String(200))


class PolicyAcknowledgement(Base):
    """A staff member's acknowledgement of one policy version."""

    __tablename__ = "training_policy_acknowledgements"
    __table_args__ = (UniqueConstraint("user_id", "policy_version_id"),)

    id: Mapped[IdPk]
    user_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    policy_version_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("training_policy_versions.id", ondelete="CASCADE")
    )
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime)
