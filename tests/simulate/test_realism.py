"""The documented noise rates are honoured, and the world is hard in the ways it should be."""

from __future__ import annotations

import math
from collections import Counter

from concilia.geo import service as geo
from concilia.simulate.schemas import NoiseRates, SimulationSettings
from tests.simulate.conftest import World

RATES = NoiseRates()
SETTINGS = SimulationSettings()


def _near(observed: float, expected: float, n: int) -> bool:
    # Four standard errors of a proportion, plus a little slack for rounding.
    return abs(observed - expected) <= 4 * math.sqrt(expected * (1 - expected) / n) + 0.01


def test_people_level_rates(world: World) -> None:
    people = world.people
    n = len(people)
    assert _near(sum(p["moved"] for p in people) / n, RATES.moved, n)
    assert _near(sum(not p["profiles"] for p in people) / n, RATES.no_profile, n)
    assert _near(
        sum(p["debtor_reference"] is not None for p in people) / n, SETTINGS.debtor_share, n
    )
    assert _near(sum(p["namesake_name"] for p in people) / n, RATES.namesake, n)


def test_profile_level_rates(world: World) -> None:
    genuine = [t for t in world.truth_profiles if t["kind"] == "genuine"]
    n = len(genuine)
    fakes = sum(t["kind"] == "fake" for t in world.truth_profiles)
    assert _near(fakes / n, RATES.fake, n)
    private = sum("private" in t["noise"] for t in genuine) / n
    assert _near(private, RATES.private_profile, n)
    edges = len(world.friends)
    hidden = sum(e["visibility"] == "friends" for e in world.friends)
    assert _near(hidden / edges, RATES.friends_visibility, edges)


def test_namesakes_share_a_city(world: World) -> None:
    crowd = Counter((p["given_names"], p["family_names"], p["city"]["name"]) for p in world.people)
    shared = [key for key, n in crowd.items() if n >= 2]
    assert len(shared) >= 4, shared


def test_friends_live_near(world: World) -> None:
    owner = {pid: p for p in world.people for pid in p["profiles"]}
    residents = Counter(p["city"]["geoname_id"] for p in world.people)
    same, close, total = 0, 0, 0
    for edge in world.friends:
        a, b = owner.get(edge["profile_id"]), owner.get(edge["friend_id"])
        # In a small world, small towns have too few people to befriend: look at big ones.
        if a is None or b is None or a["moved"] or residents[a["city"]["geoname_id"]] < 40:
            continue
        total += 1
        ca, cb = a["city"], b["city"]
        same += ca["geoname_id"] == cb["geoname_id"]
        d = geo.distance_km((ca["latitude"], ca["longitude"]), (cb["latitude"], cb["longitude"]))
        close += d <= 50
    assert total > 500
    assert 0.45 < same / total < 0.7
    assert close / total > 0.65


def test_movers_keep_friends_in_the_old_city(world: World) -> None:
    owner = {pid: p for p in world.people for pid in p["profiles"]}
    old, new = 0, 0
    for edge in world.friends:
        a, b = owner.get(edge["profile_id"]), owner.get(edge["friend_id"])
        if a is None or b is None or not a["moved"]:
            continue
        old += b["city"]["geoname_id"] == a["previous_city"]["geoname_id"]
        new += b["city"]["geoname_id"] == a["city"]["geoname_id"]
    assert old > 0.3 * new > 0


def _km(a: dict[str, float], b: dict[str, float]) -> float:
    return geo.distance_km((a["latitude"], a["longitude"]), (b["latitude"], b["longitude"]))


def test_friends_are_as_spread_out_as_on_real_networks(world: World) -> None:
    # Bailey et al. (2018): for the average US county, 62.8 % of Facebook friends live within
    # 100 miles; the rest come from past places and long-distance ties.
    owner = {pid: p for p in world.people for pid in p["profiles"]}
    within, total, far_movers, movers = 0, 0, 0, 0
    for edge in world.friends:
        a, b = owner.get(edge["profile_id"]), owner.get(edge["friend_id"])
        if a is None or b is None:
            continue
        close = _km(a["city"], b["city"]) <= 161
        total += 1
        within += close
        if a["moved"] and _km(a["city"], a["previous_city"]) > 100:
            movers += 1
            far_movers += not close
    assert total > 5000
    assert 0.5 < within / total < 0.75
    # Someone who moved far keeps most of their friends away from the new city for years.
    assert far_movers / movers > 0.5


def test_debtors_have_moved_more_often_before(world: World) -> None:
    earlier = Counter(
        (p["debtor_reference"] is not None, place["kind"])
        for p in world.people
        for place in p["past_places"]
    )
    debtors = sum(p["debtor_reference"] is not None for p in world.people)
    others = len(world.people) - debtors
    assert (
        earlier[(True, "earlier_home")] / debtors > 1.5 * earlier[(False, "earlier_home")] / others
    )
    kinds = {place["kind"] for p in world.people for place in p["past_places"]}
    assert kinds == {"hometown", "studies", "earlier_home"}
    movers = [p for p in world.people if p["moved"]]
    assert all(p["moved_on"] is not None for p in movers)


def test_profiles_carry_name_noise(world: World) -> None:
    tags = Counter(tag for t in world.truth_profiles for tag in t["noise"])
    for tag in ("nickname", "accent_dropped", "typo", "stale_city", "partial", "private",
                "first_surname_only", "city_variant"):  # fmt: skip
        assert tags[tag] > 0, tag
    debtor_tags = Counter(tag for d in world.debtors for tag in d["noise"])
    for tag in ("moved", "uppercase", "maiden_name", "typo"):
        assert debtor_tags[tag] > 0, tag
