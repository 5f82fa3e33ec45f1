"""Where a person's friends live: the places of a life, and how long ties outlast a move.

Real friend lists are far more spread out than "most friends live in my city": people keep
the friends of where they grew up, studied and lived before, and online ties are not
dropped when someone moves, so a recent move shows in the friend graph only years later.
Every figure behind the defaults is cited in docs/simulate.md ("Friend geography").

Everything here draws from its own random streams (``history:`` and ``edges:`` per chunk),
never from the chunk's main stream, so names, profiles and posts do not depend on it.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass

from concilia.simulate.layout import Layout
from concilia.simulate.people import DAYS_PER_YEAR, Person
from concilia.simulate.schemas import FriendGeography

HOMETOWN = "hometown"
STUDIES = "studies"
EARLIER = "earlier_home"


def life_history(
    *,
    person: Person,
    layout: Layout,
    geo: FriendGeography,
    rng: random.Random,
    debtor: bool,
    as_of: int,
) -> None:
    """Draw the person's past places (hidden from the creditor) and, for a mover, the day of
    the move; stored on ``person``."""
    here = person.city
    first = person.old_city if person.old_city is not None else here
    origin = layout.cities[first].country
    places: list[tuple[str, int]] = []
    if rng.random() < geo.hometown_elsewhere:
        town = (
            layout.random_city_near(first, rng)
            if rng.random() < geo.hometown_near
            else layout.random_city_in_country(origin, rng)
        )
        places.append((HOMETOWN, town))
    if rng.random() < geo.studied_elsewhere:
        places.append((STUDIES, layout.random_city_in_country(origin, rng)))
    mean = geo.earlier_homes_debtor if debtor else geo.earlier_homes_other
    while rng.random() < mean / (mean + 1) and len(places) < 5:
        town = (
            layout.random_city_near(first, rng)
            if rng.random() < 0.5
            else layout.random_city_in_country(origin, rng)
        )
        places.append((EARLIER, town))
    known = {here, first}
    person.history = [(kind, city) for kind, city in places if city not in known]
    if person.old_city is not None:
        moved = [day for label, day in person.events if label == "moved"]
        person.moved_on = (
            moved[-1]
            if moved
            else person.debt_date + int(rng.random() * (as_of - person.debt_date))
        )


@dataclass(frozen=True, slots=True)
class Circle:
    """The places a person's friends come from, with cumulative weights."""

    cities: tuple[int, ...]
    cum: tuple[float, ...]


def circle(person: Person, geo: FriendGeography, as_of: int) -> Circle:
    """Weigh the places of the person's life by how many friends each leaves on the list."""
    weights: dict[int, float] = {}
    current = geo.weight_current
    if person.old_city is not None:
        years = max(0.0, (as_of - (person.moved_on or as_of)) / DAYS_PER_YEAR)
        # New local ties accumulate with the years spent in the new city; old ones stay listed.
        current *= years / (years + geo.settle_years)
        weights[person.old_city] = geo.weight_previous
    weights[person.city] = weights.get(person.city, 0.0) + max(current, 0.02)
    per_kind = {HOMETOWN: geo.weight_hometown, STUDIES: geo.weight_studies}
    for kind, city in person.history:
        weights[city] = weights.get(city, 0.0) + per_kind.get(kind, geo.weight_earlier)
    cities = tuple(sorted(weights))
    acc = 0.0
    cum: list[float] = []
    for city in cities:
        acc += weights[city]
        cum.append(acc)
    return Circle(cities, tuple(cum))


def draw_friend(circ: Circle, layout: Layout, geo: FriendGeography, rng: random.Random) -> int:
    """A person drawn from one of the places of the circle (or from anywhere)."""
    if rng.random() < geo.anywhere:
        return layout.anyone(rng)
    city = circ.cities[bisect.bisect_right(circ.cum, rng.random() * circ.cum[-1])]
    r = rng.random()
    if r < geo.same_city:
        return layout.in_city(city, rng)
    if r < geo.same_city + geo.nearby:
        return layout.near_city(city, rng)
    return layout.in_country(layout.cities[city].country, rng)
