"""Authenticity flags: one row per scored profile, with the reasons and any agent override."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from concilia.db import Base, BigIntId, IdPk, UTCDateTime


class AuthenticityFlag(Base):
    """How likely a profile is fake, whether it impersonates another, and why.

    A flagged profile (fake or impersonator) cannot become evidence or a contact channel
    until an agent overrides the flag with a reason (audited).
    """

    __tablename__ = "authenticity_flags"

    id: Mapped[IdPk]
    profile_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("source_profiles.id", ondelete="CASCADE"), unique=True
    )
    fake_score: Mapped[float] = mapped_column(Float)
    is_fake: Mapped[bool] = mapped_column(Boolean, default=False)
    fake_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_impersonator: Mapped[bool] = mapped_column(Boolean, default=False)
    # No foreign key: when the original is purged the copy must stay blocked.
    impersonator_of: Mapped[int | None] = mapped_column(BigIntId, nullable=True, index=True)
    impersonation_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    impersonation_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    model_version: Mapped[str] = mapped_column(String(40))
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime)
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    override_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    override_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    override_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def flagged(self) -> bool:
        """Fake or impersonator, whether or not an agent overrode it."""
        return self.is_fake or self.is_impersonator

    @property
    def blocked(self) -> bool:
        """Flagged and not overridden: may not be used as evidence or contact channel."""
        return self.flagged and not self.overridden
