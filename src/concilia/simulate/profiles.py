"""Public profiles of people, fakes and impersonators, as networks expose them."""

from __future__ import annotations

import datetime as dt
import random
from functools import lru_cache
from typing import Any

import numpy as np

from concilia.geo import service as geo
from concilia.geo.schemas import City
from concilia.simulate import noise
from concilia.simulate.layout import Layout
from concilia.simulate.people import Person
from concilia.simulate.pools import nicknames, pool
from concilia.simulate.schemas import NoiseRates

PROVENANCE_BY = "connector:simulate"
LEGAL_BASIS = "legitimate_interest:LIA-SIM"
_PARTICLES = ("de ", "du ", "Le ", "de La ", "Da ", "des ", "La ")
_COUNTRY_NAMES = {"FR": "France", "ES": "España", "GB": "UK", "US": "USA"}
_OPTIONAL = ("city", "country", "employer", "job_title", "school", "birthday", "bio", "language")
_SPAM_BIO = {
    "fr": [
        "Trader crypto 💰 DM pour infos",
        "Gagnez 500€/jour depuis chez vous",
        "Coach bien-être 🌿",
    ],
    "es": ["Inversor cripto 💰 escríbeme", "Gana 500€ al día desde casa", "Coach de vida 🌿"],
    "en": ["Crypto trader 💰 DM me", "Earn $500/day from home", "Life coach 🌿 link below"],
}
_BIO = {
    "fr": [
        "{job} chez {employer}",
        "Fière maman ❤️",
        "Passionné de foot ⚽",
        "📍 {city}",
        "Carpe diem",
    ],
    "es": [
        "{job} en {employer}",
        "Madre orgullosa ❤️",
        "Futbolero ⚽",
        "📍 {city}",
        "Vive y deja vivir",
    ],
    "en": [
        "{job} at {employer}",
        "Proud mum ❤️",
        "Football fan ⚽",
        "📍 {city}",
        "Living my best life",
    ],
}
_SCHOOLS = {
    "FR": [
        "Université de {c}",
        "Lycée Victor Hugo",
        "IUT de {c}",
        "Lycée Jean Moulin",
        "Sciences Po",
    ],
    "ES": ["Universidad de {c}", "IES Cervantes", "IES {c}", "Universidad Complutense"],
    "GB": ["University of {c}", "{c} College", "The Open University", "{c} Academy"],
    "US": ["{c} High School", "University of {c}", "{c} Community College", "State University"],
}


_DATES: dict[int, str] = {}
_TIMES = tuple(
    f"T{h:02d}:{m:02d}:{sec:02d}+00:00" for h in range(24) for m in range(60) for sec in range(60)
)


def iso_date(ordinal: int) -> str:
    """ISO date of a proleptic Gregorian ordinal (cached: the same few thousand days recur)."""
    text = _DATES.get(ordinal)
    if text is None:
        text = _DATES[ordinal] = dt.date.fromordinal(ordinal).isoformat()
    return text


def iso_time(ordinal: int, seconds: int) -> str:
    """ISO time with offset (UTC) of an ordinal day plus seconds."""
    return iso_date(ordinal) + _TIMES[seconds % 86400]


def capture_time(as_of: int, rng: random.Random) -> str:
    """When the connector captured an account (its profile, edges and posts at once)."""
    return iso_time(as_of - int(rng.random() * 30), int(rng.random() * 86400))


def provenance(url: str, captured_at: str) -> dict[str, str]:
    """The provenance block every line carries."""
    return {
        "url": url,
        "captured_at": captured_at,
        "captured_by": PROVENANCE_BY,
        "legal_basis": LEGAL_BASIS,
    }


@lru_cache(maxsize=1)
def _metros() -> dict[int, City]:
    from concilia.simulate.layout import distance_matrix

    cities = list(geo.all_cities())
    dist = distance_matrix(cities)
    out: dict[int, City] = {}
    for k, city in enumerate(cities):
        bigger = [
            cities[j]
            for j in np.flatnonzero(dist[k] <= 25)
            if cities[j].population > 2 * city.population
        ]
        if bigger:
            out[city.id] = max(bigger, key=lambda c: c.population)
    return out


def metro_of(city_id: int) -> City | None:
    """The much bigger city next door, which people often state instead (Lyon for Villeurbanne)."""
    return _metros().get(city_id)


def _split_particle(family: str) -> tuple[str, str]:
    for particle in _PARTICLES:
        if family.startswith(particle):
            return particle, family[len(particle) :]
    return "", family


def vary_family(
    family: str,
    country: str,
    rng: random.Random,
    rates: NoiseRates,
    tags: list[str],
    scale: float = 1.0,
) -> str:
    """Spanish double surnames cut or swapped, French particles dropped."""
    if country == "ES" and " " in family:
        first, _, second = family.partition(" ")
        r = rng.random()
        if r < rates.spanish_first_surname_only * scale:
            tags.append("first_surname_only")
            return first
        if r < (rates.spanish_first_surname_only + rates.spanish_surnames_swapped) * scale:
            tags.append("surnames_swapped")
            return f"{second} {first}"
    particle, rest = _split_particle(family)
    if particle and rng.random() < rates.particle_dropped * scale:
        tags.append("particle_dropped")
        return rest
    return family


def finish_name(
    given: str, family: str, rng: random.Random, rates: NoiseRates, tags: list[str]
) -> tuple[str, str]:
    """Typos, dropped accents and swapped order, shared by profiles and the portfolio."""
    if rng.random() < rates.typo:
        tags.append("typo")
        if rng.random() < 0.5:
            given = noise.typo(given, rng)
        else:
            family = noise.typo(family, rng)
    if rng.random() < rates.accent_dropped:
        stripped_g, stripped_f = noise.strip_accents(given), noise.strip_accents(family)
        if (stripped_g, stripped_f) != (given, family):
            tags.append("accent_dropped")
        given, family = stripped_g, stripped_f
    if rng.random() < rates.names_swapped:
        tags.append("names_swapped")
        given, family = family, given
    return given, family


def display_name(
    person: Person, network: str, rng: random.Random, rates: NoiseRates, tags: list[str]
) -> tuple[str, str]:
    """The name shown on a profile, and the given name used for the handle."""
    given = person.given
    nick = nicknames(given)
    if nick and rng.random() < rates.nickname * (0.3 if network == "pro" else 1.0):
        given = rng.choice(nick)
        tags.append("nickname")
    family = person.family
    if person.birth_family != family:
        r = rng.random()
        if r < 0.25:
            family = person.birth_family
            tags.append("maiden_name")
        elif r < 0.4:
            family = f"{family} ({person.birth_family})"
            tags.append("both_names")
    family = vary_family(family, person.country, rng, rates, tags)
    given, family = finish_name(given, family, rng, rates, tags)
    if network != "pro" and rng.random() < 0.05:
        family = family[0] + "."
        tags.append("initial_only")
    name = f"{given} {family}"
    r = rng.random()
    if r < 0.05:
        name = name.lower()
    elif r < 0.07:
        name = name.upper()
    return name, given


def handle_for(given: str, family: str, year: int, network: str, rng: random.Random) -> str:
    """A username built the way people build theirs."""
    g = noise.strip_accents(given).lower().replace(" ", "").replace("-", "").replace("'", "")
    f = noise.strip_accents(family.split(" ")[-1 if family.startswith(_PARTICLES) else 0])
    f = (
        f.lower()
        .replace("-", "")
        .replace("'", "")
        .replace(".", "")
        .replace("(", "")
        .replace(")", "")
    )
    n = rng.randrange(100)
    style = rng.randrange(7)
    base = [
        f"{g}.{f}",
        f"{g}{f}",
        f"{g}_{f}{n}",
        f"{f}{g[:1]}",
        f"{g}{f[:1]}{n}",
        f"{g}.{f}.{year % 100:02d}",
        f"{g}{f}{year}",
    ][style]
    if network == "photo" and rng.random() < 0.3:
        base = rng.choice([f"{g}_{f}_", f"its{g}", f"{g}.photos", f"{g}{n}x"])
    return base or f"user{n}"


def stated_city(
    person: Person, layout: Layout, rng: random.Random, rates: NoiseRates, tags: list[str]
) -> tuple[str, str]:
    """The city a profile states, and its country."""
    idx = person.city
    if person.old_city is not None and rng.random() < rates.stale_city:
        idx = person.old_city
        tags.append("stale_city")
    city = layout.cities[idx]
    name = city.name
    if rng.random() < rates.city_variant:
        tags.append("city_variant")
        kind = rng.randrange(5)
        metro = metro_of(city.id)
        if kind == 0 and metro is not None:
            return metro.name, metro.country
        if kind == 1 and city.alt_names:
            name = city.alt_names[0]
        elif kind == 2:
            name = name.lower()
        elif kind == 3:
            name = (
                f"{name}, {city.admin1 if city.country == 'US' else _COUNTRY_NAMES[city.country]}"
            )
        else:
            name = noise.strip_accents(name)
    return name, city.country


def photo_hash(base: int | None, rng: random.Random, rates: NoiseRates) -> str | None:
    """Same picture, a slightly altered copy (few bits differ), or another one."""
    if base is None:
        return None
    r = rng.random()
    if r < rates.photo_reused:
        return f"{base:016x}"
    if r < rates.photo_reused + rates.photo_near_duplicate:
        return f"{flip_bits(base, rng, rng.randint(1, 4)):016x}"
    return f"{rng.getrandbits(64):016x}"


def flip_bits(value: int, rng: random.Random, count: int) -> int:
    """A perceptual hash of the same picture after recompression or cropping."""
    for bit in rng.sample(range(64), count):
        value ^= 1 << bit
    return value


def school_for(person: Person, layout: Layout, rng: random.Random) -> str:
    """A school or university, in a city the person lived in."""
    where = layout.cities[person.old_city if person.old_city is not None else person.city]
    return rng.choice(_SCHOOLS[person.country]).format(c=where.name)


def counts(network: str, rng: random.Random, fake: bool = False) -> dict[str, int]:
    """Public counters; fakes follow many and are followed by few."""
    if fake:
        following = int(rng.lognormvariate(6.2, 0.8))
        return {
            "friends_count": int(rng.lognormvariate(3.0, 1.0)),
            "followers_count": int(rng.lognormvariate(2.5, 1.2)),
            "following_count": following,
            "posts_count": int(rng.lognormvariate(1.5, 1.0)),
        }
    friends = int(rng.lognormvariate(5.3 if network != "photo" else 4.8, 0.8))
    return {
        "friends_count": friends,
        "followers_count": int(friends * rng.uniform(0.6, 1.4)),
        "following_count": int(friends * rng.uniform(0.5, 1.2)),
        "posts_count": int(rng.lognormvariate(3.5, 1.2)),
    }


def hide_fields(profile: dict[str, Any], rng: random.Random) -> None:
    """Privacy `partial`: the owner hid a few fields, which are then absent."""
    present = [k for k in _OPTIONAL if k in profile]
    for key in rng.sample(present, min(len(present), rng.randint(1, 3))):
        del profile[key]
    profile["privacy"] = "partial"


def lock(profile: dict[str, Any]) -> None:
    """A private profile: only the name and the photo are public."""
    keep = ("external_id", "network", "display_name", "handle", "photo_hash")
    for key in [k for k in profile if k not in keep]:
        del profile[key]
    profile["privacy"] = "partial"


def bio_for(language: str, slots: dict[str, str], rng: random.Random, spam: bool = False) -> str:
    """A short bio."""
    if spam:
        return rng.choice(_SPAM_BIO[language])
    template = rng.choice(_BIO[language])
    if "{employer}" in template and not slots.get("employer"):
        template = _BIO[language][1]
    return template.format_map(slots)


def random_identity(country: str, rng: random.Random) -> tuple[str, str, str]:
    """A plausible name for a fake account: (given, family, sex)."""
    from concilia.simulate.people import _family, _first

    p = pool(country)
    sex = "F" if rng.random() < 0.6 else "M"
    return _first(p, sex, rng), _family(p, rng), sex
