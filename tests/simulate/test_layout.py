from __future__ import annotations

import random
from collections import Counter

from concilia.geo import service as geo
from concilia.simulate.layout import Layout

SHARE = {"social": 0.85, "pro": 0.45, "photo": 0.45}
WEIGHTS = {"FR": 0.3, "ES": 0.25, "GB": 0.2, "US": 0.25}


def _layout(people: int, seed: int = 1) -> Layout:
    return Layout(
        seed=seed,
        people=people,
        country_weights=WEIGHTS,
        network_share=SHARE,
        no_profile=0.18,
        second_account=0.06,
    )


def test_positions_are_a_permutation_and_cities_partition_people() -> None:
    lay = _layout(5003)
    positions = [lay.position(i) for i in range(5003)]
    assert sorted(positions) == list(range(5003))
    assert all(lay.person_at(p) == i for i, p in enumerate(positions))
    counts = Counter(lay.city_of(i) for i in range(5003))
    assert [counts[k] for k in range(len(lay.cities))] == lay.counts
    by_country = Counter(lay.cities[lay.city_of(i)].country for i in range(5003))
    assert abs(by_country["FR"] / 5003 - 0.3) < 0.01


def test_sampling_helpers_stay_where_they_say() -> None:
    lay = _layout(20000)
    rng = random.Random(0)
    paris = next(k for k, c in enumerate(lay.cities) if c.name == "Paris")
    assert all(lay.city_of(lay.in_city(paris, rng)) == paris for _ in range(200))
    for _ in range(200):
        near = lay.cities[lay.city_of(lay.near_city(paris, rng))]
        assert geo.distance_km(near, lay.cities[paris]) <= 50
    assert all(
        lay.cities[lay.city_of(lay.in_country("ES", rng))].country == "ES" for _ in range(200)
    )


def test_profiles_are_hash_derived_and_ids_unique() -> None:
    lay, again = _layout(3000, seed=9), _layout(3000, seed=9)
    ids: set[str] = set()
    for i in range(3000):
        nets = lay.networks_of(i)
        assert nets == again.networks_of(i)
        ids.update(lay.profile_id(i, n) for n in nets)
    none = sum(not lay.networks_of(i) for i in range(3000)) / 3000
    assert 0.15 < none < 0.21
    assert len(ids) == sum(len(lay.networks_of(i)) for i in range(3000))
    assert lay.profile_id(1, "social") != _layout(3000, seed=10).profile_id(1, "social")
