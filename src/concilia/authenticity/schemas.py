"""Authenticity shapes for the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class FlagOut(BaseModel):
    """A profile's authenticity flags, with the reasons and any override."""

    model_config = ConfigDict(from_attributes=True)

    profile_id: int
    fake_score: float
    is_fake: bool
    fake_reasons: list[str]
    is_impersonator: bool
    impersonator_of: int | None
    impersonation_score: float | None
    impersonation_reasons: list[str]
    model_version: str
    scored_at: datetime
    overridden: bool
    override_reason: str | None
    override_by: str | None
    override_at: datetime | None
    blocked: bool


class UsabilityOut(BaseModel):
    """Whether a profile may become evidence or a contact channel, and why (not)."""

    profile_id: int
    usable: bool
    reasons: list[str]


class OverrideIn(BaseModel):
    """An agent's reason to use a flagged profile anyway."""

    reason: str = Field(min_length=10, max_length=2000)


class ScoreIn(BaseModel):
    """Which profiles to score (all when empty)."""

    profile_ids: list[int] = Field(default_factory=list, max_length=10_000)


class ScoreOut(BaseModel):
    """What a scoring run did."""

    scored: int
    fake: int
    impersonators: int
    model_version: str
