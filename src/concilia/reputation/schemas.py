"""Reputation's in/out shapes."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class MentionIn(BaseModel):
    """One line of the file ``concilia reputation classify`` reads."""

    model_config = ConfigDict(extra="allow")

    text: str = Field(min_length=1, max_length=20_000)
    lang: str | None = Field(default=None, max_length=10)


class Classified(BaseModel):
    """The classification of one text."""

    lang: str
    sentiment: str
    topic: str
    confidence: float


class AlertOut(BaseModel):
    """A spike alert."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    day: date
    negatives: int
    baseline: float
    threshold: int
    p_value: float


class ClassifyIn(BaseModel):
    """Texts to classify (at most 500 per request)."""

    mentions: list[MentionIn] = Field(min_length=1, max_length=500)


class DayCount(BaseModel):
    """Negative mentions on one UTC day."""

    day: date
    negatives: int


class SummaryOut(BaseModel):
    """Classified mentions over a period: negatives per day, counts by sentiment and topic."""

    since: date
    until: date
    negatives_per_day: list[DayCount]
    sentiment: dict[str, int]
    topic: dict[str, int]
