"""Ability-to-pay band: recency decay, thresholds, and contributions that add up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from concilia.signals.ability import HALF_LIFE_DAYS, EventInput, assess, band_for, decay

AS_OF = datetime(2026, 11, 23, tzinfo=UTC)


def event(n: int, kind: str, days_ago: float, confidence: float = 1.0) -> EventInput:
    return EventInput(n, 100 + n, kind, confidence, AS_OF - timedelta(days=days_ago), ["cue"])


def test_decay_halves_every_half_life() -> None:
    assert decay(AS_OF, AS_OF) == 1.0
    assert decay(AS_OF - timedelta(days=HALF_LIFE_DAYS), AS_OF) == pytest.approx(0.5)
    assert decay(AS_OF + timedelta(days=3), AS_OF) == 1.0


def test_contributions_add_up_to_the_score_and_explain_the_band() -> None:
    result = assess(
        [event(1, "new_job", 10), event(2, "luxury_purchase", 400, 0.8), event(3, "moved", 5)],
        as_of=AS_OF,
    )
    assert sum(float(e["contribution"]) for e in result.evidence) == pytest.approx(result.score)
    assert result.band == band_for(result.score) == "high"
    assert result.approach == "settlement_or_standard_plan"
    assert [e["event_id"] for e in result.evidence] == [2, 1, 3]


def test_recent_job_loss_gives_low_band_and_reduced_plan() -> None:
    result = assess([event(1, "job_loss", 3, 0.9)], as_of=AS_OF)
    assert result.band == "low" and result.approach == "reduced_plan"


def test_vulnerability_pauses_whatever_the_band() -> None:
    result = assess(
        [
            event(1, "promotion", 2),
            event(2, "property_purchase", 2),
            event(3, "vulnerability_possible", 30),
        ],
        as_of=AS_OF,
    )
    assert result.vulnerability_possible
    assert result.approach == "pause_specialist"


def test_old_vulnerability_no_longer_pauses() -> None:
    result = assess([event(1, "vulnerability_possible", 3 * 365)], as_of=AS_OF)
    assert not result.vulnerability_possible


def test_no_event_is_medium_standard_plan_without_evidence() -> None:
    result = assess([], as_of=AS_OF)
    assert (result.band, result.approach, result.evidence) == ("medium", "standard_plan", [])
