"""Generate one person: identity, where they live and lived, work, contacts, life events."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from dataclasses import dataclass, field

from concilia.simulate.labels import EVENT_LABELS
from concilia.simulate.layout import Layout
from concilia.simulate.noise import pick, strip_accents
from concilia.simulate.pools import COMMON_NAMES, EMAIL_DOMAINS, FR_PARTICLES, LANGUAGE, Pool, pool
from concilia.simulate.posts import EVENT_WEIGHTS
from concilia.simulate.schemas import SimulationSettings

_EVENT_CUM = list(
    itertools.accumulate(EVENT_WEIGHTS[label] for label in EVENT_LABELS if label != "moved")
)
_EVENT_CHOICES = [label for label in EVENT_LABELS if label != "moved"]
DAYS_PER_YEAR = 365.25


@dataclass(slots=True)
class Person:
    """Ground truth about one person."""

    index: int
    person_id: str
    country: str  # country of the name and of the debt (origin)
    sex: str
    given: str
    middle: str
    family: str  # current legal family name(s)
    birth_family: str
    birth_date: int  # ordinal
    city: int  # layout city index, now
    old_city: int | None  # where the creditor last knew them, when they moved since
    street: str
    postcode: str
    old_street: str
    old_postcode: str
    employer: str | None
    job: str | None
    old_employer: str | None
    old_job: str | None
    phone: str
    old_phone: str | None
    email: str
    old_email: str | None
    language: str
    debt_date: int  # ordinal: when the creditor recorded the debt
    married_after_debt: bool
    namesake: bool
    photo: int | None
    events: list[tuple[str, int]] = field(default_factory=list)
    # Drawn from the chunk's own `history:` stream (simulate/geography.py), not from `rng`:
    # past places (kind, city) the creditor never knew, and the day of the move for movers.
    history: list[tuple[str, int]] = field(default_factory=list)
    moved_on: int | None = None


def _pick(names: tuple[str, ...], cum: tuple[float, ...], rng: random.Random) -> str:
    return names[bisect.bisect_right(cum, rng.random() * cum[-1])]


def _first(p: Pool, sex: str, rng: random.Random) -> str:
    if sex == "F":
        return _pick(p.first_f, p.first_f_cum, rng)
    return _pick(p.first_m, p.first_m_cum, rng)


def _family(p: Pool, rng: random.Random) -> str:
    name = _pick(p.last, p.last_cum, rng)
    if p.country == "ES":
        return f"{name} {_pick(p.last, p.last_cum, rng)}"
    if p.country == "FR" and rng.random() < 0.04:
        return f"{pick(rng, FR_PARTICLES)} {name}"
    if p.country in ("GB", "US") and rng.random() < 0.03:
        return f"{name}-{_pick(p.last, p.last_cum, rng)}"
    return name


# Geographic US area codes (one or two time zones each, per the phonenumbers metadata).
# Drawing any number from 201 to 989 gave toll-free (8xx) and unassigned codes, which place
# a person in every zone of North America: no hour was then lawful for a call or a text.
_US_AREA_CODES = (
    201,
    202,
    203,
    205,
    206,
    207,
    208,
    209,
    210,
    212,
    213,
    214,
    215,
    216,
    217,
    218,
    219,
    220,
    223,
    224,
    225,
    227,
    228,
    229,
    231,
    234,
    235,
    239,
    240,
    248,
    251,
    252,
    253,
    254,
    256,
    260,
    262,
    267,
    269,
    270,
    272,
    274,
    276,
    279,
    281,
    283,
    301,
    302,
    303,
    304,
    305,
    307,
    308,
    309,
    310,
    312,
    313,
    314,
    315,
    316,
    317,
    318,
    319,
    320,
    321,
    323,
    324,
    325,
    326,
    327,
    329,
    330,
    331,
    332,
    334,
    336,
    337,
    339,
    341,
    346,
    347,
    350,
    351,
    352,
    353,
    360,
    361,
    363,
    364,
    369,
    380,
    385,
    386,
    401,
    402,
    404,
    405,
    406,
    407,
    408,
    409,
    410,
    412,
    413,
    414,
    415,
    417,
    419,
    423,
    424,
    425,
    430,
    432,
    434,
    435,
    440,
    442,
    443,
    445,
    447,
    448,
    458,
    463,
    464,
    469,
    470,
    472,
    475,
    478,
    479,
    480,
    484,
    501,
    502,
    503,
    504,
    505,
    507,
    508,
    509,
    510,
    512,
    513,
    515,
    516,
    517,
    518,
    520,
    530,
    531,
    534,
    539,
    540,
    541,
    551,
    557,
    559,
    561,
    562,
    563,
    564,
    567,
    570,
    571,
    572,
    573,
    574,
    575,
    580,
    582,
    585,
    586,
    601,
    602,
    603,
    605,
    606,
    607,
    608,
    609,
    610,
    612,
    614,
    615,
    616,
    617,
    618,
    619,
    620,
    623,
    626,
    628,
    629,
    630,
    631,
    636,
    640,
    641,
    645,
    646,
    650,
    651,
    656,
    657,
    659,
    660,
    661,
    662,
    667,
    669,
    678,
    680,
    681,
    682,
    686,
    689,
    701,
    702,
    703,
    704,
    706,
    707,
    708,
    712,
    713,
    714,
    715,
    716,
    717,
    718,
    719,
    720,
    724,
    725,
    726,
    727,
    728,
    730,
    731,
    732,
    734,
    737,
    738,
    740,
    743,
    747,
    748,
    754,
    757,
    760,
    762,
    763,
    765,
    769,
    770,
    771,
    772,
    773,
    774,
    775,
    779,
    781,
    785,
    786,
    801,
    802,
    803,
    804,
    805,
    806,
    808,
    810,
    812,
    813,
    814,
    815,
    816,
    817,
    818,
    820,
    821,
    826,
    828,
    830,
    831,
    832,
    835,
    838,
    839,
    840,
    843,
    845,
    847,
    848,
    850,
    854,
    856,
    857,
    858,
    859,
    860,
    862,
    863,
    864,
    865,
    870,
    872,
    878,
    901,
    903,
    904,
    906,
    907,
    908,
    909,
    910,
    912,
    913,
    914,
    915,
    916,
    917,
    918,
    919,
    920,
    925,
    928,
    929,
    930,
    931,
    934,
    936,
    937,
    938,
    940,
    941,
    943,
    945,
    947,
    948,
    949,
    951,
    952,
    954,
    956,
    959,
    970,
    971,
    972,
    973,
    975,
    978,
    979,
    980,
    983,
    984,
    985,
    986,
    989,
)


def _phone(country: str, rng: random.Random) -> str:
    d = f"{int(rng.random() * 10**9):09d}"
    if country == "FR":
        return f"+33 {pick(rng, '67')} {d[0:2]} {d[2:4]} {d[4:6]} {d[6:8]}"
    if country == "ES":
        return f"+34 6{d[0:2]} {d[2:5]} {d[5:8]}"
    if country == "GB":
        return f"+44 7{d[0:3]} {d[3:9]}"
    area = _US_AREA_CODES[int(rng.random() * len(_US_AREA_CODES))]
    return f"+1 {area} {200 + int(rng.random() * 799)} {d[0:4]}"


def _email(given: str, family: str, year: int, country: str, rng: random.Random) -> str:
    g = strip_accents(given).lower().replace(" ", "").replace("-", "").replace("'", "")
    f = strip_accents(family).lower().replace(" ", "").replace("-", "").replace("'", "")
    style = rng.randrange(5)
    local = [
        f"{g}.{f}",
        f"{g[0]}{f}",
        f"{g}{f}{year % 100:02d}",
        f"{g}_{f}{rng.randrange(100)}",
        f"{f}.{g}",
    ][style]
    return f"{local}@{pick(rng, EMAIL_DOMAINS[country])}"


def make_person(
    *, index: int, layout: Layout, settings: SimulationSettings, rng: random.Random, as_of: int
) -> Person:
    """Generate person ``index`` (city is fixed by the layout, the rest drawn from ``rng``)."""
    rates = settings.noise
    city = layout.city_of(index)
    here = layout.cities[city].country
    old_city: int | None = None
    if rng.random() < rates.moved:
        if rng.random() < rates.moved_abroad:
            others = [c for c in layout.country_range if c != here]
            old_city = layout.random_city_in_country(pick(rng, others), rng) if others else None
        elif rng.random() < 0.45:
            old_city = layout.random_city_near(city, rng)
        else:
            old_city = layout.random_city_in_country(here, rng)
        if old_city == city:
            old_city = layout.random_city_in_country(here, rng)
        if old_city == city:
            old_city = None
    country = layout.cities[old_city].country if old_city is not None else here
    p = pool(country)
    sex = "F" if rng.random() < 0.5 else "M"
    namesake = rng.random() < rates.namesake
    if namesake:
        given, family = pick(rng, COMMON_NAMES[(country, sex)])
    else:
        given, family = _first(p, sex, rng), _family(p, rng)
        if country == "FR" and rng.random() < 0.12:
            given = f"{given}-{_first(p, sex, rng)}"
        elif country == "ES" and rng.random() < 0.12:
            given = f"{'María' if sex == 'F' else 'José'} {given}"
    middle = _first(p, sex, rng) if country in ("GB", "US") and rng.random() < 0.35 else ""
    age_years = (
        20 + min(55.0, rng.expovariate(1 / 18.0)) if rng.random() < 0.8 else rng.uniform(20, 75)
    )
    birth_date = as_of - int(age_years * DAYS_PER_YEAR) - rng.randrange(365)
    debt_date = as_of - int(rng.uniform(1.5, 9.0) * DAYS_PER_YEAR)
    birth_family = family
    married_after_debt = False
    change = rates.married_name_change * (0.1 if country == "ES" else 1.0)
    if sex == "F" and age_years > 24 and rng.random() < change:
        family = _family(p, rng) if country != "ES" else _pick(p.last, p.last_cum, rng)
        married_after_debt = rng.random() < 0.6
    old_employed = rng.random() < 0.72
    old_employer = _pick(p.companies, p.companies_cum, rng) if old_employed else None
    old_job = pick(rng, p.jobs) if old_employed else None
    employer, job = old_employer, old_job
    if old_employed and rng.random() < rates.employer_changed:
        employer, job = _pick(p.companies, p.companies_cum, rng), pick(rng, p.jobs)
    events: list[tuple[str, int]] = []
    n_events = 0
    lam = settings.life_events_per_person
    while rng.random() < lam / (lam + 1) and n_events < 5:
        n_events += 1
    for _ in range(n_events):
        label = _EVENT_CHOICES[bisect.bisect_right(_EVENT_CUM, rng.random() * _EVENT_CUM[-1])]
        events.append((label, as_of - rng.randrange(3 * 365)))
    if old_city is not None and rng.random() < 0.6:
        events.append(("moved", as_of - rng.randrange(min(3 * 365, as_of - debt_date))))
    events.sort(key=lambda e: e[1])
    for label, _ in events:
        # The latest job event decides today's situation.
        if label == "job_loss":
            employer = job = None
        elif (label in ("new_job", "promotion") and employer is None) or (
            label == "new_job" and employer == old_employer
        ):
            employer, job = _pick(p.companies, p.companies_cum, rng), pick(rng, p.jobs)
    year = dt.date.fromordinal(birth_date).year
    email = _email(given, family, year, country, rng)
    old_email = (
        _email(given, birth_family, year, country, rng)
        if rng.random() < rates.email_changed
        else None
    )
    phone = _phone(here, rng)
    # Someone who moved abroad had a local number when the creditor knew them.
    changed = rng.random() < rates.phone_changed or here != country
    old_phone = _phone(country, rng) if changed else None
    street, postcode = pick(rng, p.streets), pick(rng, p.postcodes)
    op = pool(country)
    old_street, old_postcode = (
        (pick(rng, op.streets), pick(rng, op.postcodes))
        if old_city is not None
        else (street, postcode)
    )
    if here != country:
        hp = pool(here)
        street, postcode = pick(rng, hp.streets), pick(rng, hp.postcodes)
    language = LANGUAGE[country]
    if language != "en" and rng.random() < settings.noise.english_post:
        language = "en"
    photo = rng.getrandbits(64) if rng.random() < 0.92 else None
    return Person(
        index=index,
        person_id=f"P{index:08d}",
        country=country,
        sex=sex,
        given=given,
        middle=middle,
        family=family,
        birth_family=birth_family,
        birth_date=birth_date,
        city=city,
        old_city=old_city,
        street=street,
        postcode=postcode,
        old_street=old_street,
        old_postcode=old_postcode,
        employer=employer,
        job=job,
        old_employer=old_employer,
        old_job=old_job,
        phone=phone,
        old_phone=old_phone,
        email=email,
        old_email=old_email,
        language=language,
        debt_date=debt_date,
        married_after_debt=married_after_debt,
        namesake=namesake,
        photo=photo,
        events=events,
    )
