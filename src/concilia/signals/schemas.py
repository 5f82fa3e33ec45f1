"""Signals in/out shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class EntityOut(BaseModel):
    kind: str
    name: str
    country: str | None = None


class EventOut(BaseModel):
    """A stored event: never a post's text; no cues for a special-category post."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    post_id: int
    posted_at: datetime
    event_type: str
    confidence: float
    lang: str
    cues: list[str]
    entities: list[EntityOut]
    special_category: bool


class AssessmentOut(BaseModel):
    """The ability-to-pay suggestion; ``kind`` says plainly that it is not a decision."""

    model_config = ConfigDict(from_attributes=True)

    kind: Literal["suggestion"] = "suggestion"
    notice: str = (
        "Suggestion for an agent from public posts (GDPR art. 22: no automated decision). "
        "An agent accepts or rejects it."
    )
    band: str
    approach: str
    approach_text: str
    score: float
    vulnerability_possible: bool
    evidence: list[dict[str, Any]]
    as_of: datetime
    posts_read: int
    posts_skipped: dict[str, int]
    status: str
    decided_by: str | None
    decided_at: datetime | None


class CaseSignalsOut(BaseModel):
    case_id: int
    assessment: AssessmentOut | None
    events: list[EventOut]


class DecisionIn(BaseModel):
    decision: Literal["accepted", "rejected"]
    reason: str = Field(min_length=1, max_length=500)
