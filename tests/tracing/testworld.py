"""A small synthetic world for the tracing tests and bench/tracing_speed.py (fast to
generate at a million profiles, unlike `concilia.simulate`): debtors, public profiles and
the true links. Test code, so it lives with the tests, not in the package.

It reproduces the hard cases the linkage must handle: nicknames, family-first display
names, a dropped second surname, married names, accents lost, moves to a nearby or distant
city, hidden birthdays, namesakes living in the same city.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from concilia.tracing import normalize as nz

GIVEN = {
    "FR": [
        "Jean-Pierre",
        "Nicolas",
        "Frédéric",
        "Isabelle",
        "Catherine",
        "Sébastien",
        "Marie",
        "Julien",
        "Camille",
        "Léa",
        "Thomas",
        "Stéphane",
        "Hélène",
        "Guillaume",
        "Émilie",
    ],
    "ES": [
        "José",
        "Francisco",
        "María José",
        "Manuel",
        "Dolores",
        "Lucía",
        "Javier",
        "Carmen",
        "Ignacio",
        "Pilar",
        "Alejandro",
        "Rosario",
        "Álvaro",
        "Sofía",
        "Enrique",
    ],
    "GB": [
        "William",
        "Elizabeth",
        "Robert",
        "Margaret",
        "James",
        "Katherine",
        "Oliver",
        "Emily",
        "Thomas",
        "Charlotte",
        "Richard",
        "Sophie",
        "Harry",
        "Jessica",
        "Daniel",
    ],
}
FAMILY = {
    "FR": [
        "Martin",
        "Bernard",
        "Dubois",
        "Lefèvre",
        "Le Goff",
        "de La Fontaine",
        "Moreau",
        "Girard",
        "Fournier",
        "Mercier",
        "Rousseau",
        "Faure",
        "Chevalier",
        "Lambert",
    ],
    "ES": [
        "García",
        "López",
        "Martínez",
        "Sánchez",
        "Pérez",
        "Gómez",
        "Fernández",
        "Ruiz",
        "Díaz",
        "Muñoz",
        "Álvarez",
        "Romero",
        "Navarro",
        "Torres",
    ],
    "GB": [
        "Smith",
        "Jones",
        "Taylor",
        "Brown",
        "Williams",
        "Wilson",
        "Johnson",
        "Davies",
        "Robinson",
        "Wright",
        "Thompson",
        "Evans",
        "Walker",
        "Hughes",
    ],
}
NICK = {
    "Jean-Pierre": "JP",
    "Nicolas": "Nico",
    "Frédéric": "Fred",
    "Isabelle": "Isa",
    "Sébastien": "Seb",
    "Guillaume": "Guigui",
    "José": "Pepe",
    "Francisco": "Paco",
    "Manuel": "Manolo",
    "Dolores": "Lola",
    "Ignacio": "Nacho",
    "Rosario": "Charo",
    "William": "Bill",
    "Elizabeth": "Liz",
    "Robert": "Bob",
    "Margaret": "Maggie",
    "James": "Jim",
    "Katherine": "Kate",
    "Richard": "Rick",
    "Enrique": "Quique",
}
CITIES = {
    "FR": ["Paris", "Lyon", "Villeurbanne", "Marseille", "Toulouse", "Nantes", "Lille", "Rennes"],
    "ES": ["Madrid", "Barcelona", "Valencia", "Sevilla", "Zaragoza", "Málaga", "Bilbao"],
    "GB": ["London", "Manchester", "Leeds", "Bristol", "Liverpool", "Sheffield", "Glasgow"],
}
EMPLOYERS = [
    "Acme SAS",
    "Globex S.L.",
    "Initech Ltd",
    "Umbrella Inc",
    "Soylent GmbH",
    "Hooli SARL",
    "Vandelay Industries",
    "Stark Ltd",
    "Wayne SA",
    "Tyrell Corp",
]
PREFIX = {"FR": "+33 6", "ES": "+34 6", "GB": "+44 7"}
NETWORKS = ["social", "pro", "photo"]


@dataclass
class World:
    debtors: pd.DataFrame
    profiles: pd.DataFrame
    truth: set[tuple[str, str]]


def _strip_accents(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _pools() -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]]:
    """(male given, female given, family) per country: the hand-picked hard names above
    plus Faker's name lists, read directly (no per-record Faker call)."""
    from faker.providers.person.en_GB import Provider as GBNames
    from faker.providers.person.es_ES import Provider as ESNames
    from faker.providers.person.fr_FR import Provider as FRNames

    male, female, family = {}, {}, {}
    for country, prov in (("FR", FRNames), ("ES", ESNames), ("GB", GBNames)):
        male[country] = GIVEN[country] + list(prov.first_names_male)
        female[country] = GIVEN[country] + list(prov.first_names_female)
        family[country] = FAMILY[country] + list(prov.last_names)
    return male, female, family


def _post_places(rnd: random.Random, person: dict[str, Any], filed: str | None) -> str | None:
    """What :func:`places.post_places` reads off a profile's posts: a mover's new city (the
    one on file) now and then, the home city more often, a holiday anywhere."""
    named: list[str] = []
    if filed is not None and filed != person["city"] and rnd.random() < 0.4:
        named.append(filed)
    if rnd.random() < 0.25:
        named.append(person["city"])
    if rnd.random() < 0.15:
        named.append(rnd.choice(CITIES[rnd.choice(list(CITIES))]))
    keys = dict.fromkeys(f"{nz.city_key(c)}/{_country_of(c)}" for c in named)
    return "|".join(keys) or None


def _country_of(city: str) -> str:
    return next(country for country, cities in CITIES.items() if city in cities)


def generate(people: int, seed: int = 1, profiles_per_person: float = 3.0) -> World:
    """``people`` debtors, plus others so there are about ``profiles_per_person`` profiles
    for each debtor; about one debtor in ten has a namesake in the same city."""
    rnd = random.Random(seed)
    male, female, surnames = _pools()
    persons: list[dict[str, Any]] = []
    population = int(people * profiles_per_person / 1.6)
    for i in range(max(population, people)):
        country = rnd.choice(["FR", "ES", "GB"])
        if persons and rnd.random() < 0.1:
            twin = rnd.choice(persons)
            country, given, family, city = (
                twin["country"],
                twin["given"],
                twin["family"],
                twin["city"],
            )
            is_female = twin["female"]
        else:
            is_female = rnd.random() < 0.5
            given = rnd.choice(female[country] if is_female else male[country])
            family = rnd.choice(surnames[country])
            if country == "ES":
                family = f"{family} {rnd.choice(surnames['ES'])}"
            city = rnd.choice(CITIES[country])
        persons.append(
            {
                "pid": i,
                "country": country,
                "given": given,
                "family": family,
                "city": city,
                "dob": f"{rnd.randint(1950, 2002)}-{rnd.randint(1, 12):02d}-"
                f"{rnd.randint(1, 28):02d}",
                "phone": f"{PREFIX[country]} {rnd.randint(10_000_000, 99_999_999)}",
                "email": f"{_strip_accents(given.split()[0]).lower()}.{i}@example.org",
                "employer": rnd.choice(EMPLOYERS),
                "female": is_female,
            }
        )
    debtor_rows, profile_rows, truth = [], [], set()
    # Posts draw from their own generator, so the rest of the world is what it was before
    # posts were read.
    posting = random.Random(seed + 1)
    filed_city: dict[int, str] = {}
    for p in persons[:people]:
        moved = rnd.random() < 0.25
        debtor_rows.append(
            {
                "debtor_id": f"D{p['pid']}",
                "given_names": p["given"],
                "family_names": p["family"],
                "date_of_birth": p["dob"],
                "country": p["country"],
                "city": rnd.choice(CITIES[p["country"]]) if moved else p["city"],
                "previous_city": None,
                "phones": p["phone"].replace(" ", "").replace("+33", "0")
                if rnd.random() < 0.6
                else None,
                "emails": p["email"].upper() if rnd.random() < 0.5 else None,
                "employer": p["employer"].upper() if rnd.random() < 0.4 else None,
            }
        )
        filed_city[p["pid"]] = debtor_rows[-1]["city"]
    n = 0
    for p in persons:
        count = rnd.choice([0, 1, 1, 2, 2, 3]) if p["pid"] < people else rnd.choice([1, 2])
        for net in rnd.sample(NETWORKS, count):
            n += 1
            given, family = p["given"].split()[0], p["family"]
            r = rnd.random()
            if r < 0.15 and p["given"] in NICK:
                given = NICK[p["given"]]
            elif r < 0.25 and " " in family and p["country"] == "ES":
                family = family.split()[0]
            elif r < 0.30 and p["female"]:
                family = rnd.choice(surnames[p["country"]])
            display = f"{given} {family}"
            r = rnd.random()
            if r < 0.1:
                display = f"{family.upper()} {given}"
            elif r < 0.25:
                display = _strip_accents(display).lower()
            elif r < 0.3:
                display = f"{given} {family[0]}."
            stem = _strip_accents(f"{given}{family}".replace(" ", "").replace("-", "")).lower()
            handle = rnd.choice(
                [stem, f"{stem}{rnd.randint(1, 99)}", f"{stem[0]}.{family.split()[0]}"]
            )
            row = {
                "profile_id": f"P{n}",
                "network": net,
                "display_name": display,
                "handle": _strip_accents(handle).lower(),
                "country": p["country"],
                "city": p["city"] if rnd.random() < 0.8 else None,
                "birthday": p["dob"][5:] if rnd.random() < 0.55 else None,
                "employer": p["employer"]
                if rnd.random() < (0.9 if net == "pro" else 0.3)
                else None,
                "phones": [p["phone"]] if rnd.random() < 0.08 else None,
                "emails": [p["email"]] if rnd.random() < 0.08 else None,
                "post_places": _post_places(posting, p, filed_city.get(p["pid"])),
            }
            profile_rows.append(row)
            if p["pid"] < people:
                truth.add((f"D{p['pid']}", row["profile_id"]))
    return World(pd.DataFrame(debtor_rows), pd.DataFrame(profile_rows), truth)


def write_files(world: World, folder: Path) -> tuple[Path, Path]:
    """Write the world as a portfolio CSV and a profiles JSON Lines file (the contracts)."""
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, jsonl_path = folder / "portfolio.csv", folder / "profiles.jsonl"
    jurisdiction = {"FR": "FR", "ES": "ES", "GB": "UK"}
    currency = {"FR": "EUR", "ES": "EUR", "GB": "GBP"}
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "account_reference",
                "debtor_reference",
                "given_names",
                "family_names",
                "date_of_birth",
                "city",
                "country",
                "phones",
                "emails",
                "employer",
                "jurisdiction",
                "principal",
                "currency",
            ]
        )
        for d in world.debtors.itertuples(index=False):
            out.writerow(
                [
                    f"A-{d.debtor_id}",
                    d.debtor_id,
                    d.given_names,
                    d.family_names,
                    d.date_of_birth,
                    d.city,
                    d.country,
                    d.phones or "",
                    d.emails or "",
                    d.employer or "",
                    jurisdiction[d.country],
                    "100.00",
                    currency[d.country],
                ]
            )
    with jsonl_path.open("wb") as fh:
        for rec in world.profiles.to_dict("records"):
            # A real export carries posts, not what the linkage reads off them.
            item = {
                k: v
                for k, v in rec.items()
                if v is not None and k not in ("profile_id", "post_places")
            }
            item["external_id"] = rec["profile_id"]
            item["visibility"] = "public"
            item["provenance"] = {
                "url": f"https://{rec['network']}.example/{rec['profile_id']}",
                "captured_at": "2026-11-01T10:00:00+00:00",
                "captured_by": "connector:test",
                "legal_basis": "legitimate_interest:LIA-2026-01",
            }
            fh.write(orjson.dumps(item) + b"\n")
    return csv_path, jsonl_path
