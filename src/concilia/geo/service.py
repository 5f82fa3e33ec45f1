"""Gazetteer look-ups: find a city by (free-text) name, the places a text names,
distances, neighbours.

The data is static, so these functions take no database session.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import resources
from typing import TypeVar

from concilia.geo.schemas import City
from concilia.once import once

EARTH_RADIUS_KM = 6371.0088

_COUNTRY_WORDS: dict[str, str] = {
    "fr": "FR",
    "france": "FR",
    "es": "ES",
    "spain": "ES",
    "espana": "ES",
    "espagne": "ES",
    "gb": "GB",
    "uk": "GB",
    "united kingdom": "GB",
    "royaume uni": "GB",
    "reino unido": "GB",
    "england": "GB",
    "angleterre": "GB",
    "inglaterra": "GB",
    "scotland": "GB",
    "wales": "GB",
    "us": "US",
    "usa": "US",
    "united states": "US",
    "etats unis": "US",
    "estados unidos": "US",
    "eeuu": "US",
}
_SAINT = re.compile(r"\b(saint|sainte|santa|san|st|ste)\b")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalize_name(text: str) -> str:
    """Fold a place name for comparison: no accents, no case, no punctuation, 'St' = 'Saint'."""
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    folded = folded.replace("ß", "ss").replace("œ", "oe").replace("æ", "ae")
    folded = _NON_WORD.sub(" ", folded).strip()
    return _SAINT.sub("st", folded)


def _country_code(text: str | None) -> str | None:
    if not text:
        return None
    key = normalize_name(text)
    if key.upper() in {"FR", "ES", "GB", "US"}:
        return key.upper()
    return _COUNTRY_WORDS.get(key)


@once
def all_cities() -> tuple[City, ...]:
    """Every city of the gazetteer, by country then decreasing population."""
    text = resources.files("concilia.geo").joinpath("data/cities.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return tuple(
        City(
            id=int(r["geoname_id"]),
            name=r["name"],
            country=r["country"],
            admin1=r["admin1"],
            latitude=float(r["latitude"]),
            longitude=float(r["longitude"]),
            population=int(r["population"]),
            time_zone=r["time_zone"],
            alt_names=tuple(a for a in r["alt_names"].split("|") if a),
        )
        for r in rows
    )


@once
def _indexes() -> tuple[dict[str, list[City]], dict[str, list[City]], dict[int, City]]:
    primary: dict[str, list[City]] = {}
    alternate: dict[str, list[City]] = {}
    for city in all_cities():
        primary.setdefault(normalize_name(city.name), []).append(city)
        for alt in city.alt_names:
            alternate.setdefault(normalize_name(alt), []).append(city)
    for index in (primary, alternate):
        for cities in index.values():
            cities.sort(key=lambda c: -c.population)
    return primary, alternate, {c.id: c for c in all_cities()}


def get(city_id: int) -> City | None:
    """The city with this GeoNames id, or None."""
    return _indexes()[2].get(city_id)


def candidates(name: str, country: str | None = None) -> list[City]:
    """All cities this name may mean, best first (primary names, then alternates; by size).

    Accepts qualifiers as people write them: "Cambridge, MA", "Lyon (France)", "Londres, UK".
    """
    primary, alternate, _ = _indexes()
    text = name.strip()
    qualifier: str | None = None
    match = re.match(r"^(.*?)\s*(?:,|\(|/)\s*([^,()/]+?)\s*\)?\s*$", text)
    if match and match.group(1):
        text, qualifier = match.group(1), match.group(2)
    wanted_country = _country_code(country) if country else None
    qual_country = _country_code(qualifier)
    if qual_country and not wanted_country:
        wanted_country = qual_country
    key = normalize_name(text)
    found = list(primary.get(key, [])) + [
        c for c in alternate.get(key, []) if c not in primary.get(key, [])
    ]
    if wanted_country:
        found = [c for c in found if c.country == wanted_country]
    if qualifier and not qual_country:
        # A US state or a region code: prefer, but do not require, a match.
        state = qualifier.strip().upper()
        found.sort(key=lambda c: c.admin1.upper() != state)
    return found


def lookup(name: str, country: str | None = None) -> City | None:
    """The most likely city for a free-text name (accent/case-insensitive, alternate names)."""
    found = candidates(name, country)
    return found[0] if found else None


# A debtor file's city is typed by hand ("Londom", "Marseillle", "Pairs"): one slip of a key
# (a letter wrong, missing, doubled, or two swapped) in a short name, two in a long one. A
# shorter name than four letters is too close to too many others to correct.
_MIN_CORRECTED = 4
_TWO_SLIPS_FROM = 10


@lru_cache(maxsize=4)
def _names_of(country: str) -> tuple[list[str], list[list[City]]]:
    """Every folded name (primary and alternate) of a country's cities, with the cities
    each names, largest first."""
    primary, alternate, _ = _indexes()
    by_name: dict[str, list[City]] = {}
    for index in (primary, alternate):
        for key, cities in index.items():
            mine = [c for c in cities if c.country == country]
            if mine:
                seen = by_name.setdefault(key, [])
                seen.extend(c for c in mine if c not in seen)
    names = sorted(by_name)
    return names, [sorted(by_name[n], key=lambda c: -c.population) for n in names]


def lookup_misspelt(name: str, country: str) -> City | None:
    """The city a misspelt name most likely means, within one country, or None.

    Only for names :func:`lookup` does not know: the nearest spelling by optimal string
    alignment (a swap of two neighbouring letters is one slip), then the largest city;
    none when the name is short or nothing is close enough."""
    from rapidfuzz.distance import OSA
    from rapidfuzz.process import extract

    wanted = _country_code(country)
    key = normalize_name(re.split(r"[,(/]", name, maxsplit=1)[0])
    letters = len(key.replace(" ", ""))
    if wanted is None or letters < _MIN_CORRECTED:
        return None
    slips = 2 if letters >= _TWO_SLIPS_FROM else 1
    names, cities = _names_of(wanted)
    hits = extract(key, names, scorer=OSA.distance, score_cutoff=slips, limit=None)
    if not hits:
        return None
    best = min(d for _, d, _ in hits)
    found = [c for _, d, i in hits if d == best for c in cities[i]]
    return max(found, key=lambda c: (c.population, -c.id))


def search(query: str, country: str | None = None, limit: int = 20) -> list[City]:
    """Cities whose name or alternate name starts with the query, largest first."""
    key = normalize_name(query)
    if not key:
        return []
    wanted = _country_code(country) if country else None
    hits = [
        c
        for c in all_cities()
        if (wanted is None or c.country == wanted)
        and any(normalize_name(n).startswith(key) for n in (c.name, *c.alt_names))
    ]
    hits.sort(key=lambda c: -c.population)
    return hits[:limit]


def _coords(point: City | tuple[float, float]) -> tuple[float, float]:
    if isinstance(point, City):
        return point.latitude, point.longitude
    return point


def distance_km(a: City | tuple[float, float], b: City | tuple[float, float]) -> float:
    """Great-circle (haversine) distance in kilometres between two cities or (lat, lon) points."""
    lat1, lon1 = _coords(a)
    lat2, lon2 = _coords(b)
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def nearby(
    city: City | tuple[float, float], km: float, cities: Iterable[City] | None = None
) -> list[tuple[City, float]]:
    """Other cities within ``km`` of a city or point, nearest first, with their distance."""
    out: list[tuple[City, float]] = []
    for other in all_cities() if cities is None else cities:
        if isinstance(city, City) and other.id == city.id:
            continue
        d = distance_km(city, other)
        if d <= km:
            out.append((other, d))
    out.sort(key=lambda pair: (pair[1], pair[0].id))
    return out


def nearest(point: tuple[float, float], country: str | None = None) -> City:
    """The gazetteer city closest to a (lat, lon) point."""
    pool = [c for c in all_cities() if country is None or c.country == country]
    return min(pool, key=lambda c: (distance_km(point, c), c.id))


# --- places named in free text (a post, a bio) -------------------------------------------------

# Only capitalised spans are looked up, which keeps "nice day" and "tours" from becoming
# cities; a span of up to four words ("Saint-Germain-en-Laye", "Newcastle upon Tyne").
_CAP_SPAN = re.compile(
    r"(?<![\w#@])([A-ZÀ-Ý][\w'’&.-]*(?:\s+(?:de|del|la|le|du|des|y|of|on|upon|-)?\s*"
    r"[A-ZÀ-Ý][\w'’&.-]*){0,3})"
)
# Capitalised words that open a sentence or name a day or month, never a place or a name.
NOT_NAMES = frozenset(
    {
        "je",
        "i",
        "the",
        "le",
        "la",
        "el",
        "my",
        "mon",
        "mi",
        "new",
        "nouveau",
        "nuevo",
        "premier",
        "first",
        "primer",
        "monday",
        "lundi",
        "lunes",
        "january",
        "janvier",
        "enero",
        "september",
        "septembre",
        "septiembre",
    }
)
_T = TypeVar("_T")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_words(text: str) -> str:
    """Accents, case and punctuation folded away, words kept: how text spans are compared."""
    return re.sub(r"[^0-9a-z]+", " ", _strip_accents(text).casefold()).strip()


@once
def _text_index() -> tuple[dict[str, City], dict[str, City]]:
    """(accent-folded index, accent-keeping index) of city names and alternate names."""
    folded: dict[str, City] = {}
    exact: dict[str, City] = {}
    # Largest first, so an ambiguous name keeps its most populous city.
    for city in sorted(all_cities(), key=lambda c: -c.population):
        for name in (city.name, *city.alt_names):
            key = fold_words(name)
            if len(key) > 2:
                folded.setdefault(key, city)
                exact.setdefault(name.casefold(), city)
    return folded, exact


def city_named(span: str) -> City | None:
    """The city a span of text names, largest first; a span written with accents must
    match them ("Monté" is not "Monte")."""
    folded, exact = _text_index()
    if _strip_accents(span) != span:
        return exact.get(span.casefold())
    return folded.get(fold_words(span))


def _sub_spans(span: str) -> list[str]:
    words = span.split()
    out = []
    for size in range(len(words), 0, -1):
        for start in range(0, len(words) - size + 1):
            out.append(" ".join(words[start : start + size]))
    return out


def read_names(text: str, *, other: Callable[[str], _T | None]) -> list[City | _T]:
    """Places (and the caller's ``other`` names) a text names, in order of mention.

    Each capitalised span is read longest part first; ``other`` is asked before the
    gazetteer, so a caller's names win over places ("Santander" the bank in a job post).
    A part inside one already read is not read again ("Saint-Denis" is not also "Denis")."""
    found: list[City | _T] = []
    for match in _CAP_SPAN.finditer(text):
        taken: set[str] = set()
        for sub in _sub_spans(match.group(1)):
            key = fold_words(sub)
            if not key or key in NOT_NAMES or any(key in t for t in taken):
                continue
            if (mine := other(sub)) is not None:
                found.append(mine)
                taken.add(key)
            elif (city := city_named(sub)) is not None:
                found.append(city)
                taken.add(key)
    return found


def _no_other(_span: str) -> None:
    return None


def places_named(text: str) -> list[City]:
    """Gazetteer cities a text names ("New life in Lyon", "Leaving Leeds for York"), in
    order of first mention, each name once: where its writer lives, has lived or went."""
    out: list[City] = []
    seen: set[str] = set()
    for city in read_names(text, other=_no_other):
        if isinstance(city, City) and fold_words(city.name) not in seen:
            seen.add(fold_words(city.name))
            out.append(city)
    return out
