"""Strategy's API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class NextActionOut(BaseModel):
    """A case's next best action, explained in plain words."""

    case_id: int
    strategy: str
    kind: str = Field(description="send, call, escalate, specialist, wait, pause or none")
    channel: str | None
    template: str | None
    at: datetime | None = Field(description="when it is due (UTC)")
    priority: float | None = Field(description="worklist order: higher first")
    explanation: str


class ActionOut(BaseModel):
    """A step the scheduler took or skipped for a case."""

    step: int
    segment: str
    action: str
    channel: str | None
    template: str | None
    status: str
    rules: list[dict[str, str]]
    explanation: str
    at: datetime


class CaseStrategyOut(BaseModel):
    next: NextActionOut
    history: list[ActionOut]


class SegmentOut(BaseModel):
    name: str
    why: str
    steps: int


class StrategyOut(BaseModel):
    name: str
    title: str
    description: str
    segments: list[SegmentOut]
