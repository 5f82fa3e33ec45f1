"""Ability to pay: combine a case's events, weighted by confidence and recency, into a band.

A plain, additive score so that the explanation is exact: every event contributes
``weight x confidence x 0.5 ** (age / half-life)`` and the contributions add up to the
score. The band and the approach are a suggestion for an agent, never a decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from concilia.signals.labels import VULNERABILITY_EVENT

# Capacity weight per event type: positive means more room to pay, negative less.
WEIGHTS: dict[str, float] = {
    "new_job": 2.0,
    "promotion": 2.0,
    "business_opened": 1.0,
    "property_purchase": 2.0,
    "vehicle_purchase": 1.0,
    "luxury_purchase": 1.5,
    "travel": 1.0,
    "moved": 0.0,
    "new_child": -1.0,
    "relationship_end": -1.0,
    "job_loss": -2.5,
    "business_closed": -2.0,
    VULNERABILITY_EVENT: -3.0,
}
HALF_LIFE_DAYS = 180.0
HIGH_AT = 1.5
LOW_AT = -1.0
# A vulnerability older than this (after decay, about a year and a half) no longer pauses.
VULNERABILITY_MIN_DECAY = 0.125

APPROACHES: dict[str, str] = {
    "pause_specialist": "Pause collection and hand the case to a specialist for vulnerability "
    "handling; check the situation with the person before any plan.",
    "reduced_plan": "Offer a reduced, affordable payment plan; check income and expenses first.",
    "standard_plan": "Offer a standard payment plan.",
    "settlement_or_standard_plan": "Offer a standard plan or a settlement in full.",
}


@dataclass(frozen=True)
class EventInput:
    """What the band needs of a stored event."""

    event_id: int
    post_id: int
    event_type: str
    confidence: float
    posted_at: datetime
    cues: Sequence[str]


@dataclass(frozen=True)
class Assessment:
    """Band, approach, score and the per-event contributions that explain them."""

    band: str
    approach: str
    score: float
    vulnerability_possible: bool
    evidence: list[dict[str, Any]]


def decay(posted_at: datetime, as_of: datetime) -> float:
    """Recency factor: 1 for today, 0.5 after one half-life; future dates count as today."""
    age_days = max((as_of - posted_at).total_seconds() / 86400.0, 0.0)
    return float(0.5 ** (age_days / HALF_LIFE_DAYS))


def band_for(score: float) -> str:
    """``high`` from HIGH_AT up, ``low`` at LOW_AT and below, ``medium`` between."""
    if score >= HIGH_AT:
        return "high"
    if score <= LOW_AT:
        return "low"
    return "medium"


def assess(events: Sequence[EventInput], *, as_of: datetime) -> Assessment:
    """Combine events into a band and an approach, listing each event's contribution."""
    evidence: list[dict[str, Any]] = []
    score = 0.0
    vulnerable = False
    for event in sorted(events, key=lambda e: (e.posted_at, e.event_id)):
        weight = WEIGHTS.get(event.event_type, 0.0)
        factor = decay(event.posted_at, as_of)
        contribution = round(weight * event.confidence * factor, 4)
        score += contribution
        if event.event_type == VULNERABILITY_EVENT and factor >= VULNERABILITY_MIN_DECAY:
            vulnerable = True
        evidence.append(
            {
                "event_id": event.event_id,
                "post_id": event.post_id,
                "event_type": event.event_type,
                "posted_at": event.posted_at.isoformat(),
                "confidence": round(event.confidence, 4),
                "weight": weight,
                "recency": round(factor, 4),
                "contribution": contribution,
                "cues": list(event.cues),
            }
        )
    score = round(score, 4)
    band = band_for(score)
    if vulnerable:
        approach = "pause_specialist"
    elif band == "low":
        approach = "reduced_plan"
    elif band == "high":
        approach = "settlement_or_standard_plan"
    else:
        approach = "standard_plan"
    return Assessment(band, approach, score, vulnerable, evidence)
