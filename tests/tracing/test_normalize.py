"""Normalisation shared by debtors and profiles."""

from __future__ import annotations

import pandas as pd
import pytest

from concilia.tracing import normalize as nz
from concilia.tracing import places, prepare


def test_fold_removes_accents_and_case() -> None:
    assert nz.fold("ÑÚÑEZ Müller-Œuvre") == "nunez muller-oeuvre"


def test_spanish_double_surname_kept_and_split() -> None:
    name = nz.parse_debtor_name("María José", "García López")
    assert name.given == "maria"
    assert name.family == "garcia lopez"
    assert name.family_tokens == ["garcia", "lopez", "garcialopez"]
    assert "jose" in name.name_tokens


def test_french_particles_do_not_identify() -> None:
    name = nz.parse_debtor_name("Jean", "de La Fontaine")
    assert name.family_first == "fontaine"
    assert "delafontaine" in name.family_tokens
    assert nz.parse_debtor_name("Yann", "Le Goff").family_tokens == ["goff", "legoff"]


def test_display_name_in_administrative_order_is_swapped() -> None:
    name = nz.parse_display_name("DUPONT Jean")
    assert (name.given, name.family_first) == ("jean", "dupont")
    # All capitals is not a hint.
    assert nz.parse_display_name("JEAN DUPONT").given == "jean"


def test_nicknames_share_a_key_across_languages() -> None:
    assert nz.given_key("paco") == nz.given_key("francisco")
    assert nz.given_key("pepe") == nz.given_key("jose")
    assert nz.given_key("bill") == nz.given_key("william")
    assert nz.given_key("jp") == nz.given_key("jean-pierre")
    assert nz.given_key("paco") != nz.given_key("william")


def test_phone_to_e164() -> None:
    assert nz.phone_e164("06 12 34 56 78", "FR") == "+33612345678"
    assert nz.phone_e164("+34 612 34 56 78") == "+34612345678"
    assert nz.phone_e164("07700 900123", "UK") == "+447700900123"
    assert nz.phone_e164("12", "FR") is None


def test_email_canonical() -> None:
    assert nz.email_canonical("J.Dupont+promo@GoogleMail.com") == "jdupont@gmail.com"
    assert nz.email_canonical("Ana.Ruiz@Example.ES") == "ana.ruiz@example.es"
    assert nz.email_canonical("not-an-email") is None


def test_employer_legal_suffix_stripped() -> None:
    assert nz.employer_key("ACME S.A.S.") == "acme"
    assert nz.employer_key("Globex S.L.") == "globex"
    assert nz.employer_key("Initech Ltd") == nz.employer_key("initech") == "initech"
    assert nz.employer_key("Müller GmbH") == "muller"


def test_handle_letters_and_keys() -> None:
    assert nz.handle_letters("@Jean.Dupont_75") == "jeandupont"
    keys = nz.handle_keys(nz.parse_debtor_name("Jean", "Dupont"))
    assert {"jeandupont", "jdupont", "dupontjean"} <= set(keys)
    # Every surname run together, as a handle writes them: no space left inside.
    double = nz.handle_keys(nz.parse_debtor_name("Lorraine", "Moran-Turner"))
    assert {"lorrainemoranturner", "lmoranturner", "lorrainemoran"} <= set(double)
    spanish = nz.handle_keys(nz.parse_debtor_name("María", "García López"))
    assert "mariagarcialopez" in spanish
    assert not [k for k in double + spanish if " " in k]


def test_city_matched_to_gazetteer_with_coordinates() -> None:
    name, lat, lon = places.geocode("Lyon", "FR")
    assert name == "lyon"
    assert lat is not None and 45 < lat < 46 and lon is not None and 4 < lon < 5
    unknown = places.geocode("Nowhereville-sur-Rien", "FR")
    assert unknown == ("nowhereville sur rien", None, None)


def test_both_sides_get_the_same_columns() -> None:
    debtors = prepare.prepare_debtors(
        pd.DataFrame(
            [
                {
                    "debtor_id": 1,
                    "given_names": "José",
                    "family_names": "García López",
                    "date_of_birth": "1980-03-14",
                    "city": "Sevilla",
                    "country": "ES",
                    "phones": "612345678|+34 699 000 111",
                    "emails": "JOSE@x.es",
                }
            ]
        )
    )
    profiles = prepare.prepare_profiles(
        pd.DataFrame(
            [
                {
                    "profile_id": "p1",
                    "network": "social",
                    "display_name": "Pepe García",
                    "handle": "pepe.garcia",
                    "city": "Seville",
                    "birthday": "03-14",
                    "phones": ["+34612345678"],
                }
            ]
        )
    )
    assert list(debtors.columns) == list(profiles.columns) == prepare.COLUMNS
    d, p = debtors.iloc[0], profiles.iloc[0]
    assert d.birthday == p.birthday == "03-14"
    assert d.phones == ["+34612345678", "+34699000111"]
    assert d.given_key == p.given_key
    assert d.city == p.city == "sevilla"  # the gazetteer knows 'Seville'
    # They share blocking keys on surname sound + birthday and on phone.
    shared = set(d.block_keys) & set(p.block_keys)
    assert any(k.startswith("n:") for k in shared)
    assert "p:+34612345678" in shared


@pytest.mark.parametrize(
    ("given", "family", "read_given"),
    [
        # A surname with its particle in the given-name field: the file swapped the two.
        ("Le Teixeira", "Antoine", "teixeira"),
        ("des Garcia", "Margaux", "garcia"),
        # A particle alone stays what the file says; ordinary given names are untouched.
        ("Van", "Morrison", "van"),
        ("Jean Pierre", "de La Fontaine", "jean"),
    ],
)
def test_no_given_name_begins_with_a_particle(given: str, family: str, read_given: str) -> None:
    assert nz.parse_debtor_name(given, family).given == read_given
