"""Per-country pools of names, streets, employers and jobs, drawn once from Faker.

Faker costs tens of microseconds a call, far too slow per record at a million people, so each
pool is drawn once with a fixed Faker seed and then sampled with ``random.Random``. The pools
do not depend on the world's seed (the sampling does). Byte-identical output therefore also
assumes the same Faker version.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from functools import cache
from typing import Any

from faker import Faker

LOCALES = {"FR": "fr_FR", "ES": "es_ES", "GB": "en_GB", "US": "en_US"}
LANGUAGE = {"FR": "fr", "ES": "es", "GB": "en", "US": "en"}
JURISDICTION = {"FR": "FR", "ES": "ES", "GB": "UK", "US": "US"}
CURRENCY = {"FR": "EUR", "ES": "EUR", "GB": "GBP", "US": "USD"}
POOL_SEED = 20_260_101

NICKNAMES: dict[str, list[str]] = {
    # French
    "Guillaume": ["Guigui", "Guillou"],
    "Christophe": ["Chris", "Tof"],
    "Nicolas": ["Nico"],
    "Alexandre": ["Alex"],
    "Frédéric": ["Fred"],
    "Stéphane": ["Steph"],
    "Catherine": ["Cathy", "Cath"],
    "Isabelle": ["Isa", "Zaza"],
    "Élisabeth": ["Babeth", "Zaza"],
    "Jean-Pierre": ["JP"],
    "Jean-Baptiste": ["JB"],
    "Sébastien": ["Seb", "Séb"],
    "Jérôme": ["Jéjé", "Jerem"],
    "Maxime": ["Max"],
    "Thomas": ["Tom", "Tommy"],
    "Véronique": ["Véro"],
    "Dominique": ["Dom"],
    "Christine": ["Titine", "Chris"],
    "François": ["Fanfan", "Francky"],
    "Françoise": ["Fanfan"],
    "Benjamin": ["Benji", "Ben"],
    "Mathieu": ["Mat", "Matt"],
    "Julien": ["Juju", "Ju"],
    "Caroline": ["Caro"],
    "Valérie": ["Val"],
    "Patrick": ["Pat", "Patou"],
    "Emmanuel": ["Manu"],
    "Emmanuelle": ["Manue", "Manu"],
    "Philippe": ["Phil", "Philou"],
    "Anthony": ["Tony"],
    "Aurélie": ["Aurel", "Lili"],
    "Céline": ["Cel"],
    "Laurent": ["Lolo"],
    "Marie": ["Mimi"],
    "Pierre": ["Pierrot"],
    "Margaux": ["Margot"],
    "Amélie": ["Mélie"],
    "Joseph": ["Jojo", "Joe"],
    # Spanish
    "Francisco": ["Paco", "Curro", "Fran", "Pancho"],
    "José": ["Pepe", "Pepito"],
    "José María": ["Chema"],
    "José Luis": ["Joselu"],
    "María José": ["Marijose"],
    "Jesús": ["Chus", "Chucho"],
    "Ignacio": ["Nacho"],
    "Manuel": ["Manolo", "Lolo"],
    "Guadalupe": ["Lupe"],
    "Dolores": ["Lola"],
    "Concepción": ["Concha", "Conchi"],
    "Enrique": ["Quique"],
    "Antonio": ["Toño", "Toni"],
    "Rafael": ["Rafa"],
    "Alejandro": ["Álex", "Alex"],
    "Fernando": ["Nando", "Fer"],
    "Consuelo": ["Chelo"],
    "Mercedes": ["Merche"],
    "Rosario": ["Charo"],
    "Alberto": ["Beto"],
    "Roberto": ["Rober", "Beto"],
    "Javier": ["Javi"],
    "Cristina": ["Cris"],
    "Guillermo": ["Guille"],
    "Isabel": ["Isa", "Chabela"],
    "Eduardo": ["Edu"],
    "Gregorio": ["Goyo"],
    "Pilar": ["Pili"],
    "Daniel": ["Dani", "Dan"],
    "Teresa": ["Tere"],
    "Santiago": ["Santi"],
    "Sebastián": ["Sebas"],
    "Victoria": ["Vicky"],
    # English
    "Robert": ["Bob", "Rob", "Bobby"],
    "William": ["Bill", "Will", "Billy"],
    "Elizabeth": ["Liz", "Beth", "Betty", "Lizzie"],
    "Margaret": ["Maggie", "Peggy", "Meg"],
    "Richard": ["Rick", "Rich"],
    "James": ["Jim", "Jimmy", "Jamie"],
    "Michael": ["Mike", "Mick"],
    "Katherine": ["Kate", "Katie"],
    "Jennifer": ["Jen", "Jenny"],
    "Christopher": ["Chris"],
    "Jonathan": ["Jon"],
    "Matthew": ["Matt"],
    "Nicholas": ["Nick"],
    "Patricia": ["Pat", "Patty", "Trish"],
    "Susan": ["Sue", "Suzy"],
    "Rebecca": ["Becky", "Becca"],
    "Samantha": ["Sam"],
    "Alexander": ["Alex", "Xander"],
    "Andrew": ["Andy", "Drew"],
    "Charles": ["Charlie", "Chuck"],
    "Edward": ["Ed", "Ted", "Eddie"],
    "Stephen": ["Steve"],
    "Steven": ["Steve"],
    "Timothy": ["Tim"],
    "Deborah": ["Debbie", "Deb"],
    "Kimberly": ["Kim"],
    "Jessica": ["Jess"],
    "David": ["Dave", "Davey"],
    "Peter": ["Pete"],
    "Gregory": ["Greg"],
    "Joshua": ["Josh"],
    "Zachary": ["Zach"],
    "Abigail": ["Abby"],
    "Amanda": ["Mandy"],
    "Donald": ["Don"],
    "Ronald": ["Ron", "Ronnie"],
    "Kenneth": ["Ken", "Kenny"],
    "Lawrence": ["Larry"],
    "Jacqueline": ["Jackie"],
    "Pamela": ["Pam"],
    "Sandra": ["Sandy"],
    "Cynthia": ["Cindy"],
    "Melissa": ["Mel"],
    "Nathan": ["Nate"],
    "Raymond": ["Ray"],
    "Philip": ["Phil"],
    "Judith": ["Judy"],
    "Benedict": ["Ben"],
    "Anthony_en": ["Tony"],
}

# Very common full names, given per country and sex, that create crowds of namesakes.
COMMON_NAMES: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("FR", "F"): [("Marie", "Martin"), ("Nathalie", "Bernard"), ("Isabelle", "Petit")],
    ("FR", "M"): [("Jean", "Martin"), ("Nicolas", "Bernard"), ("Philippe", "Dubois")],
    ("ES", "F"): [("María", "García López"), ("Carmen", "Fernández"), ("Ana", "García")],
    ("ES", "M"): [("José", "García"), ("Antonio", "Fernández"), ("Manuel", "Rodríguez")],
    ("GB", "F"): [("Sarah", "Smith"), ("Emma", "Jones"), ("Claire", "Williams")],
    ("GB", "M"): [("John", "Smith"), ("David", "Jones"), ("James", "Taylor")],
    ("US", "F"): [("Mary", "Smith"), ("Jennifer", "Johnson"), ("Maria", "Garcia")],
    ("US", "M"): [("John", "Smith"), ("Michael", "Johnson"), ("James", "Williams")],
}

FR_PARTICLES = ["de", "du", "Le", "de La", "Da", "des"]
EMAIL_DOMAINS = {
    "FR": ["gmail.com", "orange.fr", "free.fr", "hotmail.fr", "laposte.net", "sfr.fr", "yahoo.fr"],
    "ES": ["gmail.com", "hotmail.com", "yahoo.es", "outlook.es", "telefonica.net"],
    "GB": ["gmail.com", "hotmail.co.uk", "btinternet.com", "yahoo.co.uk", "outlook.com"],
    "US": ["gmail.com", "yahoo.com", "aol.com", "outlook.com", "icloud.com", "comcast.net"],
}
AGENCIES = {
    "FR": ["Recouvra France", "Cabinet Delmas Recouvrement", "Intrum Justitia Sim", "Concilia"],
    "ES": ["Cobros Ibéricos", "Gestiona Deudas SL", "Recobros del Sur"],
    "GB": ["Britannia Collections", "Lowther Credit Services", "Northgate Recoveries"],
    "US": ["Liberty Recovery Partners", "Midwest Credit Solutions", "Eagle Collections LLC"],
}
CREDITORS = {
    "FR": ["Banque Populaire Sim", "Crédit Solidaire", "Télécom Plus", "EDF Sim"],
    "ES": ["Banco Meseta", "Telefonía Sol", "Financiera Rápida"],
    "GB": ["Albion Bank", "Thames Water Sim", "QuickLoan UK"],
    "US": ["First Prairie Bank", "Lone Star Telecom", "EasyCard Credit"],
}


@dataclass(frozen=True)
class Pool:
    """Sampling-ready name/place pools of one country."""

    country: str
    first_f: tuple[str, ...]
    first_f_cum: tuple[float, ...]
    first_m: tuple[str, ...]
    first_m_cum: tuple[float, ...]
    last: tuple[str, ...]
    last_cum: tuple[float, ...]
    streets: tuple[str, ...]
    postcodes: tuple[str, ...]
    companies: tuple[str, ...]
    companies_cum: tuple[float, ...]
    jobs: tuple[str, ...]


def _cum(weights: list[float]) -> tuple[float, ...]:
    return tuple(itertools.accumulate(weights))


def _zipf(names: list[str], rng: random.Random, exponent: float) -> tuple[list[str], list[float]]:
    # Faker's lists are alphabetical (no frequencies): give them a fixed, Zipf-like popularity.
    order = list(dict.fromkeys(names))
    rng.shuffle(order)
    return order, [1.0 / (rank + 1) ** exponent for rank in range(len(order))]


def _weighted(raw: Any, rng: random.Random, exponent: float) -> tuple[list[str], list[float]]:
    if isinstance(raw, dict):
        return list(raw.keys()), [float(w) for w in raw.values()]
    return _zipf(list(raw), rng, exponent)


@cache
def pool(country: str) -> Pool:
    """The pools of one country (built on first use, then cached for the process)."""
    locale = LOCALES[country]
    fake = Faker(locale)
    fake.seed_instance(POOL_SEED)
    rng = random.Random(f"pool:{country}")
    provider = fake.provider("faker.providers.person")
    assert provider is not None
    first_f, wf = _weighted(provider.first_names_female, rng, 0.9)
    first_m, wm = _weighted(provider.first_names_male, rng, 0.9)
    raw_last = provider.last_names
    if country == "FR":
        # fr_FR lists surnames by frequency already (Martin, Bernard, ...).
        last, wl = list(raw_last), [1.0 / (r + 1) ** 0.7 for r in range(len(raw_last))]
    else:
        last, wl = _weighted(raw_last, rng, 0.8)
    streets = tuple(
        sorted({fake.street_address().replace("\n", ", ").strip() for _ in range(2500)})
    )
    postcodes = tuple(sorted({fake.postcode() for _ in range(3000)}))
    companies_list, wc = _zipf(
        sorted({fake.company().replace("\n", " ") for _ in range(600)}), rng, 1.0
    )
    jobs = tuple(sorted({fake.job().replace("\n", " ") for _ in range(400)}))
    return Pool(
        country=country,
        first_f=tuple(first_f),
        first_f_cum=_cum(wf),
        first_m=tuple(first_m),
        first_m_cum=_cum(wm),
        last=tuple(last),
        last_cum=_cum(wl),
        streets=streets,
        postcodes=postcodes,
        companies=tuple(companies_list),
        companies_cum=_cum(wc),
        jobs=jobs,
    )


def nicknames(given: str) -> list[str]:
    """Diminutives people use for this given name (first part of a compound too)."""
    found = NICKNAMES.get(given)
    if found:
        return found
    first = given.replace("-", " ").split(" ")[0]
    return NICKNAMES.get(first, [])
