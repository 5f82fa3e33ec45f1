"""Reputation's in/out shapes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

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


class ReplyIn(BaseModel):
    """A public reply to check before it is posted."""

    text: str = Field(min_length=1, max_length=2_000)
    lang: Literal["en", "fr", "es"]
    jurisdiction: Literal["FR", "ES", "UK", "US"]
    # The mention author's handle and names, which the reply must not repeat.
    author: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=5)


class ReplyCheckOut(BaseModel):
    """Whether the reply may be posted, and every reason it may not."""

    ok: bool
    problems: list[str]
    rules: list[dict[str, str]]
    set_aside: list[str]
    tone: list[str]
