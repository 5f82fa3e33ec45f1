"""Daily series of public mentions of an agency, with known spikes of complaints (the truth).

Quiet days draw a Poisson number of mentions with a mix of stances; on a spike day a burst of
complaints comes on top (a viral post, a press article). The texts are the simulator's own
mention texts in French, Spanish and English, so a classifier reads them as it reads the
world's mentions; the spike days are returned as the truth to measure alerts against.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from concilia.simulate import mentions

# Share of each stance on a quiet day (assumption: complaints dominate what people write
# about collectors, as in the world's mentions, but not overwhelmingly on ordinary days).
QUIET_STANCES = (("complaint", 0.35), ("question", 0.35), ("praise", 0.30))


@dataclass(frozen=True)
class SpikySeries:
    """Mentions ``(posted_at, text)`` in time order, and the days of the spikes."""

    items: list[tuple[datetime, str]]
    spike_days: frozenset[date]


def spiky_series(
    *,
    seed: int,
    start: date,
    days: int,
    base_rate: float,
    spikes: int,
    burst: int | None = None,
    agency: str = "Recouvrex",
    languages: tuple[str, ...] = ("fr", "es", "en"),
) -> SpikySeries:
    """``days`` days of mentions at ``base_rate`` a day with ``spikes`` bursts of complaints
    (``burst`` extra each; by default three times the rate plus eight), never in the first
    three weeks, which a detector needs as history."""
    if days < 30 or spikes < 0 or base_rate <= 0:
        raise ValueError("need at least 30 days, a positive rate and spikes >= 0")
    rng = random.Random(seed)
    counts = np.random.default_rng(seed).poisson(base_rate, size=days)
    spike_at = sorted(rng.sample(range(21, days), spikes))
    extra = burst if burst is not None else int(base_rate * 3 + 8)
    stances = [stance for stance, _ in QUIET_STANCES]
    weights = [weight for _, weight in QUIET_STANCES]
    items: list[tuple[datetime, str]] = []
    for offset in range(days):
        day = datetime(start.year, start.month, start.day, 8, tzinfo=UTC) + timedelta(days=offset)
        drawn = [rng.choices(stances, weights)[0] for _ in range(int(counts[offset]))]
        if offset in spike_at:
            drawn += ["complaint"] * extra
        for n, stance in enumerate(drawn):
            text = mentions.compose(
                rng=rng,
                language=rng.choice(languages),
                agency=agency,
                stance=stance,
                typo_rate=0.05,
            )
            items.append((day + timedelta(minutes=7 * n), text))
    truth = frozenset(start + timedelta(days=d) for d in spike_at)
    return SpikySeries(items=items, spike_days=truth)
