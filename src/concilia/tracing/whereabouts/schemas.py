"""Whereabouts shapes for the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from concilia.tracing.whereabouts.models import InferenceStatus


class InferIn(BaseModel):
    """Run an inference; profiles default to all the debtor's accepted ones."""

    case_id: int | None = None
    profile_ids: list[int] | None = Field(default=None, max_length=50)


class DecisionIn(BaseModel):
    """An agent's decision on a proposed inference."""

    accept: bool
    reason: str = Field(min_length=1, max_length=2000)


class InferenceOut(BaseModel):
    """A stored inference: aggregates and explanation only."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int | None
    debtor_id: int | None
    profile_id: int
    status: InferenceStatus
    top_city: str | None
    top_country: str | None
    confidence: float
    dispersion_km: float | None
    ranked: list[dict[str, Any]]
    counts: dict[str, int]
    employer: str | None
    employer_share: float | None
    explanation: list[str]
    decline_reason: str | None
    method_version: str
    created_at: datetime
    created_by: str
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
