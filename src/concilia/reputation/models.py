"""Reputation's tables: the classification of each imported mention, and negative-spike alerts.

Mentions themselves belong to ``sources`` (table ``source_mentions``); a classification is keyed
by the mention's id and goes with it when sources purges or erases the mention.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from concilia.db import Base, BigIntId, IdPk, UTCDateTime


class MentionClassification(Base):
    """Language, sentiment, topic and confidence of one imported mention."""

    __tablename__ = "reputation_classifications"

    id: Mapped[IdPk]
    mention_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("source_mentions.id", ondelete="CASCADE"), unique=True
    )
    # Copied from the mention so that series by day need no join into sources' table.
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    lang: Mapped[str] = mapped_column(String(5))
    sentiment: Mapped[str] = mapped_column(String(10))
    topic: Mapped[str] = mapped_column(String(20))
    confidence: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(20))
    classified_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SpikeAlert(Base):
    """A day whose number of negative mentions is improbable under the recent baseline."""

    __tablename__ = "reputation_spike_alerts"

    id: Mapped[IdPk]
    day: Mapped[date] = mapped_column(Date, unique=True)
    negatives: Mapped[int] = mapped_column(Integer)
    baseline: Mapped[float] = mapped_column(Float)
    threshold: Mapped[int] = mapped_column(Integer)
    p_value: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
