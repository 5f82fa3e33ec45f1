"""Outreach API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class CheckResult(BaseModel):
    verdict: str
    reasons: list[dict[str, str]]
    flags: list[dict[str, Any]]


class RuleOut(BaseModel):
    id: str
    jurisdiction: str
    citation: str
    category: str
    severity: str
    check: str
    description: str
    verified: bool
    note: str


class OutboxOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    channel: str
    kind: str
    lang: str
    status: str
    verdict: str | None
    reasons: list[dict[str, Any]] = Field(default_factory=list)
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
