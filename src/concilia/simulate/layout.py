"""Where everyone lives, computable for any person without storing the population.

Persons ``0..N-1`` are mapped by a seeded affine permutation to positions ``0..N-1``; positions
are cut into consecutive blocks, one per city (sizes proportional to country weight x city
population), grouped by country. So ``city_of(i)`` is O(log cities) and "a random person in
city c / in country X / within 50 km" is O(1), which is what friend edges with geographic
homophily need at a million people with constant memory.
"""

from __future__ import annotations

import bisect
import math
import random

import numpy as np

from concilia.geo import service as geo
from concilia.geo.schemas import City

MASK64 = (1 << 64) - 1
NEARBY_KM = 50.0
NETWORKS = ("social", "pro", "photo")
_NET_PREFIX = {"social": "sn", "pro": "pn", "photo": "ph"}


def mix64(x: int) -> int:
    """SplitMix64 finaliser: a fast, well-spread 64-bit hash."""
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def distance_matrix(cities: list[City]) -> np.ndarray:
    """Haversine distances (km) between all pairs of cities, vectorised."""
    lat = np.radians(np.array([c.latitude for c in cities]))
    lon = np.radians(np.array([c.longitude for c in cities]))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    out: np.ndarray = 2 * geo.EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, h)))
    return out


def salt_key(seed: int, salt: str) -> int:
    """A per-(seed, purpose) key; hashing ``key ^ i`` then gives independent streams."""
    acc = mix64(seed & MASK64)
    for ch in salt:
        acc = mix64(acc ^ ord(ch))
    return acc


class Layout:
    """The world's geography and the hash-derived facts about every person."""

    def __init__(
        self,
        *,
        seed: int,
        people: int,
        country_weights: dict[str, float],
        network_share: dict[str, float],
        no_profile: float,
        second_account: float,
    ) -> None:
        self.seed = seed
        self.people = people
        self.cities: list[City] = []
        counts: list[int] = []
        total_w = sum(country_weights.values())
        quotas: list[tuple[City, float]] = []
        for country, weight in sorted(country_weights.items()):
            pool = [c for c in geo.all_cities() if c.country == country]
            pop = sum(c.population for c in pool)
            quotas += [(c, people * weight / total_w * c.population / pop) for c in pool]
        floors = [int(q) for _, q in quotas]
        # Largest remainders get the leftover people, ties broken by a seeded key.
        left = people - sum(floors)
        order = sorted(
            range(len(quotas)),
            key=lambda k: (-(quotas[k][1] - floors[k]), mix64(seed ^ quotas[k][0].id)),
        )
        for k in order[:left]:
            floors[k] += 1
        for (city, _), n in zip(quotas, floors, strict=True):
            if n > 0:
                self.cities.append(city)
                counts.append(n)
        self.counts = counts
        self.starts = [0]
        for n in counts:
            self.starts.append(self.starts[-1] + n)
        self.country_range: dict[str, tuple[int, int]] = {}
        for k, city in enumerate(self.cities):
            lo = self.country_range.get(city.country, (self.starts[k], 0))[0]
            self.country_range[city.country] = (min(lo, self.starts[k]), self.starts[k + 1])
        rng = random.Random(f"layout:{seed}:{people}")
        self.mult = rng.randrange(1, max(2, people)) | 1
        while math.gcd(self.mult, people) != 1:
            self.mult += 2
        self.offset = rng.randrange(max(1, people))
        self.mult_inv = pow(self.mult, -1, people) if people > 1 else 0
        self.near: list[tuple[list[int], list[int]]] = []
        dist = distance_matrix(self.cities)
        for k in range(len(self.cities)):
            idx = [int(j) for j in np.flatnonzero(dist[k] <= NEARBY_KM) if j != k]
            cum: list[int] = []
            acc = 0
            for j in idx:
                acc += counts[j]
                cum.append(acc)
            self.near.append((idx, cum))
        self._any_key = salt_key(seed, "profile:any")
        self._net_keys = {n: salt_key(seed, "profile:" + n) for n in NETWORKS}
        self._id_keys = {n: salt_key(seed, "id:" + n) for n in NETWORKS}
        self._second_key = salt_key(seed, "profile:second")
        self.network_share = network_share
        self._extra_keys: dict[tuple[str, str], int] = {}
        self.no_profile = no_profile
        self.second_account = second_account

    # Geography -----------------------------------------------------------------------------
    def position(self, person: int) -> int:
        """The person's position in the city blocks."""
        return (self.mult * person + self.offset) % self.people

    def person_at(self, position: int) -> int:
        """Inverse of :meth:`position`."""
        return ((position - self.offset) * self.mult_inv) % self.people

    def city_of(self, person: int) -> int:
        """Index (in ``self.cities``) of the city where the person lives now."""
        return bisect.bisect_right(self.starts, self.position(person)) - 1

    def in_city(self, city: int, rng: random.Random) -> int:
        """A random person living in the city."""
        return self.person_at(self.starts[city] + int(rng.random() * self.counts[city]))

    def near_city(self, city: int, rng: random.Random) -> int:
        """A random person living within 50 km (another city); same city when none is near."""
        idx, cum = self.near[city]
        if not idx:
            return self.in_city(city, rng)
        k = idx[bisect.bisect_right(cum, int(rng.random() * cum[-1]))]
        return self.in_city(k, rng)

    def in_country(self, country: str, rng: random.Random) -> int:
        """A random person of the country (so big cities come up more often)."""
        lo, hi = self.country_range[country]
        return self.person_at(lo + int(rng.random() * (hi - lo)))

    def anyone(self, rng: random.Random) -> int:
        """A random person anywhere."""
        return int(rng.random() * self.people)

    def random_city_in_country(self, country: str, rng: random.Random) -> int:
        """A city drawn in proportion to its people."""
        lo, hi = self.country_range[country]
        return bisect.bisect_right(self.starts, lo + int(rng.random() * (hi - lo))) - 1

    def random_city_near(self, city: int, rng: random.Random) -> int:
        """A city within 50 km drawn in proportion to its people (the city itself if none)."""
        idx, cum = self.near[city]
        if not idx:
            return city
        return idx[bisect.bisect_right(cum, int(rng.random() * cum[-1]))]

    # Profiles ------------------------------------------------------------------------------
    def _u(self, key: int, person: int) -> float:
        return mix64(key ^ person) / 18446744073709551616.0

    def has_profile(self, person: int, network: str) -> bool:
        """Whether the person has a (main) account on the network: hash-derived, so any
        person's accounts are known without generating the person."""
        if self._u(self._any_key, person) < self.no_profile:
            return False
        if self._u(self._net_keys[network], person) < self.network_share[network]:
            return True
        # Everyone with "some profile" has at least one: fall back to `social`.
        return network == "social" and not any(
            self._u(self._net_keys[n], person) < self.network_share[n] for n in NETWORKS
        )

    def networks_of(self, person: int) -> list[str]:
        """The networks where the person has a main account."""
        return [n for n in NETWORKS if self.has_profile(person, n)]

    def has_second_account(self, person: int) -> bool:
        """An old, abandoned `social` account besides the main one."""
        return self.has_profile(person, "social") and (
            self._u(self._second_key, person) < self.second_account
        )

    def profile_id(self, person: int, network: str, k: int = 0) -> str:
        """Opaque, stable external id of a person's account (k > 0: extra accounts)."""
        return f"{_NET_PREFIX[network]}{mix64(self._id_keys[network] ^ (person * 4 + k)):016x}"

    def extra_id(self, network: str, kind: str, number: int) -> str:
        """External id of a fake or impersonating account (number unique per kind)."""
        key = self._extra_keys.get((network, kind))
        if key is None:
            key = self._extra_keys[(network, kind)] = salt_key(self.seed, f"{kind}:{network}")
        return f"{_NET_PREFIX[network]}{mix64(key ^ number):016x}"
