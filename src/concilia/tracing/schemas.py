"""Request and response shapes of the review queue API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ExplanationLine(BaseModel):
    """One field's contribution: plain words and its log2 weight."""

    field: str
    text: str
    weight: float


class CandidateOut(BaseModel):
    """A proposed (debtor, profile) pair with how sure and why."""

    id: int
    debtor_key: str
    profile_key: str
    network: str | None
    probability: float
    final_weight: float
    explanation: list[ExplanationLine]
    # Fake-account and impersonation findings about the profile, in plain words.
    authenticity: list[str] = Field(default_factory=list)
    status: str
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None

    @classmethod
    def of(
        cls, candidate: Any, *, explanation: list[dict[str, Any]], authenticity: list[str]
    ) -> CandidateOut:
        """Build from a stored candidate and its rendered explanation (see the service)."""
        stored = set(cls.model_fields) - {"explanation", "authenticity"}
        return cls.model_validate(
            {
                **{name: getattr(candidate, name) for name in stored},
                "explanation": explanation,
                "authenticity": authenticity,
            }
        )


class DecisionIn(BaseModel):
    """An agent's decision on a candidate; the reason is required and audited."""

    reason: str = Field(min_length=1, max_length=2000)


class EvidenceOut(BaseModel):
    """A fact about the debtor taken from an accepted profile."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    candidate_id: int
    debtor_key: str
    kind: str
    value: str
    probability: float
    provenance: dict[str, Any]
    accepted_by: str
    created_at: datetime
