"""Spike detection on synthetic daily series with known spikes."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import pytest

from concilia.reputation.spikes import SpikeSettings, detect, threshold

START = date(2026, 1, 1)


def _series(rate: float, days: int, spikes: dict[int, int], seed: int) -> list[tuple[date, int]]:
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rate, size=days)
    for day, extra in spikes.items():
        counts[day] += extra
    return [(START + timedelta(days=i), int(c)) for i, c in enumerate(counts)]


@pytest.mark.parametrize("seed", range(10))
def test_known_spikes_are_found_and_quiet_days_are_not(seed: int) -> None:
    rng = random.Random(seed)
    rate = rng.choice([2.0, 4.0, 8.0])
    truth = sorted(rng.sample(range(20, 180), 4))
    extra = {d: int(rate * 3 + 8) for d in truth}
    found = detect(_series(rate, 180, extra, seed))
    found_days = {s.day for s in found}
    expected = {START + timedelta(days=d) for d in truth}
    assert expected <= found_days
    # alpha=0.001 over ~160 judged days: at most one false alarm per series.
    assert len(found_days - expected) <= 1


def test_a_burst_does_not_hide_the_next_day_of_it() -> None:
    series = _series(3.0, 60, {40: 20, 41: 20}, seed=1)
    days = {s.day for s in detect(series)}
    assert {START + timedelta(days=40), START + timedelta(days=41)} <= days


def test_no_judgement_without_history_and_small_counts_never_alert() -> None:
    assert detect([(START, 50)]) == []
    quiet = [(START + timedelta(days=i), 0) for i in range(30)]
    assert detect([*quiet, (START + timedelta(days=30), 4)]) == []
    assert detect([*quiet, (START + timedelta(days=30), 4)], SpikeSettings(min_count=1)) == []
    # An empty month still has a floor rate (0.5/day): five is improbable enough.
    assert detect([*quiet, (START + timedelta(days=30), 5)])[0].negatives == 5
    assert detect([*quiet, (START + timedelta(days=30), 5)], SpikeSettings(min_count=6)) == []


def test_threshold_is_the_poisson_tail_quantile() -> None:
    # P(X >= 9 | 2) ≈ 0.00024 <= 0.001 and P(X >= 8 | 2) ≈ 0.0011 > 0.001.
    assert threshold(2.0, 0.001) == 9
