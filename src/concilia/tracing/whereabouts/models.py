"""Stored whereabouts inferences: aggregates only, never a friend's identity or data.

A row holds what an agent needs to judge the suggestion — ranked city names with their
probabilities, counts, distances and the plain-words explanation — and its review status.
It has no column that could hold a friend's profile id, name, handle or post.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from concilia.db import Base, BigIntId, IdPk, UTCDateTime


class InferenceStatus(enum.StrEnum):
    """A suggestion until an agent decides; accepted inferences become evidence."""

    proposed = "proposed"
    declined = "declined"  # the engine would not guess: nothing for an agent to accept
    accepted = "accepted"
    rejected = "rejected"


class WhereaboutsInference(Base):
    """The likely current city (and employer) of the person behind an accepted profile."""

    __tablename__ = "whereabouts_inferences"

    id: Mapped[IdPk]
    # The case and debtor are owned by portfolio; kept as plain ids so this table does not
    # depend on that domain's tables being present.
    case_id: Mapped[int | None] = mapped_column(BigIntId, nullable=True, index=True)
    debtor_id: Mapped[int | None] = mapped_column(BigIntId, nullable=True, index=True)
    # The debtor's own accepted profile (not a friend's).
    profile_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("source_profiles.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[InferenceStatus] = mapped_column(
        Enum(InferenceStatus, native_enum=False, length=20)
    )
    top_city: Mapped[str | None] = mapped_column(String(200), nullable=True)
    top_country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    top_city_id: Mapped[int | None] = mapped_column(BigIntId, nullable=True)
    confidence: Mapped[float] = mapped_column(Float)
    dispersion_km: Mapped[float | None] = mapped_column(Float, nullable=True)
    # [{"city": label, "city_id": geonames id, "country", "probability", "friends_within_25km",
    #   "distance_to_stated_km"}]
    ranked: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Counts only: friends, friends stating a city, placed by propagation, ...
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    employer: Mapped[str | None] = mapped_column(String(300), nullable=True)
    employer_share: Mapped[float | None] = mapped_column(Float, nullable=True)
    explanation: Mapped[list[str]] = mapped_column(JSON, default=list)
    decline_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    method_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
