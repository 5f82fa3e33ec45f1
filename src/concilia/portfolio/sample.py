"""Synthetic portfolio rows in the import format, for the shipped sample, tests and benchmarks.

Deterministic for a seed. Names keep what real files carry: Spanish double surnames
("García López"), French particles ("de La Fontaine", "Le Goff", "d'Arcy"), accents,
hyphenated given names. Contacts use reserved example domains and fictional numbers.
The richer synthetic world with ground truth is the simulate domain's job; this is only
enough to exercise the importer.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import IO

from concilia.geo import service as geo_service
from concilia.portfolio.columns import COLUMNS

GIVEN = {
    "FR": [
        "Jean-Pierre",
        "Marie",
        "Élodie",
        "François",
        "Camille",
        "Hélène",
        "Théo",
        "Zoé",
        "Anne-Sophie",
        "Benoît",
        "Chloé",
        "Jérôme",
        "Léa",
        "Nicolas",
        "Océane",
        "Sébastien",
    ],
    "ES": [
        "María José",
        "José Luis",
        "Lucía",
        "Álvaro",
        "Carmen",
        "Íñigo",
        "Begoña",
        "Javier",
        "Nuria",
        "Sergio",
        "Ana Belén",
        "Raúl",
        "Pilar",
        "Jesús",
        "Rocío",
        "Óscar",
    ],
    "UK": [
        "Oliver",
        "Amelia",
        "Harry",
        "Isla",
        "George",
        "Sophie",
        "Rhys",
        "Siobhan",
        "Callum",
        "Niamh",
        "Mohammed",
        "Priya",
        "Eleanor",
        "Jack",
        "Freya",
        "Owen",
    ],
    "US": [
        "James",
        "Mary",
        "Robert",
        "Jennifer",
        "Michael",
        "Linda",
        "DeShawn",
        "Maria",
        "Christopher",
        "Ashley",
        "José",
        "Emily",
        "Tyrone",
        "Mei",
        "Daniel",
        "Sarah",
    ],
}
FAMILY_FR = [
    "Martin",
    "Bernard",
    "Dubois",
    "Lefèvre",
    "Moreau",
    "Girard",
    "Fontaine",
    "Rousseau",
    "Mercier",
    "Lambert",
    "Faure",
    "Chevalier",
]
PARTICLES_FR = [
    "de La Fontaine",
    "Le Goff",
    "d'Arcy",
    "du Pont",
    "de Villiers",
    "Le Gall",
    "de Saint-Exupéry",
    "de la Tour",
    "Le Bihan",
    "des Rosiers",
]
SURNAMES_ES = [
    "García",
    "López",
    "Fernández",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Ruiz",
    "Hernández",
    "Jiménez",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "de la Fuente",
    "del Río",
    "Iglesias",
]
FAMILY_UK = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Davies",
    "Evans",
    "O'Brien",
    "McDonald",
    "Patel",
    "Khan",
    "Wright",
    "Hughes",
    "Ap Rhys",
    "Fitzgerald",
]
FAMILY_US = [
    "Johnson",
    "Williams",
    "Brown",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Nguyen",
    "Washington",
    "O'Connor",
    "Van Buren",
    "Kim",
    "Lee",
    "Hernández",
]
STREETS = {
    "FR": [
        "rue de la République",
        "avenue Jean Jaurès",
        "boulevard Victor Hugo",
        "rue des Lilas",
        "place du Marché",
        "chemin des Vignes",
    ],
    "ES": [
        "Calle Mayor",
        "Avenida de la Constitución",
        "Calle del Sol",
        "Paseo de Gracia",
        "Calle Real",
        "Plaza de España",
    ],
    "UK": [
        "High Street",
        "Station Road",
        "Church Lane",
        "Victoria Road",
        "Mill Lane",
        "Park Avenue",
    ],
    "US": [
        "Main Street",
        "Oak Avenue",
        "Maple Drive",
        "Washington Boulevard",
        "Elm Street",
        "Lakeview Road",
    ],
}
EMPLOYERS = {
    "FR": [
        "Boulangerie Martin",
        "Transports Girard SARL",
        "Mairie de quartier",
        "Clinique du Parc",
    ],
    "ES": ["Construcciones López S.L.", "Hostelería del Sol", "Supermercados Día", "Ayuntamiento"],
    "UK": ["Tesco Stores Ltd", "NHS Trust", "Hughes & Sons Builders", "Royal Mail"],
    "US": ["Walmart", "County School District", "Acme Logistics Inc.", "Mercy Hospital"],
}
ORIGINAL_CREDITORS = {
    "FR": ["Banque Populaire Régionale", "Crédit Municipal", "Opérateur Télécom SA"],
    "ES": ["Banco Regional", "Telefónica Móviles", "Financiera del Norte"],
    "UK": ["High Street Bank plc", "Northern Utilities", "QuickLoans Ltd"],
    "US": ["First National Bank", "Metro Wireless", "Campus Student Loans"],
}
COUNTRY = {"FR": "FR", "ES": "ES", "UK": "GB", "US": "US"}
CURRENCY = {"FR": "EUR", "ES": "EUR", "UK": "GBP", "US": "USD"}
LANGUAGE = {"FR": "fr", "ES": "es", "UK": "en", "US": "en"}
DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
MIX = (("FR", 0.3), ("ES", 0.25), ("UK", 0.2), ("US", 0.25))


def _cities(country: str) -> list[tuple[str, str]]:
    found = [
        (c.name, c.time_zone)
        for c in geo_service.all_cities()
        if c.country == country and not any(ch.isdigit() for ch in c.name)
    ]
    return found[:60]


def _family(j: str, rng: random.Random) -> str:
    if j == "FR":
        return rng.choice(PARTICLES_FR) if rng.random() < 0.3 else rng.choice(FAMILY_FR)
    if j == "ES":
        first, second = rng.sample(SURNAMES_ES, 2)
        return f"{first} {second}"
    return rng.choice(FAMILY_UK if j == "UK" else FAMILY_US)


def _postal(j: str, rng: random.Random) -> str:
    if j == "UK":
        return f"{rng.choice(['SW1A', 'M1', 'LS2', 'CF10', 'EH1', 'B3'])} {rng.randint(1, 9)}AB"
    return f"{rng.randint(1000, 95999):05d}"


def _phone(j: str, rng: random.Random) -> str:
    n = rng.randint(10_000_000, 99_999_999)
    if j == "FR":
        s = f"{n:08d}"
        return f"06 {s[:2]} {s[2:4]} {s[4:6]} {s[6:]}" if rng.random() < 0.5 else f"+33 7{s}"
    if j == "ES":
        return f"+34 6{n:08d}" if rng.random() < 0.5 else f"6{n:08d}"
    if j == "UK":
        return f"07700 9{n % 100000:05d}"
    return f"({rng.randint(201, 989)}) 555-01{n % 100:02d}"


def _national_id(j: str, rng: random.Random) -> str:
    if j == "FR":
        return f"{rng.choice('12')}{rng.randint(10**13, 10**14 - 1)}"
    if j == "ES":
        number = rng.randint(10_000_000, 99_999_999)
        return f"{number}{DNI_LETTERS[number % 23]}"
    if j == "UK":
        return f"QQ{rng.randint(100000, 999999)}C"  # QQ: the prefix reserved for examples
    return f"9{rng.randint(10, 99)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def generate(
    debtors: int, *, seed: int = 2026, as_of: date = date(2026, 11, 1)
) -> Iterator[dict[str, str]]:
    """Rows (one per debt) for ``debtors`` people, about 1.25 debts each, FR/ES/UK/US mix."""
    rng = random.Random(seed)
    cities = {j: _cities(COUNTRY[j]) for j, _ in MIX}
    account = 0
    for i in range(1, debtors + 1):
        j = rng.choices([m[0] for m in MIX], weights=[m[1] for m in MIX])[0]
        given, family = rng.choice(GIVEN[j]), _family(j, rng)
        city, zone = rng.choice(cities[j])
        moved = rng.random() < 0.3
        prev_city = rng.choice(cities[j])[0] if moved else ""
        since = as_of - timedelta(days=rng.randint(60, 3000))
        local = f"{given}.{family}".lower().replace(" ", "").replace("'", "")
        local = local.encode("ascii", "ignore").decode() or f"user{i}"
        person = {
            "debtor_reference": f"P{seed % 1000:03d}-{i:07d}",
            "given_names": given,
            "family_names": family,
            "date_of_birth": (date(1950, 1, 1) + timedelta(days=rng.randint(0, 18000))).isoformat(),
            "national_id": _national_id(j, rng) if rng.random() < 0.4 else "",
            "address_line": f"{rng.randint(1, 180)} {rng.choice(STREETS[j])}",
            "postal_code": _postal(j, rng),
            "city": city,
            "country": COUNTRY[j],
            "address_since": since.isoformat(),
            "previous_address_line": f"{rng.randint(1, 90)} {rng.choice(STREETS[j])}"
            if moved
            else "",
            "previous_postal_code": _postal(j, rng) if moved else "",
            "previous_city": prev_city,
            "previous_country": COUNTRY[j] if moved else "",
            "previous_address_until": since.isoformat() if moved else "",
            "phones": "|".join(_phone(j, rng) for _ in range(rng.choice([0, 1, 1, 1, 2]))),
            "emails": "|".join(
                f"{local}{k or ''}@example.{rng.choice(['com', 'org', 'net'])}"
                for k in range(rng.choice([0, 1, 1, 2]))
            ),
            "employer": rng.choice(EMPLOYERS[j]) if rng.random() < 0.6 else "",
            "preferred_language": LANGUAGE[j],
            "time_zone": zone,
            "jurisdiction": j,
        }
        for _ in range(1 if rng.random() < 0.78 else 2):
            account += 1
            charge_off = as_of - timedelta(days=rng.randint(90, 2500))
            has_rate = rng.random() < 0.5
            yield {
                **person,
                "account_reference": f"ACC-{seed % 1000:03d}-{account:08d}",
                "original_creditor": rng.choice(ORIGINAL_CREDITORS[j])
                if rng.random() < 0.5
                else "",
                "principal": str(_money(rng, 40, 15000)),
                "interest": str(_money(rng, 0, 900)) if has_rate else "0.00",
                "fees": str(_money(rng, 0, 120)) if rng.random() < 0.4 else "",
                "currency": CURRENCY[j],
                "interest_rate": f"{rng.choice([2, 3, 4.5, 7.9, 12, 19.9])}" if has_rate else "",
                "charge_off_date": charge_off.isoformat(),
                "last_payment_date": (
                    charge_off - timedelta(days=rng.randint(30, 400))
                ).isoformat(),
                "status": "disputed" if rng.random() < 0.04 else "active",
            }


def write_csv(
    rows: Iterable[dict[str, str]],
    out: IO[str],
    *,
    delimiter: str = ",",
    decimal_comma: bool = False,
    date_format: str | None = None,
) -> None:
    """Write rows to a text stream as a CSV file, optionally in the French/Spanish style."""
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    amount_cols = ("principal", "interest", "fees", "interest_rate")
    date_cols = (
        "date_of_birth",
        "address_since",
        "previous_address_until",
        "charge_off_date",
        "last_payment_date",
    )
    for row in rows:
        row = dict(row)
        if decimal_comma:
            for col in amount_cols:
                if row.get(col):
                    whole, _, frac = row[col].partition(".")
                    grouped = f"{int(whole):,}".replace(",", "\u00a0")
                    row[col] = f"{grouped},{frac}" if frac else grouped
        if date_format:
            for col in date_cols:
                if row.get(col):
                    row[col] = date.fromisoformat(row[col]).strftime(date_format)
        writer.writerow(row)


def to_csv(
    rows: Iterable[dict[str, str]],
    *,
    delimiter: str = ",",
    decimal_comma: bool = False,
    date_format: str | None = None,
    bom: bool = False,
) -> bytes:
    """Rows as a small CSV file's bytes, optionally in the French/Spanish style."""
    out = io.StringIO(newline="")
    write_csv(rows, out, delimiter=delimiter, decimal_comma=decimal_comma, date_format=date_format)
    data = out.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data
