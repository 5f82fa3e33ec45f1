"""The evidence a skip tracer weighs for one candidate home, and how much each piece counts.

Each candidate city gets a few features (how many friends live near it, the distance-decayed
likelihood of all located friends, whether the person's own profile or a recent post says so,
whether a newer post contradicts the profile, ...). Candidates are ranked by a conditional
logit (McFadden): ``P(c) = softmax(w · x(c))``, whose weights ``w`` are fitted by maximum
likelihood on the *training* world (``bench/inference_quality.py --fit``), so that what the
person says and what the friends show are traded off by data, not by hand.

The friends' likelihood is Backstrom, Sun & Marlow's (2010) distance decay, as a mixture with
a geography-free part (Liben-Nowell et al. 2005: about a third of friendships do not depend
on distance), so that friends from other chapters of a life cannot outvote the rest one by one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from concilia.geo import service as geo
from concilia.geo.schemas import City

NEAR_KM = 25.0
REGION_KM = 100.0
# Density (per km) of the geography-free part: friends spread over a few thousand km.
BACKGROUND_PER_KM = 1 / 5000.0

FEATURES = (
    "friends_near",  # log(1 + located friends within 25 km)
    "friends_share",  # share of located friends within 25 km
    "friends_likelihood",  # mean log-density of the friends' distances (Backstrom mixture)
    "friends_region",  # log(1 + located friends 25-100 km away)
    "largest_cluster",  # the most friends are near it (what a majority vote would pick)
    "profile_says",  # an active profile of the person's own states a city within 25 km
    "profile_exact",  # ... that very city
    "abandoned_profile_says",  # a profile silent for years states a city within 25 km
    "post_says",  # the person's posts say they live/moved there (sum of 0.5^(age/half-life))
    "profile_contradicted",  # the profile says so, but a recent post says somewhere else
    "population",  # log10 of the city's population, minus 5 (big cities are likelier homes)
)


@dataclass(frozen=True)
class Located:
    """A located friend (weight 1, or less when placed by label propagation)."""

    city: City
    weight: float


@dataclass(frozen=True)
class Said:
    """A place the person states: ``kind`` profile or post; ``weight`` is the profile's
    activity (1 active, < 1 abandoned) or the post's recency (1 today, halving yearly)."""

    city: City
    weight: float
    kind: str


def log_density(distance_km: float, b_km: float, gamma: float, geography_free: float) -> float:
    """Log of ``(1-e) Lomax(d; b, gamma) + e * background``."""
    lomax = (gamma - 1) * b_km ** (gamma - 1) * (distance_km + b_km) ** -gamma
    return math.log((1 - geography_free) * lomax + geography_free * BACKGROUND_PER_KM)


def features(
    candidates: Sequence[City],
    friends: Sequence[Located],
    said: Sequence[Said],
    *,
    b_km: float,
    gamma: float,
    geography_free: float,
) -> np.ndarray:
    """One row of :data:`FEATURES` per candidate."""
    total = sum(f.weight for f in friends)
    near = []
    rows = []
    recent_posts = [s for s in said if s.kind == "post" and s.weight >= 0.25]
    # A friend list describes where the person lived over the years: right after a move it
    # still describes the old home. So the person's freshest word about where they live
    # discounts the friends' evidence (fully for a post of today, by half after a year).
    lag = 1.0 - max((s.weight for s in said if s.kind == "post"), default=0.0)
    for c in candidates:
        dists = [geo.distance_km(c, f.city) for f in friends]
        n_near = sum(f.weight for f, d in zip(friends, dists, strict=True) if d <= NEAR_KM)
        n_region = sum(
            f.weight for f, d in zip(friends, dists, strict=True) if NEAR_KM < d <= REGION_KM
        )
        likelihood = (
            sum(
                f.weight * log_density(d, b_km, gamma, geography_free)
                for f, d in zip(friends, dists, strict=True)
            )
            / total
            if total
            else 0.0
        )
        own = [(s, geo.distance_km(c, s.city)) for s in said]
        profile = [s.weight for s, d in own if s.kind == "profile" and d <= NEAR_KM]
        active = any(w >= 0.5 for w in profile)
        exact = any(s.kind == "profile" and s.weight >= 0.5 and d < 1.0 for s, d in own)
        posts = sum(s.weight for s, d in own if s.kind == "post" and d <= NEAR_KM)
        contradicted = bool(profile) and any(
            geo.distance_km(c, p.city) > NEAR_KM for p in recent_posts
        )
        near.append(n_near)
        rows.append(
            [
                lag * math.log1p(n_near),
                lag * (n_near / total if total else 0.0),
                lag * likelihood,
                lag * math.log1p(n_region),
                0.0,
                float(active),
                float(exact),
                float(bool(profile) and not active),
                posts,
                float(contradicted),
                math.log10(max(c.population, 1000)) - 5,
            ]
        )
    top = max(near, default=0.0)
    for row, n in zip(rows, near, strict=True):
        row[4] = lag * float(top > 0 and n == top)
    return np.array(rows, dtype=float).reshape(len(candidates), len(FEATURES))


def softmax(scores: np.ndarray) -> np.ndarray:
    """Probabilities from scores (shift-invariant, overflow-safe)."""
    e = np.exp(scores - scores.max())
    out: np.ndarray = e / e.sum()
    return out


def _loglik(groups: Sequence[tuple[np.ndarray, int]], w: np.ndarray, l2: float) -> float:
    total = -0.5 * l2 * float(w @ w)
    for x, pos in groups:
        s = x @ w
        top = float(s.max())
        total += float(s[pos]) - top - math.log(float(np.exp(s - top).sum()))
    return total


def fit_weights(
    groups: Sequence[tuple[np.ndarray, int]], l2: float = 1.0, iterations: int = 40
) -> np.ndarray:
    """Maximum-likelihood conditional-logit weights by damped Newton steps.

    ``groups`` holds, per training person, the candidates' feature rows and the index of the
    true home among them. An L2 penalty keeps nearly separating features finite.
    """
    k = len(FEATURES)
    w = np.zeros(k)
    current = _loglik(groups, w, l2)
    for _ in range(iterations):
        grad = -l2 * w
        hess = -l2 * np.eye(k)
        for x, pos in groups:
            p = softmax(x @ w)
            mean = p @ x
            grad += x[pos] - mean
            hess -= (x * p[:, None]).T @ x - np.outer(mean, mean)
        step = np.linalg.solve(hess, grad)
        scale = 1.0
        while scale > 1e-4:
            trial = w - scale * step
            value = _loglik(groups, trial, l2)
            if value >= current:
                break
            scale /= 2
        else:
            break
        w, gain, current = trial, value - current, value
        if gain < 1e-6:
            break
    return w
