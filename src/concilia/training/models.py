"""Training's table: quiz attempts (certificates, policy versions and acknowledgements are
certification's records)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String
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
