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

    # Backstrom decay p(d) ∝ (d + b)^-gamma, mixed with a geography-free share of friends
    # (Liben-Nowell et al. 2005: about a third). Fitted on the training world (seed 11).
    b_km: float = 2.0
    gamma: float = 1.3
    geography_free: float = 0.33
    # A friend placed by propagation counts for this share of a friend who states a city.
    propagated_weight: float = 0.5
    propagation_rounds: int = 2
    # A post saying where the person lives counts fully when new, halving every this many days.
    post_half_life_days: float = 365.0
    # Conditional-logit weights, in the order of model.FEATURES, fitted by
    # `bench/inference_quality.py --fit` on the training world (seed 11), never on evaluation.
    weights: tuple[float, ...] = (
        0.951, -5.162, 2.812, -0.046, -0.12, 0.344, 3.42, 2.552, 8.196, -2.595, -0.253,
    )  # fmt: skip
    min_located_friends: int = 3
    # Declining (chosen on the training world: the probabilities are calibrated there, so the
    # confidence threshold trades coverage for accuracy; see docs/whereabouts.md).
    max_dispersion_km: float = 400.0
    min_confidence: float = 0.7
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
