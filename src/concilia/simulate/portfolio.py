"""Debtor rows in the Foundation import format (docs/portfolio-format.md), old and dirty.

The columns come from the portfolio domain (:data:`COLUMNS`, re-exported here): each row
this module writes is a list in that order."""

from __future__ import annotations

import random
from typing import Any

from concilia.portfolio.columns import COLUMNS as COLUMNS
from concilia.simulate.layout import Layout, mix64, salt_key
from concilia.simulate.noise import strip_accents, typo
from concilia.simulate.people import Person
from concilia.simulate.pools import CREDITORS, CURRENCY, JURISDICTION, LANGUAGE
from concilia.simulate.profiles import finish_name, iso_date, vary_family
from concilia.simulate.schemas import NoiseRates

_STATUS = (
    ("active", 0.82),
    ("disputed", 0.06),
    ("settled", 0.04),
    ("paid", 0.03),
    ("written_off", 0.05),
)


def debtor_reference(seed: int, person: int) -> str:
    """The creditor's reference for a person: opaque, stable per (seed, person)."""
    return f"D{mix64(salt_key(seed, 'debtor') ^ person) % 10**10:010d}"


def _national_id(country: str, rng: random.Random) -> str:
    if country == "FR":
        return f"{rng.choice('12')}{rng.randrange(10**14):014d}"
    if country == "ES":
        n = rng.randrange(10**8)
        return f"{n:08d}{'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23]}"
    if country == "GB":
        letters = "ABCEGHJKLMNPRSTWXYZ"
        prefix = rng.choice(letters) + rng.choice(letters)
        return f"{prefix}{rng.randrange(10**6):06d}{rng.choice('ABCD')}"
    return f"{rng.randrange(100, 899):03d}-{rng.randrange(1, 99):02d}-{rng.randrange(1, 9999):04d}"


def _phone_form(phone: str, rng: random.Random) -> str:
    # Creditors hold numbers in any national or international form.
    digits = phone.replace(" ", "")
    r = rng.randrange(3)
    if r == 0:
        return phone
    if r == 1:
        return digits
    if digits.startswith("+33") or digits.startswith("+44"):
        return "0" + digits[3:]
    if digits.startswith("+34"):
        return digits[3:]
    return f"({digits[2:5]}) {digits[5:8]}-{digits[8:]}"


def _amount(value: float, country: str, rng: random.Random, rates: NoiseRates) -> str:
    text = f"{value:.2f}"
    if country in ("FR", "ES") and rng.random() < rates.portfolio_decimal_comma:
        text = text.replace(".", ",")
        if value >= 1000 and rng.random() < 0.5:
            whole, cents = text.split(",")
            text = f"{whole[:-3]} {whole[-3:]},{cents}"
    return text


# How a US creditor says it obtained the phones and e-mails it places (12 CFR 1006.6(d)(4)),
# assumption, no published shares found: most creditors send the consumer the (d)(4)(ii)
# notice before placing an account, some accounts come back from a prior collector, and
# some creditors state nothing usable. Non-US creditors state no provenance (Reg F only).
_PROVENANCE = (
    ("creditor_notice", 0.50),
    ("prior_collector", 0.15),
    ("creditor_records", 0.25),
    ("", 0.10),
)


def _provenance(seed: int, person: Person, as_of: int | None) -> tuple[str, str]:
    """(provenance, creditor notice date) for a US debtor's contacts; its own random stream,
    so the other columns of the world stay what they were."""
    prng = random.Random(mix64(salt_key(seed, "provenance") ^ person.index))
    r, acc, chosen = prng.random(), 0.0, ""
    for name, p in _PROVENANCE:
        acc += p
        if r < acc:
            chosen = name
            break
    if chosen != "creditor_notice":
        return chosen, ""
    # The notice goes out shortly before placement: 5 to 60 days before the placing day.
    placed = as_of if as_of is not None else person.debt_date + 400
    return chosen, iso_date(placed - prng.randrange(5, 61))


def rows(
    *,
    person: Person,
    layout: Layout,
    seed: int,
    rng: random.Random,
    rates: NoiseRates,
    as_of: int | None = None,
) -> tuple[list[list[str]], dict[str, Any]]:
    """The portfolio rows of one debtor and the truth about what noise they carry.

    ``as_of`` (an ordinal) is the placing day, before which a creditor's notice was sent."""
    tags: list[str] = []
    family = person.birth_family if person.married_after_debt else person.family
    if family != person.family:
        tags.append("maiden_name")
    family = vary_family(family, person.country, rng, rates, tags, scale=0.3)
    given = f"{person.given} {person.middle}".strip()
    given, family = finish_name(given, family, rng, rates, tags)
    if rng.random() < rates.portfolio_uppercase:
        given, family = given.upper(), family.upper()
        tags.append("uppercase")
    city_idx = person.old_city if person.old_city is not None else person.city
    city = layout.cities[city_idx]
    if person.old_city is not None:
        tags.append("moved")
    missing = rates.portfolio_missing_field

    def opt(value: str) -> str:
        return "" if rng.random() < missing else value

    dob = iso_date(person.birth_date)
    if rng.random() < 0.02:
        dob = iso_date(person.birth_date + rng.choice((-1, 1, 365, -365)))
        tags.append("dob_typo")
    phones = [_phone_form(person.old_phone or person.phone, rng)]
    if person.old_phone and rng.random() < 0.15:
        phones.append(_phone_form(person.phone, rng))
    emails = [person.old_email or person.email]
    city_name = city.name if rng.random() > rates.accent_dropped else strip_accents(city.name)
    if rng.random() < rates.typo:
        city_name = typo(city_name, rng)
    if rng.random() < rates.portfolio_uppercase:
        city_name = city_name.upper()
    prev: list[str] = [""] * 5
    if rng.random() < 0.15:
        prev_city = layout.cities[layout.random_city_in_country(city.country, rng)]
        prev = [
            person.old_street,
            person.old_postcode,
            prev_city.name,
            city.country,
            iso_date(person.debt_date - rng.randrange(400, 3000)),
        ]
    employer = person.old_employer or ""
    ref = debtor_reference(seed, person.index)
    jurisdiction = JURISDICTION[person.country]
    provenance, notice = _provenance(seed, person, as_of) if jurisdiction == "US" else ("", "")
    out: list[list[str]] = []
    for k in range(1 if rng.random() < 0.7 else rng.randint(2, 3)):
        principal = round(rng.lognormvariate(6.8, 1.0), 2)
        charge_off = person.debt_date + rng.randrange(0, 400)
        last_pay = charge_off - rng.randrange(30, 700)
        r, acc = rng.random(), 0.0
        status = "active"
        for name, p in _STATUS:
            acc += p
            if r < acc:
                status = name
                break
        values = {
            "account_reference": (
                f"A{mix64(salt_key(seed, 'account') ^ (person.index * 4 + k)) % 10**12:012d}"
            ),
            "debtor_reference": ref,
            "given_names": given,
            "family_names": family,
            "date_of_birth": opt(dob),
            "national_id": opt(_national_id(person.country, rng)) if rng.random() < 0.6 else "",
            "address_line": opt(
                person.old_street if person.old_city is not None else person.street
            ),
            "postal_code": opt(
                person.old_postcode if person.old_city is not None else person.postcode
            ),
            "city": city_name,
            "country": city.country,
            "address_since": opt(iso_date(person.debt_date - rng.randrange(30, 1500))),
            "previous_address_line": prev[0],
            "previous_postal_code": prev[1],
            "previous_city": prev[2],
            "previous_country": prev[3],
            "previous_address_until": prev[4],
            "phones": opt("|".join(phones)),
            "emails": opt("|".join(emails)),
            "phones_provenance": "",
            "emails_provenance": "",
            "creditor_notice_date": "",
            "employer": opt(employer),
            "preferred_language": opt(LANGUAGE[person.country]),
            "time_zone": opt(city.time_zone),
            "jurisdiction": jurisdiction,
            "original_creditor": (
                rng.choice(CREDITORS[person.country]) if rng.random() < 0.4 else ""
            ),
            "principal": _amount(principal, person.country, rng, rates),
            "interest": _amount(
                round(principal * rng.uniform(0, 0.25), 2), person.country, rng, rates
            ),
            "fees": _amount(
                round(rng.choice((0.0, 0.0, 35.0, 40.0, 75.5)), 2), person.country, rng, rates
            ),
            "currency": CURRENCY[person.country],
            "interest_rate": opt(
                f"{rng.uniform(2, 22):.1f}".replace(".", ",")
                if person.country in ("FR", "ES")
                else f"{rng.uniform(2, 22):.1f}"
            ),
            "charge_off_date": iso_date(charge_off),
            "last_payment_date": opt(iso_date(last_pay)),
            "status": status,
        }
        if provenance:
            has = [c for c in ("phones", "emails") if values[c]]
            for c in has:
                values[f"{c}_provenance"] = provenance
            values["creditor_notice_date"] = notice if has else ""
        # In the portfolio domain's column order; a column it adds and this module does not
        # fill fails here (KeyError) rather than shifting every later cell.
        out.append([values[c] for c in COLUMNS])
    truth = {
        "debtor_reference": ref,
        "person_id": person.person_id,
        "accounts": [row[COLUMNS.index("account_reference")] for row in out],
        "noise": sorted(set(tags)),
    }
    return out, truth
