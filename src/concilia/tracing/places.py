"""Where a profile places its owner, beyond its stated city: the city its bio or school
names, and where its public friends live (in aggregate only).

A profile that hides its city, or states an old one, still says a lot about where its
owner lives: "📍 Asnières-sur-Seine" in the bio, "IUT de Tournefeuille" as the school, and
twelve of nineteen public friends in Lyon. A skip tracer reads exactly these; the linkage
reads them as comparisons (see :mod:`concilia.tracing.settings`).

Friends' data is used only as counts per city (DESIGN.md): the summary kept for a
profile is "19 located friends, 12 in Lyon, 3 in Paris", never who they are.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Protocol, TypeVar

import numpy as np
import pandas as pd

from concilia.geo import service as geo_service
from concilia.tracing import normalize as nz

# --- the gazetteer --------------------------------------------------------------------------


@lru_cache(maxsize=100_000)
def geocode(city: str | None, country: str | None) -> tuple[str, float | None, float | None]:
    """(folded canonical city name, latitude, longitude) from the gazetteer.

    The gazetteer's own name is used when found, so 'Londres', 'Londom' (in GB) and
    'London' compare equal; unknown places keep their folded text and no coordinates.
    """
    if not city:
        return "", None, None
    found = _in_country(geo_service.lookup(city, country=country or None), country)
    if found is None and country:
        # A city field is typed by hand; free text (a bio) is not corrected, it names
        # too many things that are no place.
        found = geo_service.lookup_misspelt(city, country)
    if found is None:
        return nz.city_key(city), None, None
    return nz.city_key(found.name), float(found.latitude), float(found.longitude)


class _Located(Protocol):
    @property
    def country(self) -> str: ...


_C = TypeVar("_C", bound=_Located)


def _in_country(found: _C | None, country: str | None) -> _C | None:
    """``found`` unless the record names another country by its code: the gazetteer
    answers a country it does not hold ('AU') with a namesake elsewhere (Brighton, GB),
    whose coordinates would put two suburbs apart 'within 15 km'. Such a town stays text."""
    if found is None or not country:
        return found
    code = country.strip().upper()
    code = "GB" if code == "UK" else code
    return found if len(code) != 2 or found.country == code else None


# Posts name a city of a million for many reasons besides living there (a holiday, a
# match, a concert), and a namesake living there has friends there too: both say less
# there than of a town (bench/tracing_levels.py splits their true and false pairs by size).
LARGE_CITY = 1_000_000


@lru_cache(maxsize=100_000)
def large_city(city_key: str, country: str | None) -> bool:
    """Whether a geocoded city (its folded gazetteer name) has LARGE_CITY inhabitants."""
    if not city_key:
        return False
    found = _in_country(geo_service.lookup(city_key, country=country or None), country)
    return found is not None and found.population >= LARGE_CITY


@lru_cache(maxsize=100_000)
def known_city(text: str, country: str | None) -> str | None:
    """The gazetteer's folded name of a place named in free text, or None when unknown."""
    text = text.strip(" ,.;:-–—!")
    if len(text) < 2:
        return None
    found = geo_service.lookup(text, country=country or None)
    if found is None and "," in text:  # "Austin, TX", "Lyon, France"
        found = geo_service.lookup(text.split(",", 1)[0], country=country or None)
    return nz.city_key(found.name) if found is not None else None


# --- the bio and the school -----------------------------------------------------------------

# "📍 Lyon", "📍Lyon, France", "Based in Leeds", "Vivo en Sevilla", "J'habite à Nantes".
_PIN = re.compile(
    r"(?:📍|\bbased in\b|\bliving in\b|\blives in\b|\bvivo en\b|\bvive en\b|\bdesde\b|"
    r"\bj'habite à\b|\bhabite à\b|\bvis à\b)\s*([^\n|•·/#@]+)",
    re.IGNORECASE,
)
# Words of a school's name that are not its place: "Université de Lyon", "IES Cervantes",
# "Leeds College", "Austin Community College", "University of Bristol".
_SCHOOL_WORDS = re.compile(
    r"\b(?:universit[éey]|universidad|university|iut|ies|lyc[ée]e|coll[eè]ge|colegio|"
    r"instituto|institut|escuela|[ée]cole|academy|acad[ée]mie|high school|school|community|"
    r"state|polytechnic|polit[ée]cnica|business|of|de|del|la|le|les|d)\b",
    re.IGNORECASE,
)


def said_cities(bio: str | None, school: str | None, country: str | None) -> list[str]:
    """Gazetteer cities named by a profile's bio (a pin, 'based in ...') or school."""
    found: list[str] = []
    for match in _PIN.finditer(bio or ""):
        # The place ends at the first sentence break; 'Lyon, France' keeps its country.
        words = re.split(r"[.!?;]", match.group(1), maxsplit=1)[0]
        city = known_city(words, country)
        if city:
            found.append(city)
    if school:
        rest = " ".join(_SCHOOL_WORDS.sub(" ", school.replace("'", " ")).split())
        if rest and rest.lower() != school.lower():
            city = known_city(rest, country)
            if city:
                found.append(city)
    return list(dict.fromkeys(found))


# "Nurse at Acme Ltd", "Comptable chez Dupuy SA", "Albañil en Construcciones Gil S.L.",
# "Dev @ Acme": the employer runs to the end of the line or to the next separator.
_AT = re.compile(r"(?:\b(?:at|chez|en)\s+|\s*@\s*)([^\n|•·/#]+)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?;]\s|[.!?;]$")


def said_employer(bio: str | None) -> str | None:
    """The employer a bio names ("Nurse at Acme Ltd", "Comptable chez Dupuy SA"), as a key.

    A place ("Vivo en Sevilla") or a lower-case phrase ("en couple") is not an employer."""
    if not bio:
        return None
    for line in bio.splitlines():
        for match in _AT.finditer(line):
            text = _SENTENCE_END.split(match.group(1), maxsplit=1)[0].strip(" ,")
            # Legal forms keep their dots ('S.L.U.'); only a dot followed by a space or
            # the end closed the sentence above.
            if len(text) < 3 or not text[0].isupper() or known_city(text, None):
                continue
            key = nz.employer_key(text)
            if key:
                return key
    return None


# --- friends ----------------------------------------------------------------------------------

# Grid cells of about 55 x 40 km: "many public friends around there" without a distance
# computed per pair (a debtor carries the cell of each of their cities, a profile the 3 x 3
# cells around the places its friends live in).
CELL_DEGREES = 0.5
# A city (or cell) holding this share of the located friends is one of the profile's places.
MANY_SHARE = 0.25
# Fewer located friends than this say nothing about where someone lives.
MIN_LOCATED = 3
_TOP = 8


def cell(lat: float, lon: float) -> str:
    """The grid cell of a point."""
    return _cell_name(math.floor(lat / CELL_DEGREES), math.floor(lon / CELL_DEGREES))


def cells_around(lat: float | None, lon: float | None) -> list[str]:
    """The cell of a point and its eight neighbours."""
    if lat is None or lon is None or (isinstance(lat, float) and math.isnan(lat)):
        return []
    y, x = math.floor(lat / CELL_DEGREES), math.floor(lon / CELL_DEGREES)
    return [_cell_name(y + dy, x + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]


@lru_cache(maxsize=100_000)
def _cell_name(y: int, x: int) -> str:
    # One string per cell, shared by every list that holds it: a million profiles' friend
    # cells are a few hundred distinct values.
    return f"{y}:{x}"


def _cells_around_each(points: list[tuple[float, float]]) -> list[str]:
    """The cells around each point, once each."""
    return list(dict.fromkeys(c for lat, lon in points for c in cells_around(lat, lon)))


def _clean_key(key: str) -> str:
    return key.replace("|", " ").replace("=", " ").replace("/", " ")


def friend_places(profiles_raw: pd.DataFrame, edges: pd.DataFrame | None) -> list[str | None]:
    """Per profile, where its public friends live, as counts: '19|lyon/FR=12|paris/FR=3'.

    ``edges`` has columns ``profile_id`` and ``friend_id`` (either direction: a locked
    profile's friends are seen from their own public lists). A friend counts where their
    own profile states a city the gazetteer knows. Only counts per city are kept."""
    out: list[str | None] = [None] * len(profiles_raw)
    if edges is None or edges.empty or profiles_raw.empty:
        return out
    ids = profiles_raw["profile_id"].astype(str)
    cities = profiles_raw.get("city", pd.Series([None] * len(profiles_raw)))
    countries = profiles_raw.get("country", pd.Series([None] * len(profiles_raw)))
    where = pd.DataFrame(
        {
            "friend": ids.to_numpy(),
            "place": [
                _located(c, k) for c, k in zip(cities.tolist(), countries.tolist(), strict=True)
            ],
        }
    ).dropna(subset=["place"])
    a = edges["profile_id"].astype(str).to_numpy()
    b = edges["friend_id"].astype(str).to_numpy()
    both = pd.DataFrame(
        {"profile": np.concatenate([a, b]), "friend": np.concatenate([b, a])}
    ).drop_duplicates()
    # A self-edge (refused by the importer, but a file may hold one) is no friend.
    both = both[both["profile"] != both["friend"]]
    located = both.merge(where, on="friend")
    if located.empty:
        return out
    counts = located.groupby(["profile", "place"]).size().rename("n").reset_index()
    counts = counts.sort_values(["profile", "n", "place"], ascending=[True, False, True])
    position = {pid: i for i, pid in enumerate(ids.tolist())}
    for profile, group in counts.groupby("profile", sort=False):
        total = int(group["n"].sum())
        if total < MIN_LOCATED:
            continue
        top = [f"{p}={n}" for p, n in zip(group["place"], group["n"], strict=True)][:_TOP]
        i = position.get(str(profile))
        if i is not None:
            out[i] = "|".join([str(total), *top])
    return out


def post_places(profiles_raw: pd.DataFrame, posts: pd.DataFrame | None) -> list[str | None]:
    """Per profile, the gazetteer cities its public posts name, latest post first:
    'lyon/FR|leeds/GB'. Only the places are kept, not the posts."""
    out: list[str | None] = [None] * len(profiles_raw)
    if posts is None or posts.empty or profiles_raw.empty:
        return out
    position = {pid: i for i, pid in enumerate(profiles_raw["profile_id"].astype(str))}
    ordered = posts.assign(_at=posts["posted_at"].fillna("").astype(str)).sort_values(
        "_at", ascending=False, kind="stable"
    )
    found: dict[int, list[str]] = {}
    for pid, text in zip(ordered["profile_id"].astype(str), ordered["text"], strict=True):
        i = position.get(pid)
        if i is None or not isinstance(text, str):
            continue
        seen = found.setdefault(i, [])
        for city in geo_service.places_named(text):
            place = f"{_clean_key(nz.city_key(city.name))}/{city.country}"
            if place not in seen and len(seen) < _TOP:
                seen.append(place)
    for i, named in found.items():
        out[i] = "|".join(named) if named else None
    return out


def post_cities(summary: str | None) -> list[str] | None:
    """The city keys of a :func:`post_places` summary."""
    if not summary:
        return None
    return [item.rsplit("/", 1)[0] for item in summary.split("|") if item]


def _located(city: Any, country: Any) -> str | None:
    if not isinstance(city, str) or not city.strip():
        return None
    key, lat, _ = geocode(city, country if isinstance(country, str) else None)
    if lat is None:
        return None
    code = country if isinstance(country, str) and country else ""
    return f"{_clean_key(key)}/{code}"


def parse_friend_places(summary: str | None) -> tuple[int, list[tuple[str, str, int]]]:
    """(located friends, [(city key, country, count), ...]) of a :func:`friend_places` summary."""
    if not summary:
        return 0, []
    head, *items = summary.split("|")
    places = []
    for item in items:
        place, _, n = item.rpartition("=")
        city, _, country = place.partition("/")
        places.append((city, country, int(n)))
    return int(head), places


FriendColumns = tuple[
    list[str] | None,
    list[str] | None,
    list[str] | None,
    list[str] | None,
    list[str] | None,
    list[str] | None,
    int,
]


def friend_columns(summary: str | None) -> FriendColumns:
    """The profile's friend places as the comparison reads them: (cities holding many of
    the friends, cities holding at least two, any friend's city, cells holding many and
    cells holding at least two (with their neighbours), any friend's own cell, located
    friends)."""
    total, places = parse_friend_places(summary)
    if total < MIN_LOCATED:
        return None, None, None, None, None, None, total
    many = [c for c, _, n in places if n >= 2 and n >= MANY_SHARE * total]
    some = [c for c, _, n in places if n >= 2]
    anyone = [c for c, _, _ in places]
    # Friends per cell, with a point of the cell: the profile carries the cells around it,
    # so against a debtor's own cell "around" means within one cell.
    by_cell: dict[str, tuple[int, float, float]] = {}
    for city, country, n in places:
        _, lat, lon = geocode(city, country or None)
        if lat is not None and lon is not None:
            seen = by_cell.get(cell(lat, lon), (0, lat, lon))
            by_cell[cell(lat, lon)] = (seen[0] + n, seen[1], seen[2])
    near = _cells_around_each(
        [(lat, lon) for n, lat, lon in by_cell.values() if n >= 2 and n >= MANY_SHARE * total]
    )
    around = _cells_around_each([(lat, lon) for n, lat, lon in by_cell.values() if n >= 2])
    # One friend in the next town is weak, but not the same as every friend far away. The
    # friends' own cells only (the debtor carries the cells around theirs): a profile's
    # copy of every neighbour of every friend's town cost a sizeable share of a million
    # profiles' memory.
    nearby = list(by_cell)
    return (
        many or None,
        some or None,
        anyone or None,
        near or None,
        around or None,
        nearby or None,
        total,
    )


def friends_in(summary: str | None, cities: Iterable[str | None]) -> tuple[int, int, str] | None:
    """(friends in the first of ``cities`` the summary holds, located friends, that city):
    the explanation's '12 of 19 public friends in Lyon'."""
    total, places = parse_friend_places(summary)
    counts = {c: n for c, _, n in places}
    for city in cities:
        if city and city in counts:
            return counts[city], total, city
    return None
