"""Spikes of negative mentions: a day is a spike when its count is improbable under a Poisson
law whose rate is the mean of the previous days (a rolling baseline).

Spike days are left out of the later baselines, so a burst does not hide the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from scipy.stats import poisson


@dataclass(frozen=True)
class SpikeSettings:
    """How sure, and how large, a spike must be."""

    window: int = 14
    # Fewer days of history than this: no judgement yet.
    min_history: int = 7
    alpha: float = 0.001
    # A handful of angry posts on a quiet day is not an alert, whatever the law says.
    min_count: int = 5
    # Floor of the rate: an empty fortnight would otherwise make 2 posts "improbable".
    min_rate: float = 0.5


@dataclass(frozen=True)
class Spike:
    """One day flagged as a spike."""

    day: date
    negatives: int
    baseline: float
    threshold: int
    p_value: float


def threshold(rate: float, alpha: float) -> int:
    """Smallest count k with P(X >= k) <= alpha for X ~ Poisson(rate)."""
    return int(poisson.isf(alpha, rate)) + 1


def detect(
    series: Sequence[tuple[date, int]], settings: SpikeSettings | None = None
) -> list[Spike]:
    """Spike days of a daily series (consecutive days, oldest first; missing days count 0)."""
    cfg = settings or SpikeSettings()
    history: list[int] = []
    spikes: list[Spike] = []
    for day, count in series:
        recent = history[-cfg.window :]
        if len(recent) >= cfg.min_history:
            rate = max(cfg.min_rate, sum(recent) / len(recent))
            limit = max(cfg.min_count, threshold(rate, cfg.alpha))
            if count >= limit:
                p = float(poisson.sf(count - 1, rate))
                spikes.append(Spike(day, count, round(rate, 3), limit, p))
                continue
        history.append(count)
    return spikes
