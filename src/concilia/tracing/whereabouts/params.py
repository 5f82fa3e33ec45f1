"""Parameters of the whereabouts likelihood, and how the distance decay is fitted.

The friend-distance density is a Lomax (Pareto II) law ``p(d) = (g-1) b^(g-1) (d+b)^-g``, the
normalised form of Backstrom et al.'s ``a (d + b)^-c``. :func:`fit_decay` finds ``b`` and ``g``
by maximum likelihood on distances between people and their friends in a *training* world
(``bench/inference_quality.py --fit`` prints them); the defaults below were fitted that way on
the synthetic world of seed 11 (see docs/whereabouts.md) and are never fitted on the
evaluation world.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Params:
    """Everything that shapes an inference; documented in docs/whereabouts.md."""

    b_km: float = 2.0
    gamma: float = 1.3
    # A friend placed by propagation counts for this share of a friend who states a city.
    propagated_weight: float = 0.5
    propagation_rounds: int = 2
    # The profile's own stated city counts as this many friends at that place.
    self_weight: float = 2.0
    # A post about a move counts this much when new, halving every ``post_half_life_days``.
    post_weight: float = 20.0
    post_half_life_days: float = 365.0
    # A stated city far from a recent move's city keeps this share of its weight.
    stale_profile_factor: float = 0.25
    temperature: float = 2.0
    min_located_friends: int = 3
    max_dispersion_km: float = 60.0
    min_confidence: float = 0.6
    max_ranked: int = 5


DEFAULT_PARAMS = Params()


def lomax_loglik(distances: Sequence[float], b: float, g: float) -> float:
    """Log-likelihood of distances under ``p(d) = (g-1) b^(g-1) (d+b)^-g``."""
    n = len(distances)
    return n * (math.log(g - 1) + (g - 1) * math.log(b)) - g * sum(
        math.log(d + b) for d in distances
    )


def fit_decay(distances: Sequence[float]) -> tuple[float, float]:
    """Maximum-likelihood ``(b_km, gamma)`` on a grid (coarse is enough: only ranks matter)."""
    if not distances:
        raise ValueError("no distances to fit")
    best = (float("-inf"), 1.0, 1.5)
    for b in (0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0, 35.0, 50.0):
        for g100 in range(105, 400, 5):
            g = g100 / 100
            ll = lomax_loglik(distances, b, g)
            if ll > best[0]:
                best = (ll, b, g)
    return best[1], best[2]
