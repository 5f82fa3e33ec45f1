"""Where does a person live now? A distance-decayed likelihood over the public friend graph.

Pure and database-free. The caller builds an *ego graph* whose nodes are anonymous integers
(node ``EGO`` is the person, the others are friends and, optionally, friends of friends) with
the city each node states; nothing here ever sees a name, a handle or a profile id.

Method, in the spirit of Backstrom, Sun & Marlow (2010), Jurgens (2013) and Compton, Jurgens &
Allen (2014):

1. Resolve stated cities with the gazetteer. Friends who state none get a location by spatial
   label propagation: the geometric median (here the medoid) of their located neighbours,
   at most ``Params.propagation_rounds`` rounds, never through the ego.
2. Each candidate city (every place that appears) gets a few features: friends within 25 km,
   their share, the mean log-likelihood of all located friends under Backstrom's distance
   decay ``p(d) ∝ (d + b)^-gamma`` mixed with a geography-free part, the person's own stated
   city (active or abandoned profile) and posts saying where they live (decaying with age),
   and a profile contradicted by a newer post (:mod:`concilia.tracing.whereabouts.model`).
3. A conditional logit turns them into probabilities; its weights are fitted on a synthetic
   training world, never on the evaluation one.
4. Confidence: the probability mass within 25 km of the top city, and the dispersion of the
   friends (median distance to their geometric median, Compton et al.). Thin or scattered
   evidence makes it decline, and it says why in plain words.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import networkx as nx
import numpy as np

from concilia.geo import service as geo
from concilia.geo.schemas import City
from concilia.tracing.whereabouts.model import Located, Said, features
from concilia.tracing.whereabouts.params import DEFAULT_PARAMS, Params

EGO = 0
NEAR_KM = 25.0


@dataclass(frozen=True)
class PlaceStatement:
    """A place the person states themselves: the profile's city, or a post about a move."""

    city_text: str
    country: str | None = None
    at: datetime | None = None
    kind: str = "profile"  # "profile" | "post"
    # Below 1 for a profile that looks abandoned (no post for years): its city may be old.
    weight: float = 1.0


@dataclass(frozen=True)
class RankedCity:
    """One candidate home with its probability."""

    city_id: int
    name: str
    country: str
    label: str
    probability: float
    friends_within_25km: int
    distance_to_stated_km: float | None


@dataclass
class WhereaboutsResult:
    """The ranked cities, or a refusal, with the plain-words reasons and aggregates only."""

    answered: bool
    ranked: list[RankedCity]
    confidence: float
    dispersion_km: float | None
    counts: dict[str, int]
    explanation: list[str]
    decline_reason: str | None = None
    stated_city: str | None = None

    @property
    def top(self) -> RankedCity | None:
        """The most likely city, whether or not the engine dares to answer."""
        return self.ranked[0] if self.ranked else None


@dataclass
class _Vote:
    city: City
    weight: float


@dataclass
class _Evidence:
    friends: list[_Vote] = field(default_factory=list)
    own: list[tuple[_Vote, str]] = field(default_factory=list)
    n_friends: int = 0
    n_stated: int = 0
    n_propagated: int = 0
    n_unresolved: int = 0


def resolve(city_text: str | None, country: str | None = None) -> City | None:
    """The gazetteer city for a free-text name, or None."""
    if not city_text or not city_text.strip():
        return None
    found = geo.lookup(city_text, country)
    if found is None and country:
        # A wrong or foreign country code should not hide an unambiguous city name.
        found = geo.lookup(city_text)
    return found


def medoid(cities: Sequence[City], weights: Sequence[float] | None = None) -> City:
    """The city minimising the weighted sum of distances to all others (a geometric median)."""
    w = list(weights) if weights is not None else [1.0] * len(cities)
    distinct: dict[int, tuple[City, float]] = {}
    for city, weight in zip(cities, w, strict=True):
        prev = distinct.get(city.id)
        distinct[city.id] = (city, weight + (prev[1] if prev else 0.0))
    items = list(distinct.values())
    return min(
        items,
        key=lambda cw: (sum(wt * geo.distance_km(cw[0], o) for o, wt in items), cw[0].id),
    )[0]


def propagate(graph: nx.Graph, rounds: int) -> dict[int, City]:
    """Spatial label propagation (Jurgens 2013): unlocated nodes take their neighbours' medoid.

    The ego is never a source (its location is what we are looking for). Returns only the
    locations *added*, by node.
    """
    located: dict[int, City] = {
        n: c for n, c in graph.nodes(data="location") if c is not None and n != EGO
    }
    added: dict[int, City] = {}
    for _ in range(rounds):
        new: dict[int, City] = {}
        for node in sorted(graph.nodes):
            if node == EGO or node in located:
                continue
            around = [located[m] for m in graph.neighbors(node) if m != EGO and m in located]
            if around:
                new[node] = medoid(around)
        if not new:
            break
        located.update(new)
        added.update(new)
    return added


def ego_graph(
    friends: Sequence[tuple[str | None, str | None]],
    friend_edges: Iterable[tuple[int, int]] = (),
    second_hop: Sequence[tuple[int, str | None, str | None]] = (),
) -> nx.Graph:
    """Build the anonymous ego graph.

    ``friends[i]`` is friend ``i + 1``'s (stated city, country). ``second_hop`` adds friends of
    friends as (node id > len(friends), city, country); ``friend_edges`` links any two non-ego
    nodes. Node ids mean nothing outside this graph.
    """
    graph = nx.Graph()
    graph.add_node(EGO, location=None, hop=0)
    for i, (city, country) in enumerate(friends, start=1):
        graph.add_node(i, location=resolve(city, country), hop=1, stated=bool(city))
        graph.add_edge(EGO, i)
    for node, city, country in second_hop:
        graph.add_node(node, location=resolve(city, country), hop=2, stated=bool(city))
    for a, b in friend_edges:
        if a != EGO and b != EGO and a in graph and b in graph:
            graph.add_edge(a, b)
    return graph


def _gather(
    graph: nx.Graph,
    statements: Sequence[PlaceStatement],
    as_of: datetime | None,
    params: Params,
) -> _Evidence:
    ev = _Evidence()
    added = propagate(graph, params.propagation_rounds)
    for node in graph.neighbors(EGO):
        ev.n_friends += 1
        loc: City | None = graph.nodes[node].get("location")
        if loc is not None:
            ev.n_stated += 1
            ev.friends.append(_Vote(loc, 1.0))
        elif node in added:
            ev.n_propagated += 1
            ev.friends.append(_Vote(added[node], params.propagated_weight))
        elif graph.nodes[node].get("stated"):
            ev.n_unresolved += 1
    for st in statements:
        city = resolve(st.city_text, st.country)
        if city is None:
            continue
        if st.kind == "post":
            # A move shows in the friend graph late: a recent post is the freshest evidence.
            age_days = (as_of - st.at).days if (as_of and st.at) else params.post_half_life_days
            weight = 0.5 ** (max(age_days, 0) / params.post_half_life_days)
        else:
            weight = 1.0
        ev.own.append((_Vote(city, weight * st.weight), st.kind))
    return ev


def _features(candidates: list[City], ev: _Evidence, params: Params) -> np.ndarray:
    return features(
        candidates,
        [Located(v.city, v.weight) for v in ev.friends],
        [Said(v.city, v.weight, kind) for v, kind in ev.own],
        b_km=params.b_km,
        gamma=params.gamma,
        geography_free=params.geography_free,
    )


def _candidates(ev: _Evidence) -> list[City]:
    distinct: dict[int, City] = {}
    for city in [*(v.city for v in ev.friends), *(v.city for v, _ in ev.own)]:
        distinct.setdefault(city.id, city)
    return sorted(distinct.values(), key=lambda c: c.id)


def candidate_features(
    graph: nx.Graph,
    statements: Sequence[PlaceStatement] = (),
    *,
    as_of: datetime | None = None,
    params: Params = DEFAULT_PARAMS,
) -> tuple[list[City], np.ndarray]:
    """The candidate homes and their feature rows (what the weights are fitted on)."""
    ev = _gather(graph, statements, as_of, params)
    candidates = _candidates(ev)
    return candidates, _features(candidates, ev, params)


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def dispersion_km(cities: Sequence[City]) -> float | None:
    """Median distance of friends' locations to their geometric median (Compton et al.)."""
    if not cities:
        return None
    centre = medoid(cities)
    dists = sorted(geo.distance_km(centre, c) for c in cities)
    mid = len(dists) // 2
    return dists[mid] if len(dists) % 2 else (dists[mid - 1] + dists[mid]) / 2


def infer(
    graph: nx.Graph,
    statements: Sequence[PlaceStatement] = (),
    *,
    as_of: datetime | None = None,
    params: Params = DEFAULT_PARAMS,
) -> WhereaboutsResult:
    """Rank the likely home cities of the ego of ``graph``; decline when evidence is thin."""
    ev = _gather(graph, statements, as_of, params)
    stated_city = max(
        ((v.weight, v.city.id, v.city) for v, kind in ev.own if kind == "profile"),
        default=(0.0, 0, None),
    )[2]
    friend_cities = [v.city for v in ev.friends]
    counts = {
        "friends": ev.n_friends,
        "friends_stating_a_city": ev.n_stated,
        "friends_located_by_propagation": ev.n_propagated,
        "friends_city_not_recognised": ev.n_unresolved,
        "own_statements": len(ev.own),
    }
    candidates = _candidates(ev)
    if not candidates:
        return WhereaboutsResult(
            answered=False,
            ranked=[],
            confidence=0.0,
            dispersion_km=None,
            counts=counts,
            explanation=[_friends_line(ev)],
            decline_reason="no located friend and no stated city: nothing to go on",
        )
    scores = _features(candidates, ev, params) @ np.array(params.weights)
    probs = _softmax([float(x) for x in scores])
    order = sorted(range(len(candidates)), key=lambda i: (-probs[i], candidates[i].id))
    ranked = [
        RankedCity(
            city_id=candidates[i].id,
            name=candidates[i].name,
            country=candidates[i].country,
            label=candidates[i].label,
            probability=round(probs[i], 4),
            friends_within_25km=sum(
                1 for f in friend_cities if geo.distance_km(candidates[i], f) <= NEAR_KM
            ),
            distance_to_stated_km=(
                round(geo.distance_km(candidates[i], stated_city), 1) if stated_city else None
            ),
        )
        for i in order[: params.max_ranked]
    ]
    top = candidates[order[0]]
    confidence = sum(
        p for c, p in zip(candidates, probs, strict=True) if geo.distance_km(c, top) <= NEAR_KM
    )
    spread = dispersion_km(friend_cities)
    explanation = _explain(ev, top, stated_city, spread, friend_cities)
    reason = _decline_reason(ev, top, stated_city, confidence, spread, params)
    return WhereaboutsResult(
        answered=reason is None,
        ranked=ranked,
        confidence=round(confidence, 4),
        dispersion_km=None if spread is None else round(spread, 1),
        counts=counts,
        explanation=explanation,
        decline_reason=reason,
        stated_city=stated_city.label if stated_city else None,
    )


def _decline_reason(
    ev: _Evidence,
    top: City,
    stated: City | None,
    confidence: float,
    spread: float | None,
    params: Params,
) -> str | None:
    located = len(ev.friends)
    own_agrees = any(geo.distance_km(v.city, top) <= NEAR_KM for v, _ in ev.own)
    if located < params.min_located_friends and not own_agrees:
        return (
            f"only {located} friend(s) with a known city and no statement of the person's own "
            "pointing there: too thin to guess"
        )
    if located < params.min_located_friends and stated is None:
        return f"only {located} friend(s) with a known city: too thin to guess"
    if spread is not None and spread > params.max_dispersion_km and not own_agrees:
        return (
            f"friends are spread out (half of them more than {spread:.0f} km from their centre) "
            "and the person states nothing that settles it"
        )
    if confidence < params.min_confidence:
        return f"the evidence is split: the top city holds only {confidence:.0%} of the probability"
    return None


def _friends_line(ev: _Evidence) -> str:
    located = ev.n_stated + ev.n_propagated
    return (
        f"{ev.n_friends} public friend(s), {ev.n_stated} stating a city"
        + (f", {ev.n_propagated} placed from their own friends" if ev.n_propagated else "")
        + f"; {located} located in all"
    )


def _explain(
    ev: _Evidence,
    top: City,
    stated: City | None,
    spread: float | None,
    friend_cities: Sequence[City],
) -> list[str]:
    lines = [_friends_line(ev)]
    near = sum(1 for c in friend_cities if geo.distance_km(c, top) <= NEAR_KM)
    if friend_cities:
        lines.append(
            f"{near} of {len(friend_cities)} located public friends are within "
            f"{NEAR_KM:.0f} km of {top.label}"
        )
        others = Counter(
            c.label for c in friend_cities if geo.distance_km(c, top) > NEAR_KM
        ).most_common(2)
        if others:
            lines.append("elsewhere: " + ", ".join(f"{n} near {label}" for label, n in others))
            if others[0][1] > near:
                lines.append(
                    f"more friends are near {others[0][0]} than near {top.label}: friend lists "
                    "lag a move by years, so the person's own word counts more"
                )
    if spread is not None:
        lines.append(f"half the located friends are within {spread:.0f} km of their centre")
    if stated is not None:
        d = geo.distance_km(stated, top)
        if d <= NEAR_KM:
            lines.append(f"the profile itself says {stated.label}")
        else:
            lines.append(
                f"the profile itself says {stated.label}, {d:.0f} km away "
                "(possibly not updated after a move)"
            )
    for vote, kind in ev.own:
        if kind == "post":
            lines.append(f"a post of the person's own mentions moving to {vote.city.label}")
    return lines
